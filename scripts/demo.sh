#!/usr/bin/env bash
# The first-run demo: set-up, build, a small target (Redis from the host's binaries, published on
# 127.0.0.1:6381), then real faults with an independent prober measuring what a client sees, and a
# SIGKILLed faultline whose fault `faultline recover` removes. Probes built into faultline
# measure what a client sees: time to detect, failures during the window, time to recover. Everything it starts it removes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH=/opt/swift/usr/bin:$PATH
swift build 2>&1 | tail -1
FL="$PWD/.build/debug/faultline"
DOCKER=/usr/bin/docker
STATE=$(mktemp -d /tmp/faultline-demo-state.XXXXXX)
NET=faultline-demo
REDIS=faultline-demo-redis
PORT=6381

cleanup() {
  "$FL" recover --state-dir "$STATE" >/dev/null 2>&1 || true
  "$DOCKER" rm -f "$REDIS" >/dev/null 2>&1 || true
  "$DOCKER" network rm "$NET" >/dev/null 2>&1 || true
  rm -rf "$STATE"
}
trap cleanup EXIT
cleanup

section() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

section "target: Redis on a user-defined network, published on 127.0.0.1:$PORT"
"$DOCKER" network create --label faultline.test=demo "$NET" >/dev/null
"$DOCKER" run -d --name "$REDIS" --label faultline.test=demo --label faultline.demo=redis --network "$NET" --network-alias cache \
  -p 127.0.0.1:$PORT:6379 -v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro -v /bin:/bin:ro -v /etc:/etc:ro \
  faultline-test/hostroot:1 /usr/bin/redis-server --bind 0.0.0.0 --port 6379 --save '' --appendonly no --protected-mode no >/dev/null
for _ in $(seq 1 50); do redis-cli -p $PORT ping >/dev/null 2>&1 && break; sleep 0.1; done
"$FL" targets

section "pause Redis for 3 s while faultline probes it as a client would (PING every 100 ms)"
"$FL" inject pause "$REDIS" --for 3s --state-dir "$STATE" --probe redis://127.0.0.1:$PORT --probe tcp://127.0.0.1:$PORT

section "cut Redis off its networks for 2 s (published port included), probed"
"$FL" inject partition "$REDIS" --for 2s --state-dir "$STATE" --probe redis://127.0.0.1:$PORT
printf '  aliases after the revert: %s\n' "$("$DOCKER" inspect -f "{{json (index .NetworkSettings.Networks \"$NET\").Aliases}}" "$REDIS")"

section "stop Redis for 2 s: how long until clients are served again?"
"$FL" inject stop "$REDIS" --for 2s --grace 1 --state-dir "$STATE" --probe redis://127.0.0.1:$PORT

section "what a client saw over 2 s afterwards"
"$FL" probe redis://127.0.0.1:$PORT --every 100ms --for 2s

section "limit Redis to 0.05 of a core for 2 s (live cgroup; HostConfig untouched)"
"$FL" inject cpu "$REDIS" --cpus 0.05 --for 2s --state-dir "$STATE" --probe redis://127.0.0.1:$PORT
printf '  HostConfig after: NanoCpus=%s CpuQuota=%s\n' "$("$DOCKER" inspect -f '{{.HostConfig.NanoCpus}}' "$REDIS")" "$("$DOCKER" inspect -f '{{.HostConfig.CpuQuota}}' "$REDIS")"

section "a campaign: faults/demo-redis.yaml (steady state, three outages, recovery checks, reports)"
set +e
"$FL" run faults/demo-redis.yaml --state-dir "$STATE" --runs-dir faultline-runs
verdict=$?
set -e
report=$(ls -td faultline-runs/*/ | head -1)
printf '  verdict exit code %s; open %sreport.html (JUnit: %sjunit.xml, Markdown: %ssummary.md)\n' "$verdict" "$report" "$report" "$report"

section "never leave a fault behind: SIGKILL faultline mid-window, then recover"
"$FL" inject pause "$REDIS" --for 60s --state-dir "$STATE" & pid=$!
sleep 1
kill -9 $pid; wait $pid 2>/dev/null || true
printf '  after SIGKILL: paused=%s\n' "$("$DOCKER" inspect -f '{{.State.Paused}}' "$REDIS")"
"$FL" recover --state-dir "$STATE"
printf '  after recover: paused=%s\n' "$("$DOCKER" inspect -f '{{.State.Paused}}' "$REDIS")"

section "done: the target and its network are removed on exit"
