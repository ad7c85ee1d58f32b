/*
 * The data-tail walk, preempted while another writer recycles the area it walks (issue 15).
 *
 * A walker reads a block's id at a position it got from its (now stale) tail and from the blocks
 * before it. If other writers meanwhile pushed the tail and wrote new blocks there, that position
 * may lie inside a new block's text, and text is whatever a writer logged: it may look exactly
 * like the id of a finalized record elsewhere in the ring. The walk must then fail (the record's
 * block does not begin where the walk stands) and not make that unrelated record reusable: it
 * would be lost while its block is still in the ring.
 *
 * Built by scripts/verify.sh: the real prb.c with preempt_atomics.h as its atomics layer.
 */
#define PRB_ATOMICS_CUSTOM "preempt_atomics.h"
#include "../../Sources/CPrintkRing/prb.c"

#include <stdio.h>

#include "replay_check.h"

void (*preempt_hook)(void);
void (*preempt_after_cas_hook)(void);

static prb_ring *ring;
static uint64_t base, bystander_id;

static uint64_t write_filled(char c, size_t n)
{
    char text[512];
    uint64_t seq;
    memset(text, c, n);
    if (prb_write(ring, text, n, NULL, &seq) != PRB_OK)
        abort();
    return seq;
}

/* Another writer, while the walker is preempted: fills the ring to its end (a perfect fit), then
   writes a block at index 0 of the next wrap whose text, at index 112, holds the bystander's id. */
static void recycle_the_area_with_text_that_looks_like_an_id(void)
{
    char text[120];
    prb_positions p;

    write_filled('f', 360); /* [288, 656) */
    write_filled('g', 360); /* [656, 1024): ends exactly at the end of the array */
    memset(text, 't', sizeof text);
    memcpy(text + 104, &bystander_id, sizeof bystander_id); /* text starts at index 8 */
    if (prb_write(ring, text, sizeof text, NULL, NULL) != PRB_OK) /* [1024, 1152) */
        abort();
    prb_get_positions(ring, &p);
    if (p.data_tail_lpos != base + 224 || p.data_head_lpos != base + 1024 + 128)
        abort(); /* the scenario needs exactly this layout */
}

static void a_walk_from_a_stale_tail_never_makes_a_bystander_reusable(void)
{
    uint64_t bystander;
    prb_record_info info;
    char text[64];

    ring = prb_ring_create(4, 10, NULL); /* 16 descriptors, 1024 bytes */
    base = prb_load(hdr_word(ring, H_DATA_TAIL), PRB_MO_RELAXED);
    write_filled('A', 100); /* [0, 112) */
    write_filled('B', 100); /* [112, 224) */
    bystander = write_filled('Y', 50); /* [224, 288) */
    bystander_id = desc_id(desc0_id(ring) + 1 + bystander);

    /* The walker: from the tail at A, to get past 150 it walks A, then the block at A's next
       (112). It is preempted in its read of A's descriptor (the fence at desc_read:D). */
    preempt_hook = recycle_the_area_with_text_that_looks_like_an_id;
    data_push_tail(ring, base + 150, base + 150);
    check(preempt_hook == 0, "the walker was preempted inside desc_read");
    check(prb_read(ring, bystander, &info, text, sizeof text) == PRB_READ_OK && info.text_len == 50 &&
              text[0] == 'Y',
          "the bystander whose id the walker read in another record's text is still there");
    check(prb_state_of_seq(ring, bystander) == PRB_DESC_FINALIZED, "the bystander is still finalized");
    prb_ring_destroy(ring);
}

int main(void)
{
    a_walk_from_a_stale_tail_never_makes_a_bystander_reusable();
    printf("interleavings (walk): %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
