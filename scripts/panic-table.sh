#!/usr/bin/env bash
# Prints the panic-time readability table: the panic scenarios (stuck-remote, stuck-self,
# busy-remote, busy-remote-paced, signal-writer, committed-last) x every implementation, each
# freeze point and dump mode, and the
# 1 MiB full-ring dump time. A thin wrapper: `prb-bench panic` does the work (release build).
#   scripts/panic-table.sh                          # each wait on the panic path gives up after 20 ms
#   scripts/panic-table.sh --budget-ms 5 --repetitions 3 --json panic.json
exec "$(dirname "$0")/bench.sh" panic "$@"
