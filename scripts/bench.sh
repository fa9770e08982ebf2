#!/usr/bin/env bash
# Set-up, a release build, and the benchmarks that compare faultline with the alternatives.
# ROUNDS (default 200) sets the rounds per method.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH=/opt/swift/usr/bin:$PATH
swift build -c release
.build/release/faultline bench engine --rounds "${ROUNDS:-200}"
