#!/usr/bin/env bash
# The instruction budget of the lockless write path: builds prb-bench (release), counts the
# instructions per record of the lockless write path (Swift API) under callgrind over a fixed
# loop, and fails if they exceed Benchmarks/instruction-budget.txt by more than 5%. A count, not
# a timing: the same binary gives the same number whatever else the machine does. Installs
# valgrind when it is missing (as root). About a minute once prb-bench is built.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
scripts/ensure-valgrind.sh

budget_file=Benchmarks/instruction-budget.txt
budget=$(grep -v '^[[:space:]]*#' "$budget_file" | awk 'NF { print $1; exit }')
[[ "$budget" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "no budget in $budget_file" >&2; exit 1; }

swift build -c release --package-path Benchmarks --product prb-bench >&2
bin=$(swift build -c release --package-path Benchmarks --show-bin-path)
json=$(mktemp)
trap 'rm -f "$json"' EXIT
"$bin/prb-bench" cost --impl lockless --path write --records 100000 --json "$json"

# The row of the Swift API's write path (the JSON is pretty-printed, keys sorted, one per line).
measured=$(awk '
    /"api" :/ { api = $3 } /"impl" :/ { impl = $3 } /"path" :/ { path = $3 }
    /"instructions_per_record" :/ { count = $3 }
    /^    }/ { if (api ~ /"swift"/ && impl ~ /"lockless"/ && path ~ /"write"/) print count + 0 }
' "$json")
[ -n "$measured" ] || { echo "no lockless write row in the cost output" >&2; exit 1; }

awk -v measured="$measured" -v budget="$budget" 'BEGIN {
    limit = budget * 1.05
    printf "lockless write path: %.1f instructions per record; budget %s, limit (+5%%) %.1f\n", measured, budget, limit
    if (measured > limit) {
        print "over the instruction budget: make the write path shorter, or raise Benchmarks/instruction-budget.txt"
        print "in a commit of its own that says why (the breakdown above shows where the instructions went)"
        exit 1
    }
}'
