/*
 * lb_log.h - the pre-5.10 printk log buffer, without its lock. Private to the target: lb_spin.c
 * and lb_mutex.c wrap every call in their lock, so everything here is plain memory.
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
 * Under the lock they always pass; they can fail only after lb_spin_bust_lock let two
 * holders race, and then nothing reads or writes outside the array.
 */
#ifndef LB_LOG_H
#define LB_LOG_H

#include "lb_record.h"

#include <stdlib.h>
#include <string.h>

struct lb_log {
    uint64_t *words;      /* capacity / 8 words */
    uint32_t capacity;    /* bytes, a multiple of 8 */
    uint32_t max_text;    /* lb_max_text_len(capacity) */
    uint32_t first_idx;   /* byte index of the oldest record, or of a wrap marker before it */
    uint32_t next_idx;    /* byte index where the next record, or a wrap marker, goes */
    uint64_t first_seq;
    uint64_t next_seq;
    lb_fault_hook fault_hook; /* NULL unless a test or the panic scenarios installed one */
    void *fault_context;
};

/* Lets a fault hook freeze the writer at `point`. */
static inline void lb_log_fault(const struct lb_log *log, lb_fault_point point, uint64_t seq) {
    if (log->fault_hook != NULL) log->fault_hook(log->fault_context, point, seq);
}

static inline bool lb_log_init(struct lb_log *log, size_t capacity_bytes) {
    uint32_t capacity = lb_capacity_checked(capacity_bytes);
    if (capacity == 0) return false;
    log->words = calloc(capacity / 8, sizeof(uint64_t));
    if (log->words == NULL) return false;
    /* Touch every page now, as the other rings do when they initialize theirs: calloc's fresh
       zero pages would otherwise fault inside the first writes (the kernel's buffer is static). */
    memset(log->words, 0, capacity);
    log->capacity = capacity;
    log->max_text = (uint32_t)lb_max_text_len(capacity);
    log->first_idx = 0;
    log->next_idx = 0;
    log->first_seq = 0;
    log->next_seq = 0;
    log->fault_hook = NULL;
    log->fault_context = NULL;
    return true;
}

static inline void lb_log_deinit(struct lb_log *log) {
    free(log->words);
}

static inline uint32_t lb_log_wrap_index(const struct lb_log *log, uint32_t end) {
    return end == log->capacity ? 0 : end;
}

/**
 * Finds the record that starts at idx, or at 0 when idx holds a wrap marker: its index in
 * *rec_idx and its header in *hdr. False if a header there is not one a writer left.
 */
static inline bool lb_log_record_at(const struct lb_log *log, uint32_t idx, uint32_t *rec_idx,
                                    struct lb_hdr *hdr) {
    if (idx % 8 != 0 || idx >= log->capacity) return false;
    if (log->words[idx / 8] == ((uint64_t)idx | LB_TAG_WRAP)) idx = 0;
    lb_hdr_unpack(&log->words[idx / 8], hdr);
    if (hdr->tag != idx || !lb_hdr_fits(hdr, idx, log->capacity)) return false;
    *rec_idx = idx;
    return true;
}

/** Drops the oldest record (log is not empty). */
static inline void lb_log_drop_oldest(struct lb_log *log) {
    uint32_t idx;
    struct lb_hdr hdr;
    if (!lb_log_record_at(log, log->first_idx, &idx, &hdr)) {
        /* Damaged by racing holders after a lock bust: the records cannot be walked any more. */
        log->first_idx = log->next_idx;
        log->first_seq = log->next_seq;
        return;
    }
    log->first_idx = lb_log_wrap_index(log, idx + hdr.len);
    log->first_seq++;
}

/**
 * Where a record of `size` bytes goes (next_idx, or 0 after a wrap marker) in *at; true if
 * it fits there without dropping anything.
 */
static inline bool lb_log_place(const struct lb_log *log, uint32_t size, uint32_t *at) {
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
static inline uint64_t lb_log_store(struct lb_log *log, const void *text, uint32_t text_len,
                                    const lb_meta *meta, uint64_t text_hash) {
    lb_log_fault(log, LB_FAULT_LOCKED, log->next_seq);
    uint32_t size = lb_record_size(text_len);
    uint32_t at;
    while (!lb_log_place(log, size, &at)) {
        lb_log_drop_oldest(log);
    }
    if (at != log->next_idx) log->words[log->next_idx / 8] = log->next_idx | LB_TAG_WRAP;
    if (log->first_seq == log->next_seq) log->first_idx = at;

    uint64_t seq = log->next_seq;
    uint64_t *rec = &log->words[at / 8];
    rec[LB_W_TAG] = at;
    rec[LB_W_SEQ] = seq;
    rec[LB_W_TS] = meta->ts_nsec;
    rec[LB_W_SUM] = lb_checksum_seal(text_hash, seq);
    rec[LB_W_LEN] = lb_len_word(size, text_len);
    rec[LB_W_META] = lb_meta_word(meta);
    if (text_len % 8 != 0) rec[LB_HDR_WORDS + text_len / 8] = 0; /* zero the padding */
    /* In two halves, so that a fault hook can stop the writer part-way through the copy. */
    uint8_t *dst = (uint8_t *)&rec[LB_HDR_WORDS];
    const uint8_t *src = text;
    uint32_t half = text_len / 2;
    if (half > 0) memcpy(dst, src, half);
    lb_log_fault(log, LB_FAULT_TEXT_PARTIAL, seq);
    if (text_len > half) memcpy(dst + half, src + half, text_len - half);

    log->next_idx = lb_log_wrap_index(log, at + size);
    log->next_seq = seq + 1;
    return seq;
}

/** Reads the record at cursor->seq or the oldest one after it (see lb_spin_read). */
static inline lb_status lb_log_read(const struct lb_log *log, lb_cursor *cursor, void *buf,
                                    size_t buf_size, lb_record_info *info) {
    if (cursor->seq >= log->next_seq) return LB_E_NO_RECORD;

    uint64_t seq = log->first_seq;
    uint32_t idx = log->first_idx;
    uint32_t rec_idx;
    struct lb_hdr hdr;
    if (cursor->seq > seq) {
        if (cursor->hint < log->capacity) {
            seq = cursor->seq;
            idx = (uint32_t)cursor->hint;
        } else {
            /* A fresh cursor: walk from the oldest record. */
            for (; seq < cursor->seq; seq++) {
                if (!lb_log_record_at(log, idx, &rec_idx, &hdr)) return LB_E_CORRUPT;
                idx = lb_log_wrap_index(log, rec_idx + hdr.len);
            }
        }
    }
    if (!lb_log_record_at(log, idx, &rec_idx, &hdr) || hdr.seq != seq) return LB_E_CORRUPT;

    lb_info_fill(info, &hdr, buf_size);
    if (info->copied_len > 0) memcpy(buf, &log->words[rec_idx / 8 + LB_HDR_WORDS], info->copied_len);
    cursor->seq = seq + 1;
    cursor->hint = lb_log_wrap_index(log, rec_idx + hdr.len);
    return LB_OK;
}

#endif /* LB_LOG_H */
