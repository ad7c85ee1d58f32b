#!/usr/bin/env bash
# Checks the real ring code beyond what stress tests can reach:
#   - Tests/Interleavings/*.c: deterministic replays of specific interleavings (prb.c built with a
#     preemptible atomics layer);
#   - Tests/Relacy/prb_relacy.cpp: prb.c compiled as C++ under Relacy, a checker of the C++11
#     memory model (installs Debian's relacy-dev when missing): every suite with the random
#     scheduler, then the context-bounded searches of the small ones.
# Usage: scripts/verify.sh [--long|--quick]
#   short (CI): 2*10^5 random-scheduler iterations per suite and the quick bounded searches;
#               about 1.5 minutes on two cores
#   --quick:    5*10^4 iterations per suite, no bounded searches (scripts/mutate.sh, for a mutant
#               that is not a weakened memory order); about half a minute
#   --long:     10^6 per suite and every bounded search (two of them about 13 and 10 million
#               iterations); about 20 minutes on two shared cores (docs/VERIFICATION.md)
# Both also run the suites that push tails again with the largest tail-push slack (prb.c,
# PRB_TAIL_SLACK_SHIFT=0): the model checker's rings are too small for the default one to act.
# scripts/verify-weakening.sh shows, site by site, that each barrier is needed (not run by CI).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=(--bounded)
[ "${1:-}" = "--long" ] && mode=(--bounded --long)
[ "${1:-}" = "--quick" ] && mode=(--iterations 50000)

if [ ! -f /usr/include/relacy/relacy.hpp ]; then
    echo "installing relacy-dev" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq relacy-dev >&2
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
core=Sources/CPrintkRing

for test in Tests/Interleavings/*.c; do
    name=$(basename "$test" .c)
    gcc -std=c11 -O2 -Wall -Wextra -I "$core/include" -I Tests/Interleavings "$test" -o "$out/$name"
    "$out/$name"
done

nice g++ -std=c++11 -O2 -w -I "$core/include" -I Tests/Relacy Tests/Relacy/prb_relacy.cpp -o "$out/prb_relacy"
nice "$out/prb_relacy" "${mode[@]}"

# The tails' slack (data_make_reusable, desc_pass_slack) frees nothing early in the model
# checker's tiny rings at the default size: check it again with the whole ring as slack.
nice g++ -std=c++11 -O2 -w -DPRB_TAIL_SLACK_SHIFT=0 -I "$core/include" -I Tests/Relacy Tests/Relacy/prb_relacy.cpp \
    -o "$out/prb_relacy_slack"
echo "relacy: again with the whole ring as tail-push slack"
slack_mode=("${mode[@]}")
[ "${slack_mode[0]}" = "--bounded" ] && slack_mode=("${slack_mode[@]:1}")
nice "$out/prb_relacy_slack" "${slack_mode[@]}" --suite two_writers_one_reader --suite tails_race \
    --suite reader_vs_recycling --suite data_tail_behind_head --suite stuck_writer_panic_reader \
    --suite tail_pushed_for_another --suite walk_fails_then_tail_moves --suite dead_writer_data_positions \
    --suite dead_writer_desc_reserved --suite dead_writer_data_allocated --suite dead_writer_text_partial \
    --suite dead_writer_two_survivors --suite unnamed_block_reclaimed_slot --suite slack_stale_data_tail \
    --suite slack_cas_fails_short
