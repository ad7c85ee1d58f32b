/*
 * spinlock_ring.c - the pre-5.10 printk buffer (logbuf.h) under a raw spinlock, with the old kernel's
 * panic-time tools: trylock for signal handlers, a deadline, and a lock bust.
 */
#include "logbuf.h"
#include "raw_spinlock.h"

struct spinlock_ring {
    struct raw_spinlock lock; /* logbuf_lock: guards everything in `log` */
    struct logbuf log;
};

spinlock_ring *spinlock_ring_create(size_t capacity_bytes) {
    spinlock_ring *spin = malloc(sizeof *spin);
    if (spin == NULL) return NULL;
    if (!logbuf_init(&spin->log, capacity_bytes)) {
        free(spin);
        return NULL;
    }
    raw_spin_lock_init(&spin->lock);
    return spin;
}

void spinlock_ring_destroy(spinlock_ring *spin) {
    if (spin == NULL) return;
    logbuf_deinit(&spin->log);
    free(spin);
}

logring_status spinlock_ring_write(spinlock_ring *spin, const void *text, size_t text_len,
                                   const logring_meta *meta, uint64_t *seq_out) {
    if (text_len > spin->log.max_text) return LOGRING_E_TOO_LARGE;
    uint64_t text_hash = logring_checksum_payload(text, text_len); /* outside the lock, as the kernel formatted */
    raw_spin_lock(&spin->lock);
    uint64_t seq = logbuf_store(&spin->log, text, (uint32_t)text_len, meta, text_hash);
    raw_spin_unlock(&spin->lock);
    if (seq_out != NULL) *seq_out = seq;
    return LOGRING_OK;
}

logring_status spinlock_ring_trylock_write(spinlock_ring *spin, const void *text, size_t text_len,
                                           const logring_meta *meta, uint64_t *seq_out) {
    if (text_len > spin->log.max_text) return LOGRING_E_TOO_LARGE;
    uint64_t text_hash = logring_checksum_payload(text, text_len);
    if (!raw_spin_trylock(&spin->lock)) return LOGRING_E_LOCK_UNAVAILABLE;
    uint64_t seq = logbuf_store(&spin->log, text, (uint32_t)text_len, meta, text_hash);
    raw_spin_unlock(&spin->lock);
    if (seq_out != NULL) *seq_out = seq;
    return LOGRING_OK;
}

logring_status spinlock_ring_write_until(spinlock_ring *spin, const void *text, size_t text_len,
                                         const logring_meta *meta, uint64_t deadline_ns, uint64_t *seq_out) {
    if (text_len > spin->log.max_text) return LOGRING_E_TOO_LARGE;
    uint64_t text_hash = logring_checksum_payload(text, text_len);
    if (!raw_spin_lock_until(&spin->lock, deadline_ns)) return LOGRING_E_LOCK_UNAVAILABLE;
    uint64_t seq = logbuf_store(&spin->log, text, (uint32_t)text_len, meta, text_hash);
    raw_spin_unlock(&spin->lock);
    if (seq_out != NULL) *seq_out = seq;
    return LOGRING_OK;
}

logring_status spinlock_ring_read(spinlock_ring *spin, logring_cursor *cursor, void *buf, size_t buf_size,
                                  logring_record_info *info) {
    raw_spin_lock(&spin->lock);
    logring_status status = logbuf_read(&spin->log, cursor, buf, buf_size, info);
    raw_spin_unlock(&spin->lock);
    return status;
}

uint64_t spinlock_ring_first_seq(spinlock_ring *spin) {
    raw_spin_lock(&spin->lock);
    uint64_t seq = spin->log.first_seq;
    raw_spin_unlock(&spin->lock);
    return seq;
}

uint64_t spinlock_ring_next_seq(spinlock_ring *spin) {
    raw_spin_lock(&spin->lock);
    uint64_t seq = spin->log.next_seq;
    raw_spin_unlock(&spin->lock);
    return seq;
}

bool spinlock_ring_lock_until(spinlock_ring *spin, uint64_t deadline_ns) {
    return raw_spin_lock_until(&spin->lock, deadline_ns);
}

void spinlock_ring_unlock(spinlock_ring *spin) {
    raw_spin_unlock(&spin->lock);
}

logring_status spinlock_ring_read_locked(spinlock_ring *spin, logring_cursor *cursor, void *buf,
                                         size_t buf_size, logring_record_info *info) {
    return logbuf_read(&spin->log, cursor, buf, buf_size, info);
}

uint64_t spinlock_ring_first_seq_locked(spinlock_ring *spin) {
    return spin->log.first_seq;
}

uint64_t spinlock_ring_next_seq_locked(spinlock_ring *spin) {
    return spin->log.next_seq;
}

void spinlock_ring_set_fault_hook(spinlock_ring *spin, logring_fault_hook hook, void *context) {
    spin->log.fault_hook = hook;
    spin->log.fault_context = context;
}

void spinlock_ring_bust_lock(spinlock_ring *spin) {
    /* Release, like an unlock: pairs with the acquire exchange of the next holder, so it sees what
       this thread wrote. It orders nothing the busted holder wrote: that is the race a bust
       accepts (see the header). */
    atomic_store_explicit(&spin->lock.held, 0, memory_order_release);
}
