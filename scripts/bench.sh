#!/usr/bin/env bash
# Set-up, a release build, and the benchmarks that compare faultline with the alternatives,
# side by side in one run. Traffic goes to loopback only; every loop is bounded and ends by itself.
#   ROUNDS        engine benchmark rounds per method (default 200)
#   ONCALL_ROUNDS rounds of the on-call benchmark (command start → engine event) per method (default 30)
#   PROBES        concurrent probes in the capacity benchmark (default 500)
#   PROBE_SECONDS how long the probes run (default 30)
#   FAULTS        planned faults in the scheduler benchmark (default 1000)
#   CAMPAIGN_RUNS runs per tool in the campaign-overhead benchmark (default 10)
#   PROXY_REQUESTS, PROXY_SIZE  round trips and bulk size of the proxy benchmark (5000, 1g)
#   HTTP_REQUESTS, HTTP_SECONDS  requests per path and rate-measurement seconds of the transparent-http benchmark (5000, 3)
#   HTTPS_CALLS   fresh-connection calls per path of the transparent-https benchmark (500)
#   PACKET_ROUND_TRIPS, PACKET_PACKETS  the packet benchmark's round trips per path and packets per asked delay (3000, 3000)
#   DAEMON_RUNS   small runs in the daemon footprint benchmark (default 1000)
#   TORTURE_TRIALS  SIGKILL trials of the daemon torture test (default 200; the test command runs 20)
#   FUZZ_SECONDS  seconds per fuzz target: campaign parser, engine decoders, daemon API bodies (default 120; the test command runs 5, 3 and 3)
#   RECOVERY_ROUNDS  rounds of the recovery-accuracy benchmark per pass (default 10)
# --gate: the short version CI runs (scripts/test.sh): small sizes, each benchmark with --gate so a
# missed regression criterion fails the script; no soak (the test command runs torture and fuzzing).
set -euo pipefail
cd "$(dirname "$0")/.."
GATE=""
if [ "${1:-}" = "--gate" ]; then
  GATE="--gate"
  : "${ROUNDS:=20}" "${ONCALL_ROUNDS:=12}" "${PROBES:=1000}" "${PROBE_SECONDS:=8}" "${FAULTS:=200}" "${CAMPAIGN_RUNS:=3}" "${RECOVERY_ROUNDS:=2}"
  : "${PROXY_REQUESTS:=1000}" "${PROXY_SIZE:=256m}" "${DAEMON_RUNS:=40}" "${HTTP_REQUESTS:=1000}" "${HTTP_SECONDS:=1}" "${HTTPS_CALLS:=200}"
elif [ $# -gt 0 ]; then
  echo "usage: scripts/bench.sh [--gate]" >&2; exit 2
fi
scripts/setup.sh
command -v nginx >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }
# Chaos Toolkit, the peer in the campaign-overhead benchmark, in a venv of its own (PyPI).
if [ ! -x .build/bench-venv/bin/chaos ]; then
  python3 -c 'import ensurepip' 2>/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  python3 -m venv .build/bench-venv && .build/bench-venv/bin/pip install -q chaostoolkit
fi
export PATH=/opt/swift/usr/bin:$PATH
# FAULTLINE_RELEASE_SCRATCH: SwiftPM's scratch directory for the release build (default .build;
# the test command builds into one of its own while its tests run). The Swift runtime and Foundation
# are linked statically: a process that starts for every `inject` starts ~12 ms sooner.
SCRATCH=${FAULTLINE_RELEASE_SCRATCH:-$PWD/.build}
swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" 2>&1 | tail -1
FL=$SCRATCH/release/faultline-bench

# Local servers for the probe benchmark: Redis and nginx on loopback, removed on exit.
WORK=$(mktemp -d /tmp/faultline-bench.XXXXXX)
chmod 755 "$WORK"  # nginx workers run as nobody
cleanup() {
  [ -f "$WORK/redis.pid" ] && kill "$(cat "$WORK/redis.pid")" 2>/dev/null || true
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  sleep 0.2; rm -rf "$WORK"
}
trap cleanup EXIT
redis-server --bind 127.0.0.1 --port 16379 --save '' --appendonly no --daemonize yes --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log" --maxclients 10000
mkdir -p "$WORK/www" && echo ok > "$WORK/www/index.html"
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:18080; root $WORK/www; }
}
CONF
nginx -c "$WORK/nginx.conf"
ready=""
for _ in $(seq 1 50); do
  redis-cli -p 16379 ping >/dev/null 2>&1 && curl -sf http://127.0.0.1:18080/ >/dev/null && { ready=1; break; }
  sleep 0.1
done
[ -n "$ready" ] || { echo "bench: local Redis or nginx did not come up; see $WORK" >&2; exit 1; }

missed=""
bench() {  # bench NAME ARGS...: runs `faultline-bench NAME`; in gate mode a failure is collected, not fatal
  local name=$1; shift
  # Benchmarks that start faultline processes (oncall, campaign, recovery, daemon) measure this release
  # build, whatever FAULTLINE_BIN the caller has (the test command points it at the debug build).
  if ! FAULTLINE_BIN="$SCRATCH/release/faultline" "$FL" "$name" "$@" $GATE; then
    [ -n "$GATE" ] || exit 1
    missed="$missed $name"
  fi
  echo
}
bench engine --rounds "${ROUNDS:-200}"
bench oncall --rounds "${ONCALL_ROUNDS:-30}"
bench probes --count "${PROBES:-500}" --for "${PROBE_SECONDS:-30}s"
# #19's capacity figure: 2,000 probes at 10 Hz (the full run only).
[ -n "$GATE" ] || bench probes --count 2000 --for "${PROBE_SECONDS:-30}s"
bench scheduler --faults "${FAULTS:-1000}"
bench campaign --runs "${CAMPAIGN_RUNS:-10}" --chaos .build/bench-venv/bin/chaos --http http://127.0.0.1:18080/
bench recovery --rounds "${RECOVERY_ROUNDS:-10}"
bench proxy --requests "${PROXY_REQUESTS:-5000}" --size "${PROXY_SIZE:-1g}"
bench transparent-http --requests "${HTTP_REQUESTS:-5000}" --seconds "${HTTP_SECONDS:-3}"
bench transparent-https --calls "${HTTPS_CALLS:-500}"
bench packet --round-trips "${PACKET_ROUND_TRIPS:-3000}" --packets "${PACKET_PACKETS:-3000}"
bench daemon --runs "${DAEMON_RUNS:-1000}"
if [ -n "$GATE" ]; then
  [ -z "$missed" ] || { echo "bench: regression gates missed:$missed (see the MISSED lines above)" >&2; exit 1; }
  echo "bench: every regression gate held"; exit 0
fi
# The soak: SIGKILL the daemon at random moments of an every-kind campaign, restart, nothing left;
# and the fuzz targets, longer than in the test command.
swift build --build-tests 2>&1 | tail -1
echo "### Daemon torture (${TORTURE_TRIALS:-200} SIGKILL trials) and fuzzing (${FUZZ_SECONDS:-120} s per target)"
FAULTLINE_TORTURE_TRIALS="${TORTURE_TRIALS:-200}" swift test --skip-build --filter DaemonTortureTests 2>&1 | grep -E "✔|✘|Test run" | tail -3
FAULTLINE_FUZZ_SECONDS="${FUZZ_SECONDS:-120}" swift test --skip-build --filter "CampaignFuzzTests|DecoderFuzzTests|DaemonAPIFuzzTests" 2>&1 | grep -E "fuzz:|✔|✘|Test run" | tail -5
