/*
 * ph_write.c - self-checking payloads and the writes of the panic scenarios: bounded writes for
 * the panic path and signal handlers, and the write a frozen writer makes.
 */
#include "panic_harness.h"

#include <log_baselines.h>
#include <prb.h>
#include <string.h>

bool ph_target_signal_safe(ph_target target) {
    return target.kind != PH_MUTEX;
}

bool ph_built_with_thread_sanitizer(void) {
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

static uint8_t ph_filler(uint32_t writer, uint32_t index, size_t i) {
    return (uint8_t)(writer * 131u + index * 31u + (uint32_t)i * 7u);
}

static void ph_store_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t ph_load_u32(const uint8_t *p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}

size_t ph_payload(uint32_t writer, uint32_t index, size_t length, uint8_t *buf) {
    if (length < PH_PAYLOAD_MIN) length = PH_PAYLOAD_MIN;
    if (length > PH_PAYLOAD_MAX) length = PH_PAYLOAD_MAX;
    ph_store_u32(buf, writer);
    ph_store_u32(buf + 4, index);
    for (size_t i = 8; i < length; i++) buf[i] = ph_filler(writer, index, i);
    return length;
}

bool ph_payload_identify(const uint8_t *payload, size_t length, uint32_t *writer,
                         uint32_t *index) {
    if (length < PH_PAYLOAD_MIN) return false;
    uint32_t w = ph_load_u32(payload);
    uint32_t n = ph_load_u32(payload + 4);
    *writer = w;
    *index = n;
    if (length > PH_PAYLOAD_MAX) return false;
    for (size_t i = 8; i < length; i++) {
        if (payload[i] != ph_filler(w, n, i)) return false;
    }
    return true;
}

uint64_t ph_timestamp(uint32_t index) {
    return (uint64_t)index + 1;
}

static lb_meta ph_lb_meta(uint32_t writer, uint32_t index) {
    lb_meta meta = {ph_timestamp(index), writer, 6, 1, 0};
    return meta;
}

static prb_meta ph_prb_meta(uint32_t writer, uint32_t index) {
    prb_meta meta = {ph_timestamp(index), writer, 6, 1, 0};
    return meta;
}

/* ---------------------------------------------------------------------------------------------
 * The lockless record layout: checksum (8 bytes LE), then the payload.
 * ------------------------------------------------------------------------------------------- */

static void ph_store_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static ph_write_status ph_from_prb(prb_status status) {
    switch (status) {
    case PRB_OK: return PH_WRITE_OK;
    case PRB_E_TOO_LARGE: return PH_WRITE_TOO_LARGE;
    default: return PH_WRITE_FULL; /* PRB_E_NO_DESCRIPTOR, PRB_E_NO_SPACE */
    }
}

static ph_write_status ph_from_lb(lb_status status) {
    switch (status) {
    case LB_OK: return PH_WRITE_OK;
    case LB_E_TOO_LARGE: return PH_WRITE_TOO_LARGE;
    case LB_E_LOCK_UNAVAILABLE: return PH_WRITE_GAVE_UP;
    default: return PH_WRITE_FULL;
    }
}

/** Two-phase lockless write: reserve, append checksum and payload, then commit (final or not). */
static ph_write_status ph_lockless_write(prb_ring *ring, const uint8_t *payload, size_t length,
                                         const prb_meta *meta, bool final, uint64_t *seq_out) {
    prb_entry entry;
    prb_status status = prb_reserve(ring, &entry, PH_CHECKSUM_BYTES + length, meta);
    if (status != PRB_OK) return ph_from_prb(status);
    uint8_t sum[PH_CHECKSUM_BYTES];
    ph_store_u64(sum, lb_record_checksum(entry.seq, payload, length));
    prb_entry_append(&entry, sum, sizeof sum);
    prb_entry_append(&entry, payload, length);
    if (final) {
        prb_final_commit(&entry);
    } else {
        prb_commit(&entry);
    }
    if (seq_out != NULL) *seq_out = entry.seq;
    return PH_WRITE_OK;
}

ph_write_status ph_write(ph_target target, uint32_t writer, uint32_t index, size_t length,
                         uint64_t deadline_ns, bool bust, bool *busted, uint64_t *seq_out) {
    uint8_t payload[PH_PAYLOAD_MAX];
    length = ph_payload(writer, index, length, payload);
    lb_meta meta = ph_lb_meta(writer, index);
    switch (target.kind) {
    case PH_LOCKLESS: {
        prb_meta pmeta = ph_prb_meta(writer, index);
        return ph_lockless_write(target.ring, payload, length, &pmeta, true, seq_out);
    }
    case PH_SPINLOCK: {
        lb_status status =
            lb_spin_write_until(target.ring, payload, length, &meta, deadline_ns, seq_out);
        if (status == LB_E_LOCK_UNAVAILABLE && bust) {
            lb_spin_bust_lock(target.ring);
            if (busted != NULL) *busted = true;
            status = lb_spin_trylock_write(target.ring, payload, length, &meta, seq_out);
        }
        return ph_from_lb(status);
    }
    case PH_MUTEX:
        return ph_from_lb(
            lb_mutex_write_until(target.ring, payload, length, &meta, deadline_ns, seq_out));
    case PH_SPIN_RESERVE:
        return ph_from_lb(
            lb_resv_write_until(target.ring, payload, length, &meta, deadline_ns, seq_out));
    }
    return PH_WRITE_FULL;
}

void ph_write_batch(ph_target target, ph_batch *batch) {
    uint32_t count = batch->count < PH_BATCH_MAX ? batch->count : PH_BATCH_MAX;
    batch->written = 0;
    batch->gave_up = false;
    batch->busted = false;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t deadline = lb_monotonic_ns() + batch->budget_ns;
        batch->seq[i] = UINT64_MAX;
        batch->status[i] = ph_write(target, batch->writer, i, batch->length, deadline, batch->bust,
                                    &batch->busted, &batch->seq[i]);
        if (batch->status[i] == PH_WRITE_OK) batch->written++;
        if (batch->status[i] == PH_WRITE_GAVE_UP) batch->gave_up = true;
    }
}

ph_write_status ph_write_frozen(ph_target target, ph_point point, uint32_t writer, uint32_t index,
                                size_t length, uint64_t *seq_out) {
    if (target.kind != PH_LOCKLESS ||
        (point != PH_POINT_PRB_TEXT_PARTIAL && point != PH_POINT_PRB_COMMITTED)) {
        return ph_write(target, writer, index, length, UINT64_MAX, false, NULL, seq_out);
    }
    uint8_t payload[PH_PAYLOAD_MAX];
    length = ph_payload(writer, index, length, payload);
    prb_meta meta = ph_prb_meta(writer, index);
    if (point == PH_POINT_PRB_COMMITTED) {
        return ph_lockless_write(target.ring, payload, length, &meta, false, seq_out);
    }
    /* prb_write takes the whole text at once: seal it with the seq it will get. */
    uint8_t text[PH_CHECKSUM_BYTES + PH_PAYLOAD_MAX];
    uint64_t predicted = prb_next_reserve_seq(target.ring);
    ph_store_u64(text, lb_record_checksum(predicted, payload, length));
    memcpy(text + PH_CHECKSUM_BYTES, payload, length);
    uint64_t seq = UINT64_MAX;
    prb_status status = prb_write(target.ring, text, PH_CHECKSUM_BYTES + length, &meta, &seq);
    if (status != PRB_OK) return ph_from_prb(status);
    if (seq_out != NULL) *seq_out = seq;
    return seq == predicted ? PH_WRITE_OK : PH_WRITE_MISPREDICTED;
}
