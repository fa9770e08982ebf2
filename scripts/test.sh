#!/usr/bin/env bash
# Set-up (apt packages, one dockerd, test image) and every test: unit and real-engine integration
# (swift test), then short benchmarks as regression gates (scripts/bench.sh --gate), then the
# campaign gate: every campaign in faults/ against the reference stack, and the stack's regression
# build caught by the campaigns that guard it (scripts/test-stack.sh). Arguments go to swift test;
# with arguments (e.g. --filter X) both gates are skipped, and FAULTLINE_SKIP_BENCH=1 /
# FAULTLINE_SKIP_STACK=1 skip one.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH=/opt/swift/usr/bin:$PATH
swift build
# The CLI tests run the binary just built (SIGKILL crash tests need a real process).
export FAULTLINE_BIN="$PWD/.build/debug/faultline"
# One test at a time: several suites measure time (cadence, recovery against engine events, proxy
# latency), and a cold start that launched every suite at once on 2 cores starved them.
swift test --no-parallel "$@"
if [ $# -eq 0 ] && [ -z "${FAULTLINE_SKIP_BENCH:-}" ]; then
  # Short benchmarks as regression gates (release build, every figure compared in the same run).
  scripts/bench.sh --gate
fi
if [ $# -eq 0 ] && [ -z "${FAULTLINE_SKIP_STACK:-}" ]; then
  scripts/test-stack.sh
fi
