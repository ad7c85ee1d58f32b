#!/usr/bin/env bash
# Prints the panic-time readability table: the four panic scenarios (stuck-remote, stuck-self,
# busy-remote, signal-writer) x every implementation (lockless, spinlock, mutex, swift-mutex,
# spin-reserve, fetch-add), each freeze point and dump mode, as Markdown on stdout.
#   scripts/panic-table.sh                 # each wait on the panic path gives up after 20 ms
#   scripts/panic-table.sh --budget-ms 5
# Release build, in its own scratch directory; progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
scratch=.build-panic-table
nice swift build -c release --scratch-path "$scratch" --product panic-table >&2
exec "$(swift build -c release --scratch-path "$scratch" --show-bin-path)/panic-table" "$@"
