#!/usr/bin/env bash
# Peer: DBOS Transact 5.3 on Debian's PostgreSQL (15 on bookworm), in a
# private cluster on a free port under a temp folder (default durability:
# fsync and synchronous_commit on), so no system cluster or password is touched.
# Usage: run.sh [HELLO3_RUNS] [HELLO5_N] [WARMUP] [HELLO5_ROUNDS]; prints one JSON line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
runs=${1:-200} n=${2:-2000} warmup=${3:-10} rounds=${4:-3}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "$(pg_bin)" ]; then
  [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed, and installing it needs root: apt-get install -y postgresql"
  echo "installing postgresql from the Debian registry" >&2
  { apt-get install -y postgresql || { apt-get update && apt-get install -y postgresql; }; } > /dev/null 2>&1 ||
    die "apt-get install -y postgresql failed (Debian registry reachable?)"
fi
bin=$(pg_bin)
[ -x "$bin/initdb" ] || die "no initdb under $bin"
# initdb refuses to run as root: as root the cluster belongs to the postgres user the package created.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

w=$(mktemp -d -t peer-dbos.XXXXXX)
chmod 755 "$w"
cleanup() {
  [ -f "$w/pg/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$w/pg" -m immediate stop > /dev/null 2>&1
  rm -rf "$w"
}
trap cleanup EXIT

mkdir "$w/pg"
[ "$(id -u)" = 0 ] && chown postgres "$w/pg"
as_pg "$bin/initdb" -D "$w/pg" -U postgres -A trust > "$w/initdb.log" 2>&1 || { tail -n 5 "$w/initdb.log" >&2; die "initdb failed"; }
port=$(free_port)
as_pg "$bin/pg_ctl" -D "$w/pg" -l "$w/pg/server.log" -w -o "-p $port -k $w/pg -c listen_addresses=127.0.0.1" start > /dev/null ||
  { tail -n 5 "$w/pg/server.log" >&2; die "PostgreSQL did not start"; }
pg_version=$("$bin/postgres" --version | awk '{print $3}')

npm_into "$w" @dbos-inc/dbos-sdk@5.3.0
cp "$here/bench.mjs" "$w/"
cd "$w"
DBOS_SYSTEM_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/peerbench_sys" PG_VERSION="$pg_version" \
  timeout 600 node bench.mjs "$runs" "$n" "$warmup" "$rounds" > out.txt 2> err.txt ||
  { tail -n 5 err.txt >&2; die "the DBOS benchmark failed"; }
grep '"peer"' out.txt || { tail -n 5 err.txt >&2; die "the DBOS benchmark printed no result"; }
