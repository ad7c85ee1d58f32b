/*
 * logring_common.c - the helpers every comparator shares: checksum, size limit, the
 * realtime deadline of the POSIX timed waits.
 */
#include "logring_record.h"

#include <time.h>

uint64_t logring_record_checksum(uint64_t seq, const void *text, size_t text_len) {
    return logring_checksum_seal(logring_checksum_payload(text, text_len), seq);
}

size_t logring_max_text_len(size_t capacity_bytes) {
    uint32_t capacity = logring_capacity_checked(capacity_bytes);
    if (capacity == 0) return 0;
    /* A whole record may take at most a quarter of the array. */
    return (capacity / 4 - LOGRING_RECORD_HEADER_BYTES) & ~(size_t)7;
}

void logring_realtime_deadline(uint64_t timeout_ns, struct timespec *at) {
    clock_gettime(CLOCK_REALTIME, at);
    uint64_t nsec = (uint64_t)at->tv_nsec + timeout_ns % 1000000000u;
    at->tv_sec += (time_t)(timeout_ns / 1000000000u + nsec / 1000000000u);
    at->tv_nsec = (long)(nsec % 1000000000u);
}
