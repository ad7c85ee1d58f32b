/*
 * Suites about the tails' slack (prb.c: data_make_reusable's slack part, desc_pass_slack). They
 * only mean something with a slack that acts in the checker's tiny rings: build with
 * -DPRB_TAIL_SLACK_SHIFT=0 (scripts/verify.sh does, for its second run).
 */
#ifndef SUITES_SLACK_HPP
#define SUITES_SLACK_HPP

#include "relacy_ring.hpp"

namespace prbrl {

/* Every record behind the descriptor tail whose slot still holds it has its block behind the
   data tail (else its slot is recycled with the block still in the data ring). */
inline void check_passed_blocks(ring_fixture &f)
{
    prb_positions pos;
    prb_get_positions(f.ring, &pos);
    uint64_t count = UINT64_C(1) << prb_ring_desc_bits(f.ring);
    for (uint64_t k = 1; k < count; k++) {
        uint64_t id = desc_id(pos.tail_id - k);
        desc_copy d;
        if (desc_read(f.ring, id, &d, nullptr, nullptr, nullptr) == PRB_DESC_MISS || d.begin == d.next ||
            lpos_dataless(d.begin))
            continue;
        if (need_more_space(f.ring, pos.data_tail_lpos, d.next))
            std::printf("record %llu passed by the descriptor tail (%llu) with its block "
                        "[%lld,%lld) ahead of the data tail %lld\n",
                        (unsigned long long)seq_of_id(f.ring, id), (unsigned long long)seq_of_id(f.ring, pos.tail_id),
                        (long long)(d.begin + 64), (long long)(d.next + 64), (long long)(pos.data_tail_lpos + 64));
#ifndef SSDT_NO_INVARIANT
        RL_ASSERT(!need_more_space(f.ring, pos.data_tail_lpos, d.next));
#endif
    }
}

/*
 * slack_stale_data_tail (desc_pass_slack: the data tail it compares blocks with). The descriptor
 * slack may pass a record only if the data tail has already passed its block: once the tail is
 * past the record, its slot is recycled without any push, and the data-tail walk can never pass
 * a block whose header names a recycled descriptor (desc_read says miss). desc_pass_slack first
 * loaded the data tail once, at the first record with a block, and compared every later record's
 * block with that value, although it read those records (and so synchronized with their commits)
 * only later (fixed: it now reads the tail for each record, after its descriptor, at
 * desc_pass_slack:A; this suite failed at iteration 2 before). A block allocated after that load may end more than a ring past the value loaded;
 * need_more_space() then says "no more space needed", the same answer as for a block behind the
 * tail, and the record is passed with its block still ahead of the data tail.
 *
 * An 8-descriptor ring (so that the descriptor slack, 8 with PRB_TAIL_SLACK_SHIFT=0, spans six
 * records), 64 bytes of text. Records (positions relative to the first; "-" no block):
 *   0: [0,16)  1: -  2: -  (before the threads)
 *   3: the victim, writer 1: reserved, then held before its allocation
 *   4: [16,40)  5: [40 | wraps, 64+32 = 96)  6: -   (writer 2; record 5's allocation pushes the
 *      data tail 0 -> 32 and on through the slack to 40: records 0 and 4 reusable)
 *   7: writer 0, no text: the ring is full, so it pushes the descriptor tail from the bootstrap
 *      descriptor, and desc_pass_slack goes on: record 0 (block behind the data tail, read now:
 *      40), record 1 (finalized: made reusable; writer 0 is held at that compare-and-swap).
 * Meanwhile writer 1 allocates the victim's block at 96..128 (pushing the data tail to 96 past
 * record 5, now reusable) and final-commits it. Writer 0 goes on: record 2, then the victim: its
 * block ends at 128, 88 bytes past the 40 read before (more than a ring), which the single read
 * took for "behind the tail"; record 4 after it is reusable, so the victim was made reusable and passed, and the descriptor tail goes
 * to record 5 while the data tail is at 96, before the victim's block.
 * Checks, once the threads are done: every record the descriptor tail has passed whose slot still
 * holds it has its block behind the data tail; then four empty records (the fourth recycles the
 * victim's slot without a push) and the ring still takes records (check_still_writable: with the
 * bug, the walk stops for good at the victim's block, and every record with text is lost).
 *
 * Steering (plain variables, outside the model): writer 2 starts once writer 1 has reserved; writer
 * 0 once writer 2 is done; writer 1 is held after its reservation until writer 0 is at its first
 * compare-and-swap of record 1's state word (prbrl_before_cas), which waits until writer 1 is
 * done. If a step goes otherwise, nobody waits for ever.
 */
inline size_t ssdt_length(unsigned writer, unsigned n)
{
    static const size_t fill[6] = {8, 0, 0, 16, MAX_TEXT, 0};
    if (writer == 2)
        return n < 6 ? fill[n] : 0;
    if (writer == 1)
        return MAX_TEXT;
    if (writer == 30)
        return MAX_TEXT;
    return 0;
}

struct slack_stale_data_tail : rl::test_suite<slack_stale_data_tail, 3> {
    ring_fixture f;
    bool reserved1, done1, done2, at_cas; /* steering: plain, outside the model */
    static slack_stale_data_tail *current;

    static void steer_reserve(void *context, prb_fault_point point, const prb_entry *e)
    {
        slack_stale_data_tail *t = static_cast<slack_stale_data_tail *>(context);
        if (point != PRB_FAULT_DESC_RESERVED || e->caller_id != 1)
            return;
        t->reserved1 = true;
        wait_for(t->at_cas);
    }
    static void steer_cas(const prb_aword *word)
    {
        slack_stale_data_tail *t = current;
        if (t->at_cas || rl::ctx().current_thread() != 0 || word != desc_word(t->f.ring, 1, D_STATE))
            return;
        t->at_cas = true;
        wait_for(t->done1);
    }

    void before()
    {
        f.make(3);
        for (unsigned n = 0; n < 3; n++)
            RL_ASSERT(write_record(f.ring, 2, n, ssdt_length(2, n)).seq == n);
        reserved1 = done1 = done2 = at_cas = false;
        current = this;
        prb_ring_set_fault_hook(f.ring, steer_reserve, this);
        prbrl_before_cas = steer_cas;
    }

    void after()
    {
        prbrl_before_cas = nullptr;
        prb_ring_set_fault_hook(f.ring, nullptr, nullptr);
        check_quiescent(f.ring, ssdt_length, false);
        check_passed_blocks(f);
        for (unsigned n = 0; n < 4; n++)
            RL_ASSERT(write_record(f.ring, 31, n, 0).status == PRB_OK);
        check_still_writable(f.ring);
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index == 0) {
            wait_for(done2);
            write_record(f.ring, 0, 0, 0);
            at_cas = true; /* also if it never got there: nobody waits for ever */
        } else if (index == 1) {
            write_record(f.ring, 1, 0, MAX_TEXT);
            reserved1 = done1 = true;
        } else {
            wait_for(reserved1);
            for (unsigned n = 3; n < 6; n++)
                write_record(f.ring, 2, n, ssdt_length(2, n));
            done2 = true;
        }
    }
};
slack_stale_data_tail *slack_stale_data_tail::current = nullptr;

/*
 * slack_cas_fails_short (desc_pass_slack, desc_push_tail:B failing). Two writers push the
 * descriptor tail from the same record. The one that read the ring first stops its slack early
 * (a record still being written) and moves the tail a little; the other, which read later, made
 * more records reusable with its slack and then fails its compare-and-swap. The tail now stands
 * before records that are already reusable: readers must count them lost (not "not yet", not
 * readable), prb_first_seq must still find the tail on a finalized or reusable record, and the
 * next pushes and reservations must pass and recycle them (desc_reserve:E reads them reusable).
 *
 * An 8-descriptor ring. Records 0..2 (no text) before the threads; record 3 (writer 2, no text)
 * reserved and held; records 4..6 (writer 0, no text); then writer 1 reserves (8 bytes of text):
 * the ring is full, it pushes from the bootstrap descriptor and its slack stops before record 3
 * (reserved): it is held at its tail CAS (bootstrap -> record 2). Writer 2 final-commits record 3;
 * writer 0 reserves (8 bytes): it pushes from the bootstrap descriptor too, its slack passes
 * records 0..5 (making 2..5 reusable) and it is held at its tail CAS (bootstrap -> record 6)
 * until writer 1's has succeeded; writer 0's then fails. A reader reads along.
 * Checks: every record the reader accepts is whole and its gaps are gone for good; the end state
 * (check_quiescent); no record behind the descriptor tail has its block ahead of the data tail;
 * and the ring still takes records. Passes 10^5 iterations on bd47ccf; built with -DSCFS_PROBE it
 * fails at iteration 1 on the state above (tail on record 2, records 3..5 reusable), so the
 * steering does reach it.
 */
inline size_t scfs_length(unsigned writer, unsigned n)
{
    if (writer == 0)
        return n < 3 ? 0 : 8;
    if (writer == 1)
        return 8;
    if (writer == 30)
        return MAX_TEXT;
    return 0;
}

struct slack_cas_fails_short : rl::test_suite<slack_cas_fails_short, 4> {
    ring_fixture f;
    reader_log log;
    bool reserved2, filled, b_at_cas, b_cassed, done2, a_at_cas; /* steering: plain */
    static slack_cas_fails_short *current;

    static void steer_reserve(void *context, prb_fault_point point, const prb_entry *e)
    {
        slack_cas_fails_short *t = static_cast<slack_cas_fails_short *>(context);
        if (point != PRB_FAULT_DESC_RESERVED || e->caller_id != 2)
            return;
        t->reserved2 = true;
        wait_for(t->b_at_cas);
    }
    static void steer_cas(const prb_aword *word)
    {
        slack_cas_fails_short *t = current;
        unsigned me = rl::ctx().current_thread();
        if (me == 1 && t->b_at_cas && !t->b_cassed) {
            t->b_cassed = true; /* writer 1's next CAS after its tail CAS */
            return;
        }
        if (word != hdr_word(t->f.ring, H_TAIL_ID))
            return;
        if (me == 1 && !t->b_at_cas) {
            t->b_at_cas = true;
            wait_for(t->a_at_cas);
        } else if (me == 0 && t->filled && !t->a_at_cas) {
            t->a_at_cas = true;
            wait_for(t->b_cassed);
        }
    }

    void before()
    {
        f.make(3);
        log.reset();
        for (unsigned n = 0; n < 3; n++)
            RL_ASSERT(write_record(f.ring, 2, n, 0).seq == n);
        reserved2 = filled = b_at_cas = b_cassed = done2 = a_at_cas = false;
        current = this;
        prb_ring_set_fault_hook(f.ring, steer_reserve, this);
        prbrl_before_cas = steer_cas;
    }
    void after()
    {
        prbrl_before_cas = nullptr;
        prb_ring_set_fault_hook(f.ring, nullptr, nullptr);
#ifdef SCFS_PROBE /* fails as soon as the steered state is reached: shows that the steering works */
        {
            prb_positions pos;
            prb_get_positions(f.ring, &pos);
            RL_ASSERT(!(seq_of_id(f.ring, pos.tail_id) == 2 && prb_state_of_seq(f.ring, 3) == PRB_DESC_REUSABLE &&
                        prb_state_of_seq(f.ring, 5) == PRB_DESC_REUSABLE));
        }
#endif
        log.check_gaps(f.ring);
        check_quiescent(f.ring, scfs_length, false);
        check_passed_blocks(f);
        check_still_writable(f.ring);
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index == 0) {
            wait_for(reserved2);
            for (unsigned n = 0; n < 3; n++)
                write_record(f.ring, 0, n, 0);
            filled = true;
            wait_for(done2);
            write_record(f.ring, 0, 3, 8);
            a_at_cas = true; /* nobody waits for ever */
        } else if (index == 1) {
            wait_for(filled);
            write_record(f.ring, 1, 0, 8);
            b_at_cas = b_cassed = true;
        } else if (index == 2) {
            write_record(f.ring, 2, 3, 0);
            reserved2 = b_at_cas = true;
            done2 = true;
        } else {
            prb_reader rd;
            prb_reader_init(&rd, f.ring, 0, false);
            for (int attempt = 0; attempt < 4; attempt++)
                log.next(&rd, scfs_length);
        }
    }
};
slack_cas_fails_short *slack_cas_fails_short::current = nullptr;

} // namespace prbrl

#endif
