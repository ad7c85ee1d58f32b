/*
 * Suites about extending the newest record (prb_reserve_in_last) while others write and read.
 *
 * An extended record is caller 7's: 8 bytes of base text (tag (7, 0)), then 8-byte chunks, each
 * appended by one extension k and filled with the bytes of tag (7, k) at their position in the
 * text. A reader can tell a whole extended record from a torn one, and which extensions it holds.
 */
#ifndef SUITES_EXTEND_HPP
#define SUITES_EXTEND_HPP

#include "relacy_ring.hpp"

namespace prbrl {

const unsigned EXT_CALLER = 7;
const size_t EXT_CHUNK = 8;

/* Checks an extended record; returns the set of extensions it holds (bit k for extension k). */
inline unsigned check_extended(const prb_record_info &info, const unsigned char *text)
{
    unsigned held = 0;
    RL_ASSERT(info.timestamp_ns == tag_of(EXT_CALLER, 0));
    RL_ASSERT(info.text_len >= EXT_CHUNK && info.text_len <= MAX_TEXT && info.text_len % EXT_CHUNK == 0);
    RL_ASSERT(text_matches(text, info.seq, tag_of(EXT_CALLER, 0), 0, EXT_CHUNK));
    for (size_t at = EXT_CHUNK; at < info.text_len; at += EXT_CHUNK) {
        unsigned which = 0;
        for (unsigned k = 1; k <= 2; k++)
            if (text_matches(text, info.seq, tag_of(EXT_CALLER, k), at, at + EXT_CHUNK))
                which = k;
        RL_ASSERT(which != 0 && (held & (1u << which)) == 0);
        held |= 1u << which;
    }
    return held;
}

inline bool extended_special(const prb_record_info &info, const unsigned char *text)
{
    if (info.caller_id != EXT_CALLER)
        return false;
    check_extended(info, text);
    return true;
}

/* Extension k of the newest record (caller 7): 8 more bytes, then prb_commit. */
inline prb_status extend_once(prb_ring *ring, unsigned k)
{
    prb_entry e;
    unsigned char chunk[EXT_CHUNK];
    prb_status st = prb_reserve_in_last(ring, &e, EXT_CALLER, EXT_CHUNK, MAX_TEXT);
    if (st != PRB_OK)
        return st;
    RL_ASSERT(e.text_len % EXT_CHUNK == 0 && e.text_len >= EXT_CHUNK && e.text_len + EXT_CHUNK <= e.capacity);
    fill_text(chunk, e.seq, tag_of(EXT_CALLER, k), e.text_len, e.text_len + EXT_CHUNK);
    RL_ASSERT(prb_entry_append(&e, chunk, 3) == 3);
    RL_ASSERT(prb_entry_append(&e, chunk + 3, EXT_CHUNK - 3) == EXT_CHUNK - 3);
    RL_ASSERT(prb_commit(&e) == PRB_OK);
    return PRB_OK;
}

/* Finalizes record `seq` if it is merely committed (what the next reservation would do), then
   reads it: false if it is gone. */
inline bool read_extended_at_end(prb_ring *ring, uint64_t seq, prb_record_info *info, unsigned char *text)
{
    if (prb_state_of_seq(ring, seq) == PRB_DESC_COMMITTED)
        desc_make_final(ring, desc_id(prb_load(desc_word(ring, seq, D_STATE), PRB_MO_RELAXED)));
    return prb_read(ring, seq, info, text, MAX_TEXT) == PRB_READ_OK;
}

/* Records before the extended one: 24 and 8 bytes, so that the extended record's block starts
   at 48 of the 64-byte array and grows into a wrapping block (its text moves to index 0). */
inline size_t ext_length(unsigned writer, unsigned n)
{
    if (writer == 2)
        return n == 0 ? MAX_TEXT : 8;
    return 8;
}

/*
 * extend_vs_reserve: caller 7 writes an 8-byte record with prb_commit and extends it by 8 bytes
 * (the block grows to wrap: the text moves), while another writer writes two 8-byte records
 * (each new reservation finalizes the newest record, racing the reopen) and a reader reads.
 * Checks: every record read is whole (an extended record holds its base and at most its
 * extension, never torn); afterwards the extended record, if not overwritten, holds the
 * extension exactly when prb_reserve_in_last succeeded; the end state as usual.
 */
struct extend_vs_reserve : rl::test_suite<extend_vs_reserve, 3> {
    ring_fixture f;
    reader_log log;
    uint64_t ext_seq;
    bool extended;

    void before()
    {
        f.make();
        log.reset();
        ext_seq = NO_SEQ;
        extended = false;
        write_record(f.ring, 2, 0, ext_length(2, 0));
        write_record(f.ring, 2, 1, ext_length(2, 1));
    }
    void after()
    {
        log.check_gaps(f.ring);
        check_quiescent(f.ring, ext_length, true, extended_special);
        if (ext_seq != NO_SEQ) {
            prb_record_info info;
            unsigned char text[MAX_TEXT];
            if (read_extended_at_end(f.ring, ext_seq, &info, text))
                RL_ASSERT(check_extended(info, text) == (extended ? 2u : 0u));
        }
        check_still_writable(f.ring);
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index == 0) {
            write_outcome w = write_record(f.ring, EXT_CALLER, 0, EXT_CHUNK, false);
            ext_seq = w.status == PRB_OK ? w.seq : NO_SEQ;
            if (ext_seq != NO_SEQ)
                extended = extend_once(f.ring, 1) == PRB_OK;
        } else if (index == 1) {
            for (unsigned n = 0; n < 2; n++)
                write_record(f.ring, 1, n, ext_length(1, n));
        } else {
            prb_reader rd;
            prb_reader_init(&rd, f.ring, 0, false);
            for (int attempt = 0; attempt < 5; attempt++)
                log.next(&rd, ext_length, extended_special);
        }
    }
};

/*
 * extend_shared_caller (P9): the newest record is caller 7's, committed, 8 bytes. Two threads,
 * both caller 7, each extend it by 8 bytes; a third writes an empty record (which finalizes the
 * record and ends the extensions) and reads the record.
 * Checks: the record read is whole; afterwards it holds exactly the extensions whose
 * prb_reserve_in_last succeeded (an extender that reopened the record after the other's
 * re-commit must see the other's text and length: one could otherwise cut off or overwrite the
 * other's chunk).
 */
struct extend_shared_caller : rl::test_suite<extend_shared_caller, 3> {
    ring_fixture f;
    uint64_t ext_seq;
    bool extended[3];

    void before()
    {
        f.make();
        extended[0] = extended[1] = extended[2] = false;
        write_record(f.ring, 2, 0, ext_length(2, 0));
        write_record(f.ring, 2, 1, ext_length(2, 1));
        write_outcome w = write_record(f.ring, EXT_CALLER, 0, EXT_CHUNK, false);
        RL_ASSERT(w.status == PRB_OK);
        ext_seq = w.seq;
    }
    void after()
    {
        prb_record_info info;
        unsigned char text[MAX_TEXT];
        RL_ASSERT(read_extended_at_end(f.ring, ext_seq, &info, text));
        RL_ASSERT(check_extended(info, text) == ((extended[1] ? 2u : 0u) | (extended[2] ? 4u : 0u)));
        check_still_writable(f.ring);
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index < 2) {
            extended[index + 1] = extend_once(f.ring, index + 1) == PRB_OK;
        } else {
            write_record(f.ring, 1, 0, 0);
            prb_record_info info;
            unsigned char text[MAX_TEXT];
            if (prb_read(f.ring, ext_seq, &info, text, sizeof text) == PRB_READ_OK)
                check_extended(info, text);
        }
    }
};


/*
 * extend_tail_behind_head (data_realloc:A, its fence, and the head load before it): the
 * extension's twin of data_tail_behind_head. A record that grows pushes the data tail and moves
 * the data head, and must publish the push with the head just as a new block does.
 *
 * The ring starts as in data_tail_behind_head (full, head at index 40, oldest block 16 bytes).
 * Writer 0 (caller 7) writes an 8-byte record with prb_commit, at index 40, then extends it by
 * 16 bytes: the block grows from 16 to 32 bytes and wraps, so the head moves 40 bytes and the
 * data tail is pushed over two blocks. Writer 1 writes one 24-byte record: reserving it while the
 * extension is under way, it allocates behind the grown block's head.
 * Checks: the end state (records whole, the extended one holding both chunks exactly when the
 * extension succeeded; the data head at most a ring ahead of the tail) and that the ring still
 * takes records.
 */
inline size_t etbh_length(unsigned writer, unsigned n)
{
    static const size_t before[5] = {16, 8, 8, 8, 16};
    return writer == 2 && n < 5 ? before[n] : MAX_TEXT;
}

/* The set-up shared by extend_tail_behind_head and extend_over_reader: five records of writer 2,
   filling the ring so that the extension's growth has to push the data tail. */
inline void etbh_fill(ring_fixture &f)
{
    f.make();
    for (unsigned n = 0; n < 5; n++)
        RL_ASSERT(write_record(f.ring, 2, n, etbh_length(2, n)).status == PRB_OK);
}

/* Their common end check: the ring is consistent, and the extended record (if it was written
   and is still there) holds its extension exactly when prb_reserve_in_last succeeded. */
inline void etbh_check_end(ring_fixture &f, uint64_t ext_seq, bool extended)
{
    check_quiescent(f.ring, etbh_length, true, extended_special);
    if (ext_seq != NO_SEQ) {
        prb_record_info info;
        unsigned char text[MAX_TEXT];
        if (read_extended_at_end(f.ring, ext_seq, &info, text))
            RL_ASSERT(check_extended(info, text) == (extended ? 6u : 0u));
    }
    check_still_writable(f.ring);
    f.destroy();
}

struct extend_tail_behind_head : rl::test_suite<extend_tail_behind_head, 2> {
    ring_fixture f;
    uint64_t ext_seq;
    bool extended;

    void before()
    {
        ext_seq = NO_SEQ;
        extended = false;
        etbh_fill(f);
    }
    void after()
    {
        etbh_check_end(f, ext_seq, extended);
    }
    void thread(unsigned index)
    {
        if (index == 0) {
            write_outcome w = write_record(f.ring, EXT_CALLER, 0, EXT_CHUNK, false);
            if (w.status != PRB_OK)
                return;
            ext_seq = w.seq;
            prb_entry e;
            unsigned char chunk[2 * EXT_CHUNK];
            if (prb_reserve_in_last(f.ring, &e, EXT_CALLER, 2 * EXT_CHUNK, MAX_TEXT) != PRB_OK)
                return;
            RL_ASSERT(e.text_len == EXT_CHUNK);
            fill_text(chunk, e.seq, tag_of(EXT_CALLER, 1), EXT_CHUNK, 2 * EXT_CHUNK);
            fill_text(chunk + EXT_CHUNK, e.seq, tag_of(EXT_CALLER, 2), 2 * EXT_CHUNK, 3 * EXT_CHUNK);
            RL_ASSERT(prb_entry_append(&e, chunk, sizeof chunk) == sizeof chunk);
            RL_ASSERT(prb_commit(&e) == PRB_OK);
            extended = true;
        } else {
            write_record(f.ring, 1, 0, MAX_TEXT);
        }
    }
};

/*
 * extend_over_reader (data_realloc:A's fence(release), P6 for a block that grows): the twin of
 * reader_vs_recycling's race for data_alloc:A's fence. An extension whose block grows pushes the
 * data tail itself (the records it passes made reusable, then the tail CAS), moves the head, and
 * then writes the grown block over the area it freed: the block header and the moved text in
 * data_realloc, the new chunk in prb_entry_append. The fence after the head CAS orders the
 * records made reusable before those stores, so that a reader that copied any of them (and then
 * passes desc_read:D's fence(acquire)) sees the record it copied reusable at its re-check.
 * Without the fence the reader's re-check may still read the old record finalized, and it accepts
 * the extension's bytes as that record's text.
 *
 * The ring starts as in extend_tail_behind_head: records of 16, 8, 8, 8 and 16 bytes of text,
 * data tail at 40, head at 104 (index 40); record 3's block wraps (text in data word 1), record
 * 4's is at index 16 (text in data words 3 and 4). Writer 0 (caller 7) writes an 8-byte record
 * with prb_commit (record 5, at index 40) and extends it by 16 bytes: the block grows to 32 bytes
 * and wraps, so the extension pushes the data tail over records 3 and 4 (both made reusable by
 * writer 0 itself) and writes the grown block at index 0: header in data word 0, the moved 8
 * bytes in word 1 (record 3's text), the two chunks in words 2 and 3 (record 4's header and
 * first text word). The reader reads records 3 and 4 once the block has grown.
 *
 * Steering (as in tail_pushed_for_another: a plain variable, outside the memory model, so it adds
 * no synchronization): the reader starts once prb_reserve_in_last has returned, i.e. after the
 * header and the moved text are stored; the chunks may be stored before, during or after its
 * copies. Without it the reader, with far fewer steps, is almost always done before the growth.
 * Checks: what the reader accepts is whole (an old record's text, never the extension's); the end
 * state as in extend_tail_behind_head.
 */
struct extend_over_reader : rl::test_suite<extend_over_reader, 2> {
    ring_fixture f;
    uint64_t ext_seq;
    bool extended, grown; /* grown: steering, plain */

    void before()
    {
        ext_seq = NO_SEQ;
        extended = grown = false;
        etbh_fill(f);
    }
    void after()
    {
        etbh_check_end(f, ext_seq, extended);
    }
    void thread(unsigned index)
    {
        if (index == 0) {
            write_outcome w = write_record(f.ring, EXT_CALLER, 0, EXT_CHUNK, false);
            if (w.status != PRB_OK) {
                grown = true;
                return;
            }
            ext_seq = w.seq;
            prb_entry e;
            unsigned char chunk[2 * EXT_CHUNK];
            prb_status st = prb_reserve_in_last(f.ring, &e, EXT_CALLER, 2 * EXT_CHUNK, MAX_TEXT);
            grown = true;
            if (st != PRB_OK)
                return;
            RL_ASSERT(e.text_len == EXT_CHUNK);
            fill_text(chunk, e.seq, tag_of(EXT_CALLER, 1), EXT_CHUNK, 2 * EXT_CHUNK);
            fill_text(chunk + EXT_CHUNK, e.seq, tag_of(EXT_CALLER, 2), 2 * EXT_CHUNK, 3 * EXT_CHUNK);
            RL_ASSERT(prb_entry_append(&e, chunk, sizeof chunk) == sizeof chunk);
            RL_ASSERT(prb_commit(&e) == PRB_OK);
            extended = true;
        } else {
            wait_for(grown);
            for (uint64_t seq = 3; seq <= 4; seq++) {
                prb_record_info info;
                unsigned char text[MAX_TEXT + 8];
                if (prb_read(f.ring, seq, &info, text, sizeof text) == PRB_READ_OK)
                    check_record(info, text, seq, etbh_length);
            }
        }
    }
};

} // namespace prbrl

#endif
