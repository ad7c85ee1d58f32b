#!/usr/bin/env bash
# libFuzzer over the ring's attach, read and write paths with hostile memory (Tests/Fuzz/fuzz_ring.c),
# with AddressSanitizer and UndefinedBehaviorSanitizer. Not run by CI: `swift test` has the short
# seeded version (Tests/CPrintkRingTests/HostileRegionFuzzTests.swift).
#
# Usage: scripts/fuzz.sh [--time SECONDS] [--jobs N] [--run FILE...]
#   --time S   how long to fuzz (default 60); the corpus grows in .build-fuzz/corpus across runs,
#              seeded each run with a few valid rings (fuzz_ring.c built with -DPRB_FUZZ_SEEDS)
#              and the inputs in Tests/Fuzz/regressions (each once found a hang or a crash)
#   --jobs N   parallel fuzzing processes (default 1; the machine's other users need the CPUs)
#   --run F... replay inputs (a crash file from .build-fuzz/artifacts, say) and exit
# Prints the number of executions and the coverage libFuzzer reached (cov: edges, ft: features);
# exits 1 if it found a crash, a hang (-timeout, 10 s per input) or a leak, with the input saved
# in .build-fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
jobs=1
run=()
while [ $# -gt 0 ]; do
    case "$1" in
        --time) seconds=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --run) shift; run=("$@"); break ;;
        *) echo "usage: scripts/fuzz.sh [--time SECONDS] [--jobs N] [--run FILE...]" >&2; exit 2 ;;
    esac
done

# The Swift toolchain's clang ships libFuzzer; fall back to Debian's clang if it does not.
cc=clang
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long s) { return 0; }' |
    "$cc" -x c -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then
    if ! command -v clang-14 >/dev/null && ! command -v clang-16 >/dev/null; then
        echo "installing clang (for libFuzzer)" >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >&2
    fi
    cc=$(command -v clang-16 || command -v clang-14 || command -v clang)
fi

out=.build-fuzz
mkdir -p "$out/corpus" "$out/seeds" "$out/artifacts"
core=Sources/CPrintkRing
flags=(-std=c11 -g -O1 -Wall -Wextra -I "$core/include" -I "$core")
# lld links the sanitizer runtimes without gold's page of "Cannot export local symbol" warnings.
if echo 'int main(void) { return 0; }' | "$cc" -x c -fuse-ld=lld - -o /dev/null 2>/dev/null; then
    flags+=(-fuse-ld=lld)
fi
"$cc" "${flags[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    "$core/prb.c" Tests/Fuzz/fuzz_ring.c -o "$out/fuzz_ring"

if [ ${#run[@]} -gt 0 ]; then
    exec "$out/fuzz_ring" "${run[@]}"
fi

"$cc" "${flags[@]}" -DPRB_FUZZ_SEEDS "$core/prb.c" Tests/Fuzz/fuzz_ring.c -o "$out/make_seeds"
"$out/make_seeds" "$out/seeds"

log=$out/last-run.log
status=0
parallel=()
# With -jobs, libFuzzer runs each job with its output in fuzz-N.log in the current directory: the
# run happens in $out, and the summary comes from all the logs.
rm -f "$out"/fuzz-*.log
[ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
(
    cd "$out"
    ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1 ${ASAN_OPTIONS:-}" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1 ${UBSAN_OPTIONS:-}" \
        ./fuzz_ring corpus seeds ../Tests/Fuzz/regressions -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
        "${parallel[@]}" -artifact_prefix=artifacts/ -print_final_stats=1
) >"$log" 2>&1 || status=$?

logs=("$log")
[ "$jobs" -gt 1 ] && logs+=("$out"/fuzz-*.log)
execs=$(grep -h "stat::number_of_executed_units" "${logs[@]}" 2>/dev/null | awk '{s += $2} END {print s + 0}')
last=$(grep -h -E "^#[0-9]+" "${logs[@]}" 2>/dev/null | tail -1)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
corpus=$(find "$out/corpus" -type f | wc -l)
echo "fuzz_ring: ${execs} executions in ${seconds} s x ${jobs} job(s); cov: ${cov:-?} ft: ${ft:-?};" \
    "corpus ${corpus} inputs ($out/corpus); log $log"
if [ "$status" -ne 0 ] || ls "$out"/artifacts/crash-* "$out"/artifacts/timeout-* "$out"/artifacts/leak-* >/dev/null 2>&1; then
    echo "fuzz_ring FOUND A PROBLEM (exit $status): see $log and $out/artifacts/;" \
        "replay with scripts/fuzz.sh --run FILE" >&2
    grep -h -E "ERROR|SUMMARY|fuzz_ring:|runtime error" "${logs[@]}" | head -20 >&2 || true
    exit 1
fi
