# Shared by the peers' run.sh scripts (sourced, not run). Each script prints
# one JSON line on stdout and everything else on stderr; on failure it exits
# non-zero and its last line on stderr says why (bench/peers.ts shows it).

# Stops the script with a reason on stderr.
die() {
  echo "$*" >&2
  exit 1
}

# A TCP port free on 127.0.0.1 now (asked from the kernel, so parallel runs do not collide).
free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# npm_into DIR PACKAGE...: installs packages from the npm registry into DIR
# (a throwaway package), so nothing is installed beside nwc or globally.
npm_into() {
  local dir=$1
  shift
  printf '{"name":"peer-bench","private":true,"type":"module"}' > "$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "$@" > npm.log 2>&1) ||
    { tail -n 5 "$dir/npm.log" >&2; die "npm install $* failed (npm registry reachable?)"; }
}

# http_ok URL [JSON]: true when a GET (or, with JSON, a POST of it) answers 2xx.
# Node's fetch rather than curl: node is the one tool every run already has.
http_ok() {
  node -e 'const [url, body] = process.argv.slice(1);
    fetch(url, body ? { method: "POST", headers: { "content-type": "application/json" }, body } : {})
      .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));' "$@"
}
