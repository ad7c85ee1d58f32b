/*
 * logring_common.c - the helpers every baseline shares: checksum, size limit, clock.
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

uint64_t logring_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}
