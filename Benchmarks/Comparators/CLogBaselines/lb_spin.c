/*
 * lb_spin.c - the pre-5.10 printk buffer (lb_log.h) under a raw spinlock, with the old kernel's
 * panic-time tools: trylock for signal handlers, a deadline, and a lock bust.
 */
#include "lb_log.h"
#include "lb_spinlock.h"

struct lb_spin {
    struct lb_spinlock lock; /* logbuf_lock: guards everything in `log` */
    struct lb_log log;
};

lb_spin *lb_spin_create(size_t capacity_bytes) {
    lb_spin *spin = malloc(sizeof *spin);
    if (spin == NULL) return NULL;
    if (!lb_log_init(&spin->log, capacity_bytes)) {
        free(spin);
        return NULL;
    }
    lb_spinlock_init(&spin->lock);
    return spin;
}

void lb_spin_destroy(lb_spin *spin) {
    if (spin == NULL) return;
    lb_log_deinit(&spin->log);
    free(spin);
}

lb_status lb_spin_write(lb_spin *spin, const void *text, size_t text_len, const lb_meta *meta,
                        uint64_t *seq_out) {
    if (text_len > spin->log.max_text) return LB_E_TOO_LARGE;
    uint64_t text_hash = lb_checksum_payload(text, text_len); /* outside the lock, as the kernel formatted */
    lb_spinlock_lock(&spin->lock);
    uint64_t seq = lb_log_store(&spin->log, text, (uint32_t)text_len, meta, text_hash);
    lb_spinlock_unlock(&spin->lock);
    if (seq_out != NULL) *seq_out = seq;
    return LB_OK;
}

lb_status lb_spin_trylock_write(lb_spin *spin, const void *text, size_t text_len,
                                const lb_meta *meta, uint64_t *seq_out) {
    if (text_len > spin->log.max_text) return LB_E_TOO_LARGE;
    uint64_t text_hash = lb_checksum_payload(text, text_len);
    if (!lb_spinlock_trylock(&spin->lock)) return LB_E_LOCK_UNAVAILABLE;
    uint64_t seq = lb_log_store(&spin->log, text, (uint32_t)text_len, meta, text_hash);
    lb_spinlock_unlock(&spin->lock);
    if (seq_out != NULL) *seq_out = seq;
    return LB_OK;
}

lb_status lb_spin_write_until(lb_spin *spin, const void *text, size_t text_len,
                              const lb_meta *meta, uint64_t deadline_ns, uint64_t *seq_out) {
    if (text_len > spin->log.max_text) return LB_E_TOO_LARGE;
    uint64_t text_hash = lb_checksum_payload(text, text_len);
    if (!lb_spinlock_lock_until(&spin->lock, deadline_ns)) return LB_E_LOCK_UNAVAILABLE;
    uint64_t seq = lb_log_store(&spin->log, text, (uint32_t)text_len, meta, text_hash);
    lb_spinlock_unlock(&spin->lock);
    if (seq_out != NULL) *seq_out = seq;
    return LB_OK;
}

lb_status lb_spin_read(lb_spin *spin, lb_cursor *cursor, void *buf, size_t buf_size,
                       lb_record_info *info) {
    lb_spinlock_lock(&spin->lock);
    lb_status status = lb_log_read(&spin->log, cursor, buf, buf_size, info);
    lb_spinlock_unlock(&spin->lock);
    return status;
}

uint64_t lb_spin_first_seq(lb_spin *spin) {
    lb_spinlock_lock(&spin->lock);
    uint64_t seq = spin->log.first_seq;
    lb_spinlock_unlock(&spin->lock);
    return seq;
}

uint64_t lb_spin_next_seq(lb_spin *spin) {
    lb_spinlock_lock(&spin->lock);
    uint64_t seq = spin->log.next_seq;
    lb_spinlock_unlock(&spin->lock);
    return seq;
}

bool lb_spin_lock_until(lb_spin *spin, uint64_t deadline_ns) {
    return lb_spinlock_lock_until(&spin->lock, deadline_ns);
}

void lb_spin_unlock(lb_spin *spin) {
    lb_spinlock_unlock(&spin->lock);
}

lb_status lb_spin_read_locked(lb_spin *spin, lb_cursor *cursor, void *buf, size_t buf_size,
                              lb_record_info *info) {
    return lb_log_read(&spin->log, cursor, buf, buf_size, info);
}

uint64_t lb_spin_first_seq_locked(lb_spin *spin) {
    return spin->log.first_seq;
}

uint64_t lb_spin_next_seq_locked(lb_spin *spin) {
    return spin->log.next_seq;
}

void lb_spin_set_fault_hook(lb_spin *spin, lb_fault_hook hook, void *context) {
    spin->log.fault_hook = hook;
    spin->log.fault_context = context;
}

void lb_spin_bust_lock(lb_spin *spin) {
    /* Release, like an unlock: pairs with the acquire exchange of the next holder, so it sees what
       this thread wrote. It orders nothing the busted holder wrote: that is the race a bust
       accepts (see the header). */
    atomic_store_explicit(&spin->lock.held, 0, memory_order_release);
}
