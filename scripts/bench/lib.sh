# Shared by the benchmark scripts: source it, don't run it.
#   ensure_command CMD PACKAGE   installs PACKAGE from Debian's archive when CMD is missing
#   ensure_file PATH PACKAGE     the same, for a file the package provides
#   start_herald ARGS...         starts a fresh Herald from scripts/herald on the bench ports,
#                                waits for its start line, sets herald_pid, stops it on exit;
#                                HERALD_BENCH_ARGS adds Herald options (e.g. --admission-rate 0)
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
    --admin-port "$admin" --max-streams-per-ip 0 ${HERALD_BENCH_ARGS:-} "$@" >"$herald_log" 2>&1 &
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

# run_scenario NAME HERALD_LOAD_ARGS...: one herald-load run against the Herald that start_herald
# started (its CPU and RSS sampled through --server-pid), report under reports/NAME-<time>/, and
# one line of results; returns herald-load's exit status (non-zero on loss or failures).
# HERALD_BENCH_WARMUP=SECONDS (default 0): that first part of the publishing is checked for loss
# but left out of the latency figures (JIT compilation in both processes).
run_scenario() {
  local name="$1"; shift
  "$root/scripts/herald-load" --version >/dev/null              # builds herald-load.jar if needed
  mkdir -p "$root/reports"
  local report="$root/reports/$name-$(date +%Y%m%d-%H%M%S)" status
  set +e
  "$root/scripts/herald-load" --url "http://127.0.0.1:$http/events?topic={topic}" \
    --ingest "127.0.0.1:$ingest" --server-pid "$herald_pid" --report "$report" \
    --warmup "${HERALD_BENCH_WARMUP:-0}s" "$@" \
    >"$report.txt" 2>"$report.progress"
  status=$?
  set -e
  [[ -f "$report/summary.json" ]] || { echo "$name: herald-load failed (exit $status):" >&2; tail -5 "$report.progress" >&2; return "$status"; }
  python3 - "$report/summary.json" "$name" "$*" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]} [{sys.argv[3]}] deliveries/s={s['deliveriesPerSecond']} "
      f"p50={s['latencyP50Ms']}ms p99={s['latencyP99Ms']}ms p99.9={s['latencyP999Ms']}ms "
      f"lost={s['lost']} dup={s['duplicates']} late={s['outOfOrder']} failures={sum(s['failures'].values())} "
      f"reconnects={s.get('reconnects', 0)} "
      f"herald-cpu-s/M={s['serverCpuSecondsPerMillionDeliveries']} herald-rss={s['serverMaxRssMiB']}MiB "
      f"herald-load-cpu-s/M={s['toolCpuSecondsPerMillionDeliveries']}"
      + (f" after-warmup: herald-cpu-s/M={s['serverCpuSecondsPerMillionAfterWarmup']} "
         f"herald-load-cpu-s/M={s['toolCpuSecondsPerMillionAfterWarmup']}"
         if s.get('deliveriesAfterWarmup', 0) > 0 else ""))
PY
  echo "report: $report"
  return "$status"
}
