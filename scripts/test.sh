#!/usr/bin/env bash
# Set-up (apt packages, one dockerd, test image) and every test: unit and real-engine integration
# (swift test), the fleet test bed (scripts/fleet.sh check), then short benchmarks as regression
# gates (scripts/bench.sh --gate), then the
# campaign gate: every campaign in faults/ against the reference stack, and the stack's regression
# build caught by the campaigns that guard it (scripts/test-stack.sh). Arguments go to swift test;
# with arguments (e.g. --filter X) the test bed and both gates are skipped; `--fleet` runs only the fleet
# test bed after the build, `--swarm` only its Swarm checks (the Swarm reference stack among them),
# `--failover` only the campaign gate's failover profile; FAULTLINE_SKIP_FLEET=1 /
# FAULTLINE_SKIP_BENCH=1 / FAULTLINE_SKIP_STACK=1 skip one.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each stage's wall time, printed at the end (and when a stage fails): the CI budget is 60 minutes.
STAGES=()
stage() {
  local name=$1; shift
  local started=$SECONDS status=0
  # stderr joins stdout: CI keeps one stream, and a stage's failure message must be in it.
  "$@" 2>&1 || status=$?
  STAGES+=("$(printf '%-34s %5ds' "$name" $((SECONDS - started)))")
  return $status
}
report_stages() {
  echo "test command: time per stage"
  for line in "${STAGES[@]}"; do echo "  $line"; done
  echo "  $(printf '%-34s %5ds' total "$SECONDS")"
}
RELEASE_BUILD_PID=""
on_exit() {
  report_stages
  # A stage that failed leaves the overlapped release build running: stop it with the script.
  [ -z "$RELEASE_BUILD_PID" ] || kill "$RELEASE_BUILD_PID" 2>/dev/null || true
}
trap on_exit EXIT
stage "set-up" scripts/setup.sh
export PATH=/opt/swift/usr/bin:$PATH
stage "debug build" swift build
if [ "${1:-}" = "--swarm" ]; then
  # The Swarm variant: only the fleet test bed's Swarm checks, the reference stack as a Swarm stack among them.
  export FAULTLINE_BIN="$PWD/.build/debug/faultline"
  stage "swarm checks (fleet test bed)" scripts/fleet.sh check swarm
  exit 0
fi
if [ "${1:-}" = "--fleet" ]; then
  # The fleet variant: only the fleet test bed's check (3 nodes, agents over mutual TLS).
  export FAULTLINE_BIN="$PWD/.build/debug/faultline"
  stage "fleet test bed" scripts/fleet.sh check
  exit 0
fi
if [ "${1:-}" = "--failover" ]; then
  # The failover variant: only the campaign gate's failover profile (Redis behind three Sentinels).
  export FAULTLINE_BIN="$PWD/.build/debug/faultline"
  STACK_CAMPAIGNS="" REGRESSION_CAMPAIGNS="" stage "campaign gate: failover profile" scripts/test-stack.sh
  exit 0
fi
# The CLI tests run the binary just built (SIGKILL crash tests need a real process).
export FAULTLINE_BIN="$PWD/.build/debug/faultline"
# The benchmarks' release build (~9 minutes of 2 cores from clean) overlaps the tests, which mostly
# wait on the engine and on timers: it runs at the idle CPU and IO priority (SCHED_IDLE gets a core
# only when nothing else wants it, so timing tests keep theirs) in a scratch directory of its own
# (SwiftPM locks one per build). The benchmark stage waits for it and then measures on a quiet machine.
if [ $# -eq 0 ] && [ -z "${FAULTLINE_SKIP_BENCH:-}" ]; then
  export FAULTLINE_RELEASE_SCRATCH="$PWD/.build-release"
  chrt --idle 0 ionice -c 3 swift build -c release --static-swift-stdlib --scratch-path "$FAULTLINE_RELEASE_SCRATCH" > /tmp/faultline-release-build.log 2>&1 &
  RELEASE_BUILD_PID=$!
fi
release_build_done() {  # waits for the overlapped release build; its log when it failed
  local pid=$RELEASE_BUILD_PID status=0
  RELEASE_BUILD_PID=""
  wait "$pid" || status=$?
  [ "$status" -eq 0 ] || { tail -40 /tmp/faultline-release-build.log; return "$status"; }
  tail -1 /tmp/faultline-release-build.log
}
# One test at a time: several suites measure time (cadence, recovery against engine events, proxy
# latency), and a cold start that launched every suite at once on 2 cores starved them.
stage "swift tests" swift test --no-parallel "$@"
if [ $# -eq 0 ] && [ -z "${FAULTLINE_SKIP_FLEET:-}" ]; then
  # The fleet test bed: two Docker-in-Docker nodes, a campaign and single faults through each node's agent,
  # the API fuzz (schemathesis, bounded) against an agent inside a node, all removed.
  stage "fleet test bed" scripts/fleet.sh check
fi
if [ $# -eq 0 ] && [ -z "${FAULTLINE_SKIP_BENCH:-}" ]; then
  # Short benchmarks as regression gates (release build, every figure compared in the same run).
  stage "release build (rest of the overlap)" release_build_done
  stage "benchmark gates" scripts/bench.sh --gate
fi
if [ $# -eq 0 ] && [ -z "${FAULTLINE_SKIP_STACK:-}" ]; then
  stage "campaign gate" scripts/test-stack.sh
fi
