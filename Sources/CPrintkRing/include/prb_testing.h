/*
 * prb_testing.h - the ring's internals, for tests, model checkers and the panic benchmark only:
 * descriptor states, raw positions, and fault hooks that freeze a writer at a chosen point of
 * its write path.
 *
 * Nothing here is needed to write or read records, and nothing here is a stable interface: it
 * follows the implementation. prb.h is the product's header; this one includes it.
 *
 * From Swift, these declarations are the explicit submodule CPrintkRing.Testing
 * (include/module.modulemap): `import CPrintkRing` does not show them, `import
 * CPrintkRing.Testing` does. From C, #include <prb_testing.h>.
 */
#ifndef PRB_TESTING_H
#define PRB_TESTING_H

#include "prb.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Introspection
 * ------------------------------------------------------------------------------------------- */

/** Descriptor states, as stored in the top two bits of a descriptor's state word. prb.c says who
    moves a record from each state to the next. */
typedef enum prb_desc_state {
    PRB_DESC_MISS = -1, /**< query result only: the slot does not hold the asked-for record */
    PRB_DESC_RESERVED = 0,
    PRB_DESC_COMMITTED = 1,
    PRB_DESC_FINALIZED = 2,
    PRB_DESC_REUSABLE = 3,
} prb_desc_state;

/**
 * State of the descriptor holding record `seq`, or PRB_DESC_MISS if its slot holds another
 * record (or a reservation whose seq is not written yet). A snapshot: the state may change
 * as soon as it is read.
 *
 * Context: any thread, async-signal-safe; changes nothing.
 * Return: the state, or PRB_DESC_MISS.
 */
prb_desc_state prb_state_of_seq(const prb_ring *ring, uint64_t seq);

/** Raw positions: descriptor ids, data-ring logical positions, the finalized-prefix cache. */
typedef struct prb_positions {
    uint64_t head_id, tail_id;
    uint64_t data_head_lpos, data_tail_lpos;
    uint64_t last_finalized_seq;
} prb_positions;

/**
 * Fills *positions with relaxed snapshots of the ring's positions (each word read on its own:
 * on a live ring they need not be mutually consistent).
 *
 * Context: any thread, async-signal-safe; changes nothing.
 */
void prb_get_positions(const prb_ring *ring, prb_positions *positions);

/**
 * Where record `seq`'s data block lies: its begin and next logical positions (both odd for a
 * record without data).
 *
 * Context: any thread, async-signal-safe; changes nothing.
 * Return: false if the slot does not hold that record (*begin and *next untouched).
 */
bool prb_block_of_seq(const prb_ring *ring, uint64_t seq, uint64_t *begin, uint64_t *next);

/* ---------------------------------------------------------------------------------------------
 * Fault injection
 * ------------------------------------------------------------------------------------------- */

/** Points in the write path where a hook can freeze the writer, to play a stuck writer. */
typedef enum prb_fault_point {
    /** prb_reserve: the descriptor is reserved (and its seq assigned); no data block yet. */
    PRB_FAULT_DESC_RESERVED = 1,
    /** prb_reserve: the data block is allocated; no text written yet. */
    PRB_FAULT_DATA_ALLOCATED = 2,
    /** prb_entry_append: an append stored some text and the reservation has room for more, i.e.
        the record is partly written. prb_write copies its text in one append and never passes
        this point: a writer to be frozen here writes in two phases and appends in pieces. */
    PRB_FAULT_TEXT_PARTIAL = 3,
    /** prb_commit: the record is committed but not finalized (before the newer-record check). */
    PRB_FAULT_COMMITTED = 4,
    /** A read (prb_read, prb_read_valid, prb_reader_next) through this handle has copied the
        record's metadata and not yet its text; the entry passed is NULL. Lets a test recycle the
        record in the middle of a copy, which the read's re-check must then report as lost. */
    PRB_FAULT_READ_INFO_COPIED = 5,
    /** prb_reserve, rings with dead-writer recovery only (ring files): the descriptor head has
        moved onto the record's id and the descriptor is not marked reserved yet (the entry has
        its id and seq, nothing else). The window where only the writer's intent says whose the
        record is (docs/RECOVERY.md). */
    PRB_FAULT_DESC_HEAD_MOVED = 6,
    /** data_alloc, rings with dead-writer recovery only: the block's positions are stored in the
        descriptor and its header (the owner's id) is not yet. */
    PRB_FAULT_DATA_POSITIONS = 7,
    /** data_alloc, rings with dead-writer recovery only: the data head has moved past the
        record's block and nothing else names the block yet (neither the descriptor's positions
        nor the block's header): only the writer's data intent does (docs/RECOVERY.md). */
    PRB_FAULT_DATA_HEAD_MOVED = 8,
    /** data_alloc, rings with dead-writer recovery only: the writer's compare-and-swap of the
        data head failed (another writer took the block it meant to take), and its data intent
        still names that block until its next attempt. */
    PRB_FAULT_DATA_HEAD_LOST = 9,
} prb_fault_point;

/** Called at each fault point by writers using this handle. It may block for as long as it likes
    (that is the point) or return at once. */
typedef void (*prb_fault_hook)(void *context, prb_fault_point point, const prb_entry *entry);

/**
 * Installs (or, with NULL, removes) a fault hook on this handle; other handles on the same region
 * are not affected. Without a hook the write path pays one predictable branch on a word of the
 * handle per fault point.
 *
 * Context: before writers using this handle start (the hook is a plain field, not an atomic).
 */
void prb_ring_set_fault_hook(prb_ring *ring, prb_fault_hook hook, void *context);

#ifdef __cplusplus
}
#endif

#endif /* PRB_TESTING_H */
