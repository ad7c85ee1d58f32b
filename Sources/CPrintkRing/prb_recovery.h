/*
 * prb_recovery.h - the dead-writer take-over, between prb.c (the algorithm) and whoever knows who
 * is alive (prb_file.c: the writer table of a ring file; the model checker: a flag per thread).
 * Not part of the public API. The design, the windows a writer can die in, and what is still open
 * are in docs/RECOVERY.md.
 *
 * A ring with recovery enabled has a table of *thread slots* in shared memory, PRB_TS_WORDS words
 * each. A writer stores its intent in the slot it holds (the descriptor id it is about to take,
 * before it moves the descriptor head, and the block it is allocating before it moves the data
 * head) so that, if it dies, a survivor can find which records and blocks are its. A survivor whose reservation fails because a tail is blocked by a record still being
 * written asks whether every writer whose intent names that record is gone; if so it takes the
 * record over with one compare-and-swap (prb.c, take_over): readers see it as lost, both tails
 * pass it.
 */
#ifndef PRB_RECOVERY_H
#define PRB_RECOVERY_H

#include "prb.h"
#include "prb_atomics.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The words of a thread slot. */
enum {
    /** Who holds the slot: an owner tag (prb_recovery_ops), 0 when free. */
    PRB_TS_OWNER = 0,
    /** The intent: PRB_INTENT_SET | the descriptor id its writer is reserving or owns; 0: none. */
    PRB_TS_DESC = 1,
    /** The data intent: the data-head position its writer is about to move the head from (the
        begin of the block it is allocating), stored before each attempt; PRB_TS_NO_BLOCK when it
        has none. Lets a survivor pass a block whose writer died between moving the data head and
        storing the block's positions (prb.c: recover_unnamed_block). */
    PRB_TS_DATA_BEGIN = 2,
    /** The size of that block, stored before the first attempt (its end follows from both). */
    PRB_TS_DATA_SIZE = 3,
    PRB_TS_WORDS = 8 /* a cache line: no two writers share one */
};

/** Marks an intent word as set (descriptor ids have 62 bits). */
#define PRB_INTENT_SET (UINT64_C(1) << 63)

/** A data intent naming no block (odd: never a block position). */
#define PRB_TS_NO_BLOCK UINT64_C(1)

/** What prb.c needs from the side that knows who is alive. */
typedef struct prb_recovery_ops {
    /**
     * Is the holder of this owner tag gone for good (dead, or replaced by a new holder of its
     * process slot)? Only then may its records be taken over. Must never say yes for a writer
     * that is merely slow, stopped or preempted (nor when it cannot tell). Called on failure
     * paths only.
     */
    bool (*owner_is_gone)(void *context, uint64_t owner_tag);
    /**
     * The thread slot for one reservation by the calling thread, or NULL if none can be had
     * (the reservation then fails with PRB_E_NO_WRITER_SLOT). *token is handed back to release.
     * Context: the write path: async-signal-safe, no lock, no allocation, no system call on the
     * steady path (a thread's first reservation claims a slot with a compare-and-swap).
     */
    prb_aword *(*acquire_slot)(void *context, uint64_t *token);
    /** The reservation that acquired the slot is over (committed, or failed). */
    void (*release_slot)(void *context, uint64_t token);
} prb_recovery_ops;

/**
 * prb_ring_intent_settled() - may this thread slot, whose owner is gone or is letting it go, be
 * given to another thread? Yes unless the record its intent names may still need a take-over
 * (reserved, or the descriptor head moved onto it and it was never marked reserved), or its data
 * intent may still be the only name of a block ahead of the data tail.
 * Context: failure paths (a full thread-slot table), a thread's exit, a handle's close.
 */
bool prb_ring_intent_settled(const prb_ring *ring, const prb_aword *slot);

/**
 * prb_ring_enable_recovery() - turns on intents and the take-over for this handle.
 * @slots: the thread slots (PRB_TS_WORDS words each), shared by every process writing the region
 * @count: how many
 *
 * Context: before any thread writes through the handle.
 */
void prb_ring_enable_recovery(prb_ring *ring, prb_aword *slots, uint32_t count, const prb_recovery_ops *ops,
                              void *context);

#ifdef __cplusplus
}
#endif

#endif /* PRB_RECOVERY_H */
