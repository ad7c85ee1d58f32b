/*
 * A data tail word damaged into the slack's window (memory we did not write is hostile).
 *
 * data_push_tail(lpos, limit) walks while the walk position is less than a ring behind `limit`.
 * A tail damaged to a value just under a ring behind `lpos` (the push target) is more than a ring
 * behind `limit` = lpos + slack, so the walk does not start, and data_make_reusable reports that
 * it got to lpos although it stands where it began. data_push_tail then "moves" the tail to the
 * value it already holds and returns true: the writer allocates over the oldest record's block
 * without making that record reusable, and a reader accepts the new text as the old record's.
 * Without the slack the same damage gives a lost record (the walk starts at a position that is
 * not a block and fails): that is what the house rules ask of damage.
 *
 * Built by scripts/verify.sh with the plain C11 atomics (no interleaving is needed: one thread).
 */
#include "../../Sources/CPrintkRing/prb.c"

#include <stdio.h>

#include "replay_check.h"

static void a_tail_damaged_into_the_slack_window_never_passes_for_a_push(void)
{
    prb_ring *ring = prb_ring_create(4, 12, NULL); /* 16 descriptors, 4 KiB: a data slack of 64 bytes */
    char text[1000], buf[1100];
    prb_record_info info;
    uint64_t seq, begin, next, target;
    prb_status status;
    bool whole = true;
    int i;

    for (i = 0; i < 4; i++) { /* blocks of 1008 bytes: 4032 of 4096 in use */
        memset(text, 'a' + i, sizeof text);
        if (prb_write(ring, text, sizeof text, NULL, &seq) != PRB_OK || seq != (uint64_t)i)
            abort();
    }
    begin = prb_load(hdr_word(ring, H_DATA_HEAD), PRB_MO_RELAXED);
    next = get_next_lpos(ring, begin, to_blk_size(sizeof text));
    target = next - ring->data_size;
    if (data_slack_limit(ring, target, begin) - target < 16)
        abort(); /* the scenario needs a slack of at least two words */
    /* The damage: a word-aligned tail just under a ring behind the push target. */
    prb_store(hdr_word(ring, H_DATA_TAIL), target - ring->data_size + WORD, PRB_MO_RELAXED);

    memset(text, 'z', sizeof text);
    status = prb_write(ring, text, sizeof text, NULL, &seq);
    for (i = 0; i < 4; i++)
        if (prb_read(ring, (uint64_t)i, &info, buf, sizeof buf) == PRB_READ_OK &&
            (buf[0] != 'a' + i || buf[sizeof text - 1] != 'a' + i))
            whole = false;
    check(whole, "no record reads back with another record's text after the damage");
    check(status != PRB_OK, "the write over the damaged tail gets no block");
    prb_ring_destroy(ring);
}

int main(void)
{
    a_tail_damaged_into_the_slack_window_never_passes_for_a_push();
    printf("interleavings (slack, damaged tail): %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
