/*
 * What the Relacy suites share: a tiny ring in a region of Relacy atomics, self-checking records,
 * and the checks every suite makes when its threads are done.
 *
 * Included by prb_relacy.cpp after prb.c itself, so the suites may call prb.c's static functions
 * and read its header words. Everything here that is not a ring word is the checker's own
 * bookkeeping: plain variables, which Relacy (one OS thread running every simulated thread in
 * turn) sees in execution order, outside the memory model under test.
 */
#ifndef RELACY_RING_HPP
#define RELACY_RING_HPP

#include <cstdio>
#include <cstring>

namespace prbrl {

const uint64_t NO_SEQ = ~UINT64_C(0);

/* Every suite's ring: 4 descriptors and 64 bytes of text (the smallest sizes prb.h allows), so
   that a handful of records wraps both rings. A block may be at most 32 bytes: 24 of text. */
const unsigned DESC_BITS = 2;
const unsigned DATA_BITS = 6;
const size_t MAX_TEXT = 24;

struct ring_fixture {
    prb_aword *words;
    prb_ring *ring;

    void make(unsigned desc_bits = DESC_BITS)
    {
        size_t bytes = prb_ring_required_bytes(desc_bits, DATA_BITS);
        prb_status status;
        words = new prb_aword[bytes / 8];
        ring = prb_ring_format(words, bytes, desc_bits, DATA_BITS, &status);
        RL_ASSERT(ring != nullptr);
    }
    void destroy()
    {
        prb_ring_destroy(ring);
        delete[] words;
    }
};

/* ---------------------------------------------------------------------------------------------
 * Self-checking records. Writer w's n-th record carries tag(w, n) as its timestamp and w as its
 * caller id; text byte i is a hash of (seq, tag, i). A reader can tell from a record alone whether
 * its info and text belong together and to that seq.
 * ------------------------------------------------------------------------------------------- */

inline uint64_t tag_of(unsigned writer, unsigned n) { return (UINT64_C(1) << 40) | ((uint64_t)writer << 16) | n; }
inline unsigned tag_writer(uint64_t tag) { return (unsigned)(tag >> 16) & 0xffff; }
inline unsigned tag_n(uint64_t tag) { return (unsigned)tag & 0xffff; }
inline bool tag_valid(uint64_t tag) { return (tag >> 32) == (UINT64_C(1) << 8); }

inline unsigned char text_byte(uint64_t seq, uint64_t tag, size_t i)
{
    uint64_t h = (seq + 1) * UINT64_C(0x9E3779B97F4A7C15) ^ tag * UINT64_C(0xC2B2AE3D27D4EB4F) ^
                 (i + 1) * UINT64_C(0x165667B19E3779F9);
    h ^= h >> 29;
    h *= UINT64_C(0xBF58476D1CE4E5B9);
    return (unsigned char)(h >> 56);
}

inline void fill_text(unsigned char *buf, uint64_t seq, uint64_t tag, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        buf[i - from] = text_byte(seq, tag, i);
}

inline bool text_matches(const unsigned char *buf, uint64_t seq, uint64_t tag, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (buf[i] != text_byte(seq, tag, i))
            return false;
    return true;
}

struct write_outcome {
    prb_status status;
    uint64_t seq; /* NO_SEQ unless the record got a seq (PRB_OK or PRB_E_NO_SPACE) */
};

inline prb_meta meta_of(unsigned writer, unsigned n)
{
    prb_meta meta;
    std::memset(&meta, 0, sizeof meta);
    meta.timestamp_ns = tag_of(writer, n);
    meta.caller_id = writer;
    meta.level = (uint8_t)(n & 7);
    return meta;
}

/* Reserves, appends in two pieces (so partial words are written), and commits: finalizes unless
   `final_commit` is false. *reserved_seq, if given, gets the seq as soon as it is reserved. */
inline write_outcome write_record(prb_ring *ring, unsigned writer, unsigned n, size_t len, bool final_commit = true,
                                  uint64_t *reserved_seq = nullptr)
{
    prb_meta meta = meta_of(writer, n);
    unsigned char text[MAX_TEXT];
    prb_entry e;
    write_outcome out;

    out.status = prb_reserve(ring, &e, len, &meta);
    out.seq = (out.status == PRB_OK || out.status == PRB_E_NO_SPACE) ? e.seq : NO_SEQ;
    if (reserved_seq != nullptr)
        *reserved_seq = out.seq;
    if (out.status != PRB_OK)
        return out;
    fill_text(text, e.seq, meta.timestamp_ns, 0, len);
    RL_ASSERT(prb_entry_append(&e, text, len / 2) == len / 2);
    RL_ASSERT(prb_entry_append(&e, text + len / 2, len - len / 2) == len - len / 2);
    RL_ASSERT((final_commit ? prb_final_commit(&e) : prb_commit(&e)) == PRB_OK);
    return out;
}

/* The text length writer w's n-th record was written with, per suite. */
typedef size_t (*length_fn)(unsigned writer, unsigned n);

/* A suite's own check for records that are not plain self-checking ones (extended records, a
   stuck writer's): true if it took care of the record. */
typedef bool (*special_fn)(const prb_record_info &info, const unsigned char *text);

/* A record read whole: its info and text agree with each other and with `seq`. */
inline void check_record(const prb_record_info &info, const unsigned char *text, uint64_t seq, length_fn length)
{
    RL_ASSERT(info.seq == seq);
    RL_ASSERT(tag_valid(info.timestamp_ns));
    RL_ASSERT(info.caller_id == tag_writer(info.timestamp_ns));
    RL_ASSERT(info.level == (tag_n(info.timestamp_ns) & 7));
    RL_ASSERT(info.text_len == length(info.caller_id, tag_n(info.timestamp_ns)));
    RL_ASSERT(text_matches(text, seq, info.timestamp_ns, 0, info.text_len));
}

/* ---------------------------------------------------------------------------------------------
 * A reader's log: what it read and what it skipped.
 * ------------------------------------------------------------------------------------------- */

struct reader_log {
    enum { CAP = 16 };
    uint64_t gaps[CAP]; /* seqs the reader skipped */
    unsigned gap_count;
    uint64_t last; /* last seq read, NO_SEQ if none */

    void reset()
    {
        gap_count = 0;
        last = NO_SEQ;
    }

    /* One prb_reader_next(): checks the record, that seqs go forward, and logs the gap. */
    bool next(prb_reader *rd, length_fn length, special_fn special = nullptr)
    {
        prb_record_info info;
        unsigned char text[MAX_TEXT + 8];
        uint64_t from = rd->next_seq;
        if (!prb_reader_next(rd, &info, text, sizeof text)) {
            /* It may have passed lost records before stopping: they are gaps too. */
            RL_ASSERT(rd->next_seq >= from);
            for (uint64_t g = from; g < rd->next_seq && gap_count < CAP; g++)
                gaps[gap_count++] = g;
            return false;
        }
        RL_ASSERT(last == NO_SEQ || info.seq > last);
        RL_ASSERT(info.seq >= from);
        if (special == nullptr || !special(info, text))
            check_record(info, text, info.seq, length);
        for (uint64_t g = from; g < info.seq && gap_count < CAP; g++)
            gaps[gap_count++] = g;
        last = info.seq;
        return true;
    }

    /* Once every writer is done: each skipped record must be gone for good (overwritten, or a
       record that got a seq but no data). Records never come back, so a record that can be read
       now was skipped wrongly. */
    void check_gaps(prb_ring *ring) const
    {
        for (unsigned k = 0; k < gap_count; k++)
            RL_ASSERT(prb_read(ring, gaps[k], nullptr, nullptr, 0) == PRB_READ_LOST);
    }
};

/* Steering: waits (yielding to the other threads) until a plain variable another thread sets is
   true. Plain variables are the checker's own, outside the memory model: waiting on one only
   restricts which interleavings run, it adds no synchronization between the threads. */
inline void wait_for(const bool &flag)
{
    while (!flag)
        rl::yield(1, $);
}

/* The same without rl::yield, for suites run under the random scheduler only. Relacy lets a
   thread that yielded no longer read a value it had read before the yield (its rule for spin
   loops to make progress), which would forbid exactly the stale read some suites are after. A
   plain scheduling point has no such effect (the context-bounded search would count each one as a
   preemption). */
inline void wait_for_keeping_views(const bool &flag)
{
    while (!flag)
        rl::ctx().sched();
}

/* ---------------------------------------------------------------------------------------------
 * Checks when every thread is done (Relacy runs after() behind a global fence, like a join).
 * ------------------------------------------------------------------------------------------- */

/* Every record that still exists reads whole; none is left unfinalized except, if `newest_may_be_
   committed`, the newest; and every record before prb_next_seq() is finalized or lost. */
inline void check_quiescent(prb_ring *ring, length_fn length, bool newest_may_be_committed,
                            special_fn special = nullptr)
{
    uint64_t reserved = prb_next_reserve_seq(ring);
    for (uint64_t s = 0; s < reserved; s++) {
        prb_record_info info;
        unsigned char text[MAX_TEXT + 8];
        prb_read_status st = prb_read(ring, s, &info, text, sizeof text);
        if (st == PRB_READ_OK) {
            if (special == nullptr || !special(info, text))
                check_record(info, text, s, length);
        } else if (st == PRB_READ_NOT_YET) {
            RL_ASSERT(newest_may_be_committed && s + 1 == reserved);
        }
    }
    uint64_t next = prb_next_seq(ring);
    RL_ASSERT(next == reserved || (newest_may_be_committed && next + 1 == reserved));

    /* Both rings hold at most one ring's worth: a head more than that ahead of its tail means a
       writer allocated without pushing the tail far enough (and overwrote what was there). */
    prb_positions pos;
    prb_get_positions(ring, &pos);
    RL_ASSERT(pos.data_head_lpos - pos.data_tail_lpos <= (UINT64_C(1) << DATA_BITS));
    RL_ASSERT(desc_id(pos.head_id - pos.tail_id) < (UINT64_C(1) << prb_ring_desc_bits(ring)));
}

/* The ring still works: with nobody else writing, enough records to wrap both rings go in, each
   readable at once. (A head left on a descriptor that was never reserved, or a data tail stuck
   inside a block, fails here.) */
inline void check_still_writable(prb_ring *ring)
{
    for (unsigned n = 0; n < 5; n++) {
        write_outcome w = write_record(ring, 30, n, MAX_TEXT);
        RL_ASSERT(w.status == PRB_OK);
        prb_record_info info;
        unsigned char text[MAX_TEXT];
        RL_ASSERT(prb_read(ring, w.seq, &info, text, sizeof text) == PRB_READ_OK);
        RL_ASSERT(info.text_len == MAX_TEXT && text_matches(text, w.seq, tag_of(30, n), 0, MAX_TEXT));
    }
}

} // namespace prbrl

#endif
