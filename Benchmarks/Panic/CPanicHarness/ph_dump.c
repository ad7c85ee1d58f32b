/*
 * ph_dump.c - the panic dump: every record the ring held when the dump began, each checked, with
 * a deadline on every wait (see ph_dump in panic_harness.h for how each ring is read).
 */
#include "panic_harness.h"

#include <log_baselines.h>
#include <prb.h>

/** Room for the longest harness text; a longer one is cut, cannot be checked, and counts torn. */
#define PH_TEXT_ROOM (PH_CHECKSUM_BYTES + PH_PAYLOAD_MAX + 8)

static uint64_t ph_load_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/** Records one returned record: intact when its checksum and its content check out. */
static void ph_dump_add(ph_dump *dump, uint64_t seq, const uint8_t *payload, size_t length,
                        bool complete, uint64_t stored_sum) {
    uint32_t writer = 0, index = 0;
    bool content = ph_payload_identify(payload, length, &writer, &index);
    bool intact =
        complete && content && lb_record_checksum(seq, payload, length) == stored_sum;
    if (!intact) dump->torn++;
    if (dump->count < dump->capacity && dump->records != NULL) {
        ph_dumped *out = &dump->records[dump->count];
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

static void ph_dump_lockless(prb_ring *ring, ph_dump *dump, uint64_t deadline) {
    uint8_t text[PH_TEXT_ROOM];
    dump->end_seq = prb_next_reserve_seq(ring);
    dump->start_seq = prb_first_seq(ring);
    prb_reader reader;
    prb_reader_init(&reader, ring, dump->start_seq, true);
    dump->stop_seq = dump->start_seq;
    while (reader.next_seq < dump->end_seq) {
        /* A safety net only: this loop never waits for anyone. */
        if (lb_monotonic_ns() >= deadline) {
            dump->gave_up = true;
            break;
        }
        prb_record_info info;
        if (!prb_reader_next(&reader, &info, text, sizeof text)) break;
        if (info.seq >= dump->end_seq) {
            reader.next_seq = dump->end_seq; /* written after the dump began: not ours */
            break;
        }
        bool complete = info.text_len >= PH_CHECKSUM_BYTES && info.text_len <= sizeof text;
        size_t length = complete ? info.text_len - PH_CHECKSUM_BYTES : 0;
        ph_dump_add(dump, info.seq, text + PH_CHECKSUM_BYTES, length, complete,
                    complete ? ph_load_u64(text) : 0);
    }
    dump->stop_seq = reader.next_seq < dump->end_seq ? reader.next_seq : dump->end_seq;
}

/* ---------------------------------------------------------------------------------------------
 * spinlock and mutex: the same buffer, read one record per lock hold
 * ------------------------------------------------------------------------------------------- */

/** The locked-buffer calls of lb_spin or lb_mutex. */
typedef struct ph_locked_ops {
    bool (*lock_until)(void *ring, uint64_t deadline_ns);
    void (*unlock)(void *ring);
    void (*bust)(void *ring); /* NULL: cannot be busted */
    lb_status (*read_locked)(void *ring, lb_cursor *cursor, void *buf, size_t size,
                             lb_record_info *info);
    uint64_t (*first_seq_locked)(void *ring);
    uint64_t (*next_seq_locked)(void *ring);
} ph_locked_ops;

/* Adapters from void * (calling a function through a pointer of another type is undefined). */
static bool ph_spin_lock_until(void *r, uint64_t d) { return lb_spin_lock_until(r, d); }
static void ph_spin_unlock(void *r) { lb_spin_unlock(r); }
static void ph_spin_bust(void *r) { lb_spin_bust_lock(r); }
static lb_status ph_spin_read(void *r, lb_cursor *c, void *b, size_t n, lb_record_info *i) {
    return lb_spin_read_locked(r, c, b, n, i);
}
static uint64_t ph_spin_first(void *r) { return lb_spin_first_seq_locked(r); }
static uint64_t ph_spin_next(void *r) { return lb_spin_next_seq_locked(r); }

static bool ph_mutex_lock_until(void *r, uint64_t d) { return lb_mutex_lock_until(r, d); }
static void ph_mutex_unlock(void *r) { lb_mutex_unlock(r); }
static lb_status ph_mutex_read(void *r, lb_cursor *c, void *b, size_t n, lb_record_info *i) {
    return lb_mutex_read_locked(r, c, b, n, i);
}
static uint64_t ph_mutex_first(void *r) { return lb_mutex_first_seq_locked(r); }
static uint64_t ph_mutex_next(void *r) { return lb_mutex_next_seq_locked(r); }

static const ph_locked_ops ph_spin_ops = {
    ph_spin_lock_until, ph_spin_unlock, ph_spin_bust, ph_spin_read, ph_spin_first, ph_spin_next,
};

static const ph_locked_ops ph_mutex_ops = {
    ph_mutex_lock_until, ph_mutex_unlock, NULL, ph_mutex_read, ph_mutex_first, ph_mutex_next,
};

/** Takes the lock by the deadline or, in bust mode, busts it and tries once more. */
/* Takes what one read of a comparator returned into the dump; false when the walk ends there:
   nothing more to read, a header that makes no sense (counted torn), or past the end seq. */
static bool ph_dump_take(ph_dump *dump, lb_status status, const lb_record_info *info, const uint8_t *text,
                         lb_cursor *cursor) {
    if (status == LB_E_NO_RECORD) return false;
    if (status == LB_E_CORRUPT) {
        dump->torn++;
        dump->corrupt = true;
        return false;
    }
    if (info->seq >= dump->end_seq) {
        cursor->seq = dump->end_seq;
        return false;
    }
    ph_dump_add(dump, info->seq, text, info->copied_len, !info->truncated, info->checksum);
    return true;
}

static bool ph_acquire(const ph_locked_ops *ops, void *ring, uint64_t deadline, ph_dump *dump) {
    if (ops->lock_until(ring, deadline)) return true;
    if (!dump->bust || ops->bust == NULL) return false;
    ops->bust(ring);
    dump->busted = true;
    return ops->lock_until(ring, 0); /* a deadline in the past: one attempt */
}

static void ph_dump_locked(const ph_locked_ops *ops, void *ring, ph_dump *dump,
                           uint64_t deadline) {
    uint8_t text[PH_TEXT_ROOM];
    lb_cursor cursor = lb_cursor_at(0);
    bool started = false;
    for (;;) {
        if (!ph_acquire(ops, ring, deadline, dump)) {
            dump->gave_up = true;
            break;
        }
        if (!started) {
            dump->start_seq = ops->first_seq_locked(ring);
            dump->end_seq = ops->next_seq_locked(ring);
            cursor = lb_cursor_at(dump->start_seq);
            started = true;
        }
        if (cursor.seq >= dump->end_seq) {
            ops->unlock(ring);
            break;
        }
        lb_record_info info;
        lb_status status = ops->read_locked(ring, &cursor, text, sizeof text, &info);
        ops->unlock(ring);
        if (!ph_dump_take(dump, status, &info, text, &cursor)) break;
    }
    dump->stop_seq = started ? (cursor.seq < dump->end_seq ? cursor.seq : dump->end_seq) : 0;
}

/* ---------------------------------------------------------------------------------------------
 * spin-reserve: lb_resv_read takes no lock
 * ------------------------------------------------------------------------------------------- */

static void ph_dump_resv(lb_resv *resv, ph_dump *dump, uint64_t deadline) {
    uint8_t text[PH_TEXT_ROOM];
    dump->end_seq = lb_resv_next_seq(resv);
    dump->start_seq = lb_resv_first_seq(resv);
    lb_cursor cursor = lb_cursor_at(dump->start_seq);
    while (cursor.seq < dump->end_seq) {
        /* A safety net only: lb_resv_read never waits for anyone. */
        if (lb_monotonic_ns() >= deadline) {
            dump->gave_up = true;
            break;
        }
        lb_record_info info;
        lb_status status = lb_resv_read(resv, &cursor, text, sizeof text, &info);
        /* LB_E_NO_RECORD here: a record still being written, or the end. */
        if (!ph_dump_take(dump, status, &info, text, &cursor)) break;
    }
    dump->stop_seq = cursor.seq < dump->end_seq ? cursor.seq : dump->end_seq;
}

void ph_dump_run(ph_target target, ph_dump *dump) {
    uint64_t start = lb_monotonic_ns();
    uint64_t deadline = start + dump->budget_ns;
    dump->count = 0;
    dump->torn = 0;
    dump->start_seq = 0;
    dump->end_seq = 0;
    dump->stop_seq = 0;
    dump->gave_up = false;
    dump->busted = false;
    dump->corrupt = false;
    switch (target.kind) {
    case PH_LOCKLESS: ph_dump_lockless(target.ring, dump, deadline); break;
    case PH_SPINLOCK: ph_dump_locked(&ph_spin_ops, target.ring, dump, deadline); break;
    case PH_MUTEX: ph_dump_locked(&ph_mutex_ops, target.ring, dump, deadline); break;
    case PH_SPIN_RESERVE: ph_dump_resv(target.ring, dump, deadline); break;
    }
    dump->elapsed_ns = lb_monotonic_ns() - start;
}

void ph_panic_run(ph_target target, ph_panic *panic) {
    ph_write_batch(target, &panic->messages);
    ph_dump_run(target, &panic->dump);
}
