#!/usr/bin/env bash
# Peer: Restate 1.7.12, the server binary its npm package ships, with a
# TypeScript-SDK service (service.mjs), all on 127.0.0.1 on free ports, data
# under a temp folder (default durability).
# Usage: run.sh [HELLO3_RUNS] [HELLO5_N] [WARMUP] [HELLO5_ROUNDS]; prints one JSON line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
runs=${1:-200} n=${2:-2000} warmup=${3:-10} rounds=${4:-3}

case "$(uname -m)" in
  x86_64) platform=linux-x64 ;;
  aarch64) platform=linux-arm64 ;;
  *) die "no Restate server binary on npm for $(uname -m)" ;;
esac

w=$(mktemp -d -t peer-restate.XXXXXX)
pids=()
# Stops what this script started (by pid): SIGTERM, up to 10 s for a clean shutdown, then SIGKILL.
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  for _ in $(seq 1 20); do
    alive=false
    for p in "${pids[@]}"; do kill -0 "$p" 2> /dev/null && alive=true; done
    $alive || break
    sleep 0.5
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2> /dev/null || true; done
  rm -rf "$w"
}
trap cleanup EXIT

npm_into "$w" @restatedev/restate-server@1.7.12 @restatedev/restate-sdk@1.17.2
server="$w/node_modules/@restatedev/restate-server-$platform/bin/restate-server"
[ -x "$server" ] || die "the npm package shipped no server binary at $server"
cp "$here/service.mjs" "$here/bench.mjs" "$w/"
cd "$w"

ingress=$(free_port) admin=$(free_port) node_port=$(free_port) service=$(free_port)
RESTATE_BASE_DIR="$w/data" \
  RESTATE_INGRESS__BIND_ADDRESS=127.0.0.1:$ingress RESTATE_ADMIN__BIND_ADDRESS=127.0.0.1:$admin \
  RESTATE_BIND_ADDRESS=127.0.0.1:$node_port RESTATE_ADVERTISED_ADDRESS=http://127.0.0.1:$node_port \
  RESTATE_INGRESS__ADVERTISED_INGRESS_ENDPOINT=http://127.0.0.1:$ingress \
  RESTATE_ADMIN__ADVERTISED_ADMIN_ENDPOINT=http://127.0.0.1:$admin \
  "$server" > server.log 2>&1 &
pids+=($!)
PORT=$service node service.mjs > service.log 2>&1 &
pids+=($!)
# cleanup stops both by pid; disowned, their end is not reported as a job's on stderr.
disown -a

# Startup takes seconds on a loaded machine; 60 s is far beyond a healthy start.
for _ in $(seq 1 120); do http_ok "http://127.0.0.1:$admin/health" && break; sleep 0.5; done
http_ok "http://127.0.0.1:$admin/health" || { tail -n 5 server.log >&2; die "the Restate server did not become healthy in 60 s"; }
registered=false
for _ in $(seq 1 20); do
  if http_ok "http://127.0.0.1:$admin/deployments" "{\"uri\":\"http://127.0.0.1:$service\"}"; then
    registered=true
    break
  fi
  sleep 0.5
done
$registered || { tail -n 5 service.log >&2; die "registering the service with Restate failed"; }

INGRESS=http://127.0.0.1:$ingress timeout 600 node bench.mjs "$runs" "$n" "$warmup" "$rounds" > out.txt 2> err.txt ||
  { tail -n 5 err.txt >&2; die "the Restate benchmark failed"; }
grep '"peer"' out.txt || { tail -n 5 err.txt >&2; die "the Restate benchmark printed no result"; }
