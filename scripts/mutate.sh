#!/usr/bin/env bash
# Mutation testing of the C core: applies each mutant of scripts/mutants.txt (one at a time) to a
# scratch copy of this tree, builds the tests, runs the C-core and Swift API suites, and, for a
# mutant they let through, scripts/verify.sh (interleaving replays and Relacy: its short mode for
# a weakened memory order, --quick for the others). Prints a table: which test killed each mutant,
# or that it survived, timed out, or no longer matches the source (stale). Not part of CI: a full
# run takes over an hour on two shared cores (README, "Mutation testing").
#
# Usage: scripts/mutate.sh [--list] [--no-verify] [ID...]
#   ID...        run only these mutants (e.g. M07 M31); default: all
#   --list       list the mutants (id, kind, file, description) and exit
#   --no-verify  skip scripts/verify.sh for survivors (they are reported as survived)
# Environment:
#   PRB_MUTATE_DIR           scratch directory (default .build-mutate; its build is kept between
#                            runs, so only the first run builds everything)
#   PRB_MUTATE_TEST_TIMEOUT  bound on one run of the test binary, seconds (default 90; a clean
#                            run takes 10 to 20 s)
#   PRB_MUTATE_VERIFY_TIMEOUT  bound on one scripts/verify.sh, seconds (default 900)
#   PRB_MUTATE_VERIFY_QUICK=1  verify.sh --quick for the weakened orders too (faster, may miss some)
#   PRB_MUTATE_SUITE_TIMEOUT   bound on one suite when a run that timed out is run again suite by
#                              suite, seconds (default 40)
#
# The real tree is never modified: the scratch tree is a copy, and each mutant is applied to its
# copy of the file, restored from a pristine copy before the next mutant and on exit or interrupt.
#
# Outcomes (the "result" column):
#   killed      a test failed (named in "killed by"; "crash in T" if the process died in T)
#   hang        only by tests that hit their time limit: a weakness, the bug should fail fast
#   timeout     the test binary did not finish in PRB_MUTATE_TEST_TIMEOUT, nor some suite when run
#               again suite by suite, and no test had failed: a weakness (Swift Testing reports a time
#               limit but cannot stop a test spinning in C, so the run never ends)
#   verify      the tests passed; scripts/verify.sh failed ("interleavings" or "relacy: SUITE")
#   survived    nothing failed
#   equivalent  the tests passed and the list argues that the mutant is equivalent (verify.sh
#               is not run for it)
#   stale       its find text no longer occurs in the file: update the list
#   build-error the mutant does not compile: fix the mutant
# Score: killed (by tests or verify) / (all - stale - build errors - equivalent survivors).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
list_file=scripts/mutants.txt

verify=1
list_only=0
ids=()
for arg in "$@"; do
    case "$arg" in
        --list) list_only=1 ;;
        --no-verify) verify=0 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "unknown option $arg" >&2; exit 2 ;;
        *) ids+=("$arg") ;;
    esac
done

# The list parser and the applier: scripts/mutants.txt's format is described at its top.
mutants_py() {
    python3 - "$@" <<'PY'
import sys

def parse(path):
    mutants, cur = [], None
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("["):
            mid, _, desc = line[1:].partition("]")
            cur = {"id": mid.strip(), "desc": desc.strip(), "occurrence": "1", "kind": "logic",
                   "equivalent": "", "line": n}
            mutants.append(cur)
            continue
        key, sep, value = line.partition(":")
        if cur is None or not sep or key.strip() not in (
                "file", "find", "replace", "occurrence", "kind", "equivalent"):
            sys.exit(f"{path}:{n}: expected '[ID] description' or 'key: value', got: {line}")
        key = key.strip()
        value = value[1:] if value.startswith(" ") else value
        if key == "equivalent" and cur["equivalent"]:
            cur["equivalent"] += " " + value
        else:
            cur[key] = value
    seen = set()
    for m in mutants:
        for key in ("file", "find", "replace"):
            if key not in m:
                sys.exit(f"{path}:{m['line']}: mutant {m['id']} has no '{key}:'")
        if m["id"] in seen:
            sys.exit(f"{path}:{m['line']}: mutant id {m['id']} used twice")
        seen.add(m["id"])
    return mutants

def nth(text, find, occurrence):
    at = -1
    for _ in range(occurrence):
        at = text.find(find, at + 1)
        if at < 0:
            return -1
    return at

cmd, path = sys.argv[1], sys.argv[2]
mutants = parse(path)
if cmd == "table":  # id, kind, file, equivalent?, description: one tab-separated line each
    for m in mutants:
        print("\t".join([m["id"], m["kind"], m["file"], "eq" if m["equivalent"] else "-", m["desc"]]))
elif cmd == "apply":  # apply mutant ID to the file under TREE; exit 3 if stale
    mid, tree = sys.argv[3], sys.argv[4]
    m = next((m for m in mutants if m["id"] == mid), None)
    if m is None:
        sys.exit(f"no mutant {mid}")
    target = f"{tree}/{m['file']}"
    text = open(target, encoding="utf-8").read()
    at = nth(text, m["find"], int(m["occurrence"]))
    if at < 0:
        sys.exit(3)
    text = text[:at] + m["replace"] + text[at + len(m["find"]):]
    open(target, "w", encoding="utf-8").write(text)
elif cmd == "equivalent":
    mid = sys.argv[3]
    print(next(m["equivalent"] for m in mutants if m["id"] == mid))
PY
}

table=$(mutants_py table "$list_file")
if [ "$list_only" = 1 ]; then
    printf '%s\n' "$table" | awk -F'\t' '{ printf "%-5s %-8s %-32s %s%s\n", $1, $2, $3, $5, ($4 == "eq" ? "  [argued equivalent]" : "") }'
    exit 0
fi
if [ "${#ids[@]}" -gt 0 ]; then
    for id in "${ids[@]}"; do
        grep -q "^$id	" <<<"$table" || { echo "no mutant $id in $list_file" >&2; exit 2; }
    done
fi

scratch=${PRB_MUTATE_DIR:-$root/.build-mutate}
tree=$scratch/tree
logs=$scratch/logs
test_timeout=${PRB_MUTATE_TEST_TIMEOUT:-90}
verify_timeout=${PRB_MUTATE_VERIFY_TIMEOUT:-900}
suite_timeout=${PRB_MUTATE_SUITE_TIMEOUT:-40}
mkdir -p "$tree" "$logs" "$scratch/pristine"

# The scratch tree: this working tree as it is (uncommitted changes included), without builds or
# git. tar keeps modification times, so an unchanged file does not rebuild.
echo "mutate: copying the tree to $tree" >&2
rm -rf "$tree/Sources" "$tree/Tests" "$tree/scripts"
tar -C "$root" --exclude='.build*' --exclude='.git' --exclude='.swiftpm' --exclude='./verify-out' \
    --exclude='./bench-results' -cf - . | tar -C "$tree" -xf -
mutated_files=$(printf '%s\n' "$table" | cut -f3 | sort -u)
for f in $mutated_files; do
    mkdir -p "$scratch/pristine/$(dirname "$f")"
    cp -p "$tree/$f" "$scratch/pristine/$f"
done

running=""
restore() {
    local f
    for f in $mutated_files; do
        cp -p "$scratch/pristine/$f" "$tree/$f"
    done
}
on_exit() {
    if [ -n "$running" ]; then
        kill -TERM "$running" 2>/dev/null || true
        wait "$running" 2>/dev/null || true
    fi
    restore
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# `bounded DIR SECONDS COMMAND...` runs COMMAND in DIR under timeout, in the background (bash
# runs no trap while it waits for a foreground command, and timeout signals its whole process
# group when it fires or is killed), so that an interrupt stops it at once. Returns its status.
bounded() {
    local dir=$1 seconds=$2 status=0
    shift 2
    (cd "$dir" && exec timeout -k 10 "$seconds" "$@") &
    running=$!
    wait "$running" || status=$?
    running=""
    return "$status"
}

echo "mutate: building the unmutated tree (the first run builds everything)" >&2
restore
bounded "$tree" 1800 swift build --build-tests >"$logs/baseline.build.log" 2>&1 || {
    echo "mutate: the unmutated tree does not build: $logs/baseline.build.log" >&2
    exit 1
}
test_binary=$tree/.build/debug/PrintkRingPackageTests.xctest
# The C-core and Swift API suites (ToolsTests starts processes and tests no more of the core).
test_filter='^(CPrintkRingTests|PrintkRingTests)\.'
run_tests() {
    # Line-buffered: the output of a run killed by the timeout must not be lost in a buffer.
    bounded "$tree" "$test_timeout" stdbuf -oL -eL "$test_binary" --testing-library swift-testing \
        --filter "$test_filter" "$@"
}
# One suite (MODULE.SUITE) alone, bounded by PRB_MUTATE_SUITE_TIMEOUT.
run_tests_of() {
    bounded "$tree" "$suite_timeout" stdbuf -oL -eL "$test_binary" --testing-library swift-testing \
        --filter "^${1//./\\.}/"
}
suites=$("$test_binary" --testing-library swift-testing --list-tests 2>/dev/null |
    grep -E "$test_filter" | sed 's|/.*||' | sort -u)
echo "mutate: checking that the unmutated tree passes" >&2
run_tests >"$logs/baseline.test.log" 2>&1 || {
    echo "mutate: the unmutated tests fail: $logs/baseline.test.log" >&2
    exit 1
}

# What killed it, from Swift Testing's output: the failed tests (with their file), "hang" if every
# one of them failed only by its time limit, or the test running when the process died.
tests_verdict() {
    python3 - "$1" "$2" <<'PY'
import re, sys
log, status = open(sys.argv[1], encoding="utf-8", errors="replace").read(), int(sys.argv[2])

def plain(name):  # "case passing 1 argument x → 3 to f(x:)" is a case of f(x:)
    m = re.match(r"case passing .* to (\S+\))$", name)
    return m.group(1) if m else name

issues, limit_only, started, finished = {}, {}, [], set()
for line in log.splitlines():
    m = re.search(r"✘ Test (.+?) recorded an issue(?: with .+?)? at (\S+?)\.swift:\d+:\d+: (.*)", line)
    if m:
        name = f"{m.group(2)}.{plain(m.group(1))}"
        issues.setdefault(name, 0)
        issues[name] += 1
        limit_only[name] = limit_only.get(name, True) and "Time limit was exceeded" in m.group(3)
        continue
    m = re.search(r"Test (.+?) started\.$", line)
    if m:
        started.append(plain(m.group(1)))
    m = re.search(r"Test (.+?)(?: with \d+ test cases?)? (passed|failed|skipped)", line)
    if m:
        finished.add(plain(m.group(1)))
ran_to_end = re.search(r"Test run with \d+ tests? .*(passed|failed)", log) is not None
names = list(issues)
shown = ", ".join(names[:2]) + (f" +{len(names) - 2} more" if len(names) > 2 else "")
if status in (124, 137):
    running = [n for n in dict.fromkeys(started) if n not in finished and n != "run"]
    real = [n for n in names if not limit_only[n]]
    over = [n for n in names if limit_only[n]]
    if real:  # a test failed on its own before another one hung the run
        print("killed\t" + ", ".join(real[:2]) + " (then the run hung: timed out)")
    else:
        print("timeout\t" + (f"over time limit: {', '.join(over[:2])}; " if over else "")
              + "running: " + ", ".join(running[:2]))
elif status != 0 and not ran_to_end:
    # A crash: the first frame of the backtrace that is a test names the test that crashed.
    crashed = re.search(r"^Thread \d+ .*crashed:$", log, re.M)
    frame = re.search(r"\b([A-Z]\w*Tests)\.(\w+\([^)]*\))", log[crashed.end():] if crashed else "")
    where = f"{frame.group(1)}.{frame.group(2)}" if frame else "?"
    print(f"killed\tcrash (status {status}) in {where}" + (f"; issues: {shown}" if names else ""))
elif names and all(limit_only[n] for n in names):
    print("hang\t" + shown)
elif names:
    print("killed\t" + shown)
elif status != 0:
    print(f"killed\tstatus {status}, no test named")
else:
    print("survived\t")
PY
}

verify_verdict() {
    python3 - "$1" "$2" <<'PY'
import re, sys
log, status = open(sys.argv[1], encoding="utf-8", errors="replace").read(), int(sys.argv[2])
if status == 0:
    print("survived\t")
elif status in (124, 137):
    print("timeout\tverify.sh")
elif re.search(r"^FAILED: ", log, re.M) or re.search(r"interleavings: \d+ passed, [1-9]", log):
    print("verify\tinterleavings")
else:
    suites = re.findall(r"^relacy: (\S+) \[[^]]*\] FAILED", log, re.M)
    print("verify\trelacy: " + (", ".join(dict.fromkeys(suites)) if suites else f"status {status}"))
PY
}

results=$scratch/results.tsv
: >"$results"
started_at=$(date +%s)
while IFS=$'\t' read -r id kind file eq desc; do
    if [ "${#ids[@]}" -gt 0 ] && ! grep -qx "$id" <<<"$(printf '%s\n' "${ids[@]}")"; then
        continue
    fi
    t0=$(date +%s)
    restore
    result="" by=""
    status=0
    mutants_py apply "$list_file" "$id" "$tree" || status=$?
    if [ "$status" = 3 ]; then
        result=stale
    elif [ "$status" != 0 ]; then
        echo "mutate: cannot apply $id" >&2
        exit 1
    elif ! bounded "$tree" 1800 swift build --build-tests >"$logs/$id.build.log" 2>&1; then
        result=build-error by="$logs/$id.build.log"
    else
        status=0
        run_tests >"$logs/$id.test.log" 2>&1 || status=$?
        IFS=$'\t' read -r result by < <(tests_verdict "$logs/$id.test.log" "$status")
        if [ "$result" = timeout ]; then
            # Two tests spinning in C hold both threads of Swift Testing's pool on two cores, and
            # then nothing else runs or reports. Suite by suite, in a process each, every suite
            # that does not hang reports, and a test that waits with a deadline gets its thread.
            status=0
            : >"$logs/$id.suites.log"
            for suite in $suites; do
                run_tests_of "$suite" >>"$logs/$id.suites.log" 2>&1 || {
                    st=$?
                    [ "$status" = 124 ] || status=$st
                }
            done
            IFS=$'\t' read -r result by < <(tests_verdict "$logs/$id.suites.log" "$status")
            by="$by (suite by suite)"
        fi
        if [ "$result" = survived ] && [ "$eq" = eq ]; then
            result=equivalent by="(argued in $list_file)"
        fi
        if [ "$result" = survived ] && [ "$verify" = 1 ]; then
            status=0
            # A weakened order gets the short mode (as CI runs it); any other survivor the quick one.
            quick=(--quick)
            [ "$kind" = order ] && [ "${PRB_MUTATE_VERIFY_QUICK:-0}" != 1 ] && quick=()
            bounded "$tree" "$verify_timeout" scripts/verify.sh "${quick[@]}" >"$logs/$id.verify.log" 2>&1 || status=$?
            IFS=$'\t' read -r result by < <(verify_verdict "$logs/$id.verify.log" "$status")
        fi
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$kind" "$result" "$by" "$(($(date +%s) - t0))" "$desc" >>"$results"
    printf 'mutate: %-5s %-11s %s (%ss)\n' "$id" "$result" "$by" "$(($(date +%s) - t0))" >&2
done <<<"$table"
restore

elapsed=$(($(date +%s) - started_at))
echo
printf '%-5s %-6s %-11s %-60s %s\n' id kind result "killed by" description
awk -F'\t' '{ printf "%-5s %-6s %-11s %-60s %s\n", $1, $2, $3, $4, $6 }' "$results"
awk -F'\t' -v elapsed="$elapsed" '
    { n[$3]++; total++ }
    $3 == "killed" && $2 != "order" && $2 != "race" { by_tests_logic++ }
    $2 != "order" && $2 != "race" && ($3 == "killed" || $3 == "verify" || $3 == "hang" || $3 == "timeout" || $3 == "survived") { logic++ }
    END {
        counted = total - n["stale"] - n["build-error"] - n["equivalent"]
        killed = n["killed"] + n["verify"]
        printf "\n%d mutants: %d killed by the tests, %d by verify.sh, %d only by a hang, %d timed out, %d survived, %d equivalent, %d stale, %d build errors\n",
            total, n["killed"], n["verify"], n["hang"], n["timeout"], n["survived"], n["equivalent"], n["stale"], n["build-error"]
        if (counted > 0)
            printf "score: %d/%d = %.0f%% killed (tests or verify.sh); mutants neither of kind order nor race killed by the tests: %d/%d\n",
                killed, counted, 100 * killed / counted, by_tests_logic, logic
        printf "time: %dm%02ds\n", elapsed / 60, elapsed % 60
    }' "$results"
echo "logs: $logs, results: $results"
