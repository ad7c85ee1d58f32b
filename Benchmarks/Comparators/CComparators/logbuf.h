/*
 * logbuf.h - the pre-5.10 printk log buffer, without its lock. Private to the target: spinlock_ring.c
 * and mutex_ring.c wrap every call in their lock, so everything here is plain memory.
 *
 * Layout, as in the old kernel: one array; the records from first_idx (seq first_seq) to
 * next_idx (seq next_seq), in order, going round the end of the array once at most. When a
 * record does not fit between next_idx and the end, a wrap marker is left at next_idx and the
 * record goes to offset 0. Room is made by dropping the oldest record until the new one fits
 * (log_make_free_space). Empty means first_seq == next_seq, and then first_idx == next_idx.
 * Indices are never reset: a record stays where it was written until it is dropped.
 *
 * Why a reader's cursor hint is safe: a cursor at seq s holds hint = the end of record s - 1,
 * as that record was read. Record s was written at that very index, or at 0 with a wrap
 * marker at that index. While record s - 1 is still held (s > first_seq), nothing between it
 * and record s can have been overwritten, so the hint still leads to record s. When
 * s <= first_seq, the reader starts at first_idx instead and ignores the hint.
 *
 * Headers are checked before use (tag = own index, length consistent, inside the array).
 * Under the lock they always pass; they can fail only after spinlock_ring_bust_lock let two
 * holders race, and then nothing reads or writes outside the array.
 */
#ifndef LOGBUF_H
#define LOGBUF_H

#include "logring_record.h"

#include <stdlib.h>
#include <string.h>

struct logbuf {
    uint64_t *words;      /* capacity / 8 words */
    uint32_t capacity;    /* bytes, a multiple of 8 */
    uint32_t max_text;    /* logring_max_text_len(capacity) */
    uint32_t first_idx;   /* byte index of the oldest record, or of a wrap marker before it */
    uint32_t next_idx;    /* byte index where the next record, or a wrap marker, goes */
    uint64_t first_seq;
    uint64_t next_seq;
    logring_fault_hook fault_hook; /* NULL unless a test or the panic scenarios installed one */
    void *fault_context;
};

/* Lets a fault hook freeze the writer at `point`. */
static inline void logbuf_fault(const struct logbuf *log, logring_fault_point point, uint64_t seq) {
    if (log->fault_hook != NULL) log->fault_hook(log->fault_context, point, seq);
}

static inline bool logbuf_init(struct logbuf *log, size_t capacity_bytes) {
    uint32_t capacity = logring_capacity_checked(capacity_bytes);
    if (capacity == 0) return false;
    log->words = calloc(capacity / 8, sizeof(uint64_t));
    if (log->words == NULL) return false;
    /* Touch every page now, as the other rings do when they initialize theirs: calloc's fresh
       zero pages would otherwise fault inside the first writes (the kernel's buffer is static). */
    memset(log->words, 0, capacity);
    log->capacity = capacity;
    log->max_text = (uint32_t)logring_max_text_len(capacity);
    log->first_idx = 0;
    log->next_idx = 0;
    log->first_seq = 0;
    log->next_seq = 0;
    log->fault_hook = NULL;
    log->fault_context = NULL;
    return true;
}

static inline void logbuf_deinit(struct logbuf *log) {
    free(log->words);
}

static inline uint32_t logbuf_wrap_index(const struct logbuf *log, uint32_t end) {
    return end == log->capacity ? 0 : end;
}

/**
 * Finds the record that starts at idx, or at 0 when idx holds a wrap marker: its index in
 * *rec_idx and its header in *hdr. False if a header there is not one a writer left.
 */
static inline bool logbuf_record_at(const struct logbuf *log, uint32_t idx, uint32_t *rec_idx,
                                    struct logring_hdr *hdr) {
    if (idx % 8 != 0 || idx >= log->capacity) return false;
    if (log->words[idx / 8] == ((uint64_t)idx | LOGRING_TAG_WRAP)) idx = 0;
    logring_hdr_unpack(&log->words[idx / 8], hdr);
    if (hdr->tag != idx || !logring_hdr_fits(hdr, idx, log->capacity)) return false;
    *rec_idx = idx;
    return true;
}

/** Drops the oldest record (log is not empty). */
static inline void logbuf_drop_oldest(struct logbuf *log) {
    uint32_t idx;
    struct logring_hdr hdr;
    if (!logbuf_record_at(log, log->first_idx, &idx, &hdr)) {
        /* Damaged by racing holders after a lock bust: the records cannot be walked any more. */
        log->first_idx = log->next_idx;
        log->first_seq = log->next_seq;
        return;
    }
    log->first_idx = logbuf_wrap_index(log, idx + hdr.len);
    log->first_seq++;
}

/**
 * Where a record of `size` bytes goes (next_idx, or 0 after a wrap marker) in *at; true if
 * it fits there without dropping anything.
 */
static inline bool logbuf_place(const struct logbuf *log, uint32_t size, uint32_t *at) {
    bool wrap = log->capacity - log->next_idx < size;
    *at = wrap ? 0 : log->next_idx;
    if (log->first_seq == log->next_seq) return true; /* empty: all free */
    if (log->first_idx < log->next_idx) {
        /* In use: [first, next). Free: [next, end) and [0, first). */
        return !wrap || size <= log->first_idx;
    }
    /* In use: [first, end) and [0, next). Free: [next, first); none when next == first. */
    return !wrap && size <= log->first_idx - log->next_idx;
}

/** Appends a record (text_len <= max_text) and returns its seq. */
static inline uint64_t logbuf_store(struct logbuf *log, const void *text, uint32_t text_len,
                                    const logring_meta *meta, uint64_t text_hash) {
    logbuf_fault(log, LOGRING_FAULT_LOCKED, log->next_seq);
    uint32_t size = logring_record_size(text_len);
    uint32_t at;
    while (!logbuf_place(log, size, &at)) {
        logbuf_drop_oldest(log);
    }
    if (at != log->next_idx) log->words[log->next_idx / 8] = log->next_idx | LOGRING_TAG_WRAP;
    if (log->first_seq == log->next_seq) log->first_idx = at;

    uint64_t seq = log->next_seq;
    uint64_t *rec = &log->words[at / 8];
    rec[LOGRING_W_TAG] = at;
    rec[LOGRING_W_SEQ] = seq;
    rec[LOGRING_W_TS] = meta->ts_nsec;
    rec[LOGRING_W_SUM] = logring_checksum_seal(text_hash, seq);
    rec[LOGRING_W_LEN] = logring_len_word(size, text_len);
    rec[LOGRING_W_META] = logring_meta_word(meta);
    if (text_len % 8 != 0) rec[LOGRING_HDR_WORDS + text_len / 8] = 0; /* zero the padding */
    /* In two halves, so that a fault hook can stop the writer part-way through the copy. */
    uint8_t *dst = (uint8_t *)&rec[LOGRING_HDR_WORDS];
    const uint8_t *src = text;
    uint32_t half = text_len / 2;
    if (half > 0) memcpy(dst, src, half);
    logbuf_fault(log, LOGRING_FAULT_TEXT_PARTIAL, seq);
    if (text_len > half) memcpy(dst + half, src + half, text_len - half);

    log->next_idx = logbuf_wrap_index(log, at + size);
    log->next_seq = seq + 1;
    return seq;
}

/** Reads the record at cursor->seq or the oldest one after it (see spinlock_ring_read). */
static inline logring_status logbuf_read(const struct logbuf *log, logring_cursor *cursor, void *buf,
                                    size_t buf_size, logring_record_info *info) {
    if (cursor->seq >= log->next_seq) return LOGRING_E_NO_RECORD;

    uint64_t seq = log->first_seq;
    uint32_t idx = log->first_idx;
    uint32_t rec_idx;
    struct logring_hdr hdr;
    if (cursor->seq > seq) {
        if (cursor->hint < log->capacity) {
            seq = cursor->seq;
            idx = (uint32_t)cursor->hint;
        } else {
            /* A fresh cursor: walk from the oldest record. */
            for (; seq < cursor->seq; seq++) {
                if (!logbuf_record_at(log, idx, &rec_idx, &hdr)) return LOGRING_E_CORRUPT;
                idx = logbuf_wrap_index(log, rec_idx + hdr.len);
            }
        }
    }
    if (!logbuf_record_at(log, idx, &rec_idx, &hdr) || hdr.seq != seq) return LOGRING_E_CORRUPT;

    logring_info_fill(info, &hdr, buf_size);
    if (info->copied_len > 0) memcpy(buf, &log->words[rec_idx / 8 + LOGRING_HDR_WORDS], info->copied_len);
    cursor->seq = seq + 1;
    cursor->hint = logbuf_wrap_index(log, rec_idx + hdr.len);
    return LOGRING_OK;
}

#endif /* LOGBUF_H */
