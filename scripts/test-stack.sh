#!/usr/bin/env bash
# The campaign gate: every campaign in faults/ runs against the reference stack and must hold
# (exit 0); then the stack's regression build (BACKEND_RESILIENCE=off: no retries, no event
# buffering) runs the campaigns that guard those behaviours, and each must be violated (exit 1)
# with the check named below failing in its junit.xml; each such run, judged with --baseline against
# the normal build's run of the same campaign, must fail a `baseline` check too. Last, the stack's
# failover profile (Redis behind three Sentinels, PostgreSQL under Patroni) runs faults/failover/,
# each must hold, and faultline's recovery figure of each primary's kill must agree with the HA
# software's own record: Sentinel's switch to the promoted replica, Patroni's promotion (scripts/failover-check.py).
# Run by scripts/test.sh after the unit and integration tests; on its own after scripts/setup.sh and a build.
#   STACK_CAMPAIGNS="a b"  REGRESSION_CAMPAIGNS="a b"  FAILOVER_CAMPAIGNS="a"   narrow the selection
#   (names without .yaml; an empty selection, e.g. FAILOVER_CAMPAIGNS="", leaves that part out)
set -euo pipefail
cd "$(dirname "$0")/.."
FL=${FAULTLINE_BIN:-$PWD/.build/debug/faultline}
WORK=$(mktemp -d /tmp/faultline-stack-test.XXXXXX)
say() { printf 'stack-test: %s\n' "$*"; }
# Leave the engine as it was found: a stack that was up (the demo's) comes back in normal mode;
# one the gate started is removed, also when the gate fails.
was_up=$(/usr/bin/docker ps -q --filter label=com.docker.compose.project=faultline-stack 2>/dev/null || true)
finish() {
  if [ -n "$was_up" ]; then scripts/stack.sh up >/dev/null 2>&1 || say "could not restore the stack; see scripts/stack.sh status"
  else scripts/stack.sh down >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap finish EXIT

# campaign → the check that must fail against the regression build
declare -A GUARDS=(
  [backend-restart-during-run]="run-in-flight max_error_rate"
  [postgres-pause-then-restart]="run-completes max_error_rate"
  [redis-down]="resume max_error_rate"
  [llm-slow]="retry-visible passes_within"
  [llm-dns-failure]="retry-visible passes_within"
  [llm-rate-limited]="retry-visible passes_within"
  [websocket-message-faults]="resume-after-close max_error_rate"
  [postgres-partition]="run-completes max_error_rate"
  [websocket-drop-resume]="resume max_error_rate"
)
# fleet-* campaigns act on the fleet test bed's nodes, not on the stack: scripts/fleet.sh check runs them.
all=$(cd faults && ls *.yaml | sed 's/\.yaml$//' | grep -v '^fleet-')
campaigns=${STACK_CAMPAIGNS-$all}
regressions=${REGRESSION_CAMPAIGNS-${!GUARDS[*]}}
failures=()

run() {  # run NAME LABEL [RUN OPTIONS…] → exit code; the run directory is $WORK/LABEL/NAME
  local dir="$WORK/$2/$1"
  mkdir -p "$dir"
  set +e
  "$FL" run "faults/$1.yaml" --runs-dir "$dir" --state-dir "$WORK/state" "${@:3}" > "$dir.log" 2>&1
  local code=$?
  set -e
  return $code
}

must_hold() {  # must_hold NAME LABEL → 0 when the campaign held; says so either way, a failure is counted
  local start code=0
  start=$(date +%s)
  run "$1" "$2" || code=$?
  if [ $code -eq 0 ]; then
    say "held      $1 ($(( $(date +%s) - start ))s)"
    return 0
  fi
  say "FAILED    $1: exit $code, expected 0"
  grep -E '^  FAIL|error:' "$WORK/$2/$1.log" | head -5 | sed 's/^/    /' || tail -5 "$WORK/$2/$1.log"
  failures+=("$1")
  return 1
}

failed_case() {  # failed_case JUNIT PREFIX → 0 when a test case whose name starts with PREFIX failed
  /usr/bin/python3 - "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
sys.exit(0 if any(c.get("name", "").startswith(sys.argv[2]) and c.find("failure") is not None for c in cases) else 1)
PY
}

export STACK_TOKEN
[ -z "$campaigns" ] || { scripts/stack.sh up; STACK_TOKEN=$(scripts/stack.sh token probe); }
for name in $campaigns; do
  must_hold "$name" stack || true
done

[ -z "$regressions" ] || { scripts/stack.sh up --regression; STACK_TOKEN=$(scripts/stack.sh token probe); }
for name in $regressions; do
  guard=${GUARDS[$name]:?"no guarded check named for $name"}
  start=$(date +%s)
  # Judged also against the normal build's run of the same campaign (--baseline), when there is one.
  base=$(ls -d "$WORK"/stack/"$name"/*/ 2>/dev/null | head -1)
  if run "$name" regression ${base:+--baseline "$base"}; then code=0; else code=$?; fi
  junit=$(ls "$WORK"/regression/"$name"/*/junit.xml 2>/dev/null | head -1)
  if [ "$code" = 1 ] && [ -n "$junit" ] && failed_case "$junit" "$guard"; then
    say "caught    $name: '$guard' failed against the regression build ($(( $(date +%s) - start ))s)"
    # The same regression, caught by the comparison with the normal build's run (no absolute limit involved).
    if [ -z "$base" ]; then
      say "          $name: no baseline: this selection has no run of it against the normal build"
    elif failed_case "$junit" "baseline "; then
      say "          $name: --baseline (the normal build's run): $(grep -m1 -E '^  FAIL  baseline ' "$WORK/regression/$name.log" | sed 's/^  FAIL  //' | cut -c1-160)"
    else
      # Required: the figures alone must show the regression (all 9 caught in clean-clone runs).
      say "MISSED    $name: not caught by --baseline against the normal build's run"
      grep -E '^  (FAIL|pass)  baseline' "$WORK/regression/$name.log" | head -3 | sed 's/^/    /' || true
      failures+=("$name (baseline)")
    fi
  else
    say "MISSED    $name: exit $code, expected 1 with '$guard' failing"
    grep -E '^  (FAIL|pass)' "$WORK/regression/$name.log" | head -8 | sed 's/^/    /' || tail -5 "$WORK/regression/$name.log"
    failures+=("$name (regression)")
  fi
done

failovers=${FAILOVER_CAMPAIGNS-$(cd faults/failover && ls *.yaml | sed 's/\.yaml$//')}
if [ -n "$failovers" ]; then
  scripts/stack.sh up --failover
  STACK_TOKEN=$(scripts/stack.sh token probe)
  for name in $failovers; do
    must_hold "failover/$name" failover || continue
    # faultline's recovery figure against the HA software's own record (Sentinel's switch,
    # Patroni's promotion): never before it, at most one check cycle after.
    if out=$(/usr/bin/python3 scripts/failover-check.py "$(ls -d "$WORK"/failover/failover/"$name"/*/ | head -1)" 2>&1); then
      say "          failover/$name: $out"
    else
      say "FAILED    failover/$name: faultline's recovery against the HA software's record: $out"
      failures+=("failover/$name (against the record)")
    fi
  done
fi

if [ ${#failures[@]} -gt 0 ]; then
  say "${#failures[@]} failed: ${failures[*]}"
  exit 1
fi
say "all campaigns held against the stack; the regression build failed every guarded one; the failover profile's held and agreed with the HA software's record"
