/*
 * Suites about the tails: a stuck writer that nobody may pass, and the descriptor tail and the
 * data tail being pushed by different writers at once.
 */
#ifndef SUITES_TAILS_HPP
#define SUITES_TAILS_HPP

#include "relacy_ring.hpp"

namespace prbrl {

/*
 * stuck_writer_panic_reader: one writer reserves an 8-byte record, writes half of it and never
 * commits (a stuck writer). Another writes four records (8, 16, 8, 16 bytes) until the ring wraps
 * onto the stuck one; a reader in panic mode reads along.
 * Checks: the panic reader never returns the stuck record, and every record it returns is whole,
 * in seq order. (It may skip any record not finalized when it got there, not only the stuck one:
 * that is what panic mode does.) Afterwards: every record but the stuck one is finalized or lost;
 * a fresh panic reader reads every readable record, past the stuck one; a normal reader stops at
 * it, and so does prb_next_seq().
 */
const unsigned STUCK_CALLER = 9;

inline size_t stuck_length(unsigned writer, unsigned n) { return writer == 1 ? (n % 2 == 0 ? 8 : 16) : 8; }

inline bool stuck_special(const prb_record_info &info, const unsigned char *)
{
    RL_ASSERT(info.caller_id != STUCK_CALLER);
    return false;
}

struct stuck_writer_panic_reader : rl::test_suite<stuck_writer_panic_reader, 3> {
    ring_fixture f;
    reader_log log;
    uint64_t stuck_seq;

    void before()
    {
        f.make();
        log.reset();
        stuck_seq = NO_SEQ;
    }
    void after()
    {
        uint64_t reserved = prb_next_reserve_seq(f.ring);
        uint64_t readable[8];
        unsigned readable_count = 0;
        for (uint64_t s = 0; s < reserved; s++) {
            prb_record_info info;
            unsigned char text[MAX_TEXT];
            prb_read_status st = prb_read(f.ring, s, &info, text, sizeof text);
            if (st == PRB_READ_OK) {
                stuck_special(info, text);
                check_record(info, text, s, stuck_length);
                RL_ASSERT(readable_count < 8);
                readable[readable_count++] = s;
            } else if (st == PRB_READ_NOT_YET) {
                RL_ASSERT(s == stuck_seq);
            }
        }

        /* A panic reader passes the stuck record and reads exactly the readable ones. */
        prb_reader panic;
        prb_reader_init(&panic, f.ring, 0, true);
        for (unsigned k = 0; k < readable_count; k++) {
            prb_record_info info;
            unsigned char text[MAX_TEXT];
            RL_ASSERT(prb_reader_next(&panic, &info, text, sizeof text));
            RL_ASSERT(info.seq == readable[k]);
        }

        /* A normal reader does not pass it. */
        if (stuck_seq != NO_SEQ && stuck_seq >= prb_first_seq(f.ring)) {
            RL_ASSERT(prb_next_seq(f.ring) == stuck_seq);
            prb_reader normal;
            prb_reader_init(&normal, f.ring, 0, false);
            prb_record_info info;
            for (unsigned k = 0; k < readable_count && prb_reader_next(&normal, &info, nullptr, 0); k++)
                RL_ASSERT(info.seq < stuck_seq);
        }
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index == 0) {
            prb_meta meta = meta_of(STUCK_CALLER, 0);
            prb_entry e;
            unsigned char text[8];
            if (prb_reserve(f.ring, &e, 8, &meta) == PRB_OK) {
                stuck_seq = e.seq;
                fill_text(text, e.seq, meta.timestamp_ns, 0, 4);
                prb_entry_append(&e, text, 4);
                /* ...and never commits: the record stays reserved for good. */
            }
        } else if (index == 1) {
            for (unsigned n = 0; n < 4; n++)
                write_record(f.ring, 1, n, stuck_length(1, n));
        } else {
            prb_reader rd;
            prb_reader_init(&rd, f.ring, 0, true);
            for (int attempt = 0; attempt < 5; attempt++)
                log.next(&rd, stuck_length, stuck_special);
        }
    }
};

/*
 * tails_race: writer 0 writes four empty records (no data: it moves only the descriptor ring, and
 * its reservations push the descriptor tail, and with it the data tail past the old records'
 * blocks); writer 1 writes three 24-byte records (32-byte blocks: its allocations push the data
 * tail). Both tails are pushed from two places at once. A reader reads along.
 * Checks, besides whole records and the end state: no reservation fails without cause. Only
 * writer 1 has data blocks, all of them finalized before its next record, so it must never get
 * PRB_E_NO_SPACE. A PRB_E_NO_DESCRIPTOR is justified only by a record of the other writer that
 * may have been in flight during the call and was at least two behind the newest (the oldest
 * descriptor, or its successor, still being written). "May have been in flight": the other
 * writer publishes each finished call with a release store, read with acquire before each call;
 * a call not seen finished counts.
 */
inline size_t tails_length(unsigned writer, unsigned) { return writer == 1 ? MAX_TEXT : 0; }

struct tails_race : rl::test_suite<tails_race, 3> {
    enum { CALLS = 4 };
    ring_fixture f;
    reader_log log;
    rl::atomic<unsigned> finished[2];
    unsigned started[2];
    uint64_t call_seq[2][CALLS];

    void before()
    {
        f.make();
        log.reset();
        for (unsigned w = 0; w < 2; w++) {
            finished[w]($).store(0, rl::mo_relaxed);
            started[w] = 0;
            for (unsigned n = 0; n < CALLS; n++)
                call_seq[w][n] = NO_SEQ;
        }
    }
    void after()
    {
        log.check_gaps(f.ring);
        check_quiescent(f.ring, tails_length, false);
        check_still_writable(f.ring);
        f.destroy();
    }
    uint64_t newest_seq() const
    {
        uint64_t newest = 0;
        for (unsigned w = 0; w < 2; w++)
            for (unsigned n = 0; n < CALLS; n++)
                if (call_seq[w][n] != NO_SEQ && call_seq[w][n] > newest)
                    newest = call_seq[w][n];
        return newest;
    }
    void write(unsigned writer, unsigned n)
    {
        unsigned other = 1 - writer;
        unsigned other_finished = finished[other]($).load(rl::mo_acquire);
        started[writer] = n + 1;
        write_outcome w = write_record(f.ring, writer, n, tails_length(writer, n), true, &call_seq[writer][n]);
        RL_ASSERT(w.status != PRB_E_NO_SPACE);
        if (w.status == PRB_E_NO_DESCRIPTOR) {
            uint64_t newest = newest_seq();
            bool justified = false;
            for (unsigned k = other_finished; k < started[other]; k++)
                if (call_seq[other][k] != NO_SEQ && call_seq[other][k] + 2 <= newest)
                    justified = true;
            RL_ASSERT(justified);
        }
        finished[writer]($).store(n + 1, rl::mo_release);
    }
    void thread(unsigned index)
    {
        if (index == 0) {
            for (unsigned n = 0; n < 4; n++)
                write(0, n);
        } else if (index == 1) {
            for (unsigned n = 0; n < 3; n++)
                write(1, n);
        } else {
            prb_reader rd;
            prb_reader_init(&rd, f.ring, 0, false);
            for (int attempt = 0; attempt < 4; attempt++)
                log.next(&rd, tails_length);
        }
    }
};


/*
 * data_tail_behind_head (data_alloc:A and the head load before it: the data ring's twin of P1).
 * Whoever moves the data head has pushed the data tail first and publishes that push with the
 * head (release CAS), so that an allocator that reads the head (acquire) starts its own push from
 * a tail at most one ring behind. From a tail more than a ring behind, need_more_space() says no
 * push is needed, and the allocator writes over blocks that are still in the ring.
 *
 * The ring starts full of data: records of 16, 8, 8, 8 and 16 bytes of text, i.e. blocks
 * [0,24) [24,40) [40,56) [56+8 wasted,80) [80,104) in positions relative to the first; the first
 * two already recycled, so the data tail is at 40 (its block 16 bytes) and the head at 104
 * (index 40 of the array). Writer 0 and writer 1 each write one 24-byte record (a 32-byte block).
 * The interleaving that matters (one preemption): writer 0 reserves its descriptor, which does not
 * move the data tail; writer 1 writes its record: recycling its descriptor pushes the data tail to
 * 56, and its block (at index 40, so it wraps and ends at 160) pushes it to 104; then writer 0
 * allocates at 160..192 and needs the tail at 128 or beyond. Seeing the head writer 1 left but
 * only the first of its two pushes (56: 136 bytes behind its block's end, more than a ring),
 * need_more_space() says no push is needed: writer 0 moves the head to 192, 88 bytes past a tail
 * at 104, and writes over writer 1's block header. With the head's release/acquire, seeing head
 * 160 means seeing tail 104.
 * Checks: the end state (every record still in the ring reads whole; the data head at most one
 * ring ahead of the data tail) and that the ring still takes records.
 */
inline size_t dtbh_length(unsigned writer, unsigned n)
{
    static const size_t before[5] = {16, 8, 8, 8, 16};
    return writer == 2 && n < 5 ? before[n] : MAX_TEXT;
}

struct data_tail_behind_head : rl::test_suite<data_tail_behind_head, 2> {
    ring_fixture f;

    void before()
    {
        f.make();
        for (unsigned n = 0; n < 5; n++)
            RL_ASSERT(write_record(f.ring, 2, n, dtbh_length(2, n)).status == PRB_OK);
    }
    void after()
    {
        check_quiescent(f.ring, dtbh_length, false);
        check_still_writable(f.ring);
        f.destroy();
    }
    void thread(unsigned index) { write_record(f.ring, index, 0, dtbh_length(index, 0)); }
};


/* Shared by the steered suites below: four records of writer 2 fill the ring, then the fault hook
   that steers the threads is installed (and removed before the end checks). */
inline void steered_fill(ring_fixture &f, length_fn length, prb_fault_hook steer, void *suite)
{
    f.make();
    for (unsigned n = 0; n < 4; n++)
        RL_ASSERT(write_record(f.ring, 2, n, length(2, n)).seq == n);
    prb_ring_set_fault_hook(f.ring, steer, suite);
}

inline void steered_check_end(ring_fixture &f, length_fn length)
{
    prb_ring_set_fault_hook(f.ring, nullptr, nullptr);
    check_quiescent(f.ring, length, false);
    check_still_writable(f.ring);
    f.destroy();
}

/*
 * tail_pushed_for_another (P11: data_push_tail:A and :D). A descriptor-tail push moves the data
 * tail without moving the data head: the pusher makes the records in the way reusable, then moves
 * the tail (release CAS at D). Another writer that reads that tail (acquire at A) and finds that
 * it needs no push of its own allocates at once and writes over the area the push freed. P11
 * makes the records freed there reusable for whoever sees that writer's text: a reader that
 * copied the new bytes (data_alloc:A's fence(release) pairing with desc_read:D) must then see the
 * record it copied reusable at its re-check (P6). Without P11 that writer's fence publishes
 * nothing of the push it relied on, and the reader's re-check may still read the old record
 * finalized: torn text accepted as the old record.
 *
 * The ring starts with records 0..3 of 0, 24, 8 and 8 bytes of text: the descriptor ring full
 * (tail on record 0), blocks [0,32) [32,48) [48,64) in positions relative to the first (record 0
 * has none), data tail at 0, head at 64. Writer 0 writes one 24-byte record, writer 1 one empty
 * record; a reader reads record 1 (its text is in data words 1..3).
 * The interleaving: writer 0 reserves record 4 (slot 0), pushing the descriptor tail past the
 * data-less record 0, which leaves the data tail alone; writer 1 reserves record 5 (slot 1),
 * which pushes the descriptor tail past record 1: record 1 made reusable, the data tail moved
 * 0 -> 32 (D), the head not moved (record 5 has no data); then writer 0 allocates [64,96), at
 * index 0: it needs the tail at 32, reads 32 at A and writes its header and text over record 1's
 * block. The reader copies record 1's descriptor and info and writer 0's text; its re-check must
 * see reusable(1) (or record 5), never finalized(1).
 *
 * The random scheduler alone does not reach this in 10^6 iterations (writer 0 has to stall for a
 * whole reservation of writer 1's, and the reader has to copy late but re-check against a state
 * word two stores old), so the suite steers the schedule through the fault hook (prb_testing.h), with
 * plain variables: these are the checker's bookkeeping, outside the memory model, so waiting on
 * them orders the threads' steps without adding any synchronization between them (no failure
 * found this way is one the unsteered code could not show). Writer 0, once it has reserved, waits
 * until writer 1 has reserved; writer 1, once it has reserved, waits until the reader is done (so
 * that record 1's state word still holds finalized(1) among its last three stores); the reader
 * starts once writer 0 has its block. If writer 1 reserves first, nobody waits for anybody that
 * is waiting, and writer 0 pushes record 1 itself: a plain run.
 * Checks: what the reader accepts is whole; the end state as usual.
 */
inline size_t tpfa_length(unsigned writer, unsigned n)
{
    static const size_t before[4] = {0, MAX_TEXT, 8, 8};
    if (writer == 2)
        return n < 4 ? before[n] : MAX_TEXT;
    return writer == 0 ? MAX_TEXT : 0;
}

struct tail_pushed_for_another : rl::test_suite<tail_pushed_for_another, 3> {
    ring_fixture f;
    bool reserved[2], allocated, read_done; /* steering: plain, outside the model */

    static void steer(void *context, prb_fault_point point, const prb_entry *e)
    {
        tail_pushed_for_another *t = static_cast<tail_pushed_for_another *>(context);
        if (point == PRB_FAULT_DATA_ALLOCATED && e->caller_id == 0)
            t->allocated = true;
        if (point != PRB_FAULT_DESC_RESERVED)
            return;
        t->reserved[e->caller_id] = true;
        if (e->caller_id == 0)
            wait_for(t->reserved[1]);
        else if (t->reserved[0])
            wait_for(t->read_done);
    }

    void before()
    {
        reserved[0] = reserved[1] = allocated = read_done = false;
        steered_fill(f, tpfa_length, steer, this);
    }
    void after()
    {
        steered_check_end(f, tpfa_length);
    }
    void thread(unsigned index)
    {
        if (index < 2) {
            write_record(f.ring, index, 0, tpfa_length(index, 0));
            if (index == 0)
                allocated = true; /* also if the allocation failed: nobody waits for ever */
        } else {
            wait_for(allocated);
            prb_record_info info;
            unsigned char text[MAX_TEXT + 8];
            if (prb_read(f.ring, 1, &info, text, sizeof text) == PRB_READ_OK)
                check_record(info, text, 1, tpfa_length);
            read_done = true;
        }
    }
};

/*
 * alloc_cas_behind_ring (data_alloc:A's failure order, acquire). An allocator whose head CAS
 * fails continues from the head it read there, and must start its tail push from a tail at most
 * a ring behind that head, just as after its first head load (data_tail_behind_head): whoever
 * moved the head there had pushed the tail first. Without the acquire it may read a tail more
 * than a ring behind the new head; need_more_space() then says no push is needed, and it moves
 * the head past a live block and writes over it. For that the head must move more than a ring
 * between the allocator's load and its CAS, i.e. four 32-byte blocks of another writer's.
 *
 * An 8-descriptor ring (so that five records need no descriptor push), empty. Writer 0 writes one
 * 24-byte record: it reserves, loads the data head (0, relative to the first position), needs no
 * tail push, and is held at its head CAS (steering, below) while writer 1 writes four 24-byte
 * records: blocks [0,32) [32,64) [64,96) [96,128), the tail pushed to 32, then 64. Writer 0's CAS
 * then fails on head 128; it allocates at 128..160 and needs the tail at 96. Having acquired head
 * 128, its tail load at data_push_tail:A sees 64 and it walks over [64,96) (writer 1's third
 * record, finalized): the tail goes to 96. Without the acquire, the load may return the tail it
 * last saw, 0, two pushes old: 160 - 64 - 0 is more than a ring, no push, head 160 with the
 * tail at 64, and writer 0's block is written over the third record's, live at index 0.
 *
 * Steering (prbrl_before_cas, prb_atomics_relacy.hpp; plain variables, no synchronization added):
 * writer 0's first data head CAS waits until writer 1 is done; writer 1 starts once writer 0 is
 * there. Not reachable otherwise: the random scheduler never holds one thread for four records.
 * Checks: the end state (every record whole; the data head at most a ring ahead of the tail).
 */
inline size_t acbr_length(unsigned, unsigned) { return MAX_TEXT; }

struct alloc_cas_behind_ring : rl::test_suite<alloc_cas_behind_ring, 2> {
    ring_fixture f;
    bool at_cas, writer1_done; /* steering: plain, outside the model */
    static alloc_cas_behind_ring *current;

    static void steer(const prb_aword *word)
    {
        alloc_cas_behind_ring *t = current;
        if (t->at_cas || rl::ctx().current_thread() != 0 || word != hdr_word(t->f.ring, H_DATA_HEAD))
            return;
        t->at_cas = true;
        wait_for_keeping_views(t->writer1_done);
    }

    void before()
    {
        f.make(3);
        at_cas = writer1_done = false;
        current = this;
        prbrl_before_cas = steer;
    }
    void after()
    {
        prbrl_before_cas = nullptr;
        check_quiescent(f.ring, acbr_length, false);
        check_still_writable(f.ring);
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index == 0) {
            write_record(f.ring, 0, 0, MAX_TEXT);
            at_cas = true; /* also if it never got there: nobody waits for ever */
        } else {
            wait_for_keeping_views(at_cas);
            for (unsigned n = 0; n < 4; n++)
                write_record(f.ring, 1, n, MAX_TEXT);
            writer1_done = true;
        }
    }
};
alloc_cas_behind_ring *alloc_cas_behind_ring::current = nullptr;

/*
 * walk_fails_then_tail_moves (data_push_tail:C, P11 after a failed walk). A walk that fails
 * re-reads the tail (C, after the fence at B): if the tail moved, the walker goes on from there,
 * and may find that no more push is needed and write into the area that tail's push freed. The
 * fence at B synchronizes with whoever wrote what the walk failed on; C must acquire the tail for
 * the case where it was pushed further by a later push, whose records made reusable the walker has
 * not otherwise seen (P11, for readers' re-checks, P6).
 *
 * The ring starts with records 0..3: 0 (no block), 8, 24 and 8 bytes of text, blocks [0,16)
 * [16,48) [48,64) (relative positions), data tail 0, head 64, descriptor tail on record 0.
 * Writer 0 writes one 24-byte record: it reserves record 4 (pushing the descriptor tail past the
 * data-less record 0: the data tail stays), and is held there (steering) while writer 1 writes
 * two empty records: record 5 recycles record 1's slot (the data tail pushed 0 -> 16 first),
 * record 6 record 2's (the data tail pushed 16 -> 48 first; writer 1 is then held until the
 * reader is done). Writer 0 then allocates [64,96) (index 0) and needs the tail at 32. Its tail
 * load at A may return 0 (two pushes old: nothing orders it after them); its walk reads record
 * 1's id at index 0, whose slot now holds record 5: it fails, synchronized with record 5's
 * reservation (so with the push to 16) but not with the push to 48. C reads 48: no more push
 * needed, the head CAS succeeds (empty records do not move it), and writer 0's header and text go
 * over index 0..32, i.e. over record 2's header and first text word. A reader of record 2 that
 * copies that text must see record 2 reusable at its re-check: only C's acquire orders the push to
 * 48, and record 2 made reusable before it, before writer 0's stores.
 *
 * Steering as in tail_pushed_for_another (fault hook and plain variables; writer 0 waits without
 * yielding, so that its tail load may still return a value from before its wait). If any step goes
 * otherwise (a reservation that fails, a record reserved in another order), nobody waits for ever.
 * Checks: what the reader accepts is whole; the end state as usual.
 */
inline size_t wftm_length(unsigned writer, unsigned n)
{
    static const size_t before[4] = {0, 8, MAX_TEXT, 8};
    if (writer == 2)
        return n < 4 ? before[n] : MAX_TEXT;
    return writer == 0 ? MAX_TEXT : 0;
}

struct walk_fails_then_tail_moves : rl::test_suite<walk_fails_then_tail_moves, 3> {
    ring_fixture f;
    bool reserved0, pushed, allocated, read_done; /* steering: plain, outside the model */
    unsigned reservations1;

    static void steer(void *context, prb_fault_point point, const prb_entry *e)
    {
        walk_fails_then_tail_moves *t = static_cast<walk_fails_then_tail_moves *>(context);
        if (point == PRB_FAULT_DATA_ALLOCATED && e->caller_id == 0)
            t->allocated = true;
        if (point != PRB_FAULT_DESC_RESERVED)
            return;
        if (e->caller_id == 0) {
            t->reserved0 = true;
            wait_for_keeping_views(t->pushed);
        } else if (++t->reservations1 == 2) {
            t->pushed = true;
            wait_for(t->read_done);
        }
    }

    void before()
    {
        reserved0 = pushed = allocated = read_done = false;
        reservations1 = 0;
        steered_fill(f, wftm_length, steer, this);
    }
    void after()
    {
        steered_check_end(f, wftm_length);
    }
    void thread(unsigned index)
    {
        if (index == 0) {
            write_record(f.ring, 0, 0, MAX_TEXT);
            reserved0 = allocated = true; /* also if it never got there */
        } else if (index == 1) {
            wait_for(reserved0);
            for (unsigned n = 0; n < 2; n++)
                write_record(f.ring, 1, n, 0);
            pushed = true;
        } else {
            wait_for(allocated);
            prb_record_info info;
            unsigned char text[MAX_TEXT + 8];
            if (prb_read(f.ring, 2, &info, text, sizeof text) == PRB_READ_OK)
                check_record(info, text, 2, wftm_length);
            read_done = true;
        }
    }
};

} // namespace prbrl

#endif
