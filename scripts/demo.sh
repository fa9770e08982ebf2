#!/usr/bin/env bash
# The first-run demo: set-up, build, the reference stack (compose/: a WebSocket AI-agent platform
# with Postgres, Redis, auth and a model stand-in), then
#   1. on-call style: pause the stack's Redis for 3 s while faultline probes it as a client would;
#   2. never leave a fault behind: SIGKILL faultline mid-fault, then `faultline recover`;
#   3. a representative campaign with the live view: Postgres paused 10 s then restarted, while
#      agent runs, health, the database and consistency are probed; report and verdict at the end.
# The stack stays up afterwards for exploring: scripts/stack.sh down removes it.
#   CAMPAIGN=faults/<file>.yaml scripts/demo.sh   runs another campaign in step 3.
#   scripts/demo.sh --swarm   the reference stack as a Swarm stack on 3 nodes (2 backend replicas behind
#                             haproxy), then faults/swarm/backend-replica-killed.yaml (CAMPAIGN= another).
#   scripts/demo.sh --failover  the stack's failover profile (Redis behind three Sentinels, PostgreSQL under
#                             Patroni), then faults/failover/redis-primary-killed.yaml (CAMPAIGN= the other)
#                             and its recovery figure against the HA software's own record.
#   scripts/demo.sh --fleet   the same on a fleet instead: 3 Docker-in-Docker nodes with an agent
#                             each (mutual TLS), a fault through one node's agent, the coordinator
#                             SIGKILLed mid-window, then faults/fleet-across-nodes.yaml across them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH=/opt/swift/usr/bin:$PATH
swift build 2>&1 | tail -1
FL="$PWD/.build/debug/faultline"

section() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ "${1:-}" = "--swarm" ]; then
  FLEET=/tmp/faultline-fleet/fleet.yaml
  CAMPAIGN=${CAMPAIGN:-faults/swarm/backend-replica-killed.yaml}
  section "the reference stack as a Swarm stack: 3 Docker-in-Docker nodes in a Swarm, 2 backend replicas behind haproxy"
  scripts/stack.sh up --swarm
  scripts/stack.sh status --swarm
  "$FL" targets --fleet "$FLEET" --running

  section "a campaign across the Swarm: $CAMPAIGN"
  set +e
  "$FL" run "$CAMPAIGN" --fleet "$FLEET" --runs-dir faultline-runs
  verdict=$?
  set -e
  report=$(ls -td faultline-runs/*/ | head -1)
  case $verdict in 0) word="hypothesis held" ;; 1) word="hypothesis violated" ;; *) word="aborted or invalid" ;; esac
  section "verdict: $word (exit $verdict)"
  printf '  what the runs in flight saw: %s\n' "$(python3 scripts/interrupted-runs.py "${report}journal.jsonl")"
  printf '  HTML report: %sreport.html   Markdown: %ssummary.md (Swarm reschedules)\n' "$report" "$report"
  printf '  the stack stays up (scripts/stack.sh down --swarm removes it and the nodes); faults/swarm/ has the other campaign\n'
  exit "$verdict"
fi
if [ "${1:-}" = "--failover" ]; then
  CAMPAIGN=${CAMPAIGN:-faults/failover/redis-primary-killed.yaml}
  section "the reference stack's failover profile: Redis behind three Sentinels, PostgreSQL under Patroni; the backend follows both"
  scripts/stack.sh up --failover
  export STACK_TOKEN
  STACK_TOKEN=$(scripts/stack.sh token probe)
  section "a campaign: $CAMPAIGN"
  set +e
  "$FL" run "$CAMPAIGN" --runs-dir faultline-runs
  verdict=$?
  set -e
  report=$(ls -td faultline-runs/*/ | head -1)
  case $verdict in 0) word="hypothesis held" ;; 1) word="hypothesis violated" ;; *) word="aborted or invalid" ;; esac
  section "verdict: $word (exit $verdict)"
  printf '  %s\n' "$(python3 scripts/failover-check.py "$report" 2>&1)"
  printf '  HTML report: %sreport.html   (scripts/stack.sh up brings the stack back without the profile)\n' "$report"
  exit "$verdict"
fi
if [ "${1:-}" = "--fleet" ]; then
  FLEET=/tmp/faultline-fleet/fleet.yaml
  section "a fleet on this machine: 3 Docker-in-Docker nodes, each with its engine and a faultline agent (https, mutual TLS)"
  scripts/fleet.sh down >/dev/null
  scripts/fleet.sh up 3
  scripts/fleet.sh workload
  "$FL" targets --fleet "$FLEET" --running

  section "on-call: pause node2's web for 3 s through node2's agent, probed from here"
  "$FL" inject pause fleet-web --for 3s --node node2 --fleet "$FLEET" --probe http://127.0.0.1:47302/

  section "never leave a fault behind: SIGKILL the coordinator mid-window; node2's agent ends the fault itself"
  "$FL" inject pause fleet-web --for 3s --node node2 --fleet "$FLEET" & pid=$!
  sleep 1
  kill -9 $pid; wait $pid 2>/dev/null || true
  printf '  after SIGKILL: paused=%s\n' "$(docker -H unix:///tmp/faultline-fleet/node2/docker.sock inspect -f '{{.State.Paused}}' fleet-web)"
  sleep 3
  printf '  3 s later (the window ended on the agent): paused=%s\n' "$(docker -H unix:///tmp/faultline-fleet/node2/docker.sock inspect -f '{{.State.Paused}}' fleet-web)"

  section "a campaign across the nodes: faults/fleet-across-nodes.yaml"
  set +e
  "$FL" run faults/fleet-across-nodes.yaml --fleet "$FLEET" --runs-dir faultline-runs
  verdict=$?
  set -e
  report=$(ls -td faultline-runs/*/ | head -1)
  case $verdict in 0) word="hypothesis held" ;; 1) word="hypothesis violated" ;; *) word="aborted or invalid" ;; esac
  section "verdict: $word (exit $verdict)"
  printf '  HTML report: %sreport.html   journal: %sjournal.jsonl\n' "$report" "$report"
  printf '  the fleet stays up (export FAULTLINE_FLEET=%s; scripts/fleet.sh down removes it); docs/FLEET.md explains it\n' "$FLEET"
  exit "$verdict"
fi

STATE=$(mktemp -d /tmp/faultline-demo-state.XXXXXX)
CAMPAIGN=${CAMPAIGN:-faults/postgres-pause-then-restart.yaml}
REDIS=faultline-stack_redis_1

cleanup() {
  "$FL" recover --state-dir "$STATE" >/dev/null 2>&1 || true
  rm -rf "$STATE"
}
trap cleanup EXIT

section "the reference stack (compose/): building the image and starting it"
scripts/stack.sh up
"$FL" targets --running
export STACK_TOKEN
STACK_TOKEN=$(scripts/stack.sh token probe)

section "on-call: pause the stack's Redis for 3 s, probed as a client would (PING every 100 ms)"
"$FL" inject pause "$REDIS" --for 3s --state-dir "$STATE" --probe redis://127.0.0.1:6381 --probe tcp://127.0.0.1:6381

section "never leave a fault behind: SIGKILL faultline mid-window; the warden it started reverts the fault"
"$FL" inject pause "$REDIS" --for 60s --state-dir "$STATE" & pid=$!
sleep 1
printf '  before SIGKILL: paused=%s\n' "$(/usr/bin/docker inspect -f '{{.State.Paused}}' "$REDIS")"
kill -9 $pid; wait $pid 2>/dev/null || true
sleep 1
printf '  a second after SIGKILL: paused=%s\n' "$(/usr/bin/docker inspect -f '{{.State.Paused}}' "$REDIS")"
"$FL" recover --state-dir "$STATE"

section "a campaign: $CAMPAIGN"
set +e
"$FL" run "$CAMPAIGN" --state-dir "$STATE" --runs-dir faultline-runs
verdict=$?
set -e
report=$(ls -td faultline-runs/*/ | head -1)
case $verdict in 0) word="hypothesis held" ;; 1) word="hypothesis violated" ;; *) word="aborted or invalid" ;; esac
section "verdict: $word (exit $verdict)"
printf '  HTML report: %sreport.html\n  JUnit: %sjunit.xml   Markdown: %ssummary.md   journal: %sjournal.jsonl\n' "$report" "$report" "$report" "$report"
printf '  every campaign: faults/README.md; the stack stays up (scripts/stack.sh down removes it)\n'
exit "$verdict"
