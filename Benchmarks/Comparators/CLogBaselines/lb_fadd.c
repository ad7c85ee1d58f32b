/*
 * lb_fadd.c - one relaxed fetch_add and a copy: the physical limit of a multi-writer append.
 * Nothing here orders anything for anyone; there is no reader (see log_baselines.h).
 */
#include "lb_record.h"

#include <stdlib.h>

struct lb_fadd {
    _Atomic uint64_t head;   /* bytes handed out so far */
    uint64_t capacity;       /* bytes, a multiple of 8 */
    uint32_t max_text;       /* lb_max_text_len(capacity) */
    _Atomic uint64_t *words; /* capacity / 8 words */
};

lb_fadd *lb_fadd_create(size_t capacity_bytes) {
    uint32_t capacity = lb_capacity_checked(capacity_bytes);
    if (capacity == 0) return NULL;
    lb_fadd *fadd = malloc(sizeof *fadd);
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
    fadd->max_text = (uint32_t)lb_max_text_len(capacity);
    return fadd;
}

void lb_fadd_destroy(lb_fadd *fadd) {
    if (fadd == NULL) return;
    free(fadd->words);
    free(fadd);
}

lb_status lb_fadd_write(lb_fadd *fadd, const void *text, size_t text_len, const lb_meta *meta,
                        uint64_t *pos_out) {
    if (text_len > fadd->max_text) return LB_E_TOO_LARGE;
    uint32_t size = lb_record_size(text_len);
    uint64_t text_hash = lb_checksum_payload(text, text_len);
    uint64_t capacity = fadd->capacity;

    uint64_t pos;
    for (;;) {
        /* Relaxed: pairs with nothing; the range is ours, and nothing is published to anyone. */
        pos = atomic_fetch_add_explicit(&fadd->head, size, memory_order_relaxed);
        if (pos % capacity + size <= capacity) break;
        /* The range straddles the end: leave a wrap marker and take a fresh range. Relaxed: pairs
           with nothing; it only makes a memory dump readable. */
        atomic_store_explicit(&fadd->words[pos % capacity / 8], pos | LB_TAG_WRAP,
                              memory_order_relaxed);
    }

    _Atomic uint64_t *rec = &fadd->words[pos % capacity / 8];
    /* Relaxed, all of them: pair with nothing; only so that overlapping copies are no data race. */
    atomic_store_explicit(&rec[LB_W_TAG], pos, memory_order_relaxed);
    atomic_store_explicit(&rec[LB_W_SEQ], pos, memory_order_relaxed);
    atomic_store_explicit(&rec[LB_W_TS], meta->ts_nsec, memory_order_relaxed);
    atomic_store_explicit(&rec[LB_W_SUM], lb_checksum_seal(text_hash, pos), memory_order_relaxed);
    atomic_store_explicit(&rec[LB_W_LEN], lb_len_word(size, (uint32_t)text_len),
                          memory_order_relaxed);
    atomic_store_explicit(&rec[LB_W_META], lb_meta_word(meta), memory_order_relaxed);
    lb_text_store_relaxed(&rec[LB_HDR_WORDS], text, text_len);

    if (pos_out != NULL) *pos_out = pos;
    return LB_OK;
}

uint64_t lb_fadd_head(lb_fadd *fadd) {
    /* Relaxed: a snapshot; orders nothing. */
    return atomic_load_explicit(&fadd->head, memory_order_relaxed);
}
