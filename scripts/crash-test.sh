#!/usr/bin/env bash
# The crash test at scale (minutes; not run by CI): prb-log writer processes share a ring file,
# one is SIGKILLed again and again (at random moments, and frozen first at each fault point with
# PRB_TEST_FREEZE_AT), a new one takes its place, and after every kill the ring must take writes
# until it has wrapped past the dead record and a dump must check (Tests/ProcessHarness, driven
# through the prb-crash executable; `swift test` runs a few kills of the same in CrashTests).
#
# Usage: scripts/crash-test.sh [options]
#   --writers N          background writer processes (default 3)
#   --random-kills N     kills at random moments (default 1000; 0 skips them)
#   --kills-per-point N  kills at each freeze point (default 100; 0 skips them)
#   --points LIST        freeze points, comma-separated (default: every point prb-crash
#                        --list-points names, i.e. FreezePoint in Tests/ProcessHarness)
#   --rings LIST         ring sizes as DESC_BITS:DATA_BITS, comma-separated (default 5:11,8:14);
#                        the kills of each kind are shared out among them
#   --wraps N            wraps past the dead record a ring must take after each kill (default 3)
#   --seed N             seed of the random choices (default 1)
#   --release            build and run release binaries
# Prints prb-crash's progress lines as it goes (every 25 kills: running counts and the
# supervisor's own CPU time and peak memory), each campaign's counts followed by the running
# totals so far (so that a partial run can be quoted), then the totals: kills of each kind,
# wedges, torn records, finalized records missing from a dump above its first seq, dead records
# shown wrongly, followers stuck behind a dead record, other dump failures, take-overs
# (prb-dump --stats), elapsed time, the supervisors' CPU time and peak memory. Exit status 1 if
# any count of failures is not zero.
#
# A kill that leaves a record in flight is taken over by the survivors (docs/RECOVERY.md); a wedge
# (each wedged ring is replaced by a new one and the campaign goes on) means a window the take-over
# does not cover (docs/RECOVERY.md, "Still open": none that one death reaches).
#
# Debug binaries are the default, and the faster choice for random kills: a release prb-log writes
# its 4,000 lines before the random kill delay has passed, so most random victims have finished
# and each kill takes several attempts.
set -euo pipefail
cd "$(dirname "$0")/.."

writers=3
random_kills=1000
per_point=100
points=
rings=5:11,8:14
wraps=3
seed=1
configuration=debug
while [ $# -gt 0 ]; do
    case "$1" in
        --writers) writers=$2; shift 2 ;;
        --random-kills) random_kills=$2; shift 2 ;;
        --kills-per-point) per_point=$2; shift 2 ;;
        --points) points=$2; shift 2 ;;
        --rings) rings=$2; shift 2 ;;
        --wraps) wraps=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --release) configuration=release; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "scripts/crash-test.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

scripts/ensure-deps.sh
for product in prb-log prb-dump prb-crash; do
    swift build -c "$configuration" --product "$product" >&2
done
bin=$(swift build -c "$configuration" --show-bin-path)
# The freeze points come from one list, the harness's FreezePoint (a new point is a new case there).
[ -n "$points" ] || points=$("$bin/prb-crash" --list-points)

IFS=, read -r -a ring_sizes <<< "$rings"
IFS=, read -r -a point_list <<< "$points"
declare -A total=([kills]=0 [wedges]=0 [torn]=0 [missing]=0 [dead_misshown]=0 [followers_stuck]=0 [other_failures]=0
    [harness]=0 [supervisor_cpu_ms]=0)
declare -A kills_at=()
kinds=()
takeovers=n/a
peak_rss_kb=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# campaign KILL_POINT KILLS: the kills shared out among the ring sizes.
campaign() {
    local at=$1 kills=$2 i=0 size share
    kinds+=("$at")
    kills_at[$at]=0
    for size in "${ring_sizes[@]}"; do
        share=$(( kills / ${#ring_sizes[@]} + (i < kills % ${#ring_sizes[@]} ? 1 : 0) ))
        i=$((i + 1))
        [ "$share" -gt 0 ] || continue
        echo "== $share kills at $at, ring ${size%:*}:${size#*:} (desc:data bits), $writers writers" >&2
        # Progress lines (standard error) pass straight through; the counts come at the end.
        "$bin/prb-crash" --at "$at" --kills "$share" --writers "$writers" --desc-bits "${size%:*}" \
            --data-bits "${size#*:}" --wraps "$wraps" --seed "$((seed + i))" >"$log" || failed=1
        grep -v '^counts: ' "$log" || true
        local line key value
        line=$(grep '^counts: ' "$log" || true)
        if [ -z "$line" ]; then
            echo "prb-crash failed before reporting its counts:" >&2
            cat "$log" >&2
            failed=1
            continue
        fi
        for field in ${line#counts: }; do
            key=${field%%=*}
            value=${field#*=}
            case "$key" in
                takeovers) [ "$value" = n/a ] || takeovers=$(( ${takeovers/n\/a/0} + value )) ;;
                supervisor_peak_rss_kb) [ "$value" -le "$peak_rss_kb" ] || peak_rss_kb=$value ;;
                *) total[$key]=$(( ${total[$key]:-0} + value )) ;;
            esac
            [ "$key" != kills ] || kills_at[$at]=$(( ${kills_at[$at]} + value ))
        done
        running_totals
    done
}

# kills_by_kind: "random 1000, desc-reserved 100, ..." so far.
kills_by_kind() {
    local kind list=()
    for kind in "${kinds[@]}"; do list+=("$kind ${kills_at[$kind]}"); done
    local IFS=,
    echo "${list[*]}" | sed 's/,/, /g'
}

running_totals() {
    echo "== running totals after ${SECONDS} s: kills ${total[kills]} ($(kills_by_kind)); wedges ${total[wedges]}," \
        "torn ${total[torn]}, missing ${total[missing]}, dead shown wrongly ${total[dead_misshown]}," \
        "followers stuck ${total[followers_stuck]}, other dump failures ${total[other_failures]}," \
        "harness ${total[harness]}, takeovers ${takeovers}"
}

[ "$random_kills" -gt 0 ] && campaign random "$random_kills"
if [ "$per_point" -gt 0 ]; then
    for point in "${point_list[@]}"; do campaign "$point" "$per_point"; done
fi

cat <<SUMMARY
== crash test totals (random kills: $random_kills; per freeze point: $per_point at ${points}; rings ${rings}; $writers writers; $configuration build)
kills:                                              ${total[kills]} ($(kills_by_kind))
wedges:                                             ${total[wedges]}
torn records:                                       ${total[torn]}
finalized records missing above a dump's first seq: ${total[missing]}
dead writers' records shown wrongly:                ${total[dead_misshown]}
followers stuck behind a dead record:               ${total[followers_stuck]}
other dump failures:                                ${total[other_failures]}
harness problems:                                   ${total[harness]}
takeovers:                                          ${takeovers}
elapsed:                                            ${SECONDS} s
supervisor CPU time (all campaigns):                $(( total[supervisor_cpu_ms] / 1000 )) s
supervisor peak RSS (largest campaign):             $(( peak_rss_kb / 1024 )) MiB
SUMMARY
exit "$failed"
