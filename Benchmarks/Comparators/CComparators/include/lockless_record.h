/*
 * lockless_record.h - the checksummed record as the benchmark package stores it in the lockless
 * ring (CPrintkRing), written in C for what cannot run Swift: signal handlers (CPanicHarness) and
 * the benchmark's api=c rows. Swift writes the same layout once, in LocklessRing (Comparators).
 *
 * The record's text is the checksum (logring_record_checksum over the seq and the payload, 8 bytes
 * little-endian), then the payload. The ring has no checksum field and assigns the seq only at
 * reservation, so a writer hashes the payload first (before any ring work), reserves room for
 * 8 + n bytes, seals the hash with the seq it got, and appends checksum and payload.
 *
 * Every function here is async-signal-safe, never allocates and never waits.
 */
#ifndef LOCKLESS_RECORD_H
#define LOCKLESS_RECORD_H

#include "comparators.h"

#include <prb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** Bytes of checksum in front of the payload. */
#define LOCKLESS_RECORD_CHECKSUM_BYTES 8u

/** Stores the checksum little-endian in sum. */
static inline void lockless_record_seal(uint8_t sum[LOCKLESS_RECORD_CHECKSUM_BYTES], uint64_t payload_hash,
                                        uint64_t seq) {
    uint64_t checksum = logring_checksum_seal(payload_hash, seq);
    for (unsigned i = 0; i < LOCKLESS_RECORD_CHECKSUM_BYTES; i++) sum[i] = (uint8_t)(checksum >> (8 * i));
}

/**
 * Writes one record: prb_reserve for 8 + len bytes, the checksum appended with
 * prb_entry_append_word and the payload with prb_entry_append, then prb_final_commit (or, when final is false, prb_commit: the record stays
 * open for the next reservation to finalize). Returns prb_reserve's status; *seq_out (may be NULL)
 * gets the seq on PRB_OK.
 */
static inline prb_status lockless_record_write(prb_ring *ring, const void *payload, size_t len,
                                               const prb_meta *meta, bool final, uint64_t *seq_out) {
    uint64_t payload_hash = logring_checksum_payload(payload, len);
    prb_entry entry;
    prb_status status = prb_reserve(ring, &entry, LOCKLESS_RECORD_CHECKSUM_BYTES + len, meta);
    if (status != PRB_OK) return status;
    uint8_t sum[LOCKLESS_RECORD_CHECKSUM_BYTES];
    uint64_t sum_word;
    lockless_record_seal(sum, payload_hash, entry.seq);
    memcpy(&sum_word, sum, sizeof sum_word); /* the 8 bytes in order, appended as one word */
    prb_entry_append_word(&entry, sum_word);
    prb_entry_append(&entry, payload, len);
    if (final) {
        prb_final_commit(&entry);
    } else {
        prb_commit(&entry);
    }
    if (seq_out != NULL) *seq_out = entry.seq;
    return PRB_OK;
}

/** Fills text (room for 8 + len bytes) with the record's whole text for `seq`, for prb_write,
    which takes the text at once; returns its length. */
static inline size_t lockless_record_fill(uint8_t *text, uint64_t seq, const void *payload, size_t len) {
    lockless_record_seal(text, logring_checksum_payload(payload, len), seq);
    memcpy(text + LOCKLESS_RECORD_CHECKSUM_BYTES, payload, len);
    return LOCKLESS_RECORD_CHECKSUM_BYTES + len;
}

/**
 * Opens a record's text as read: its payload (*payload, *len) and the checksum its writer stored
 * (*checksum). False, with nothing set, when the text is too short to be such a record. Whether the
 * record is intact is then logring_record_checksum(seq, *payload, *len) == *checksum.
 */
static inline bool lockless_record_open(const uint8_t *text, size_t text_len, const uint8_t **payload,
                                        size_t *len, uint64_t *checksum) {
    if (text_len < LOCKLESS_RECORD_CHECKSUM_BYTES) return false;
    uint64_t sum = 0;
    for (unsigned i = 0; i < LOCKLESS_RECORD_CHECKSUM_BYTES; i++) sum |= (uint64_t)text[i] << (8 * i);
    *checksum = sum;
    *payload = text + LOCKLESS_RECORD_CHECKSUM_BYTES;
    *len = text_len - LOCKLESS_RECORD_CHECKSUM_BYTES;
    return true;
}

#endif /* LOCKLESS_RECORD_H */
