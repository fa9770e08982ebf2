#!/usr/bin/env bash
# Set-up (apt packages, one dockerd, test image) and every test: unit and real-engine integration.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH=/opt/swift/usr/bin:$PATH
swift build
# The CLI tests run the binary just built (SIGKILL crash tests need a real process).
export FAULTLINE_BIN="$PWD/.build/debug/faultline"
swift test "$@"
