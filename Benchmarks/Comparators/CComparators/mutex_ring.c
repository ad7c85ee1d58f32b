/*
 * mutex_ring.c - the pre-5.10 printk buffer (logbuf.h) under a pthread mutex.
 */
#include "logbuf.h"

#include <errno.h>
#include <prb.h>
#include <pthread.h>
#include <time.h>

struct mutex_ring {
    pthread_mutex_t mutex; /* guards everything in `log` */
    struct logbuf log;
};

mutex_ring *mutex_ring_create(size_t capacity_bytes) {
    mutex_ring *mutex = malloc(sizeof *mutex);
    if (mutex == NULL) return NULL;
    if (!logbuf_init(&mutex->log, capacity_bytes)) {
        free(mutex);
        return NULL;
    }
    if (pthread_mutex_init(&mutex->mutex, NULL) != 0) {
        logbuf_deinit(&mutex->log);
        free(mutex);
        return NULL;
    }
    return mutex;
}

void mutex_ring_destroy(mutex_ring *mutex) {
    if (mutex == NULL) return;
    pthread_mutex_destroy(&mutex->mutex);
    logbuf_deinit(&mutex->log);
    free(mutex);
}

logring_status mutex_ring_write(mutex_ring *mutex, const void *text, size_t text_len,
                                const logring_meta *meta, uint64_t *seq_out) {
    if (text_len > mutex->log.max_text) return LOGRING_E_TOO_LARGE;
    uint64_t text_hash = logring_checksum_payload(text, text_len);
    pthread_mutex_lock(&mutex->mutex);
    uint64_t seq = logbuf_store(&mutex->log, text, (uint32_t)text_len, meta, text_hash);
    pthread_mutex_unlock(&mutex->mutex);
    if (seq_out != NULL) *seq_out = seq;
    return LOGRING_OK;
}

logring_status mutex_ring_read(mutex_ring *mutex, logring_cursor *cursor, void *buf, size_t buf_size,
                               logring_record_info *info) {
    pthread_mutex_lock(&mutex->mutex);
    logring_status status = logbuf_read(&mutex->log, cursor, buf, buf_size, info);
    pthread_mutex_unlock(&mutex->mutex);
    return status;
}

uint64_t mutex_ring_first_seq(mutex_ring *mutex) {
    pthread_mutex_lock(&mutex->mutex);
    uint64_t seq = mutex->log.first_seq;
    pthread_mutex_unlock(&mutex->mutex);
    return seq;
}

uint64_t mutex_ring_next_seq(mutex_ring *mutex) {
    pthread_mutex_lock(&mutex->mutex);
    uint64_t seq = mutex->log.next_seq;
    pthread_mutex_unlock(&mutex->mutex);
    return seq;
}

bool mutex_ring_lock_until(mutex_ring *mutex, uint64_t deadline_ns) {
    if (deadline_ns == UINT64_MAX) return pthread_mutex_lock(&mutex->mutex) == 0;
    /* pthread_mutex_timedlock takes a CLOCK_REALTIME deadline: translate the monotonic one. */
    uint64_t now = prb_clock_ns();
    struct timespec at;
    logring_realtime_deadline(deadline_ns > now ? deadline_ns - now : 0, &at);
    int rc;
    do {
        rc = pthread_mutex_timedlock(&mutex->mutex, &at);
    } while (rc == EINTR);
    return rc == 0;
}

void mutex_ring_unlock(mutex_ring *mutex) {
    pthread_mutex_unlock(&mutex->mutex);
}

logring_status mutex_ring_write_until(mutex_ring *mutex, const void *text, size_t text_len,
                                      const logring_meta *meta, uint64_t deadline_ns, uint64_t *seq_out) {
    if (text_len > mutex->log.max_text) return LOGRING_E_TOO_LARGE;
    uint64_t text_hash = logring_checksum_payload(text, text_len);
    if (!mutex_ring_lock_until(mutex, deadline_ns)) return LOGRING_E_LOCK_UNAVAILABLE;
    uint64_t seq = logbuf_store(&mutex->log, text, (uint32_t)text_len, meta, text_hash);
    pthread_mutex_unlock(&mutex->mutex);
    if (seq_out != NULL) *seq_out = seq;
    return LOGRING_OK;
}

logring_status mutex_ring_read_locked(mutex_ring *mutex, logring_cursor *cursor, void *buf, size_t buf_size,
                                      logring_record_info *info) {
    return logbuf_read(&mutex->log, cursor, buf, buf_size, info);
}

uint64_t mutex_ring_first_seq_locked(mutex_ring *mutex) {
    return mutex->log.first_seq;
}

uint64_t mutex_ring_next_seq_locked(mutex_ring *mutex) {
    return mutex->log.next_seq;
}

void mutex_ring_set_fault_hook(mutex_ring *mutex, logring_fault_hook hook, void *context) {
    mutex->log.fault_hook = hook;
    mutex->log.fault_context = context;
}
