# Shared by the benchmark scripts: source it, don't run it.
#   ensure_command CMD PACKAGE   installs PACKAGE from Debian's archive when CMD is missing
#   ensure_file PATH PACKAGE     the same, for a file the package provides
#   start_herald ARGS...         starts a fresh Herald from scripts/herald on the bench ports,
#                                waits for its start line, sets herald_pid, stops it on exit
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
http="${HERALD_BENCH_HTTP_PORT:-18080}"
ingest="${HERALD_BENCH_INGEST_PORT:-17070}"
admin="${HERALD_BENCH_ADMIN_PORT:-19090}"

ensure_command() {
  command -v "$1" >/dev/null || install_package "$2"
  command -v "$1" >/dev/null || { echo "could not install $2 (for $1)" >&2; exit 3; }
}

ensure_file() {
  [[ -e "$1" ]] || install_package "$2"
  [[ -e "$1" ]] || { echo "could not install $2 (for $1)" >&2; exit 3; }
}

install_package() {
  echo "installing $1 from Debian's packages..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "$1" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q "$1" >/dev/null; }
}

start_herald() {
  "$root/scripts/herald" --version >/dev/null                  # builds herald.jar if needed
  herald_log="$(mktemp)"
  "$root/scripts/herald" --http-host 127.0.0.1 --http-port "$http" --ingest-port "$ingest" \
    --admin-port "$admin" "$@" >"$herald_log" 2>&1 &
  herald_launcher=$!
  trap 'kill -TERM "$herald_launcher" 2>/dev/null || true; wait "$herald_launcher" 2>/dev/null; rm -f "$herald_log"' EXIT
  for _ in $(seq 1 150); do
    grep -q "herald started" "$herald_log" && break
    kill -0 "$herald_launcher" 2>/dev/null || { cat "$herald_log" >&2; exit 3; }
    sleep 0.2
  done
  grep -q "herald started" "$herald_log" || { echo "Herald did not start:" >&2; cat "$herald_log" >&2; exit 3; }
  herald_pid="$(pgrep -f "herald.jar --http-host 127.0.0.1 --http-port $http" | head -1)"
}
