/*
 * logring_record.h - the record layout and checksum all four comparators share. Private to the target.
 *
 * A record is LOGRING_HDR_WORDS 64-bit header words, then the text zero-padded to a multiple of 8:
 *
 *   LOGRING_W_TAG   position | LOGRING_TAG_* bits. The position is the record's byte offset in
 *                   the array (spinlock_ring, mutex_ring) or its ever-growing byte position
 *                   (spin_reserve_ring, fetch_add_ring); it lets a reader check that the header
 *                   it reads is the one it expects.
 *   LOGRING_W_SEQ   seq
 *   LOGRING_W_TS    timestamp in ns
 *   LOGRING_W_SUM   checksum (logring_record_checksum)
 *   LOGRING_W_LEN   record bytes (header + padded text) | text bytes << 32
 *   LOGRING_W_META  caller id | level << 32 | facility << 40 | flags << 48
 *
 * A wrap marker is a lone tag word with LOGRING_TAG_WRAP: the rest of the array up to its end is
 * padding. It needs only 8 bytes, which are always there since everything is a multiple of 8.
 */
#ifndef LOGRING_RECORD_H
#define LOGRING_RECORD_H

#include "comparators.h"

#include <stdatomic.h>
#include <string.h>

enum {
    LOGRING_W_TAG = 0,
    LOGRING_W_SEQ = 1,
    LOGRING_W_TS = 2,
    LOGRING_W_SUM = 3,
    LOGRING_W_LEN = 4,
    LOGRING_W_META = 5,
    LOGRING_HDR_WORDS = 6,
};

_Static_assert(LOGRING_HDR_WORDS * 8 == LOGRING_RECORD_HEADER_BYTES, "header size");

/** Tag bits. Positions are multiples of 8, so the low three bits are free. */
#define LOGRING_TAG_BUSY ((uint64_t)1) /* spin_reserve_ring: reserved, text not committed yet */
#define LOGRING_TAG_WRAP ((uint64_t)2) /* wrap marker: padding up to the end of the array */
#define LOGRING_TAG_BITS ((uint64_t)7)

/** A header, unpacked. */
struct logring_hdr {
    uint64_t tag;
    uint64_t seq;
    uint64_t ts_nsec;
    uint64_t checksum;
    uint32_t len;
    uint32_t text_len;
    uint32_t caller_id;
    uint8_t level;
    uint8_t facility;
    uint8_t flags;
};

/** Bytes a record with text_len bytes of text takes. text_len must be <= logring_max_text_len(). */
static inline uint32_t logring_record_size(size_t text_len) {
    return (uint32_t)(LOGRING_RECORD_HEADER_BYTES + ((text_len + 7) & ~(size_t)7));
}

static inline uint64_t logring_len_word(uint32_t len, uint32_t text_len) {
    return (uint64_t)len | (uint64_t)text_len << 32;
}

static inline uint64_t logring_meta_word(const logring_meta *meta) {
    return (uint64_t)meta->caller_id | (uint64_t)(meta->level & 7) << 32 |
           (uint64_t)meta->facility << 40 | (uint64_t)meta->flags << 48;
}

/** Fills hdr from the six header words w. */
static inline void logring_hdr_unpack(const uint64_t w[LOGRING_HDR_WORDS], struct logring_hdr *hdr) {
    hdr->tag = w[LOGRING_W_TAG];
    hdr->seq = w[LOGRING_W_SEQ];
    hdr->ts_nsec = w[LOGRING_W_TS];
    hdr->checksum = w[LOGRING_W_SUM];
    hdr->len = (uint32_t)w[LOGRING_W_LEN];
    hdr->text_len = (uint32_t)(w[LOGRING_W_LEN] >> 32);
    hdr->caller_id = (uint32_t)w[LOGRING_W_META];
    hdr->level = (uint8_t)(w[LOGRING_W_META] >> 32);
    hdr->facility = (uint8_t)(w[LOGRING_W_META] >> 40);
    hdr->flags = (uint8_t)(w[LOGRING_W_META] >> 48);
}

/**
 * Whether hdr can be the header of a record at byte offset `offset` of an array of `capacity`
 * bytes: its length matches its text length and it ends within the array. (Checked before a
 * length is used, so that a torn header never sends a copy outside the array.)
 */
static inline bool logring_hdr_fits(const struct logring_hdr *hdr, uint64_t offset, uint64_t capacity) {
    return hdr->text_len <= capacity && hdr->len == logring_record_size(hdr->text_len) &&
           hdr->len <= capacity - offset;
}

/** Fills the caller-visible description of a record whose text was copied up to buf_size. */
static inline void logring_info_fill(logring_record_info *info, const struct logring_hdr *hdr,
                                     size_t buf_size) {
    uint32_t copied = hdr->text_len < buf_size ? hdr->text_len : (uint32_t)buf_size;
    info->seq = hdr->seq;
    info->ts_nsec = hdr->ts_nsec;
    info->checksum = hdr->checksum;
    info->caller_id = hdr->caller_id;
    info->text_len = hdr->text_len;
    info->copied_len = copied;
    info->level = hdr->level;
    info->facility = hdr->facility;
    info->flags = hdr->flags;
    info->truncated = copied < hdr->text_len;
}

/* The checksum (logring_checksum_payload, logring_checksum_seal) is in comparators.h: the lockless ring's
 * writers (CPanicHarness, the benchmark) compute the very same one inline. */

/* ---------------------------------------------------------------------------------------------
 * Text copies through atomic words (spin_reserve_ring, fetch_add_ring), so that a copy that overlaps another
 * thread's is no data race. The ordering comes from the callers' fences and release stores.
 * ------------------------------------------------------------------------------------------- */

static inline void logring_text_store_relaxed(_Atomic uint64_t *dst, const void *text, size_t text_len) {
    const uint8_t *bytes = text;
    size_t words = (text_len + 7) / 8;
    for (size_t i = 0; i < words; i++) {
        uint64_t word = 0;
        size_t n = text_len - 8 * i < 8 ? text_len - 8 * i : 8;
        memcpy(&word, bytes + 8 * i, n);
        /* Relaxed: any ordering is the caller's (spin_reserve_ring: RESV-COMMIT; fetch_add_ring: none
           at all). */
        atomic_store_explicit(&dst[i], word, memory_order_relaxed);
    }
}

static inline void logring_text_load_relaxed(const _Atomic uint64_t *src, void *buf, size_t n) {
    uint8_t *bytes = buf;
    size_t words = (n + 7) / 8;
    for (size_t i = 0; i < words; i++) {
        /* Relaxed: the caller validates the copy afterwards (acquire fence, then a tail reload). */
        uint64_t word = atomic_load_explicit(&src[i], memory_order_relaxed);
        memcpy(bytes + 8 * i, &word, n - 8 * i < 8 ? n - 8 * i : 8);
    }
}

/** Capacity rounded down to a multiple of 8, or 0 when out of range. */
static inline uint32_t logring_capacity_checked(size_t capacity_bytes) {
    size_t capacity = capacity_bytes & ~(size_t)7;
    if (capacity < LOGRING_CAPACITY_MIN || capacity > LOGRING_CAPACITY_MAX) return 0;
    return (uint32_t)capacity;
}

#endif /* LOGRING_RECORD_H */
