#!/usr/bin/env bash
# Builds and runs the benchmark (release build). Arguments go to prb-bench; with none it runs
# the default suite. Results on stdout, progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
# The suite's cost table needs valgrind; without it (and not root) the suite skips that table.
scripts/ensure-valgrind.sh || echo "no valgrind: the suite will skip the cost table" >&2
# The benchmark is a package of its own (Benchmarks/Package.swift) that depends on the library.
swift build -c release --package-path Benchmarks --product prb-bench >&2
exec "$(swift build -c release --package-path Benchmarks --show-bin-path)/prb-bench" "$@"
