/*
 * Relacy suites over the real ring code: prb.c itself is compiled here as C++, with its atomics
 * layer mapped to Relacy's (prb_atomics_relacy.hpp), so Relacy's scheduler explores interleavings
 * and the weak behaviours the C++11 memory model allows, on our actual implementation.
 *
 * The suites (each says what it checks): suites_records.hpp, suites_commit.hpp,
 * suites_extend.hpp, suites_panic.hpp, suites_tails.hpp. Built with -DPRB_WEAKEN_<site> (see prb_atomics.h), the
 * same suites show that the barrier at <site> is needed: some suite must then fail.
 *
 * Usage: prb_relacy [--long] [--iterations N] [--bounded] [--search S] [--suite NAME]... [--history FILE] [--list]
 *   default      2*10^5 iterations per suite, random scheduler (what CI runs, with --bounded)
 *   --long       10^6 iterations per suite, and with --bounded the deeper bounded search too
 *   --iterations N   N iterations per suite
 *   --bounded    also the context-bounded (exhaustive up to a preemption bound) searches of the
 *                suites small enough for it
 *   --search S   run the selected suites with search S instead: random, bound:K (context bound
 *                K), full (bounded and full searches ignore the iteration count)
 *   --suite NAME only that suite (repeatable)
 *   --history FILE   on failure, write Relacy's history of the failing iteration to FILE
 * Prints one line per run, "relacy: <suite> [<search>] ok|FAILED ...", then "relacy: P passed, F failed".
 * Built and run by scripts/verify.sh; scripts/verify-weakening.sh sweeps the weakened builds.
 */
/* The standard headers first: Relacy redefines new and delete. */
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "prb_atomics_relacy.hpp"
#define PRB_ATOMICS_CUSTOM "prb_atomics_relacy.hpp"
#include "../../Sources/CPrintkRing/prb.c"

#include "suites_commit.hpp"
#include "suites_extend.hpp"
#include "suites_panic.hpp"
#include "suites_records.hpp"
#include "suites_recovery.hpp"
#include "suites_slack.hpp"
#include "suites_tails.hpp"

namespace {

struct run_spec {
    const char *suite;
    rl::scheduler_type_e search;
    unsigned context_bound;
    bool long_only;
    bool (*simulate)(rl::test_params &);
};

template <class Suite> bool simulate_suite(rl::test_params &p) { return rl::simulate<Suite>(p); }

/* The random-scheduler runs (SHORT_ITERATIONS each by default, 10^6 with --long), then the
   exhaustive context-bounded searches of the suites small enough for them (--bounded; these run to
   the end whatever the iteration count). Bound 1 on the other suites does not finish in minutes. */
const rl::iteration_t SHORT_ITERATIONS = 200000;
const run_spec runs[] = {
    {"commit_store_buffering", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::commit_store_buffering>},
    {"extend_shared_caller", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::extend_shared_caller>},
    {"last_finalized_vs_commits", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::last_finalized_vs_commits>},
    {"reader_vs_recycling", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::reader_vs_recycling>},
    {"extend_vs_reserve", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::extend_vs_reserve>},
    {"stuck_writer_panic_reader", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::stuck_writer_panic_reader>},
    {"tails_race", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::tails_race>},
    {"two_writers_one_reader", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::two_writers_one_reader>},
    {"data_tail_behind_head", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::data_tail_behind_head>},
    {"next_seq_sees_prefix", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::next_seq_sees_prefix>},
    {"extend_tail_behind_head", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::extend_tail_behind_head>},
    {"last_finalized_stride", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::last_finalized_stride>},
    {"tail_pushed_for_another", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::tail_pushed_for_another>},
    {"extend_over_reader", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::extend_over_reader>},
    {"alloc_cas_behind_ring", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::alloc_cas_behind_ring>},
    {"walk_fails_then_tail_moves", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::walk_fails_then_tail_moves>},
    {"dead_writer_head_moved", rl::random_scheduler_type, 0, false,
     simulate_suite<prbrl::dead_writer<PRB_FAULT_DESC_HEAD_MOVED> >},
    {"dead_writer_desc_reserved", rl::random_scheduler_type, 0, false,
     simulate_suite<prbrl::dead_writer<PRB_FAULT_DESC_RESERVED> >},
    {"dead_writer_data_allocated", rl::random_scheduler_type, 0, false,
     simulate_suite<prbrl::dead_writer<PRB_FAULT_DATA_ALLOCATED> >},
    {"dead_writer_data_positions", rl::random_scheduler_type, 0, false,
     simulate_suite<prbrl::dead_writer<PRB_FAULT_DATA_POSITIONS> >},
    {"dead_writer_data_head_moved", rl::random_scheduler_type, 0, false,
     simulate_suite<prbrl::dead_writer<PRB_FAULT_DATA_HEAD_MOVED> >},
    {"dead_writer_data_head_lost", rl::random_scheduler_type, 0, false,
     simulate_suite<prbrl::dead_writer<PRB_FAULT_DATA_HEAD_LOST> >},
    {"unnamed_block_first_wrap", rl::random_scheduler_type, 0, false,
     simulate_suite<prbrl::unnamed_block_reclaimed_slot<false> >},
    {"unnamed_block_reclaimed_slot", rl::random_scheduler_type, 0, false,
     simulate_suite<prbrl::unnamed_block_reclaimed_slot<true> >},
    {"unnamed_block_released_slot", rl::random_scheduler_type, 0, false,
     simulate_suite<prbrl::unnamed_block_reclaimed_slot<true, false, true> >},
    {"unnamed_block_x_moves_on", rl::random_scheduler_type, 0, false,
     simulate_suite<prbrl::unnamed_block_reclaimed_slot<true, true> >},
    {"dead_writer_text_partial", rl::random_scheduler_type, 0, false,
     simulate_suite<prbrl::dead_writer<PRB_FAULT_TEXT_PARTIAL> >},
    {"dead_writer_committed", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::dead_writer<PRB_FAULT_COMMITTED> >},
    {"dead_writer_two_survivors", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::dead_writer_two_survivors>},
    {"reopen_vs_take_over", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::reopen_vs_take_over>},
    {"stale_dead_intent", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::stale_dead_intent>},
    {"stale_dead_data_intent", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::stale_dead_data_intent>},
    {"panic_reader_vs_reopen", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::panic_reader_vs_reopen>},
    {"slack_stale_data_tail", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::slack_stale_data_tail>},
    {"slack_cas_fails_short", rl::random_scheduler_type, 0, false, simulate_suite<prbrl::slack_cas_fails_short>},
    {"commit_store_buffering", rl::fair_context_bound_scheduler_type, 2, false, simulate_suite<prbrl::commit_store_buffering>},
    {"extend_shared_caller", rl::fair_context_bound_scheduler_type, 1, false, simulate_suite<prbrl::extend_shared_caller>},
    {"next_seq_sees_prefix", rl::fair_context_bound_scheduler_type, 1, false, simulate_suite<prbrl::next_seq_sees_prefix>},
    {"extend_over_reader", rl::fair_context_bound_scheduler_type, 1, false, simulate_suite<prbrl::extend_over_reader>},
    {"extend_tail_behind_head", rl::fair_context_bound_scheduler_type, 1, true, simulate_suite<prbrl::extend_tail_behind_head>},
    {"data_tail_behind_head", rl::fair_context_bound_scheduler_type, 1, true, simulate_suite<prbrl::data_tail_behind_head>},
    {"commit_store_buffering", rl::fair_context_bound_scheduler_type, 3, true, simulate_suite<prbrl::commit_store_buffering>},
    {"extend_over_reader", rl::fair_context_bound_scheduler_type, 2, true, simulate_suite<prbrl::extend_over_reader>},
};

const char *search_name(const run_spec &r)
{
    static char buf[64];
    if (r.search == rl::random_scheduler_type)
        return "random";
    if (r.search == rl::fair_full_search_scheduler_type)
        return "full search";
    std::snprintf(buf, sizeof buf, "context bound %u", r.context_bound);
    return buf;
}

/* What failed, from Relacy's report: the first line in capitals ("USER ASSERT FAILED (...)",
   "LIVELOCK", ...). */
std::string first_line(const std::string &s)
{
    std::istringstream in(s);
    std::string line;
    while (std::getline(in, line))
        if (line.size() > 2 && std::isupper((unsigned char)line[0]) && std::isupper((unsigned char)line[1]))
            return line;
    return "?";
}

} // namespace

int main(int argc, char **argv)
{
    bool long_mode = false, bounded = false, list = false;
    rl::iteration_t iterations = 0;
    std::vector<std::string> only;
    const char *history_file = nullptr;
    bool forced = false;
    rl::scheduler_type_e forced_search = rl::random_scheduler_type;
    unsigned forced_bound = 0;

    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--long")
            long_mode = true;
        else if (a == "--bounded")
            bounded = true;
        else if (a == "--list")
            list = true;
        else if (a == "--iterations" && i + 1 < argc)
            iterations = std::strtoull(argv[++i], nullptr, 10);
        else if (a == "--suite" && i + 1 < argc)
            only.push_back(argv[++i]);
        else if (a == "--search" && i + 1 < argc) {
            std::string v = argv[++i];
            if (v == "random")
                forced_search = rl::random_scheduler_type;
            else if (v == "full")
                forced_search = rl::fair_full_search_scheduler_type;
            else if (v.compare(0, 6, "bound:") == 0) {
                forced_search = rl::fair_context_bound_scheduler_type;
                forced_bound = (unsigned)std::atoi(v.c_str() + 6);
            } else {
                std::fprintf(stderr, "--search random|bound:K|full\n");
                return 2;
            }
            forced = true;
        } else if (a == "--history" && i + 1 < argc)
            history_file = argv[++i];
        else if (a.find_first_not_of("0123456789") == std::string::npos)
            iterations = std::strtoull(a.c_str(), nullptr, 10); /* the old usage: prb_relacy N */
        else {
            std::fprintf(stderr, "usage: %s [--long] [--iterations N] [--bounded] [--search random|bound:K|full] [--suite NAME]... "
                         "[--history FILE] [--list]\n",
                         argv[0]);
            return 2;
        }
    }

    const char *report_dir = std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp";
    int passed = 0, failed = 0;
    for (run_spec r : runs) {
        bool is_bounded = r.search != rl::random_scheduler_type;
        if (list) {
            if (!is_bounded)
                std::printf("%s\n", r.suite);
            continue;
        }
        if (forced) {
            if (is_bounded)
                continue;
            r.search = forced_search;
            r.context_bound = forced_bound;
        } else if (is_bounded && (!bounded || (r.long_only && !long_mode)))
            continue;
        if (!only.empty()) {
            bool wanted = false;
            for (const std::string &name : only)
                wanted = wanted || name == r.suite;
            if (!wanted)
                continue;
        }

        /* Relacy's reports go to files: a string stream would grow (allocate) inside the
           simulation, where Relacy owns operator new and delete. */
        std::string out_path = std::string(report_dir) + "/prb_relacy." + std::to_string(getpid()) + ".out";
        std::ofstream out(out_path.c_str(), std::ios::trunc), progress("/dev/null");
        rl::test_params p;
        p.search_type = r.search;
        p.context_bound = r.context_bound;
        p.iteration_count = iterations != 0 ? iterations : long_mode ? 1000000 : SHORT_ITERATIONS;
        p.execution_depth_limit = 100000;
        p.output_stream = &out;
        p.progress_stream = &progress;

        /* A suite that failed may have left its steering hook set (its after() did not run). */
        prbrl_before_cas = nullptr;
        auto start = std::chrono::steady_clock::now();
        bool ok = r.simulate(p);
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

        out.close();
        std::string report;
        {
            std::ifstream in(out_path.c_str());
            std::stringstream buf;
            buf << in.rdbuf();
            report = buf.str();
        }
        std::remove(out_path.c_str());

        if (ok) {
            passed++;
            std::printf("relacy: %s [%s] ok: %llu iterations, %.1f s\n", r.suite, search_name(r),
                        (unsigned long long)p.stop_iteration, seconds);
        } else {
            failed++;
            std::printf("relacy: %s [%s] FAILED at iteration %llu, %.1f s: %s\n", r.suite, search_name(r),
                        (unsigned long long)p.stop_iteration, seconds, first_line(report).c_str());
            if (history_file != nullptr) {
                std::ofstream h(history_file, std::ios::app);
                h << "=== " << r.suite << " [" << search_name(r) << "] failed at iteration " << p.stop_iteration
                  << "\n" << report << "\n";
            }
        }
        std::fflush(stdout);
    }
    if (!list)
        std::printf("relacy: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
