#!/usr/bin/env bash
# Shows that every barrier of the ring earns its place: for each ordering site of prb.c (every
# PRB_MO / PRB_MO_LOAD / PRB_FENCE, see prb_atomics.h), builds the Relacy suites with that one
# site weakened and records which suite fails, at which iteration, and why.
#
# Weakenings per site (prb_atomics.h): PRB_WEAKEN_<site> (everything to relaxed, fence removed) for
# every site; PRB_WEAKEN_SC_<site> where the site has a seq_cst order; PRB_WEAKEN_ACQ_<site> and
# PRB_WEAKEN_REL_<site> where it has an acquire and a release half (acq_rel or seq_cst).
#
# Usage: scripts/verify-weakening.sh [--iterations N] [--jobs J] [--out DIR] [--timeout S] [SITE_OR_VARIANT...]
#   --iterations N  random-scheduler iterations per suite (default 100000); each suite stops at
#                   its first failure; the context-bounded search runs too
#   --jobs J        variants built and run at once (default 2), under nice
#   --out DIR       where results go (default .build-verify/weakening): results.tsv (one line per
#                   variant and suite), summary.tsv (one line per variant: the suite that failed
#                   first), and histories/<variant>.txt (Relacy's trace of each failing iteration)
#   --timeout S     seconds a variant's binary may run before it is recorded as an error (1800)
#   SITE_OR_VARIANT only these sites (desc_read_A) or variants (SC_desc_reserve_D)
# PRB_RELACY_FLAGS adds compiler flags to every build (e.g. -DPRB_TAIL_SLACK_SHIFT=0: the tails'
# slack at its largest, as scripts/verify.sh runs it too).
# Exit status 0 when every variant is caught by some suite, 1 otherwise (the uncaught ones are
# listed: see docs/VERIFICATION.md for the sites known to be beyond Relacy's reach).
set -euo pipefail
cd "$(dirname "$0")/.."

iterations=100000
jobs=2
timeout=1800
out=.build-verify/weakening
only=()
while [ $# -gt 0 ]; do
    case "$1" in
        --iterations) iterations=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        -*) echo "usage: $0 [--iterations N] [--jobs J] [--out DIR] [--timeout S] [SITE_OR_VARIANT...]" >&2; exit 2 ;;
        *) only+=("$1"); shift ;;
    esac
done

if [ ! -f /usr/include/relacy/relacy.hpp ]; then
    echo "installing relacy-dev" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq relacy-dev >&2
fi

core=Sources/CPrintkRing

# Sites and their orders, from prb.c itself: "site ORDER ORDER ...".
sites=$(grep -o 'PRB_\(MO\|MO_LOAD\|FENCE\)([A-Za-z0-9_]*, PRB_MO_[A-Z_]*)' "$core/prb.c" |
    sed 's/PRB_\(MO\|MO_LOAD\|FENCE\)(\([A-Za-z0-9_]*\), PRB_MO_\([A-Z_]*\))/\2 \1:\3/' |
    awk '{ o[$1] = o[$1] " " $2 } END { for (s in o) print s o[s] }' | sort)

variants=()
relaxed_sites=()
while read -r site orders; do
    [ -n "$site" ] || continue
    # A site whose every order is relaxed (labelled for the record, e.g. desc_make_final_B) has
    # nothing to weaken: listed, not swept.
    if ! echo "$orders" | grep -q 'ACQUIRE\|RELEASE\|ACQ_REL\|SEQ_CST'; then
        relaxed_sites+=("$site")
        continue
    fi
    candidates=("$site")
    case "$orders" in *SEQ_CST*) candidates+=("SC_$site") ;; esac
    if echo "$orders" | grep -q 'MO:\(ACQ_REL\|SEQ_CST\)\|FENCE:\(ACQ_REL\|SEQ_CST\)'; then
        candidates+=("ACQ_$site" "REL_$site")
    fi
    for v in "${candidates[@]}"; do
        if [ ${#only[@]} -eq 0 ]; then
            variants+=("$v")
        else
            for o in "${only[@]}"; do
                if [ "$o" = "$site" ] || [ "$o" = "$v" ]; then variants+=("$v"); break; fi
            done
        fi
    done
done <<< "$sites"
# An argument that names no site or variant of prb.c (misspelled, or a site renamed in the core)
# must not shrink the sweep silently.
for o in "${only[@]}"; do
    found=0
    for v in "${variants[@]}"; do [ "$v" = "$o" ] || [ "${v#*_}" = "$o" ] && found=1; done
    echo "$sites" | grep -q "^$o " && found=1
    for v in "${relaxed_sites[@]}"; do [ "$v" = "$o" ] && found=1; done
    if [ "$found" = 0 ]; then
        echo "no site or variant $o in $core/prb.c" >&2
        exit 2
    fi
done
mkdir -p "$out/bin" "$out/histories" "$out/runs"
rm -f "$out"/runs/* "$out"/histories/*
echo "$sites" > "$out/sites.txt"
echo "${#variants[@]} variants, $iterations iterations per suite, $jobs at a time" >&2
[ ${#relaxed_sites[@]} -eq 0 ] || echo "relaxed sites (nothing to weaken): ${relaxed_sites[*]}" >&2

flags="-std=c++11 -O2 -w -I $core/include -I Tests/Relacy ${PRB_RELACY_FLAGS:-}"
# The unweakened preprocessor output: a variant whose output is the same weakened nothing (a
# misspelled site), which must not pass for "not caught".
g++ $flags -E -P Tests/Relacy/prb_relacy.cpp -o "$out/bin/default.ii"

run_variant() {
    local v=$1 out=$2 iterations=$3 flags=$4 timeout=$5
    local bin="$out/bin/$v" log="$out/runs/$v.txt" t0
    t0=$(date +%s)
    g++ $flags -E -P "-DPRB_WEAKEN_$v" Tests/Relacy/prb_relacy.cpp -o "$bin.ii"
    if cmp -s "$bin.ii" "$out/bin/default.ii"; then
        echo "relacy: - [-] ERROR: -DPRB_WEAKEN_$v changes nothing" > "$log"
        rm -f "$bin.ii"
        return
    fi
    rm -f "$bin.ii"
    if ! nice g++ $flags "-DPRB_WEAKEN_$v" Tests/Relacy/prb_relacy.cpp -o "$bin" 2> "$log.cc"; then
        # A weakening that does not compile is an error of the knobs, never "not caught".
        echo "relacy: - [-] ERROR: -DPRB_WEAKEN_$v does not compile: $(head -1 "$log.cc")" > "$log"
        rm -f "$log.cc"
        return
    fi
    rm -f "$log.cc"
    # Exit 1 is "some suite failed"; anything else (a crash, the timeout) is recorded as an error
    # rather than read as a pass of the suites that did not get to run.
    local rc=0
    nice timeout "$timeout" "$bin" --iterations "$iterations" --bounded --history "$out/histories/$v.txt" > "$log" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "relacy: - [-] ERROR: exit status $rc (crash or timeout) after the runs above" >> "$log"
    fi
    rm -f "$bin"
    echo "$v: $(grep -c FAILED "$log" || true) suites failed ($(($(date +%s) - t0)) s)" >&2
}
export -f run_variant

start=$(date +%s)
printf '%s\n' "${variants[@]}" | xargs -P "$jobs" -I{} bash -c 'run_variant "$@"' _ {} "$out" "$iterations" "$flags" "$timeout"

# results.tsv: variant, suite, search, result, iteration, seconds, reason
{
    printf 'variant\tsuite\tsearch\tresult\titeration\tseconds\treason\n'
    for v in "${variants[@]}"; do
        sed -n 's/^relacy: \([a-z_-]*\) \[\([^]]*\)\] \(ok\|FAILED\|ERROR\)\(.*\)$/\1\t\2\t\3\t\4/p' "$out/runs/$v.txt" |
            while IFS=$'\t' read -r suite search result rest; do
                iteration=$(echo "$rest" | sed -n 's/.*at iteration \([0-9]*\).*/\1/p; s/^: \([0-9]*\) iterations.*/\1/p')
                seconds=$(echo "$rest" | sed -n 's/^[^,]*, \([0-9.]*\) s\b.*/\1/p')
                reason=$(echo "$rest" | sed -n 's/^[^:]*s: //p')
                printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$v" "$suite" "$search" "$result" "$iteration" "$seconds" "$reason"
            done
    done
} > "$out/results.tsv"

# summary.tsv: per variant, the failing run with the fewest iterations (or "not caught").
{
    printf 'variant\tcaught_by\tsearch\titeration\treason\n'
    for v in "${variants[@]}"; do
        line=$(awk -F'\t' -v v="$v" '$1 == v && $4 != "ok" { print $5 "\t" $2 "\t" $3 "\t" $7 }' "$out/results.tsv" |
            sort -n | head -1)
        if [ -z "$line" ]; then
            printf '%s\tnot caught\t\t\t\n' "$v"
        else
            IFS=$'\t' read -r iteration suite search reason <<< "$line"
            printf '%s\t%s\t%s\t%s\t%s\n' "$v" "$suite" "$search" "$iteration" "$reason"
        fi
    done
} > "$out/summary.tsv"

column -t -s $'\t' "$out/summary.tsv" | cut -c1-160
missed=$(awk -F'\t' 'NR > 1 && $2 == "not caught" { print $1 }' "$out/summary.tsv")
echo "weakening sweep: ${#variants[@]} variants in $(($(date +%s) - start)) s; results in $out" >&2
if [ -n "$missed" ]; then
    echo "not caught:" $missed >&2
    exit 1
fi
