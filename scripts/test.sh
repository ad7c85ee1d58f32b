#!/usr/bin/env bash
# Runs the test suites of both packages: the library (this folder) and the benchmark's
# (Benchmarks/: the comparators, the panic scenarios, the allocation tests). With no argument:
# every test (debug build). Options:
#   --tsan   the concurrency tests under ThreadSanitizer (must report nothing)
#   --asan   the unit tests under AddressSanitizer
#   --all    the plain run, then both sanitizer runs (what CI does)
# PRB_STRESS_SECONDS=N makes the stress tests run N seconds per variant (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh

# Tests that exercise real concurrency: these run under ThreadSanitizer. (ConcurrencyTests also
# matches LogRingConcurrencyTests.) LockBustTests races by design and is left out on purpose.
concurrency_tests='StressTests|StuckWriterTests|ConcurrencyTests|PanicScenarioTests'

# Each package in turn: `in_packages swift test ARGS...` runs the command here, then in Benchmarks/
# with its own scratch path (a scratch path named in ARGS is taken relative to each package).
in_packages() {
    "$@" && (cd Benchmarks && "$@")
}

plain() {
    in_packages swift test
}

tsan() {
    echo "== ThreadSanitizer: $concurrency_tests" >&2
    local log
    log=$(mktemp)
    # halt_on_error makes a report fail the run; the grep is a second net in case a report is
    # printed by a process whose exit status the test runner does not pass on.
    TSAN_OPTIONS="halt_on_error=1 ${TSAN_OPTIONS:-}" \
        in_packages swift test --sanitize=thread --scratch-path .build-tsan --filter "$concurrency_tests" 2>&1 |
        tee "$log"
    if grep -q "WARNING: ThreadSanitizer" "$log"; then
        echo "ThreadSanitizer reported a race" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
}

asan() {
    echo "== AddressSanitizer: unit and model tests" >&2
    # LeakSanitizer reports leaks inside XCTest itself, not ours: leak checking off.
    ASAN_OPTIONS="detect_leaks=0 ${ASAN_OPTIONS:-}" \
        in_packages swift test --sanitize=address --scratch-path .build-asan --skip "$concurrency_tests"
}

case "${1:-}" in
    "") plain ;;
    --tsan) tsan ;;
    --asan) asan ;;
    --all) plain; tsan; asan ;;
    *) echo "usage: scripts/test.sh [--tsan|--asan|--all]" >&2; exit 2 ;;
esac
