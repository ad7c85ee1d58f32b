/*
 * spin_reserve_ring.c - reserve under a short spinlock, copy outside it, commit with a release store (the
 * BPF ring buffer's scheme), overwriting the oldest committed records. The protocol and the
 * list of barrier pairs are in comparators.h; each ordering access below carries its label.
 *
 * Who moves a record from each state to the next:
 *   (free) --reserving writer, under the lock--> BUSY --same writer, RESV-COMMIT--> committed
 *   committed --a later writer, under the lock--> reclaimed (behind the tail; its slot is reused)
 * A reclaiming writer that meets a BUSY record gives up instead (LOGRING_E_NO_SPACE).
 */
#include "logring_record.h"
#include "raw_spinlock.h"

#include <stdlib.h>

/** What every tag word holds before its first use: no position ever matches it. */
#define LOGRING_TAG_NEVER UINT64_MAX

struct spin_reserve_ring {
    struct raw_spinlock lock;    /* guards head, and every store to tail, first_seq and next_seq */
    uint64_t head;              /* position of the next reservation */
    _Atomic uint64_t tail;      /* position of the oldest record or wrap marker */
    _Atomic uint64_t first_seq; /* seq of the oldest record */
    _Atomic uint64_t next_seq;  /* seq of the next reservation */
    uint64_t capacity;          /* bytes, a multiple of 8 */
    uint32_t max_text;          /* logring_max_text_len(capacity) */
    _Atomic uint64_t *words;    /* capacity / 8 words */
    logring_fault_hook fault_hook;   /* NULL unless a test or the panic scenarios installed one */
    void *fault_context;
};

/* Lets a fault hook freeze the writer at `point`. */
static inline void spin_reserve_ring_fault(const spin_reserve_ring *resv, logring_fault_point point,
                                           uint64_t seq) {
    if (resv->fault_hook != NULL) resv->fault_hook(resv->fault_context, point, seq);
}

/** Waits for the reservation lock forever, or until deadline_ns (LOGRING_DEADLINE_NONE: forever). */
#define LOGRING_DEADLINE_NONE UINT64_MAX
static inline bool spin_reserve_ring_lock(spin_reserve_ring *resv, uint64_t deadline_ns) {
    if (deadline_ns == LOGRING_DEADLINE_NONE) {
        raw_spin_lock(&resv->lock);
        return true;
    }
    return raw_spin_lock_until(&resv->lock, deadline_ns);
}

static _Atomic uint64_t *spin_reserve_ring_slot(spin_reserve_ring *resv, uint64_t pos) {
    return &resv->words[pos % resv->capacity / 8];
}

static uint64_t spin_reserve_ring_load_tail(spin_reserve_ring *resv) {
    /* LMM(RESV-READ-TAIL) Acquire: pairs with RESV-TAIL; the headers of the records reserved
       before this tail was stored are visible from here on. */
    return atomic_load_explicit(&resv->tail, memory_order_acquire);
}

spin_reserve_ring *spin_reserve_ring_create(size_t capacity_bytes) {
    uint32_t capacity = logring_capacity_checked(capacity_bytes);
    if (capacity == 0) return NULL;
    spin_reserve_ring *resv = malloc(sizeof *resv);
    if (resv == NULL) return NULL;
    resv->words = malloc(capacity);
    if (resv->words == NULL) {
        free(resv);
        return NULL;
    }
    for (uint32_t i = 0; i < capacity / 8; i++) {
        atomic_init(&resv->words[i], LOGRING_TAG_NEVER);
    }
    raw_spin_lock_init(&resv->lock);
    resv->head = 0;
    atomic_init(&resv->tail, 0);
    atomic_init(&resv->first_seq, 0);
    atomic_init(&resv->next_seq, 0);
    resv->capacity = capacity;
    resv->max_text = (uint32_t)logring_max_text_len(capacity);
    resv->fault_hook = NULL;
    resv->fault_context = NULL;
    return resv;
}

void spin_reserve_ring_destroy(spin_reserve_ring *resv) {
    if (resv == NULL) return;
    free(resv->words);
    free(resv);
}

/** spin_reserve_ring_reserve, giving up on the lock at deadline_ns (LOGRING_DEADLINE_NONE: never). */
static logring_status spin_reserve_ring_reserve_until(spin_reserve_ring *resv, size_t text_len,
                                                      const logring_meta *meta, uint64_t deadline_ns,
                                                      spin_reserve_ring_entry *entry) {
    if (text_len > resv->max_text) return LOGRING_E_TOO_LARGE;
    uint32_t size = logring_record_size(text_len);
    uint64_t capacity = resv->capacity;

    if (!spin_reserve_ring_lock(resv, deadline_ns)) return LOGRING_E_LOCK_UNAVAILABLE;
    /* Relaxed: stored only under the lock we hold. */
    spin_reserve_ring_fault(resv, LOGRING_FAULT_RESV_LOCKED,
                  atomic_load_explicit(&resv->next_seq, memory_order_relaxed));
    uint64_t head = resv->head;
    uint64_t room_to_end = capacity - head % capacity;
    uint64_t pad = room_to_end < size ? room_to_end : 0;
    /* Relaxed: tail and first_seq are stored only under the lock we hold. */
    uint64_t tail = atomic_load_explicit(&resv->tail, memory_order_relaxed);
    uint64_t first_seq = atomic_load_explicit(&resv->first_seq, memory_order_relaxed);
    while (head + pad + size - tail > capacity) {
        _Atomic uint64_t *old = spin_reserve_ring_slot(resv, tail);
        /* LMM(RESV-RECLAIM) Acquire: pairs with RESV-COMMIT; the old record's writer has finished
           its text stores before we overwrite them. */
        uint64_t tag = atomic_load_explicit(&old[LOGRING_W_TAG], memory_order_acquire);
        if (tag & LOGRING_TAG_WRAP) {
            tail += capacity - tail % capacity;
            continue;
        }
        if (tag & LOGRING_TAG_BUSY) {
            raw_spin_unlock(&resv->lock);
            return LOGRING_E_NO_SPACE;
        }
        /* Relaxed: stored under the lock by the record's reserver. */
        tail += (uint32_t)atomic_load_explicit(&old[LOGRING_W_LEN], memory_order_relaxed);
        first_seq++;
    }
    /* Relaxed: a snapshot for spin_reserve_ring_first_seq; readers take seqs from the headers. */
    atomic_store_explicit(&resv->first_seq, first_seq, memory_order_relaxed);
    /* LMM(RESV-TAIL) Release: pairs with RESV-READ-TAIL; a reader starting at this tail sees the
       headers of all records reserved before it. */
    atomic_store_explicit(&resv->tail, tail, memory_order_release);
    /* LMM(RESV-FENCE) Pairs with RESV-READ-FENCE and RESV-READ-TAG: a reader that observes any
       ring store below (ours, or a later writer's, which took the lock after us) also observes
       this tail or a newer one, so it knows that the space was reclaimed. */
    atomic_thread_fence(memory_order_release);

    if (pad != 0) {
        /* Relaxed: a marker publishes no data; RESV-FENCE orders it after the tail. */
        atomic_store_explicit(&spin_reserve_ring_slot(resv, head)[LOGRING_W_TAG], head | LOGRING_TAG_WRAP,
                              memory_order_relaxed);
        head += pad;
    }
    /* Relaxed: stored only under the lock we hold. */
    uint64_t seq = atomic_load_explicit(&resv->next_seq, memory_order_relaxed);
    _Atomic uint64_t *rec = spin_reserve_ring_slot(resv, head);
    /* Relaxed: the header words are published by RESV-COMMIT. */
    atomic_store_explicit(&rec[LOGRING_W_SEQ], seq, memory_order_relaxed);
    atomic_store_explicit(&rec[LOGRING_W_TS], meta->ts_nsec, memory_order_relaxed);
    atomic_store_explicit(&rec[LOGRING_W_LEN], logring_len_word(size, (uint32_t)text_len),
                          memory_order_relaxed);
    atomic_store_explicit(&rec[LOGRING_W_META], logring_meta_word(meta), memory_order_relaxed);
    /* Relaxed: a reader that sees BUSY stops without reading more; reclaimers see it through the
       lock. */
    atomic_store_explicit(&rec[LOGRING_W_TAG], head | LOGRING_TAG_BUSY, memory_order_relaxed);
    resv->head = head + size;
    /* Relaxed: a snapshot for spin_reserve_ring_next_seq; readers take seqs from the headers. */
    atomic_store_explicit(&resv->next_seq, seq + 1, memory_order_relaxed);
    raw_spin_unlock(&resv->lock);

    entry->pos = head;
    entry->seq = seq;
    entry->text_len = (uint32_t)text_len;
    return LOGRING_OK;
}

logring_status spin_reserve_ring_reserve(spin_reserve_ring *resv, size_t text_len, const logring_meta *meta,
                                         spin_reserve_ring_entry *entry) {
    return spin_reserve_ring_reserve_until(resv, text_len, meta, LOGRING_DEADLINE_NONE, entry);
}

void spin_reserve_ring_commit(spin_reserve_ring *resv, const spin_reserve_ring_entry *entry,
                              const void *text) {
    _Atomic uint64_t *rec = spin_reserve_ring_slot(resv, entry->pos);
    logring_text_store_relaxed(&rec[LOGRING_HDR_WORDS], text, entry->text_len);
    uint64_t checksum = logring_checksum_seal(logring_checksum_payload(text, entry->text_len), entry->seq);
    /* Relaxed: published by RESV-COMMIT. */
    atomic_store_explicit(&rec[LOGRING_W_SUM], checksum, memory_order_relaxed);
    /* LMM(RESV-COMMIT) Release: clears BUSY. Pairs with RESV-READ-TAG and RESV-RECLAIM: whoever
       sees the record committed sees its whole header, text and checksum. */
    atomic_store_explicit(&rec[LOGRING_W_TAG], entry->pos, memory_order_release);
}

logring_status spin_reserve_ring_write_until(spin_reserve_ring *resv, const void *text, size_t text_len,
                                             const logring_meta *meta, uint64_t deadline_ns,
                                             uint64_t *seq_out) {
    spin_reserve_ring_entry entry;
    logring_status status = spin_reserve_ring_reserve_until(resv, text_len, meta, deadline_ns, &entry);
    if (status != LOGRING_OK) return status;
    spin_reserve_ring_fault(resv, LOGRING_FAULT_RESV_RESERVED, entry.seq);
    spin_reserve_ring_commit(resv, &entry, text);
    if (seq_out != NULL) *seq_out = entry.seq;
    return LOGRING_OK;
}

logring_status spin_reserve_ring_write(spin_reserve_ring *resv, const void *text, size_t text_len,
                                       const logring_meta *meta, uint64_t *seq_out) {
    return spin_reserve_ring_write_until(resv, text, text_len, meta, LOGRING_DEADLINE_NONE, seq_out);
}

logring_status spin_reserve_ring_read(spin_reserve_ring *resv, logring_cursor *cursor, void *buf,
                                      size_t buf_size, logring_record_info *info) {
    uint64_t capacity = resv->capacity;
    uint64_t pos = cursor->hint % 8 == 0 ? cursor->hint : spin_reserve_ring_load_tail(resv);
    for (;;) {
        _Atomic uint64_t *rec = spin_reserve_ring_slot(resv, pos);
        /* LMM(RESV-READ-TAG) Acquire: pairs with RESV-COMMIT (a committed tag brings the record's
           header, text and checksum) and with RESV-FENCE (a tag from a later lap brings the tail
           that reclaimed pos). */
        uint64_t tag = atomic_load_explicit(&rec[LOGRING_W_TAG], memory_order_acquire);
        if ((tag & ~LOGRING_TAG_BITS) != pos) {
            /* The slot holds another lap: pos is not reserved yet (or its header is not visible
               yet), or it was reclaimed. */
            uint64_t tail = spin_reserve_ring_load_tail(resv);
            if (tail <= pos) return LOGRING_E_NO_RECORD;
            pos = tail;
            continue;
        }
        if (tag & LOGRING_TAG_WRAP) {
            pos += capacity - pos % capacity;
            continue;
        }
        if (tag & LOGRING_TAG_BUSY) return LOGRING_E_NO_RECORD;

        uint64_t words[LOGRING_HDR_WORDS];
        words[LOGRING_W_TAG] = tag;
        for (int i = LOGRING_W_TAG + 1; i < LOGRING_HDR_WORDS; i++) {
            /* Relaxed: validated by RESV-READ-FENCE and the tail reload below. */
            words[i] = atomic_load_explicit(&rec[i], memory_order_relaxed);
        }
        struct logring_hdr hdr;
        logring_hdr_unpack(words, &hdr);
        bool fits = logring_hdr_fits(&hdr, pos % capacity, capacity);
        bool wanted = fits && hdr.seq >= cursor->seq;
        if (wanted) {
            size_t n = hdr.text_len < buf_size ? hdr.text_len : buf_size;
            logring_text_load_relaxed(&rec[LOGRING_HDR_WORDS], buf, n);
        }
        /* LMM(RESV-READ-FENCE) Pairs with RESV-FENCE: if any load above read a store of a writer
           that reclaimed pos, the tail load below sees that reclaim. */
        atomic_thread_fence(memory_order_acquire);
        /* Relaxed: ordered by RESV-READ-FENCE. */
        uint64_t tail = atomic_load_explicit(&resv->tail, memory_order_relaxed);
        if (tail > pos) {
            pos = tail; /* overwritten while we read it: start again at the oldest record */
            continue;
        }
        if (!fits) return LOGRING_E_CORRUPT;
        if (!wanted) {
            pos += hdr.len; /* walking from the tail to the cursor's seq */
            continue;
        }
        logring_info_fill(info, &hdr, buf_size);
        cursor->seq = hdr.seq + 1;
        cursor->hint = pos + hdr.len;
        return LOGRING_OK;
    }
}

bool spin_reserve_ring_trylock(spin_reserve_ring *resv) {
    return raw_spin_trylock(&resv->lock);
}

void spin_reserve_ring_unlock(spin_reserve_ring *resv) {
    raw_spin_unlock(&resv->lock);
}

uint64_t spin_reserve_ring_first_seq(spin_reserve_ring *resv) {
    /* Relaxed: a snapshot; orders nothing. */
    return atomic_load_explicit(&resv->first_seq, memory_order_relaxed);
}

uint64_t spin_reserve_ring_next_seq(spin_reserve_ring *resv) {
    /* Relaxed: a snapshot; orders nothing. */
    return atomic_load_explicit(&resv->next_seq, memory_order_relaxed);
}

void spin_reserve_ring_set_fault_hook(spin_reserve_ring *resv, logring_fault_hook hook, void *context) {
    resv->fault_hook = hook;
    resv->fault_context = context;
}
