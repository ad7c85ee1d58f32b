/*
 * Panic-mode reads of committed records (prb.c, read_record; P14).
 *
 * A reader in panic mode returns a record that is only committed, as the kernel's panic CPU does.
 * Such a record may still be reopened by its writer (prb_reserve_in_last), extended, and committed
 * again, which leaves exactly the state word it had before: the read's re-check of the state
 * cannot see that it happened. The slot's reopen count can.
 */
#ifndef SUITES_PANIC_HPP
#define SUITES_PANIC_HPP

#include "relacy_ring.hpp"

namespace prbrl {

const unsigned PANIC_CALLER = 8;
/* The record: 4 bytes of base text (tag (8, 0)); extension 1 adds 4 bytes (tag (8, 1)), in the
   8 bytes of text the 16-byte block already holds (no block change: data_realloc returns at once,
   without its fence); extension 2 adds 8 bytes (tag (8, 2)) and grows the block. */
const size_t PANIC_BASE = 4;
const size_t PANIC_EXT1 = 4;
const size_t PANIC_EXT2 = 8;

/* Checks a record read in panic mode: its base and the extensions it claims, each whole. */
inline void check_panic_record(const prb_record_info &info, const unsigned char *text, uint64_t seq)
{
    RL_ASSERT(info.seq == seq);
    RL_ASSERT(info.timestamp_ns == tag_of(PANIC_CALLER, 0));
    RL_ASSERT(info.caller_id == PANIC_CALLER);
    RL_ASSERT(info.text_len == PANIC_BASE || info.text_len == PANIC_BASE + PANIC_EXT1 ||
              info.text_len == PANIC_BASE + PANIC_EXT1 + PANIC_EXT2);
    RL_ASSERT(text_matches(text, seq, tag_of(PANIC_CALLER, 0), 0, PANIC_BASE));
    if (info.text_len >= PANIC_BASE + PANIC_EXT1)
        RL_ASSERT(text_matches(text, seq, tag_of(PANIC_CALLER, 1), PANIC_BASE, PANIC_BASE + PANIC_EXT1));
    if (info.text_len == PANIC_BASE + PANIC_EXT1 + PANIC_EXT2)
        RL_ASSERT(text_matches(text, seq, tag_of(PANIC_CALLER, 2), PANIC_BASE + PANIC_EXT1,
                               PANIC_BASE + PANIC_EXT1 + PANIC_EXT2));
}

/* Extension k of the newest record: `len` more bytes of tag (8, k), appended in two pieces, then
   prb_commit (the record stays committed, extendable and readable in panic mode only). */
inline prb_status panic_extend(prb_ring *ring, unsigned k, size_t len)
{
    prb_entry e;
    unsigned char chunk[MAX_TEXT];
    prb_status st = prb_reserve_in_last(ring, &e, PANIC_CALLER, len, MAX_TEXT);
    if (st != PRB_OK)
        return st;
    fill_text(chunk, e.seq, tag_of(PANIC_CALLER, k), e.text_len, e.text_len + len);
    RL_ASSERT(prb_entry_append(&e, chunk, len / 2) == len / 2);
    RL_ASSERT(prb_entry_append(&e, chunk + len / 2, len - len / 2) == len - len / 2);
    RL_ASSERT(prb_commit(&e) == PRB_OK);
    return PRB_OK;
}

/*
 * panic_reader_vs_reopen (P14: desc_reopen_last:B and :C, read_record:A): the newest record is
 * committed, 4 bytes. Its writer extends it twice (4 bytes in place, then 8 bytes that grow the
 * block), committing each time; a panic-mode reader reads it three times meanwhile.
 * Checks: every copy the reader returns is whole: its length is one the record had at a commit,
 * and every byte up to that length is the text that commit published (a copy that mixes a new
 * length with text not yet appended, or an old block with a new length, fails). Afterwards the
 * record holds both extensions, and the ring still takes records.
 * Why each barrier: without read_record:A's acquire or desc_reopen_last:B's release, the reader
 * may read a reopen's count and then the state from before the reopen, copy the new length with
 * the old text, and re-check after the re-commit (same state word, same count). Without
 * desc_reopen_last:C, a reader that copied the new length may re-check under the old state and
 * the old count (the in-place extension has no other fence between the reopen and its stores).
 */
struct panic_reader_vs_reopen : rl::test_suite<panic_reader_vs_reopen, 2> {
    ring_fixture f;
    uint64_t seq;
    prb_status ext1, ext2;

    void before()
    {
        f.make();
        write_outcome w = write_record(f.ring, PANIC_CALLER, 0, PANIC_BASE, false);
        RL_ASSERT(w.status == PRB_OK);
        seq = w.seq;
        ext1 = ext2 = PRB_E_BAD_ENTRY;
    }
    void after()
    {
        prb_record_info info;
        unsigned char text[MAX_TEXT];
        RL_ASSERT(ext1 == PRB_OK && ext2 == PRB_OK);
        RL_ASSERT(prb_state_of_seq(f.ring, seq) == PRB_DESC_COMMITTED);
        prb_reader rd;
        prb_reader_init(&rd, f.ring, seq, true);
        RL_ASSERT(prb_reader_next(&rd, &info, text, sizeof text));
        check_panic_record(info, text, seq);
        RL_ASSERT(info.text_len == PANIC_BASE + PANIC_EXT1 + PANIC_EXT2);
        check_still_writable(f.ring);
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index == 0) {
            ext1 = panic_extend(f.ring, 1, PANIC_EXT1);
            ext2 = panic_extend(f.ring, 2, PANIC_EXT2);
        } else {
            for (int attempt = 0; attempt < 3; attempt++) {
                prb_record_info info;
                unsigned char text[MAX_TEXT + 8];
                prb_reader rd;
                prb_reader_init(&rd, f.ring, seq, true);
                if (prb_reader_next(&rd, &info, text, sizeof text))
                    check_panic_record(info, text, seq);
                else
                    RL_ASSERT(rd.next_seq == seq && rd.lost == 0); /* dropped or reopened: tried again */
            }
        }
    }
};

} // namespace prbrl

#endif
