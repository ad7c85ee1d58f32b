/*
 * fetch_add_ring.c - one relaxed fetch_add and a copy: the physical limit of a multi-writer append.
 * Nothing here orders anything for anyone; there is no reader (see comparators.h).
 */
#include "logring_record.h"

#include <stdlib.h>

struct fetch_add_ring {
    _Atomic uint64_t head;   /* bytes handed out so far */
    uint64_t capacity;       /* bytes, a multiple of 8 */
    uint32_t max_text;       /* logring_max_text_len(capacity) */
    _Atomic uint64_t *words; /* capacity / 8 words */
};

fetch_add_ring *fetch_add_ring_create(size_t capacity_bytes) {
    uint32_t capacity = logring_capacity_checked(capacity_bytes);
    if (capacity == 0) return NULL;
    fetch_add_ring *fadd = malloc(sizeof *fadd);
    if (fadd == NULL) return NULL;
    fadd->words = malloc(capacity);
    if (fadd->words == NULL) {
        free(fadd);
        return NULL;
    }
    for (uint32_t i = 0; i < capacity / 8; i++) {
        atomic_init(&fadd->words[i], 0);
    }
    atomic_init(&fadd->head, 0);
    fadd->capacity = capacity;
    fadd->max_text = (uint32_t)logring_max_text_len(capacity);
    return fadd;
}

void fetch_add_ring_destroy(fetch_add_ring *fadd) {
    if (fadd == NULL) return;
    free(fadd->words);
    free(fadd);
}

logring_status fetch_add_ring_write(fetch_add_ring *fadd, const void *text, size_t text_len,
                                    const logring_meta *meta, uint64_t *pos_out) {
    if (text_len > fadd->max_text) return LOGRING_E_TOO_LARGE;
    uint32_t size = logring_record_size(text_len);
    uint64_t text_hash = logring_checksum_payload(text, text_len);
    uint64_t capacity = fadd->capacity;

    uint64_t pos;
    for (;;) {
        /* Relaxed: pairs with nothing; the range is ours, and nothing is published to anyone. */
        pos = atomic_fetch_add_explicit(&fadd->head, size, memory_order_relaxed);
        if (pos % capacity + size <= capacity) break;
        /* The range straddles the end: leave a wrap marker and take a fresh range. Relaxed: pairs
           with nothing; it only makes a memory dump readable. */
        atomic_store_explicit(&fadd->words[pos % capacity / 8], pos | LOGRING_TAG_WRAP,
                              memory_order_relaxed);
    }

    _Atomic uint64_t *rec = &fadd->words[pos % capacity / 8];
    /* Relaxed, all of them: pair with nothing; only so that overlapping copies are no data race. */
    atomic_store_explicit(&rec[LOGRING_W_TAG], pos, memory_order_relaxed);
    atomic_store_explicit(&rec[LOGRING_W_SEQ], pos, memory_order_relaxed);
    atomic_store_explicit(&rec[LOGRING_W_TS], meta->ts_nsec, memory_order_relaxed);
    atomic_store_explicit(&rec[LOGRING_W_SUM], logring_checksum_seal(text_hash, pos), memory_order_relaxed);
    atomic_store_explicit(&rec[LOGRING_W_LEN], logring_len_word(size, (uint32_t)text_len),
                          memory_order_relaxed);
    atomic_store_explicit(&rec[LOGRING_W_META], logring_meta_word(meta), memory_order_relaxed);
    logring_text_store_relaxed(&rec[LOGRING_HDR_WORDS], text, text_len);

    if (pos_out != NULL) *pos_out = pos;
    return LOGRING_OK;
}

uint64_t fetch_add_ring_head(fetch_add_ring *fadd) {
    /* Relaxed: a snapshot; orders nothing. */
    return atomic_load_explicit(&fadd->head, memory_order_relaxed);
}
