/*
 * panic_dump.c - the panic dump: every record the ring held when the dump began, each checked, with
 * a deadline on every wait (see panic_dump in panic_harness.h for how each ring is read).
 */
#include "panic_harness.h"

#include <comparators.h>
#include <lockless_record.h>
#include <prb.h>

/** Room for the longest harness text; a longer one is cut, cannot be checked, and counts torn. */
#define PANIC_TEXT_ROOM (LOCKLESS_RECORD_CHECKSUM_BYTES + PANIC_PAYLOAD_MAX + 8)

/** Records one returned record: intact when its checksum and its content check out. */
static void panic_dump_add(panic_dump *dump, uint64_t seq, const uint8_t *payload, size_t length,
                           bool complete, uint64_t stored_sum) {
    uint32_t writer = 0, index = 0;
    bool content = panic_payload_identify(payload, length, &writer, &index);
    bool intact =
        complete && content && logring_record_checksum(seq, payload, length) == stored_sum;
    if (!intact) dump->torn++;
    if (dump->count < dump->capacity && dump->records != NULL) {
        panic_dumped *out = &dump->records[dump->count];
        out->seq = seq;
        out->writer = writer;
        out->index = index;
        out->intact = intact;
    }
    dump->count++;
}

/* ---------------------------------------------------------------------------------------------
 * lockless: a panic-mode reader
 * ------------------------------------------------------------------------------------------- */

static void panic_dump_lockless(prb_ring *ring, panic_dump *dump, uint64_t deadline) {
    uint8_t text[PANIC_TEXT_ROOM];
    dump->end_seq = prb_next_reserve_seq(ring);
    dump->start_seq = prb_first_seq(ring);
    prb_reader reader;
    prb_reader_init(&reader, ring, dump->start_seq, true);
    dump->stop_seq = dump->start_seq;
    while (reader.next_seq < dump->end_seq) {
        /* A safety net only: this loop never waits for anyone. */
        if (prb_clock_ns() >= deadline) {
            dump->gave_up = true;
            break;
        }
        prb_record_info info;
        if (!prb_reader_next(&reader, &info, text, sizeof text)) break;
        if (info.seq >= dump->end_seq) {
            reader.next_seq = dump->end_seq; /* written after the dump began: not ours */
            break;
        }
        const uint8_t *payload = text;
        size_t length = 0;
        uint64_t checksum = 0;
        bool complete = info.text_len <= sizeof text &&
                        lockless_record_open(text, info.text_len, &payload, &length, &checksum);
        panic_dump_add(dump, info.seq, payload, length, complete, checksum);
    }
    dump->stop_seq = reader.next_seq < dump->end_seq ? reader.next_seq : dump->end_seq;
}

/* ---------------------------------------------------------------------------------------------
 * spinlock and mutex: the same buffer, read one record per lock hold
 * ------------------------------------------------------------------------------------------- */

/** The locked-buffer calls of spinlock_ring or mutex_ring. */
typedef struct panic_locked_ops {
    bool (*lock_until)(void *ring, uint64_t deadline_ns);
    void (*unlock)(void *ring);
    void (*bust)(void *ring); /* NULL: cannot be busted */
    logring_status (*read_locked)(void *ring, logring_cursor *cursor, void *buf, size_t size,
                             logring_record_info *info);
    uint64_t (*first_seq_locked)(void *ring);
    uint64_t (*next_seq_locked)(void *ring);
} panic_locked_ops;

/* Adapters from void * (calling a function through a pointer of another type is undefined). */
static bool panic_spin_lock_until(void *r, uint64_t d) { return spinlock_ring_lock_until(r, d); }
static void panic_spin_unlock(void *r) { spinlock_ring_unlock(r); }
static void panic_spin_bust(void *r) { spinlock_ring_bust_lock(r); }
static logring_status panic_spin_read(void *r, logring_cursor *c, void *b, size_t n, logring_record_info *i) {
    return spinlock_ring_read_locked(r, c, b, n, i);
}
static uint64_t panic_spin_first(void *r) { return spinlock_ring_first_seq_locked(r); }
static uint64_t panic_spin_next(void *r) { return spinlock_ring_next_seq_locked(r); }

static bool panic_mutex_lock_until(void *r, uint64_t d) { return mutex_ring_lock_until(r, d); }
static void panic_mutex_unlock(void *r) { mutex_ring_unlock(r); }
static logring_status panic_mutex_read(void *r, logring_cursor *c, void *b, size_t n, logring_record_info *i) {
    return mutex_ring_read_locked(r, c, b, n, i);
}
static uint64_t panic_mutex_first(void *r) { return mutex_ring_first_seq_locked(r); }
static uint64_t panic_mutex_next(void *r) { return mutex_ring_next_seq_locked(r); }

static const panic_locked_ops panic_spin_ops = {
    panic_spin_lock_until, panic_spin_unlock, panic_spin_bust,
    panic_spin_read,       panic_spin_first,  panic_spin_next,
};

static const panic_locked_ops panic_mutex_ops = {
    panic_mutex_lock_until, panic_mutex_unlock, NULL, panic_mutex_read, panic_mutex_first, panic_mutex_next,
};

/** Takes the lock by the deadline or, in bust mode, busts it and tries once more. */
/* Takes what one read of a comparator returned into the dump; false when the walk ends there:
   nothing more to read, a header that makes no sense (counted torn), or past the end seq. */
static bool panic_dump_take(panic_dump *dump, logring_status status, const logring_record_info *info,
                            const uint8_t *text, logring_cursor *cursor) {
    if (status == LOGRING_E_NO_RECORD) return false;
    if (status == LOGRING_E_CORRUPT) {
        dump->torn++;
        dump->corrupt = true;
        return false;
    }
    if (info->seq >= dump->end_seq) {
        cursor->seq = dump->end_seq;
        return false;
    }
    panic_dump_add(dump, info->seq, text, info->copied_len, !info->truncated, info->checksum);
    return true;
}

static bool panic_acquire(const panic_locked_ops *ops, void *ring, uint64_t deadline, panic_dump *dump) {
    if (ops->lock_until(ring, deadline)) return true;
    if (!dump->bust || ops->bust == NULL) return false;
    ops->bust(ring);
    dump->busted = true;
    return ops->lock_until(ring, 0); /* a deadline in the past: one attempt */
}

static void panic_dump_locked(const panic_locked_ops *ops, void *ring, panic_dump *dump, uint64_t deadline) {
    uint8_t text[PANIC_TEXT_ROOM];
    logring_cursor cursor = logring_cursor_at(0);
    bool started = false;
    for (;;) {
        if (!panic_acquire(ops, ring, deadline, dump)) {
            dump->gave_up = true;
            break;
        }
        if (!started) {
            dump->start_seq = ops->first_seq_locked(ring);
            dump->end_seq = ops->next_seq_locked(ring);
            cursor = logring_cursor_at(dump->start_seq);
            started = true;
        }
        if (cursor.seq >= dump->end_seq) {
            ops->unlock(ring);
            break;
        }
        logring_record_info info;
        logring_status status = ops->read_locked(ring, &cursor, text, sizeof text, &info);
        ops->unlock(ring);
        if (!panic_dump_take(dump, status, &info, text, &cursor)) break;
    }
    dump->stop_seq = started ? (cursor.seq < dump->end_seq ? cursor.seq : dump->end_seq) : 0;
}

/* ---------------------------------------------------------------------------------------------
 * spin-reserve: spin_reserve_ring_read takes no lock
 * ------------------------------------------------------------------------------------------- */

static void panic_dump_resv(spin_reserve_ring *resv, panic_dump *dump, uint64_t deadline) {
    uint8_t text[PANIC_TEXT_ROOM];
    dump->end_seq = spin_reserve_ring_next_seq(resv);
    dump->start_seq = spin_reserve_ring_first_seq(resv);
    logring_cursor cursor = logring_cursor_at(dump->start_seq);
    while (cursor.seq < dump->end_seq) {
        /* A safety net only: spin_reserve_ring_read never waits for anyone. */
        if (prb_clock_ns() >= deadline) {
            dump->gave_up = true;
            break;
        }
        logring_record_info info;
        logring_status status = spin_reserve_ring_read(resv, &cursor, text, sizeof text, &info);
        /* LOGRING_E_NO_RECORD here: a record still being written, or the end. */
        if (!panic_dump_take(dump, status, &info, text, &cursor)) break;
    }
    dump->stop_seq = cursor.seq < dump->end_seq ? cursor.seq : dump->end_seq;
}

void panic_dump_run(panic_target target, panic_dump *dump) {
    uint64_t start = prb_clock_ns();
    uint64_t deadline = start + dump->budget_ns;
    dump->count = 0;
    dump->torn = 0;
    dump->start_seq = 0;
    dump->end_seq = 0;
    dump->stop_seq = 0;
    dump->gave_up = false;
    dump->busted = false;
    dump->corrupt = false;
    dump->skipped = false;
    switch (target.kind) {
    case PANIC_LOCKLESS: panic_dump_lockless(target.ring, dump, deadline); break;
    case PANIC_SPINLOCK: panic_dump_locked(&panic_spin_ops, target.ring, dump, deadline); break;
    case PANIC_MUTEX: panic_dump_locked(&panic_mutex_ops, target.ring, dump, deadline); break;
    case PANIC_SPIN_RESERVE: panic_dump_resv(target.ring, dump, deadline); break;
    }
    dump->elapsed_ns = prb_clock_ns() - start;
}

bool panic_lock_was_free(panic_target target) {
    switch (target.kind) {
    case PANIC_LOCKLESS: return true;
    case PANIC_SPINLOCK:
        /* A deadline in the past: one attempt. */
        if (!spinlock_ring_lock_until(target.ring, 0)) return false;
        spinlock_ring_unlock(target.ring);
        return true;
    case PANIC_MUTEX:
        /* pthread_mutex_timedlock tries the lock before it looks at a deadline already past. */
        if (!mutex_ring_lock_until(target.ring, 0)) return false;
        mutex_ring_unlock(target.ring);
        return true;
    case PANIC_SPIN_RESERVE:
        if (!spin_reserve_ring_trylock(target.ring)) return false;
        spin_reserve_ring_unlock(target.ring);
        return true;
    }
    return false;
}

bool panic_dump_needs_lock(panic_target target) {
    return target.kind == PANIC_SPINLOCK || target.kind == PANIC_MUTEX;
}

/** The outcome of a batch the try-once check kept from running. */
static void panic_batch_skip(panic_batch *batch) {
    batch->written = 0;
    batch->gave_up = false;
    batch->busted = false;
    for (uint32_t i = 0; i < PANIC_BATCH_MAX; i++) {
        batch->status[i] = PANIC_WRITE_SKIPPED;
        batch->seq[i] = UINT64_MAX;
    }
}

/** The outcome of a dump the try-once check kept from running: nothing read, nothing waited for. */
static void panic_dump_skip(panic_dump *dump) {
    dump->count = 0;
    dump->torn = 0;
    dump->start_seq = 0;
    dump->end_seq = 0;
    dump->stop_seq = 0;
    dump->elapsed_ns = 0;
    dump->gave_up = false;
    dump->busted = false;
    dump->corrupt = false;
    dump->skipped = true;
}

void panic_path_run(panic_target target, panic_path *panic) {
    panic->skipped = false;
    if (panic->try_once) {
        bool free = panic_lock_was_free(target);
        if (panic->checked != NULL) panic->checked(panic->checked_context, free);
        if (!free) {
            panic->skipped = true;
            panic_batch_skip(&panic->messages);
            if (panic_dump_needs_lock(target)) {
                panic_dump_skip(&panic->dump);
            } else {
                panic_dump_run(target, &panic->dump);
            }
            return;
        }
        /* The lock was free: from here on, as in bust mode (which only the spinlock has). */
        panic->messages.bust = true;
        panic->dump.bust = true;
    }
    panic_write_batch(target, &panic->messages);
    panic_dump_run(target, &panic->dump);
}
