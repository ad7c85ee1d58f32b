/*
 * panic_write.c - self-checking payloads and the writes of the panic scenarios: bounded writes for
 * the panic path and signal handlers, and the write a frozen writer makes.
 */
#include "panic_harness.h"

#include <comparators.h>
#include <lockless_record.h>
#include <prb.h>

bool panic_target_signal_safe(panic_target target) {
    return target.kind != PANIC_MUTEX;
}

bool panic_built_with_thread_sanitizer(void) {
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
    return true;
#endif
#endif
#if defined(__SANITIZE_THREAD__)
    return true;
#endif
    return false;
}

/* ---------------------------------------------------------------------------------------------
 * Payloads: writer (4 bytes LE), index (4 bytes LE), then bytes that depend on both.
 * ------------------------------------------------------------------------------------------- */

static uint8_t panic_filler(uint32_t writer, uint32_t index, size_t i) {
    return (uint8_t)(writer * 131u + index * 31u + (uint32_t)i * 7u);
}

static void panic_store_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t panic_load_u32(const uint8_t *p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}

size_t panic_payload(uint32_t writer, uint32_t index, size_t length, uint8_t *buf) {
    if (length < PANIC_PAYLOAD_MIN) length = PANIC_PAYLOAD_MIN;
    if (length > PANIC_PAYLOAD_MAX) length = PANIC_PAYLOAD_MAX;
    panic_store_u32(buf, writer);
    panic_store_u32(buf + 4, index);
    for (size_t i = 8; i < length; i++) buf[i] = panic_filler(writer, index, i);
    return length;
}

bool panic_payload_identify(const uint8_t *payload, size_t length, uint32_t *writer, uint32_t *index) {
    if (length < PANIC_PAYLOAD_MIN) return false;
    uint32_t w = panic_load_u32(payload);
    uint32_t n = panic_load_u32(payload + 4);
    *writer = w;
    *index = n;
    if (length > PANIC_PAYLOAD_MAX) return false;
    for (size_t i = 8; i < length; i++) {
        if (payload[i] != panic_filler(w, n, i)) return false;
    }
    return true;
}

uint64_t panic_timestamp(uint32_t index) {
    return (uint64_t)index + 1;
}

static logring_meta panic_lb_meta(uint32_t writer, uint32_t index) {
    logring_meta meta = {panic_timestamp(index), writer, 6, 1, 0};
    return meta;
}

static prb_meta panic_prb_meta(uint32_t writer, uint32_t index) {
    prb_meta meta = {panic_timestamp(index), writer, 6, 1, 0};
    return meta;
}

static panic_write_status panic_from_prb(prb_status status) {
    switch (status) {
    case PRB_OK: return PANIC_WRITE_OK;
    case PRB_E_TOO_LARGE: return PANIC_WRITE_TOO_LARGE;
    default: return PANIC_WRITE_FULL; /* PRB_E_NO_DESCRIPTOR, PRB_E_NO_SPACE */
    }
}

static panic_write_status panic_from_lb(logring_status status) {
    switch (status) {
    case LOGRING_OK: return PANIC_WRITE_OK;
    case LOGRING_E_TOO_LARGE: return PANIC_WRITE_TOO_LARGE;
    case LOGRING_E_LOCK_UNAVAILABLE: return PANIC_WRITE_GAVE_UP;
    default: return PANIC_WRITE_FULL;
    }
}

panic_write_status panic_write(panic_target target, uint32_t writer, uint32_t index, size_t length,
                               uint64_t deadline_ns, bool bust, bool *busted, uint64_t *seq_out) {
    uint8_t payload[PANIC_PAYLOAD_MAX];
    length = panic_payload(writer, index, length, payload);
    logring_meta meta = panic_lb_meta(writer, index);
    switch (target.kind) {
    case PANIC_LOCKLESS: {
        prb_meta pmeta = panic_prb_meta(writer, index);
        return panic_from_prb(lockless_record_write(target.ring, payload, length, &pmeta, true, seq_out));
    }
    case PANIC_SPINLOCK: {
        logring_status status =
            spinlock_ring_write_until(target.ring, payload, length, &meta, deadline_ns, seq_out);
        if (status == LOGRING_E_LOCK_UNAVAILABLE && bust) {
            spinlock_ring_bust_lock(target.ring);
            if (busted != NULL) *busted = true;
            status = spinlock_ring_trylock_write(target.ring, payload, length, &meta, seq_out);
        }
        return panic_from_lb(status);
    }
    case PANIC_MUTEX:
        return panic_from_lb(
            mutex_ring_write_until(target.ring, payload, length, &meta, deadline_ns, seq_out));
    case PANIC_SPIN_RESERVE:
        return panic_from_lb(
            spin_reserve_ring_write_until(target.ring, payload, length, &meta, deadline_ns, seq_out));
    }
    return PANIC_WRITE_FULL;
}

void panic_write_batch(panic_target target, panic_batch *batch) {
    uint32_t count = batch->count < PANIC_BATCH_MAX ? batch->count : PANIC_BATCH_MAX;
    batch->written = 0;
    batch->gave_up = false;
    batch->busted = false;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t deadline = prb_clock_ns() + batch->budget_ns;
        batch->seq[i] = UINT64_MAX;
        batch->status[i] = panic_write(target, batch->writer, i, batch->length, deadline, batch->bust,
                                    &batch->busted, &batch->seq[i]);
        if (batch->status[i] == PANIC_WRITE_OK) batch->written++;
        if (batch->status[i] == PANIC_WRITE_GAVE_UP) batch->gave_up = true;
    }
}

panic_write_status panic_write_frozen(panic_target target, panic_point point, uint32_t writer, uint32_t index,
                                      size_t length, uint64_t *seq_out) {
    if (target.kind != PANIC_LOCKLESS || point != PANIC_POINT_PRB_COMMITTED) {
        return panic_write(target, writer, index, length, UINT64_MAX, false, NULL, seq_out);
    }
    uint8_t payload[PANIC_PAYLOAD_MAX];
    length = panic_payload(writer, index, length, payload);
    prb_meta meta = panic_prb_meta(writer, index);
    return panic_from_prb(lockless_record_write(target.ring, payload, length, &meta, false, seq_out));
}
