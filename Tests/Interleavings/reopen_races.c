/*
 * Regression tests for two interleavings found in review (both fixed in desc_read, which now
 * insists that the state word is unchanged between its reads A and E):
 *
 * 1. A reader copies a committed record's block position, is preempted; the owner reopens the
 *    record, grows it so that it wraps (the text moves to index 0), commits it, and the next
 *    reservation finalizes it. The reader resumed and returned the old block with the new length:
 *    a torn record.
 * 2. A data-tail walker copies a committed record's blk.next, is preempted; the owner grows the
 *    record and it is finalized. The walker resumed, made it reusable and moved the data tail to
 *    the old blk.next, inside the grown block: every later walk read text as a block id, and the
 *    ring refused all writes forever.
 *
 * And one for a check that single-threaded tests cannot see (issue 15):
 *
 * 3. prb_reserve_in_last by a caller that does not own the newest record must refuse before it
 *    reopens the record. Without that check (the re-check after the reopen still refuses and
 *    re-commits), the record is reserved by the wrong caller for a while, and the owner's own
 *    extension in that window fails with PRB_E_CANNOT_EXTEND.
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

static void write_filled(char c, size_t n)
{
    char text[512];
    memset(text, c, n);
    if (prb_write(ring, text, n, NULL, NULL) != PRB_OK)
        abort();
}

/* Makes the newest record: 10 bytes of 'A' with room for 100, committed but not final, caller 7. */
static uint64_t extendable_record(void)
{
    prb_meta meta = {1, 7, 0, 0, 0, 0};
    prb_entry e;
    if (prb_reserve(ring, &e, 100, &meta) != PRB_OK)
        abort();
    prb_entry_append(&e, "AAAAAAAAAA", 10);
    prb_commit(&e);
    return e.seq;
}

static void grow_so_that_it_wraps_then_finalize(void)
{
    prb_entry e;
    if (prb_reserve_in_last(ring, &e, 7, 400, 500) != PRB_OK || e.text_word != 1)
        abort(); /* the scenario needs the block to move to index 0 */
    prb_entry_append(&e, "BBBBB", 5);
    prb_commit(&e);
    write_filled('n', 1); /* the next reservation finalizes the grown record */
}

static void reader_never_mixes_old_block_and_new_length(void)
{
    prb_record_info info;
    char text[600];
    uint64_t seq;

    ring = prb_ring_create(4, 10, NULL);
    write_filled('Z', 400);
    write_filled('Y', 200);
    seq = extendable_record();
    preempt_hook = grow_so_that_it_wraps_then_finalize;
    memset(text, '?', sizeof text);
    prb_read_status status = prb_read(ring, seq, &info, text, sizeof text);
    check(preempt_hook == 0, "reader was preempted inside desc_read");
    check(status != PRB_READ_OK || (info.text_len == 15 && memcmp(text, "AAAAAAAAAABBBBB", 15) == 0),
          "reader returns the grown record whole, or nothing");
    prb_ring_destroy(ring);
}

static void grow_then_finalize_with_an_empty_record(void)
{
    prb_entry e;
    char more[150];
    if (prb_reserve_in_last(ring, &e, 7, 200, 500) != PRB_OK)
        abort();
    memset(more, 'B', sizeof more);
    prb_entry_append(&e, more, sizeof more);
    prb_commit(&e);
    prb_write(ring, "", 0, NULL, NULL); /* finalizes the grown record, uses no data */
}

static void walker_never_stops_inside_a_grown_block(void)
{
    prb_stats stats;
    char text[300];
    uint64_t base;
    int refused = 0, i;

    ring = prb_ring_create(4, 10, NULL);
    write_filled('Z', 400);
    write_filled('Y', 200);
    extendable_record();
    base = prb_load(hdr_word(ring, H_DATA_TAIL), PRB_MO_RELAXED);
    data_push_tail(ring, base + 616, base + 616); /* the data tail now stands on the extendable record */
    preempt_hook = grow_then_finalize_with_an_empty_record;
    data_push_tail(ring, base + 700, base + 700); /* a writer's walk that must pass that record */
    check(preempt_hook == 0, "walker was preempted inside desc_read");
    memset(text, 'q', sizeof text);
    for (i = 0; i < 60; i++)
        if (prb_write(ring, text, sizeof text, NULL, NULL) != PRB_OK)
            refused++;
    prb_get_stats(ring, &stats);
    check(refused == 0 && stats.failed_data == 0 && stats.failed_descriptor == 0,
          "with no writer active, no later write is refused");
    prb_ring_destroy(ring);
}

static prb_status owner_status = PRB_E_BAD_ENTRY;

static void owner_extends(void)
{
    prb_entry e;
    owner_status = prb_reserve_in_last(ring, &e, 7, 5, 500);
    if (owner_status == PRB_OK) {
        prb_entry_append(&e, "CCCCC", 5);
        prb_commit(&e);
    }
}

static void another_caller_never_holds_the_owners_record(void)
{
    prb_record_info info;
    prb_entry other;
    char text[64];
    uint64_t seq;
    prb_status status;
    bool reopened;

    ring = prb_ring_create(4, 10, NULL);
    seq = extendable_record(); /* caller 7's */
    /* If the other caller's call reopens the record (its first successful CAS), the owner
       extends right then, while the other caller holds the record; otherwise right after. */
    owner_status = PRB_E_BAD_ENTRY;
    preempt_after_cas_hook = owner_extends;
    status = prb_reserve_in_last(ring, &other, 8, 5, 500);
    reopened = preempt_after_cas_hook == 0;
    preempt_after_cas_hook = 0;
    check(status == PRB_E_CANNOT_EXTEND, "another caller's extension is refused");
    check(!reopened, "a refused caller changes nothing (no compare-and-swap)");
    if (!reopened)
        owner_extends();
    check(owner_status == PRB_OK, "the owner extends its record, also while another caller tries to");
    write_filled('n', 1); /* finalizes the extended record */
    memset(text, '?', sizeof text);
    check(prb_read(ring, seq, &info, text, sizeof text) == PRB_READ_OK && info.text_len == 15 &&
              memcmp(text, "AAAAAAAAAACCCCC", 15) == 0,
          "the record reads back with the owner's extension");
    prb_ring_destroy(ring);
}

int main(void)
{
    reader_never_mixes_old_block_and_new_length();
    walker_never_stops_inside_a_grown_block();
    another_caller_never_holds_the_owners_record();
    printf("interleavings: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
