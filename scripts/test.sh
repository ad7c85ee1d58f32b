#!/usr/bin/env bash
# Runs the test suites of both packages: the library (this folder) and the benchmark's
# (Benchmarks/: the comparators, the panic scenarios, the allocation tests). With no argument:
# every test (debug build). Options:
#   --tsan   the concurrency tests under ThreadSanitizer (must report nothing)
#   --asan   the single-threaded tests under AddressSanitizer
#   --all    the plain run, then both sanitizer runs (what CI does)
# PRB_STRESS_SECONDS=N makes the stress tests run N seconds per variant (default 2).
# PRB_TEST_TIMEOUT bounds each `swift test` (a sleep(1) duration, default 20m).
#
# Which tests a run executes is chosen by the suites' traits, not here: each run says what it is
# in PRB_SANITIZER (unset, `thread` or `address`), and a suite marked .concurrent runs in the
# plain and TSan runs, .singleThreaded in the plain and ASan runs, .racesByDesign in the plain run
# only (Tests/TestSupport/SanitizerRun.swift).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
unset PRB_SANITIZER

test_timeout=${PRB_TEST_TIMEOUT:-20m}

# `swift test ARGS...`, killed with everything it started if it runs longer than $test_timeout. A
# hung test must fail the run, not hang CI. swift test starts the test runner in a process group
# of its own, so killing swift test (or its group, as timeout(1) does) would leave the runner
# spinning; it is started in a session of its own instead, and the whole session is killed.
swift_test() {
    setsid swift test "$@" &
    local tests=$! finished status=0
    sleep "$test_timeout" </dev/null >/dev/null 2>&1 &
    local timer=$!
    wait -n -p finished "$tests" "$timer" || status=$?
    if [ "$finished" = "$timer" ]; then
        echo "scripts/test.sh: 'swift test $*' in $PWD still running after $test_timeout:" \
            "a test hangs (the last one started above). Killing it." >&2
        pkill -TERM -s "$tests" || true
        sleep 10
        pkill -KILL -s "$tests" || true
        wait "$tests" || true
        return 124
    fi
    kill "$timer" 2>/dev/null || true
    wait "$timer" 2>/dev/null || true
    return "$status"
}

# Each package in turn: `in_packages ARGS...` runs `swift test ARGS...` here, then in Benchmarks/
# (a scratch path named in ARGS is taken relative to each package).
in_packages() {
    swift_test "$@" && (cd Benchmarks && swift_test "$@")
}

plain() {
    in_packages
}

tsan() {
    echo "== ThreadSanitizer: the .concurrent suites" >&2
    local log
    log=$(mktemp)
    # halt_on_error makes a report fail the run; the grep is a second net in case a report is
    # printed by a process whose exit status the test runner does not pass on.
    PRB_SANITIZER=thread TSAN_OPTIONS="halt_on_error=1 ${TSAN_OPTIONS:-}" \
        in_packages --sanitize=thread --scratch-path .build-tsan 2>&1 | tee "$log"
    if grep -q "WARNING: ThreadSanitizer" "$log"; then
        echo "ThreadSanitizer reported a race" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
}

asan() {
    echo "== AddressSanitizer: the .singleThreaded suites" >&2
    # LeakSanitizer reports leaks inside XCTest itself, not ours: leak checking off.
    PRB_SANITIZER=address ASAN_OPTIONS="detect_leaks=0 ${ASAN_OPTIONS:-}" \
        in_packages --sanitize=address --scratch-path .build-asan
}

case "${1:-}" in
    "") plain ;;
    --tsan) tsan ;;
    --asan) asan ;;
    --all) plain; tsan; asan ;;
    *) echo "usage: scripts/test.sh [--tsan|--asan|--all]" >&2; exit 2 ;;
esac
