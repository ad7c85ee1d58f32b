#!/usr/bin/env bash
# Builds and runs the benchmark (release build). Arguments go to prb-bench; with none it runs
# the default suite. Results on stdout, progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build -c release --product prb-bench >&2
exec "$(swift build -c release --show-bin-path)/prb-bench" "$@"
