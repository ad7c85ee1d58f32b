/*
 * Suites about a writer that dies in the middle of a record, and the survivors that take it over
 * (rings with recovery, docs/RECOVERY.md; prb.c: take_over).
 *
 * The model of the writer table: suite thread k holds thread slot k, whose owner tag is k + 1. A
 * thread dies by storing its dead flag with release and stopping for good (an exception thrown
 * from a fault hook, caught in thread(): nothing of prb.c runs for it afterwards). The liveness
 * query loads the flag with acquire. That is what the kernel gives a ring file: the dead process's
 * lock is released after its last store, and F_OFD_GETLK sees the release.
 */
#ifndef SUITES_RECOVERY_HPP
#define SUITES_RECOVERY_HPP

#include "relacy_ring.hpp"

#include "../../Sources/CPrintkRing/prb_recovery.h"

namespace prbrl {

struct died {};

/* Thread slots for a suite: slot k owned by owner tag k + 1, no intent. */
inline void init_slots(prb_aword *slots, unsigned count)
{
    for (unsigned k = 0; k < count; k++) {
        for (unsigned w = 0; w < PRB_TS_WORDS; w++)
            slots[k * PRB_TS_WORDS + w]($).store(0, rl::mo_relaxed);
        slots[k * PRB_TS_WORDS + PRB_TS_OWNER]($).store(k + 1, rl::mo_relaxed);
    }
}

struct recovery_model {
    enum { SLOTS = 4 };
    prb_aword slots[SLOTS * PRB_TS_WORDS];
    rl::atomic<unsigned> dead[SLOTS];
    prb_fault_point die_at;
    bool armed;

    void make(prb_ring *ring, prb_fault_point point)
    {
        init_slots(slots, SLOTS);
        for (unsigned k = 0; k < SLOTS; k++)
            dead[k]($).store(0, rl::mo_relaxed);
        die_at = point;
        armed = false;
        prb_ring_enable_recovery(ring, slots, SLOTS, &ops, this);
        prb_ring_set_fault_hook(ring, hook, this);
    }

    static bool owner_is_gone(void *context, uint64_t owner_tag)
    {
        recovery_model *m = static_cast<recovery_model *>(context);
        RL_ASSERT(owner_tag >= 1 && owner_tag <= SLOTS);
        return m->dead[owner_tag - 1]($).load(rl::mo_acquire) != 0;
    }
    static prb_aword *acquire_slot(void *context, uint64_t *token)
    {
        recovery_model *m = static_cast<recovery_model *>(context);
        *token = rl::ctx().current_thread();
        return &m->slots[*token * PRB_TS_WORDS];
    }
    static void release_slot(void *, uint64_t) {}

    /* Thread 0, once armed, dies at die_at. */
    static void hook(void *context, prb_fault_point point, const prb_entry *)
    {
        recovery_model *m = static_cast<recovery_model *>(context);
        if (!m->armed || point != m->die_at || rl::ctx().current_thread() != 0)
            return;
        m->armed = false;
        m->dead[0]($).store(1, rl::mo_release);
        throw died();
    }

    static const prb_recovery_ops ops;
};

const prb_recovery_ops recovery_model::ops = {recovery_model::owner_is_gone, recovery_model::acquire_slot,
                                              recovery_model::release_slot};

const unsigned DYING = 0;

inline size_t dying_length(unsigned writer, unsigned n)
{
    if (writer == DYING)
        return n == 0 ? 8 : 16;
    return writer == 30 ? MAX_TEXT : 16;
}

/* A record of the dying writer's last, unfinished record must never be read (unless it died
   after committing it: then the record is whole, and check_record checks it). A writer to die at
   PRB_FAULT_DATA_HEAD_LOST reaches that point only if its compare-and-swap of the data head fails;
   when it does not, it finishes the record, which may then be read: the suite checks at the end
   that it was read only if the writer did not die (g_read_dying_last). */
static prb_fault_point g_die_at;
static bool g_read_dying_last;
inline bool dying_special(const prb_record_info &info, const unsigned char *)
{
    if (info.caller_id == DYING && tag_n(info.timestamp_ns) == 1) {
        g_read_dying_last = true;
        RL_ASSERT(g_die_at == PRB_FAULT_COMMITTED || g_die_at == PRB_FAULT_DATA_HEAD_LOST);
    }
    return false;
}

/*
 * dead_writer<point>: writer 0 writes one record, then dies at `point` of its second (16 bytes):
 * after moving the descriptor head (PRB_FAULT_DESC_HEAD_MOVED), with the descriptor reserved, with
 * its block allocated, with half its text written, or after committing it. Writer 1 writes six
 * 16-byte records, wrapping both rings (4 descriptors, 64 bytes) onto the dead record; a reader
 * reads along.
 * Checks: every record read is whole and in order, the dead record never (but committed); a record
 * is taken over at most once, and not at all when it was committed (the next reservation
 * finalizes it); afterwards the ring is not wedged (five more records go in and read back), every
 * record is finalized or lost, and every record the reader skipped is gone for good. And, by the
 * CAS at take_over:D, never is a live writer's record taken: were writer 1's or the reader's view
 * wrong, a record would tear or the end checks fail.
 */
template <prb_fault_point Point> struct dead_writer : rl::test_suite<dead_writer<Point>, 3> {
    ring_fixture f;
    recovery_model model;
    reader_log log;
    bool dead; /* it reached the point (its reservation may fail first, for want of room) */

    void before()
    {
        f.make();
        model.make(f.ring, Point);
        g_die_at = Point;
        g_read_dying_last = false;
        log.reset();
        dead = false;
    }
    void after()
    {
        prb_ring_set_fault_hook(f.ring, nullptr, nullptr);
        check_still_writable(f.ring);
        check_quiescent(f.ring, dying_length, false, dying_special);
        log.check_gaps(f.ring);
        prb_stats s;
        prb_get_stats(f.ring, &s);
        RL_ASSERT(s.taken_over == (dead && Point != PRB_FAULT_COMMITTED ? 1u : 0u));
        RL_ASSERT(!(dead && Point != PRB_FAULT_COMMITTED && g_read_dying_last));
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index == DYING) {
            write_record(f.ring, DYING, 0, dying_length(DYING, 0));
            model.armed = true;
            try {
                write_record(f.ring, DYING, 1, dying_length(DYING, 1), false);
            } catch (const died &) {
                dead = true;
            }
        } else if (index == 1) {
            for (unsigned n = 0; n < 6; n++)
                write_record(f.ring, 1, n, dying_length(1, n));
        } else {
            prb_reader rd;
            prb_reader_init(&rd, f.ring, 0, false);
            for (int attempt = 0; attempt < 6; attempt++)
                log.next(&rd, dying_length, dying_special);
        }
    }
};

/*
 * dead_writer_two_survivors: as dead_writer with the writer dying with its block allocated, and
 * two survivors (three records each) that may both find it in their way and race to take it over.
 * Checks: as dead_writer; exactly one take-over.
 */
struct dead_writer_two_survivors : rl::test_suite<dead_writer_two_survivors, 3> {
    ring_fixture f;
    recovery_model model;
    bool dead;

    void before()
    {
        f.make();
        model.make(f.ring, PRB_FAULT_DATA_ALLOCATED);
        g_die_at = PRB_FAULT_DATA_ALLOCATED;
        dead = false;
    }
    void after()
    {
        prb_ring_set_fault_hook(f.ring, nullptr, nullptr);
        check_still_writable(f.ring);
        check_quiescent(f.ring, dying_length, false, dying_special);
        prb_stats s;
        prb_get_stats(f.ring, &s);
        RL_ASSERT(s.taken_over == (dead ? 1u : 0u));
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index == DYING) {
            model.armed = true;
            try {
                write_record(f.ring, DYING, 1, dying_length(DYING, 1), false);
            } catch (const died &) {
                dead = true;
            }
        } else {
            for (unsigned n = 0; n < 3; n++)
                write_record(f.ring, index, n, dying_length(index, n));
        }
    }
};

/*
 * reopen_vs_take_over (from the review of the take-over): W1 (caller 7) writes a record and commits
 * it (not final); W2 (caller 7) tries to reopen it (prb_reserve_in_last) while T, whose write
 * needs that record's space, takes it over if it may. Slot 0 holds a dead writer's stale intent
 * naming the record (it lost the race for the id and died before its next intent store), so only
 * the liveness of W1 and W2 stands between T and the record. Were the reopen allowed, the state
 * word would go reserved -> committed -> reserved again, and T's CAS from the first reserved
 * state would take W2's live reopen (the review's failing history: iteration 135). Rings with
 * recovery refuse reopens. Checks: nothing is taken over (nobody with a record in flight died).
 */
struct reopen_vs_take_over;
static reopen_vs_take_over *g_rvt;

struct reopen_vs_take_over : rl::test_suite<reopen_vs_take_over, 3> {
    enum { SLOTS = 4 };
    ring_fixture f;
    prb_aword slots[SLOTS * PRB_TS_WORDS];
    uint64_t id1;
    bool w1_committed, w2_done, w1_reserved, t_at_scan;

    static bool owner_is_gone(void *, uint64_t tag)
    {
        if (tag == 1) { /* X: the first slot the scan asks about, after take_over:A and B */
            g_rvt->t_at_scan = true;
            wait_for_keeping_views(g_rvt->w2_done);
            return true;
        }
        return false;
    }
    static prb_aword *acquire_slot(void *, uint64_t *token)
    {
        *token = rl::ctx().current_thread() + 1;
        return &g_rvt->slots[*token * PRB_TS_WORDS];
    }
    static void release_slot(void *, uint64_t) {}
    static const prb_recovery_ops ops;

    static void hook(void *, prb_fault_point point, const prb_entry *)
    {
        if (rl::ctx().current_thread() != 0)
            return;
        if (point == PRB_FAULT_TEXT_PARTIAL)
            wait_for_keeping_views(g_rvt->t_at_scan);
        if (point == PRB_FAULT_COMMITTED) {
            g_rvt->w1_committed = true;
            wait_for_keeping_views(g_rvt->w2_done);
        }
    }
    void before()
    {
        g_rvt = this;
        f.make();
        write_record(f.ring, 9, 0, 16); /* block [0,24) */
        prb_positions pos;
        prb_get_positions(f.ring, &pos);
        id1 = desc_id(pos.head_id + 1);
        init_slots(slots, SLOTS);
        slots[0 * PRB_TS_WORDS + PRB_TS_DESC]($).store(id1 | PRB_INTENT_SET, rl::mo_relaxed);
        prb_ring_enable_recovery(f.ring, slots, SLOTS, &ops, this);
        prb_ring_set_fault_hook(f.ring, hook, this);
        w1_committed = w2_done = w1_reserved = t_at_scan = false;
    }
    void after()
    {
        prb_ring_set_fault_hook(f.ring, nullptr, nullptr);
        prb_stats s;
        prb_get_stats(f.ring, &s);
        RL_ASSERT(s.taken_over == 0); /* nobody with a record died: any take-over took a live one */
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index == 0) { /* W1, caller 7: 16 bytes, block [24,48), committed (not final) */
            prb_meta meta = meta_of(7, 0);
            prb_entry e;
            unsigned char text[16];
            if (prb_reserve(f.ring, &e, 16, &meta) != PRB_OK) {
                w1_committed = w1_reserved = t_at_scan = true;
                return;
            }
            w1_reserved = true;
            RL_ASSERT(e.id == id1);
            fill_text(text, e.seq, meta.timestamp_ns, 0, 16);
            prb_entry_append(&e, text, 8);
            prb_entry_append(&e, text + 8, 8);
            RL_ASSERT(prb_commit(&e) == PRB_OK);
        } else if (index == 1) { /* W2, caller 7: reopens W1's record and adds 8 bytes */
            wait_for_keeping_views(w1_committed);
            prb_entry e;
            prb_status st = prb_reserve_in_last(f.ring, &e, 7, 8, MAX_TEXT);
            w2_done = true;
            if (st == PRB_OK) {
                unsigned char more[8] = {1, 2, 3, 4, 5, 6, 7, 8};
                prb_entry_append(&e, more, 8);
                RL_ASSERT(prb_commit(&e) == PRB_OK);
            }
        } else { /* T: 24 bytes: wraps, must push the data tail past W1's block */
            wait_for_keeping_views(w1_reserved);
            write_record(f.ring, 2, 0, MAX_TEXT);
            t_at_scan = true;
        }
    }
};
const prb_recovery_ops reopen_vs_take_over::ops = {reopen_vs_take_over::owner_is_gone, reopen_vs_take_over::acquire_slot, reopen_vs_take_over::release_slot};


/*
 * stale_dead_intent (from the review): a live writer W writes one record while slot 0 holds a
 * dead writer's stale intent naming the id W will get (it lost the race for it and died). T writes
 * six records, wrapping both rings onto W's record, and tries to take it over whenever it is in
 * the way. Checks: nothing is taken over (W is alive, and its own intent names its record).
 */
struct stale_dead_intent;
static stale_dead_intent *g_sdi;
struct stale_dead_intent : rl::test_suite<stale_dead_intent, 2> {
    enum { SLOTS = 3 };
    ring_fixture f;
    prb_aword slots[SLOTS * PRB_TS_WORDS];
    uint64_t id1;
    static bool owner_is_gone(void *, uint64_t tag) { return tag == 1; }
    static prb_aword *acquire_slot(void *, uint64_t *token)
    {
        *token = rl::ctx().current_thread() + 1;
        return &g_sdi->slots[*token * PRB_TS_WORDS];
    }
    static void release_slot(void *, uint64_t) {}
    static const prb_recovery_ops ops;
    void before()
    {
        g_sdi = this;
        f.make();
        prb_positions pos;
        prb_get_positions(f.ring, &pos);
        id1 = desc_id(pos.head_id + 1);
        init_slots(slots, SLOTS);
        slots[PRB_TS_DESC]($).store(id1 | PRB_INTENT_SET, rl::mo_relaxed);
        prb_ring_enable_recovery(f.ring, slots, SLOTS, &ops, this);
    }
    void after()
    {
        prb_stats s;
        prb_get_stats(f.ring, &s);
        RL_ASSERT(s.taken_over == 0);
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index == 0) {
            prb_meta meta = meta_of(0, 0);
            prb_entry e;
            unsigned char text[16];
            if (prb_reserve(f.ring, &e, 16, &meta) != PRB_OK)
                return;
            fill_text(text, e.seq, meta.timestamp_ns, 0, 16);
            prb_entry_append(&e, text, 8);
            prb_entry_append(&e, text + 8, 8);
            RL_ASSERT(prb_final_commit(&e) == PRB_OK);
        } else {
            for (unsigned n = 0; n < 6; n++)
                write_record(f.ring, 1, n, 16);
        }
    }
};
const prb_recovery_ops stale_dead_intent::ops = {stale_dead_intent::owner_is_gone, stale_dead_intent::acquire_slot,
                                                 stale_dead_intent::release_slot};

} // namespace prbrl

#endif
