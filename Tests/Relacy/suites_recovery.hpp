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

/* Defined with the slack suites (suites_slack.hpp): no record behind the descriptor tail has its
   block ahead of the data tail. A take-over hands both tails records whose blocks may still be
   ahead (or headless), and the descriptor slack (desc_pass_slack) passes taken-over records. */
inline void check_passed_blocks(ring_fixture &f);

/* Thread slots for a suite: slot k owned by owner tag k + 1, no intent. */
inline void init_slots(prb_aword *slots, unsigned count)
{
    for (unsigned k = 0; k < count; k++) {
        for (unsigned w = 0; w < PRB_TS_WORDS; w++)
            slots[k * PRB_TS_WORDS + w]($).store(0, rl::mo_relaxed);
        slots[k * PRB_TS_WORDS + PRB_TS_OWNER]($).store(k + 1, rl::mo_relaxed);
        slots[k * PRB_TS_WORDS + PRB_TS_DATA_BEGIN]($).store(PRB_TS_NO_BLOCK, rl::mo_relaxed);
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
        check_passed_blocks(f);
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
        check_passed_blocks(f);
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

/*
 * stale_dead_data_intent (the review of recover_unnamed_block): a live writer W writes a record
 * while slot 0 holds a dead writer's data intent naming the very position W's block will take,
 * with another size: a writer whose data-head CAS lost that position to W and that died before
 * its next attempt (its descriptor intent names a finished record here, so nothing of it can be
 * taken over). T writes six records, wrapping the text ring onto W's block again and again, and
 * tries to pass any block in its way that nobody names. Checks: nothing is taken over, W's record
 * reads back whole, the ring is still writable: W's block is never passed by the dead intent's
 * end (W is alive while it allocates; once W has stored its header, the check after the search
 * sees it).
 */
struct stale_dead_data_intent;
static stale_dead_data_intent *g_sddi;
struct stale_dead_data_intent : rl::test_suite<stale_dead_data_intent, 2> {
    enum { SLOTS = 3 };
    ring_fixture f;
    prb_aword slots[SLOTS * PRB_TS_WORDS];
    static bool owner_is_gone(void *, uint64_t tag) { return tag == 1; }
    static prb_aword *acquire_slot(void *, uint64_t *token)
    {
        *token = rl::ctx().current_thread() + 1;
        return &g_sddi->slots[*token * PRB_TS_WORDS];
    }
    static void release_slot(void *, uint64_t) {}
    static const prb_recovery_ops ops;
    void before()
    {
        g_sddi = this;
        f.make();
        write_record(f.ring, 9, 0, 16); /* a finished record, which the dead intent names */
        prb_positions pos;
        prb_get_positions(f.ring, &pos);
        init_slots(slots, SLOTS);
        slots[PRB_TS_DESC]($).store(desc_id(pos.head_id) | PRB_INTENT_SET, rl::mo_relaxed);
        slots[PRB_TS_DATA_BEGIN]($).store(pos.data_head_lpos, rl::mo_relaxed); /* W's block, soon */
        slots[PRB_TS_DATA_SIZE]($).store(8, rl::mo_relaxed);                   /* W's is 24 */
        prb_ring_enable_recovery(f.ring, slots, SLOTS, &ops, this);
    }
    void after()
    {
        prb_stats s;
        prb_get_stats(f.ring, &s);
        RL_ASSERT(s.taken_over == 0);
        check_passed_blocks(f);
        check_still_writable(f.ring);
        check_quiescent(f.ring, dying_length, false, nullptr);
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index == 0) {
            write_record(f.ring, 2, 0, 16, false); /* W, as caller 2 (16 bytes in dying_length) */
        } else {
            for (unsigned n = 0; n < 6; n++)
                write_record(f.ring, 1, n, 16);
        }
    }
};
const prb_recovery_ops stale_dead_data_intent::ops = {stale_dead_data_intent::owner_is_gone,
                                                      stale_dead_data_intent::acquire_slot,
                                                      stale_dead_data_intent::release_slot};

/*
 * unnamed_block_reclaimed_slot (from the review of recover_unnamed_block): D loses the race for
 * the data head at `at` to X (its compare-and-swap fails) and dies before its next attempt
 * (PRB_FAULT_DATA_HEAD_LOST): its data intent names `at`, with its size. X finishes its record at
 * `at` (final commit, intent cleared) and lets its thread slot go (a temporary slot: owner 0,
 * release); N claims that slot, as claim_thread_slot does (owner CAS, acquire; then the intent
 * words reset with relaxed stores). S then writes two 24-byte records, the second of which needs
 * the data tail past X's block. Checks: X's record, while it can be read, reads whole (its block
 * is never passed while it is finalized), and afterwards the ring is sound.
 *
 * unnamed_block_released_slot (NoClaim): X lets its slot go and nobody claims it. recover_unnamed_block
 * reads the owner word 0 (X's release) with a relaxed load, counts X as gone, and takes X's stale
 * intent words for a dead writer's: no death is needed at all (found at iteration 2401 of
 * unnamed_block_first_wrap once that suite no longer wedges).
 *
 * unnamed_block_x_moves_on (XSecond): the same, but X keeps its slot and writes a second record, so
 * that its data intent moves on (data_alloc:I). The suite passes as the code is, and (so far) also
 * with -DPRB_WEAKEN_data_alloc_I=1 (300000 iterations): X's second record pushes the data tail, and
 * S's acquire of that push gives it X's header anyway. A start for a suite that shows that
 * data_alloc:I's release is needed; none does yet.
 *
 * recover_unnamed_block's argument: S reads X's data intent naming `at`, or a later value of X's
 * slot whose acquire makes X's block header visible. N's reset values are later values, but
 * relaxed stores by another thread: acquiring them synchronizes with nobody.
 */
/* claim_thread_slot's order for its resets (prb_file.c): release since the review (relaxed, as on
   fac78ea, this suite fails: -DCLAIM_RESET_MO=rl::mo_relaxed). */
#ifndef CLAIM_RESET_MO
#define CLAIM_RESET_MO rl::mo_release
#endif
template <bool Prefill, bool XSecond = false, bool NoClaim = false> struct unnamed_block_reclaimed_slot;
static void *g_ubr_any;
template <bool Prefill, bool XSecond, bool NoClaim>
struct unnamed_block_reclaimed_slot : rl::test_suite<unnamed_block_reclaimed_slot<Prefill, XSecond, NoClaim>, 4> {
    enum { SLOTS = 4, D = 0, X = 1, N = 2, S = 3 };
    ring_fixture f;
    prb_aword slots[SLOTS * PRB_TS_WORDS];
    rl::atomic<unsigned> d_dead;
    bool d_done, x_done, n_done, dead;
    uint64_t x_seq;

    static size_t length(unsigned writer, unsigned) { return writer == S || writer == 30 ? MAX_TEXT : 16; }
    static unnamed_block_reclaimed_slot *self() { return static_cast<unnamed_block_reclaimed_slot *>(g_ubr_any); }
    static bool owner_is_gone(void *, uint64_t tag) { return tag == 1 && self()->d_dead($).load(rl::mo_acquire) != 0; }
    static prb_aword *acquire_slot(void *, uint64_t *token)
    {
        *token = rl::ctx().current_thread();
        return &self()->slots[*token * PRB_TS_WORDS];
    }
    static void release_slot(void *, uint64_t) {}
    static const prb_recovery_ops ops;
    static void hook(void *, prb_fault_point point, const prb_entry *)
    {
        if (point != PRB_FAULT_DATA_HEAD_LOST || rl::ctx().current_thread() != D || self()->dead)
            return;
        self()->dead = true;
        self()->d_dead($).store(1, rl::mo_release);
        throw died();
    }
    /* X's record, if it can be read, is whole. */
    void check_x()
    {
        prb_record_info info;
        unsigned char text[MAX_TEXT + 8];
        if (x_seq != NO_SEQ && prb_read(f.ring, x_seq, &info, text, sizeof text) == PRB_READ_OK)
            check_record(info, text, x_seq, length);
    }
    void before()
    {
        g_ubr_any = this;
        f.make();
        /* Prefill: the descriptor ring past its first wrap, so that a taken-over record's stale
           positions are a real, passed block's (without: see first_wrap_wedge in the review). */
        for (unsigned n = 0; Prefill && n < 4; n++)
            write_record(f.ring, 9, n, 16);
        init_slots(slots, SLOTS);
        for (unsigned k = 0; k < SLOTS; k++)
            slots[k * PRB_TS_WORDS + PRB_TS_DATA_BEGIN]($).store(PRB_TS_NO_BLOCK, rl::mo_relaxed);
        d_dead($).store(0, rl::mo_relaxed);
        d_done = x_done = n_done = dead = false;
        x_seq = NO_SEQ;
        prb_ring_enable_recovery(f.ring, slots, SLOTS, &ops, this);
        prb_ring_set_fault_hook(f.ring, hook, this);
    }
    void after()
    {
        check_x();
        prb_ring_set_fault_hook(f.ring, nullptr, nullptr);
        check_passed_blocks(f);
        check_still_writable(f.ring);
        check_quiescent(f.ring, length, false);
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index == D) {
            try {
                write_record(f.ring, D, 0, 16);
            } catch (const died &) {
            }
            d_done = true;
        } else if (index == X) {
            write_outcome w = write_record(f.ring, X, 0, 16);
            x_seq = w.status == PRB_OK ? w.seq : NO_SEQ;
            if (XSecond) {
                /* X's next record: its data intent moves on (data_alloc:I). */
                write_record(f.ring, X, 1, 16);
            } else {
                /* A temporary slot goes back: release (prb_file.c release_thread_slot). */
                slots[X * PRB_TS_WORDS + PRB_TS_OWNER]($).store(0, rl::mo_release);
            }
            x_done = true;
        } else if (index == N) {
            /* claim_thread_slot: acquire CAS on the owner, then relaxed resets of the intent. */
            wait_for_keeping_views(x_done);
            uint64_t expected = 0;
            if (!XSecond && !NoClaim && slots[X * PRB_TS_WORDS + PRB_TS_OWNER]($).compare_exchange_strong(expected, N + 1, rl::mo_acquire,
                                                                                  rl::mo_relaxed)) {
                slots[X * PRB_TS_WORDS + PRB_TS_DESC]($).store(0, CLAIM_RESET_MO);
                slots[X * PRB_TS_WORDS + PRB_TS_DATA_BEGIN]($).store(PRB_TS_NO_BLOCK, CLAIM_RESET_MO);
            }
            n_done = true;
        } else {
            wait_for_keeping_views(n_done);
            wait_for_keeping_views(d_done);
            for (unsigned n = 0; n < 2; n++) {
                write_record(f.ring, S, n, MAX_TEXT);
                check_x();
            }
        }
    }
};
template <bool Prefill, bool XSecond, bool NoClaim>
const prb_recovery_ops unnamed_block_reclaimed_slot<Prefill, XSecond, NoClaim>::ops = {
    unnamed_block_reclaimed_slot<Prefill, XSecond, NoClaim>::owner_is_gone,
    unnamed_block_reclaimed_slot<Prefill, XSecond, NoClaim>::acquire_slot,
    unnamed_block_reclaimed_slot<Prefill, XSecond, NoClaim>::release_slot};

} // namespace prbrl

#endif
