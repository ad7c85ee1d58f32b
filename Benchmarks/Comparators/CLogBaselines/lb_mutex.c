/*
 * lb_mutex.c - the pre-5.10 printk buffer (lb_log.h) under a pthread mutex.
 */
#include "lb_log.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

struct lb_mutex {
    pthread_mutex_t mutex; /* guards everything in `log` */
    struct lb_log log;
};

lb_mutex *lb_mutex_create(size_t capacity_bytes) {
    lb_mutex *mutex = malloc(sizeof *mutex);
    if (mutex == NULL) return NULL;
    if (!lb_log_init(&mutex->log, capacity_bytes)) {
        free(mutex);
        return NULL;
    }
    if (pthread_mutex_init(&mutex->mutex, NULL) != 0) {
        lb_log_deinit(&mutex->log);
        free(mutex);
        return NULL;
    }
    return mutex;
}

void lb_mutex_destroy(lb_mutex *mutex) {
    if (mutex == NULL) return;
    pthread_mutex_destroy(&mutex->mutex);
    lb_log_deinit(&mutex->log);
    free(mutex);
}

lb_status lb_mutex_write(lb_mutex *mutex, const void *text, size_t text_len, const lb_meta *meta,
                         uint64_t *seq_out) {
    if (text_len > mutex->log.max_text) return LB_E_TOO_LARGE;
    uint64_t text_hash = lb_checksum_payload(text, text_len);
    pthread_mutex_lock(&mutex->mutex);
    uint64_t seq = lb_log_store(&mutex->log, text, (uint32_t)text_len, meta, text_hash);
    pthread_mutex_unlock(&mutex->mutex);
    if (seq_out != NULL) *seq_out = seq;
    return LB_OK;
}

lb_status lb_mutex_read(lb_mutex *mutex, lb_cursor *cursor, void *buf, size_t buf_size,
                        lb_record_info *info) {
    pthread_mutex_lock(&mutex->mutex);
    lb_status status = lb_log_read(&mutex->log, cursor, buf, buf_size, info);
    pthread_mutex_unlock(&mutex->mutex);
    return status;
}

uint64_t lb_mutex_first_seq(lb_mutex *mutex) {
    pthread_mutex_lock(&mutex->mutex);
    uint64_t seq = mutex->log.first_seq;
    pthread_mutex_unlock(&mutex->mutex);
    return seq;
}

uint64_t lb_mutex_next_seq(lb_mutex *mutex) {
    pthread_mutex_lock(&mutex->mutex);
    uint64_t seq = mutex->log.next_seq;
    pthread_mutex_unlock(&mutex->mutex);
    return seq;
}

bool lb_mutex_lock_until(lb_mutex *mutex, uint64_t deadline_ns) {
    if (deadline_ns == UINT64_MAX) return pthread_mutex_lock(&mutex->mutex) == 0;
    /* pthread_mutex_timedlock takes a CLOCK_REALTIME deadline: translate the monotonic one. A jump
       of the wall clock can only make the wait shorter or longer, never endless. */
    uint64_t now = lb_monotonic_ns();
    uint64_t wait = deadline_ns > now ? deadline_ns - now : 0;
    struct timespec at;
    clock_gettime(CLOCK_REALTIME, &at);
    uint64_t nsec = (uint64_t)at.tv_nsec + wait % 1000000000u;
    at.tv_sec += (time_t)(wait / 1000000000u + nsec / 1000000000u);
    at.tv_nsec = (long)(nsec % 1000000000u);
    int rc;
    do {
        rc = pthread_mutex_timedlock(&mutex->mutex, &at);
    } while (rc == EINTR);
    return rc == 0;
}

void lb_mutex_unlock(lb_mutex *mutex) {
    pthread_mutex_unlock(&mutex->mutex);
}

lb_status lb_mutex_write_until(lb_mutex *mutex, const void *text, size_t text_len,
                               const lb_meta *meta, uint64_t deadline_ns, uint64_t *seq_out) {
    if (text_len > mutex->log.max_text) return LB_E_TOO_LARGE;
    uint64_t text_hash = lb_checksum_payload(text, text_len);
    if (!lb_mutex_lock_until(mutex, deadline_ns)) return LB_E_LOCK_UNAVAILABLE;
    uint64_t seq = lb_log_store(&mutex->log, text, (uint32_t)text_len, meta, text_hash);
    pthread_mutex_unlock(&mutex->mutex);
    if (seq_out != NULL) *seq_out = seq;
    return LB_OK;
}

lb_status lb_mutex_read_locked(lb_mutex *mutex, lb_cursor *cursor, void *buf, size_t buf_size,
                               lb_record_info *info) {
    return lb_log_read(&mutex->log, cursor, buf, buf_size, info);
}

uint64_t lb_mutex_first_seq_locked(lb_mutex *mutex) {
    return mutex->log.first_seq;
}

uint64_t lb_mutex_next_seq_locked(lb_mutex *mutex) {
    return mutex->log.next_seq;
}

void lb_mutex_set_fault_hook(lb_mutex *mutex, lb_fault_hook hook, void *context) {
    mutex->log.fault_hook = hook;
    mutex->log.fault_context = context;
}
