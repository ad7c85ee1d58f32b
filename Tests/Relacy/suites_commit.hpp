/*
 * Suites about committing and finalizing: the store-buffering pair P10, and the finalized-prefix
 * cache (last_finalized_seq, P13) racing commits.
 */
#ifndef SUITES_COMMIT_HPP
#define SUITES_COMMIT_HPP

#include "relacy_ring.hpp"

namespace prbrl {

inline size_t eight_bytes(unsigned, unsigned) { return 8; }

/*
 * commit_store_buffering (P10): two writers each reserve a record and prb_commit it (committed,
 * not finalized: it could still be extended). The one reserved second finalizes its predecessor
 * at reservation (desc_make_final), unless the predecessor is not committed yet; then the
 * predecessor's own prb_commit must see the newer head and finalize itself.
 * Checks: afterwards, the older record is finalized, never left committed (invisible) for good.
 * Small enough for a context-bounded search.
 */
struct commit_store_buffering : rl::test_suite<commit_store_buffering, 2> {
    ring_fixture f;
    uint64_t seqs[2];

    void before()
    {
        f.make();
        seqs[0] = seqs[1] = NO_SEQ;
    }
    void after()
    {
        RL_ASSERT(seqs[0] != NO_SEQ && seqs[1] != NO_SEQ);
        uint64_t older = seqs[0] < seqs[1] ? seqs[0] : seqs[1];
        RL_ASSERT(prb_state_of_seq(f.ring, older) == PRB_DESC_FINALIZED);
        prb_record_info info;
        unsigned char text[8];
        RL_ASSERT(prb_read(f.ring, older, &info, text, sizeof text) == PRB_READ_OK);
        check_record(info, text, older, eight_bytes);
        f.destroy();
    }
    void thread(unsigned index)
    {
        seqs[index] = write_record(f.ring, index, 0, 8, false).seq;
    }
};

/*
 * last_finalized_vs_commits (P13): two writers write two records each (final commits, each
 * advancing last_finalized_seq as far as the finalized prefix goes), while a reader asks
 * prb_next_seq() and reads the record just before it.
 * Checks: every record below prb_next_seq() is finalized (or lost), as that function promises:
 * the newest of them reads OK, never "not yet"; afterwards prb_next_seq() counts every record and
 * last_finalized_seq never passed a record.
 */
struct last_finalized_vs_commits : rl::test_suite<last_finalized_vs_commits, 3> {
    ring_fixture f;

    void before() { f.make(); }
    void after()
    {
        check_quiescent(f.ring, eight_bytes, false);
        RL_ASSERT(prb_load(hdr_word(f.ring, H_LAST_FINALIZED), PRB_MO_RELAXED) < prb_next_reserve_seq(f.ring));
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index < 2) {
            for (unsigned n = 0; n < 2; n++)
                write_record(f.ring, index, n, 8);
        } else {
            for (int attempt = 0; attempt < 3; attempt++) {
                uint64_t next = prb_next_seq(f.ring);
                if (next == 0)
                    continue;
                prb_record_info info;
                unsigned char text[8];
                prb_read_status st = prb_read(f.ring, next - 1, &info, text, sizeof text);
                RL_ASSERT(st != PRB_READ_NOT_YET);
                if (st == PRB_READ_OK)
                    check_record(info, text, next - 1, eight_bytes);
            }
        }
    }
};


/*
 * next_seq_sees_prefix (P13 on the reader's side, desc_last_finalized_seq:A): a writer writes
 * three records with final commits, each advancing last_finalized_seq; a reader calls
 * prb_next_seq() once and reads every record below it. prb_next_seq() trusts the cached prefix
 * without reading those records, so the acquire of the cache is all that makes them visible.
 * Checks: every record below prb_next_seq() reads OK (never "not yet"), whole.
 */
struct next_seq_sees_prefix : rl::test_suite<next_seq_sees_prefix, 2> {
    ring_fixture f;

    void before() { f.make(); }
    void after()
    {
        check_quiescent(f.ring, eight_bytes, false);
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index == 0) {
            for (unsigned n = 0; n < 3; n++)
                write_record(f.ring, 0, n, 8);
        } else {
            uint64_t next = prb_next_seq(f.ring);
            for (uint64_t s = 0; s < next; s++) {
                prb_record_info info;
                unsigned char text[8];
                RL_ASSERT(prb_read(f.ring, s, &info, text, sizeof text) == PRB_READ_OK);
                check_record(info, text, s, eight_bytes);
            }
        }
    }
};


/*
 * last_finalized_stride: last_finalized_vs_commits on an 8-descriptor ring, where the
 * finalized-prefix cache is refreshed only by the finalization of an even id (desc_note_finalized:
 * the stride is a quarter of the ring), so that the refreshes a record skips are exercised: two
 * writers write two records each (final commits), a reader asks prb_next_seq() and reads every
 * record below it.
 * Checks: every record below prb_next_seq() reads OK, never "not yet"; afterwards prb_next_seq()
 * counts every record and the cache never passed a record that was not finalized.
 */
struct last_finalized_stride : rl::test_suite<last_finalized_stride, 3> {
    ring_fixture f;

    void before() { f.make(3); }
    void after()
    {
        check_quiescent(f.ring, eight_bytes, false);
        RL_ASSERT(prb_load(hdr_word(f.ring, H_LAST_FINALIZED), PRB_MO_RELAXED) < prb_next_reserve_seq(f.ring));
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index < 2) {
            for (unsigned n = 0; n < 2; n++)
                write_record(f.ring, index, n, 8);
        } else {
            uint64_t next = prb_next_seq(f.ring);
            for (uint64_t s = 0; s < next; s++) {
                prb_record_info info;
                unsigned char text[8];
                prb_read_status st = prb_read(f.ring, s, &info, text, sizeof text);
                RL_ASSERT(st != PRB_READ_NOT_YET);
                if (st == PRB_READ_OK)
                    check_record(info, text, s, eight_bytes);
            }
        }
    }
};

} // namespace prbrl

#endif
