/*
 * comparators.h - the comparators the lockless printk-style ring (CPrintkRing) is measured
 * against. Each is small enough to be checked by eye; none is meant for production.
 *
 * The four comparators, and why each is here
 *
 *   spinlock_ring_*       The log buffer Linux used up to 5.9: one byte array of variable-size
 *                         records, first/next index and first/next seq, room made by dropping the
 *                         oldest records, and a raw test-and-test-and-set spinlock (the kernel's
 *                         logbuf_lock) around every write and every read. It is the design the
 *                         lockless ring replaced, so it is the main yardstick. It also carries the
 *                         old design's panic-time escape hatches: a write that only tries the lock
 *                         (what a signal handler, like an NMI, must do), a lock acquisition with a
 *                         deadline (a panic dump must never hang) and a lock bust (the old
 *                         kernel's zap_locks, which re-initialized logbuf_lock).
 *
 *   mutex_ring_*          The same buffer, the same code, guarded by a pthread mutex: what a
 *                         userspace logger usually does. Only the lock differs from
 *                         spinlock_ring_*.
 *
 *   spin_reserve_ring_*   Reserve under a short spinlock, copy outside it, commit with one release
 *                         store: the scheme of Linux's BPF ring buffer (kernel/bpf/ringbuf.c).
 *                         Unlike BPF, which refuses a record when the consumer is behind, it
 *                         overwrites the oldest records (as a log must), and fails only when the
 *                         oldest record is still being written. It shows what is left of the
 *                         lock's cost once the copy is outside it.
 *
 *   fetch_add_ring_*      One relaxed fetch_add on a byte counter, then a copy. No reader can trust
 *                         what it writes; it is only the physical limit of a multi-writer append.
 *
 * Records
 *
 *   All four store the same record: six 64-bit header words (a tag word holding the record's
 *   position and state bits, seq, timestamp, checksum, record length and text length, caller id
 *   with level, facility and flags), then the text, zero-padded to a multiple of 8 bytes.
 *   Records never straddle the end of the array: when one does not fit before the end, the
 *   writer leaves a wrap marker (a header word with the WRAP bit, standing in for the old
 *   kernel's zero-length header) and starts again at offset 0.
 *
 *   Seqs are assigned by the buffer, start at 0 and have no holes as written (fetch_add_ring_* has no
 *   seq: see there). A record whose whole size (header + padded text) exceeds a quarter of the
 *   capacity is refused with LOGRING_E_TOO_LARGE and changes nothing; the old printk truncated such
 *   a message at log_buf_len / 4 instead.
 *
 *   Every record carries a checksum computed by its writer (logring_record_checksum). A reader of
 *   spinlock_ring_* or mutex_ring_* needs it only after spinlock_ring_bust_lock;
 *   spin_reserve_ring_* readers validate their copies and never return a torn record;
 *   fetch_add_ring_* has no reader.
 *
 * Reading
 *
 *   Readers go forward with an logring_cursor (the seq wanted next plus, internally, where that record
 *   is), as the old kernel's syslog/console readers kept an (idx, seq) pair: following a cursor
 *   costs O(1) per record, while a cursor made by logring_cursor_at() finds its record by walking
 *   from the oldest one. A read returns the record with the wanted seq or, when that one has
 *   been dropped, the oldest one after it: logring_record_info.seq says which, so dropped records
 *   show up as a jump in seq. A text longer than the caller's buffer is cut and reported.
 *
 * Where the functions may be called
 *
 *   *_create and *_destroy allocate and free; call them up front and at the end. No write path
 *   allocates or makes a system call, except that mutex_ring_write sleeps in the kernel when the
 *   mutex is contended (which is what that comparator is there to show); the *_until functions
 *   read the clock. Everything else may be called from any thread; spinlock_ring_trylock_write,
 *   spinlock_ring_write_until, spinlock_ring_lock_until, spinlock_ring_read_locked,
 *   spinlock_ring_*_seq_locked, spinlock_ring_unlock, spinlock_ring_bust_lock,
 *   spin_reserve_ring_write_until, spin_reserve_ring_commit, spin_reserve_ring_read,
 *   spin_reserve_ring_*_seq, spin_reserve_ring_trylock, spin_reserve_ring_unlock and
 *   fetch_add_ring_write are also async-signal-safe (atomics, plain memory and prb_clock_ns only).
 *   Nothing in mutex_ring_* is.
 *
 * Fault injection
 *
 *   spinlock_ring, mutex_ring and spin_reserve_ring can freeze a writer at chosen points
 *   (logring_fault_point) through a hook installed per buffer, to play a writer stopped for good
 *   by a panic. Without a hook the write path pays one predictable branch on a field of the
 *   buffer per point; fetch_add_ring has none.
 */
#ifndef COMPARATORS_H
#define COMPARATORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Common types
 * ------------------------------------------------------------------------------------------- */

/** Smallest and largest capacity in bytes (capacities are rounded down to a multiple of 8). */
#define LOGRING_CAPACITY_MIN 256u
#define LOGRING_CAPACITY_MAX 0x80000000u

/** Bytes of header in front of every record's text. */
#define LOGRING_RECORD_HEADER_BYTES 48u

/** Outcome of the operations that can fail. Zero is success. */
typedef enum logring_status {
    LOGRING_OK = 0,
    /** The record (header + padded text) is larger than a quarter of the capacity; nothing changed. */
    LOGRING_E_TOO_LARGE = 1,
    /** spinlock_ring_trylock_write, *_write_until: the lock is held by someone else (until the deadline);
        nothing changed. */
    LOGRING_E_LOCK_UNAVAILABLE = 2,
    /** spin_reserve_ring_write: making room would overwrite the oldest record, which is still being written;
        nothing changed. */
    LOGRING_E_NO_SPACE = 3,
    /** Read: no record at or after the cursor yet (spin_reserve_ring_read: or the next one is still being
        written). The cursor is unchanged; try again later. */
    LOGRING_E_NO_RECORD = 4,
    /** spinlock_ring_* / mutex_ring_* read: the header at the cursor is not one a writer left there. Only
        possible when spinlock_ring_bust_lock let a reader race a writer. Nothing was copied; restart
        with logring_cursor_at(). */
    LOGRING_E_CORRUPT = 5,
} logring_status;

/** Record metadata a writer provides. */
typedef struct logring_meta {
    /** Timestamp in nanoseconds, as the caller chooses (the buffers never read a clock). */
    uint64_t ts_nsec;
    /** Identifies the writer (the kernel used the task id, or 0x80000000 + CPU). */
    uint32_t caller_id;
    /** Syslog level 0..7; higher bits are dropped, as in the old header's 3-bit field. */
    uint8_t level;
    uint8_t facility;
    uint8_t flags;
} logring_meta;

/** What a read found. */
typedef struct logring_record_info {
    /** The seq of the record read: larger than the cursor's seq when records were dropped. */
    uint64_t seq;
    uint64_t ts_nsec;
    /** The checksum its writer stored; compare with logring_record_checksum(seq, text, text_len). */
    uint64_t checksum;
    uint32_t caller_id;
    /** Length of the record's whole text. */
    uint32_t text_len;
    /** Bytes copied into the caller's buffer: the smaller of text_len and the buffer size. */
    uint32_t copied_len;
    uint8_t level;
    uint8_t facility;
    uint8_t flags;
    /** copied_len < text_len: the text was cut to fit the caller's buffer. */
    bool truncated;
} logring_record_info;

/** A reader's position: the seq it wants next and where that record is expected. */
typedef struct logring_cursor {
    /** The seq to read next. A read moves it to one past the record read. */
    uint64_t seq;
    /** Internal: the byte position of that record, or LOGRING_HINT_NONE. Leave it alone. */
    uint64_t hint;
} logring_cursor;

#define LOGRING_HINT_NONE UINT64_MAX

/** A cursor that reads seq next (or, if it has been dropped, the oldest record after it). */
static inline logring_cursor logring_cursor_at(uint64_t seq) {
    logring_cursor cursor = {seq, LOGRING_HINT_NONE};
    return cursor;
}

/* ---------------------------------------------------------------------------------------------
 * The record checksum, shared by every implementation (and, bit for bit, by LogChecksum in Swift)
 *
 * A word-at-a-time 64-bit hash, in two phases so that the costly part runs before a writer
 * knows its seq (outside any lock or reservation):
 *
 *   logring_checksum_payload  h = SEED ^ len * K3; then for each 8-byte little-endian word w of the
 *                        payload (the last one zero-filled when len is not a multiple of 8):
 *                        h = rotl(h + w * K2, 31) * K1
 *   logring_checksum_seal     one more round with w = seq, then a final avalanche
 *                        (h ^= h >> 33; h *= F1; h ^= h >> 33; h *= F2; h ^= h >> 33)
 *
 * The round is xxHash64's, the avalanche MurmurHash3's fmix64 (both public domain / BSD ideas,
 * nothing copied). It is a checksum against torn and misplaced records, not a cryptographic
 * hash: every byte of the payload, its length and the seq change it. About 5 cycles per 8 bytes.
 * ------------------------------------------------------------------------------------------- */

#define LOGRING_SUM_SEED UINT64_C(0x243f6a8885a308d3)
#define LOGRING_SUM_K1 UINT64_C(0x9e3779b185ebca87)
#define LOGRING_SUM_K2 UINT64_C(0xc2b2ae3d27d4eb4f)
#define LOGRING_SUM_K3 UINT64_C(0x165667b19e3779f9)
#define LOGRING_SUM_F1 UINT64_C(0xff51afd7ed558ccd)
#define LOGRING_SUM_F2 UINT64_C(0xc4ceb9fe1a85ec53)

/** One round of the checksum. */
static inline uint64_t logring_checksum_round(uint64_t hash, uint64_t word) {
    hash += word * LOGRING_SUM_K2;
    hash = (hash << 31) | (hash >> 33);
    return hash * LOGRING_SUM_K1;
}

/** The first phase: the payload's hash, before the seq is known. Pure; async-signal-safe. */
static inline uint64_t logring_checksum_payload(const void *payload, size_t len) {
    const uint8_t *bytes = (const uint8_t *)payload;
    uint64_t hash = LOGRING_SUM_SEED ^ ((uint64_t)len * LOGRING_SUM_K3);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t word;
        memcpy(&word, bytes + i, 8); /* an unaligned load */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        word = __builtin_bswap64(word);
#endif
        hash = logring_checksum_round(hash, word);
    }
    if (i < len) {
        uint64_t word = 0;
        for (size_t j = 0; i + j < len; j++) word |= (uint64_t)bytes[i + j] << (8 * j);
        hash = logring_checksum_round(hash, word);
    }
    return hash;
}

/** The second phase: mixes the seq into a payload hash; the result is the checksum. */
static inline uint64_t logring_checksum_seal(uint64_t payload_hash, uint64_t seq) {
    uint64_t hash = logring_checksum_round(payload_hash, seq);
    hash ^= hash >> 33;
    hash *= LOGRING_SUM_F1;
    hash ^= hash >> 33;
    hash *= LOGRING_SUM_F2;
    hash ^= hash >> 33;
    return hash;
}

/**
 * The checksum every writer stores: logring_checksum_seal(logring_checksum_payload(text, text_len), seq).
 * A reader recomputes it over the text it copied to tell a torn record. Pure; async-signal-safe.
 */
uint64_t logring_record_checksum(uint64_t seq, const void *text, size_t text_len);

/** Longest text a buffer created with capacity_bytes accepts (0 if that capacity is invalid). */
size_t logring_max_text_len(size_t capacity_bytes);

/* Every deadline here (deadline_ns, *_until) is in nanoseconds on prb_clock_ns(), the lockless
 * ring's own CLOCK_MONOTONIC clock (prb.h): one clock for the product and everything measured
 * against it. */

struct timespec;

/**
 * The CLOCK_REALTIME instant timeout_ns from now, for the POSIX timed waits that take one
 * (pthread_mutex_timedlock, sem_timedwait). A jump of the wall clock can only make such a wait
 * shorter or longer, never endless. Async-signal-safe.
 */
void logring_realtime_deadline(uint64_t timeout_ns, struct timespec *at);

/** Points in the write paths where a fault hook can freeze the writer. */
typedef enum logring_fault_point {
    /** spinlock_ring / mutex_ring write: the lock is held; nothing is stored yet. */
    LOGRING_FAULT_LOCKED = 1,
    /** spinlock_ring / mutex_ring write: the header and half of the text are stored; first/next index and
        seq are not moved yet (readers do not see the record). */
    LOGRING_FAULT_TEXT_PARTIAL = 2,
    /** spin_reserve_ring reserve: the reservation lock is held; nothing is stored yet. */
    LOGRING_FAULT_RESV_LOCKED = 3,
    /** spin_reserve_ring_write: the record is reserved (BUSY header published, lock released); its text is
        not copied yet. Readers stop at it. */
    LOGRING_FAULT_RESV_RESERVED = 4,
} logring_fault_point;

/**
 * Called at each fault point by every writer of the buffer it is installed on, with the seq the
 * record has (LOGRING_FAULT_LOCKED, LOGRING_FAULT_RESV_LOCKED: the seq it is about to get). It may block
 * for as long as it likes (that is the point) or return at once. It runs wherever the writer
 * runs, signal handlers included.
 */
typedef void (*logring_fault_hook)(void *context, logring_fault_point point, uint64_t seq);

/* ---------------------------------------------------------------------------------------------
 * spinlock_ring: the pre-5.10 printk buffer under a raw spinlock
 *
 * Every operation takes the spinlock (test-and-test-and-set with a pause loop) for its whole
 * duration; under it, the buffer is plain memory. A writer waits as long as any other holder
 * keeps the lock: a holder that is stopped for good (a killed thread, a CPU stopped by the panic
 * code) blocks every later write and read forever. That is the failure the lockless ring
 * removes; spinlock_ring_lock_until and spinlock_ring_bust_lock are what the old kernel did about it.
 * ------------------------------------------------------------------------------------------- */

typedef struct spinlock_ring spinlock_ring;

/** Creates an empty buffer of capacity_bytes (rounded down to a multiple of 8, within
    LOGRING_CAPACITY_MIN..LOGRING_CAPACITY_MAX). NULL if the capacity is out of range or memory is short. */
spinlock_ring *spinlock_ring_create(size_t capacity_bytes);

/** Frees the buffer. NULL is allowed. Nobody may be using it. */
void spinlock_ring_destroy(spinlock_ring *spin);

/**
 * Appends one record, dropping the oldest records until it fits. Spins until the lock is free.
 * Returns LOGRING_OK with its seq in *seq_out (seq_out may be NULL), or LOGRING_E_TOO_LARGE (nothing
 * changed). Never allocates, never makes a system call; never returns while another holder
 * keeps the lock.
 */
logring_status spinlock_ring_write(spinlock_ring *spin, const void *text, size_t text_len,
                                   const logring_meta *meta, uint64_t *seq_out);

/**
 * spinlock_ring_write, but only tries the lock once: returns LOGRING_E_LOCK_UNAVAILABLE (nothing changed)
 * when it is held. For signal handlers, which may have interrupted the holder. Never waits.
 */
logring_status spinlock_ring_trylock_write(spinlock_ring *spin, const void *text, size_t text_len,
                                           const logring_meta *meta, uint64_t *seq_out);

/**
 * spinlock_ring_write, but spins on the lock only until prb_clock_ns() reaches deadline_ns: then it
 * returns LOGRING_E_LOCK_UNAVAILABLE (nothing changed). A panic path's write, which must never hang
 * (its lock may be held by a writer that will never return, or by the very thread it interrupted).
 */
logring_status spinlock_ring_write_until(spinlock_ring *spin, const void *text, size_t text_len,
                                         const logring_meta *meta, uint64_t deadline_ns, uint64_t *seq_out);

/**
 * Copies the record at cursor->seq, or the oldest one after it if it was dropped, into buf (up
 * to buf_size bytes) and describes it in *info; moves the cursor past it. Takes the lock.
 * Returns LOGRING_OK, LOGRING_E_NO_RECORD (nothing at or after the cursor yet) or LOGRING_E_CORRUPT (see
 * logring_status).
 */
logring_status spinlock_ring_read(spinlock_ring *spin, logring_cursor *cursor, void *buf, size_t buf_size,
                                  logring_record_info *info);

/** The oldest seq still held (equal to spinlock_ring_next_seq when empty). Takes the lock. */
uint64_t spinlock_ring_first_seq(spinlock_ring *spin);

/** The seq the next record will get. Takes the lock. */
uint64_t spinlock_ring_next_seq(spinlock_ring *spin);

/**
 * Takes the lock, spinning until prb_clock_ns() reaches deadline_ns.
 * Returns true with the lock held (read with spinlock_ring_read_locked, release with spinlock_ring_unlock),
 * or false at the deadline without it. For a panic dump, which must never hang.
 */
bool spinlock_ring_lock_until(spinlock_ring *spin, uint64_t deadline_ns);

/** Releases the lock taken by spinlock_ring_lock_until. */
void spinlock_ring_unlock(spinlock_ring *spin);

/** spinlock_ring_read for a caller that holds the lock (spinlock_ring_lock_until returned true). */
logring_status spinlock_ring_read_locked(spinlock_ring *spin, logring_cursor *cursor, void *buf,
                                         size_t buf_size, logring_record_info *info);

/** spinlock_ring_first_seq and spinlock_ring_next_seq for a caller that holds the lock. */
uint64_t spinlock_ring_first_seq_locked(spinlock_ring *spin);
uint64_t spinlock_ring_next_seq_locked(spinlock_ring *spin);

/**
 * Re-initializes the lock to "free" whoever holds it, as the old kernel's zap_locks() and
 * printk_safe_flush_on_panic() did. Meant for a panic dump after spinlock_ring_lock_until failed.
 *
 * This makes the buffer racy BY DESIGN: if the old holder is not stopped for good, it goes on
 * reading and writing the plain buffer memory while the new holder does too. That is a data
 * race (undefined behavior in C11, reported by ThreadSanitizer), and it is the point of the
 * comparison: it is what the old design risked at panic time. Readers stay within the buffer
 * (headers are checked before use and give LOGRING_E_CORRUPT), but the text they copy may be torn:
 * check it with logring_record_checksum. A writer that finds a damaged header forgets all records.
 */
void spinlock_ring_bust_lock(spinlock_ring *spin);

/** Installs (or, with NULL, removes) a fault hook: LOGRING_FAULT_LOCKED and LOGRING_FAULT_TEXT_PARTIAL. For
    tests and the panic scenarios; install it before writers start. */
void spinlock_ring_set_fault_hook(spinlock_ring *spin, logring_fault_hook hook, void *context);

/* ---------------------------------------------------------------------------------------------
 * mutex_ring: the same buffer under a pthread mutex
 *
 * Identical to spinlock_ring_* except that a waiter sleeps in the kernel instead of spinning. Not for
 * signal handlers (pthread mutexes are not async-signal-safe). It has deadlines but no bust:
 * re-initializing a locked pthread mutex is undefined behavior.
 * ------------------------------------------------------------------------------------------- */

typedef struct mutex_ring mutex_ring;

/** As spinlock_ring_create. */
mutex_ring *mutex_ring_create(size_t capacity_bytes);

/** As spinlock_ring_destroy. */
void mutex_ring_destroy(mutex_ring *mutex);

/** As spinlock_ring_write; blocks (sleeping) while another thread holds the mutex. */
logring_status mutex_ring_write(mutex_ring *mutex, const void *text, size_t text_len,
                                const logring_meta *meta, uint64_t *seq_out);

/** As spinlock_ring_read. */
logring_status mutex_ring_read(mutex_ring *mutex, logring_cursor *cursor, void *buf, size_t buf_size,
                               logring_record_info *info);

/** As spinlock_ring_first_seq. */
uint64_t mutex_ring_first_seq(mutex_ring *mutex);

/** As spinlock_ring_next_seq. */
uint64_t mutex_ring_next_seq(mutex_ring *mutex);

/** As spinlock_ring_write_until: gives up at deadline_ns with LOGRING_E_LOCK_UNAVAILABLE (nothing
    changed). */
logring_status mutex_ring_write_until(mutex_ring *mutex, const void *text, size_t text_len,
                                      const logring_meta *meta, uint64_t deadline_ns, uint64_t *seq_out);

/** As spinlock_ring_lock_until, sleeping instead of spinning (pthread_mutex_timedlock). */
bool mutex_ring_lock_until(mutex_ring *mutex, uint64_t deadline_ns);

/** Releases the mutex taken by mutex_ring_lock_until. */
void mutex_ring_unlock(mutex_ring *mutex);

/** As spinlock_ring_read_locked, spinlock_ring_first_seq_locked and spinlock_ring_next_seq_locked. */
logring_status mutex_ring_read_locked(mutex_ring *mutex, logring_cursor *cursor, void *buf, size_t buf_size,
                                      logring_record_info *info);
uint64_t mutex_ring_first_seq_locked(mutex_ring *mutex);
uint64_t mutex_ring_next_seq_locked(mutex_ring *mutex);

/** As spinlock_ring_set_fault_hook. */
void mutex_ring_set_fault_hook(mutex_ring *mutex, logring_fault_hook hook, void *context);

/* ---------------------------------------------------------------------------------------------
 * spin_reserve_ring: reserve under a short spinlock, copy outside it, commit with a release store
 *
 * Protocol (positions are byte offsets that only grow; a record at position p lives at offset
 * p % capacity, and its tag word holds p itself, so a reader can tell which lap a slot holds):
 *
 *   write   Under the spinlock: reclaim the oldest records until the new one fits (stop with
 *           LOGRING_E_NO_SPACE at one whose tag still has BUSY); publish the new tail (release);
 *           a release fence; a wrap marker if the record would straddle the end; the header
 *           with tag = p | BUSY; advance head and next_seq. Unlock. Then, outside the lock,
 *           copy the text and checksum with relaxed word stores and commit: a release store of
 *           tag = p (BUSY cleared).
 *   read    Without the lock: acquire-load the tag at the expected position p. A tag from
 *           another lap means p is not reserved yet (LOGRING_E_NO_RECORD) or was reclaimed (restart
 *           at the tail: a gap); BUSY means stop (LOGRING_E_NO_RECORD); otherwise copy header and text
 *           with relaxed loads, then an acquire fence and a reload of the tail: if the tail has
 *           passed p, a writer may have overwritten what was copied, so restart at the tail.
 *
 * Memory-barrier pairs (labels in spin_reserve_ring.c):
 *   RESV-COMMIT (release store of tag)  -> RESV-READ-TAG (reader sees text and checksum) and
 *                                          RESV-RECLAIM (writer overwrites only finished text)
 *   RESV-FENCE (release fence after the
 *     tail store, before ring stores)   -> RESV-READ-FENCE (a reader that read anything a later
 *                                          writer stored also sees the tail that freed it) and
 *                                          RESV-READ-TAG (a newer lap's tag implies a newer tail)
 *   RESV-TAIL (release store of tail)   -> RESV-READ-TAIL (a reader starting at the tail sees the
 *                                          headers of the records reserved before it; this pair is
 *                                          for progress only: without it a reader could report
 *                                          LOGRING_E_NO_RECORD for a record that is there, never a
 *                                          wrong one)
 *
 * Readers never block writers and never return a torn record; under constant overwriting a
 * reader may have to restart. A writer stopped between reserve and commit makes later writes
 * fail with LOGRING_E_NO_SPACE once the ring has wrapped onto its record, and readers stop there.
 * ------------------------------------------------------------------------------------------- */

typedef struct spin_reserve_ring spin_reserve_ring;

/** As spinlock_ring_create. */
spin_reserve_ring *spin_reserve_ring_create(size_t capacity_bytes);

/** As spinlock_ring_destroy. */
void spin_reserve_ring_destroy(spin_reserve_ring *resv);

/**
 * Appends one record (spin_reserve_ring_reserve, then spin_reserve_ring_commit), overwriting the
 * oldest records it needs the room of. Spins on the lock only while another writer reserves.
 * Returns LOGRING_OK with the seq in *seq_out (may be NULL),
 * LOGRING_E_TOO_LARGE or LOGRING_E_NO_SPACE (nothing changed in either case). Never allocates, never makes
 * a system call.
 */
logring_status spin_reserve_ring_write(spin_reserve_ring *resv, const void *text, size_t text_len,
                                       const logring_meta *meta, uint64_t *seq_out);

/** spin_reserve_ring_write, but spins on the reservation lock only until deadline_ns: then it returns
    LOGRING_E_LOCK_UNAVAILABLE (nothing changed). Async-signal-safe. */
logring_status spin_reserve_ring_write_until(spin_reserve_ring *resv, const void *text, size_t text_len,
                                             const logring_meta *meta, uint64_t deadline_ns,
                                             uint64_t *seq_out);

/** A reserved record, between spin_reserve_ring_reserve and spin_reserve_ring_commit. Fields are for
    reading. */
typedef struct spin_reserve_ring_entry {
    uint64_t pos;      /**< byte position of the record */
    uint64_t seq;      /**< its seq */
    uint32_t text_len; /**< bytes of text spin_reserve_ring_commit will copy */
} spin_reserve_ring_entry;

/**
 * The first half of spin_reserve_ring_write (BPF's bpf_ringbuf_reserve): takes the lock, makes room,
 * writes the header with BUSY set, and releases the lock. Returns LOGRING_OK and fills *entry, or
 * LOGRING_E_TOO_LARGE / LOGRING_E_NO_SPACE (nothing changed). The entry must be committed exactly once;
 * until then readers stop at it and, once the ring has wrapped onto it, every reservation fails.
 * That is the writer a panic has stopped; tests use this pair to play it.
 */
logring_status spin_reserve_ring_reserve(spin_reserve_ring *resv, size_t text_len, const logring_meta *meta,
                                         spin_reserve_ring_entry *entry);

/** The second half (BPF's bpf_ringbuf_submit): copies entry->text_len bytes of text and the
    checksum, then commits with one release store. No lock; never waits. */
void spin_reserve_ring_commit(spin_reserve_ring *resv, const spin_reserve_ring_entry *entry,
                              const void *text);

/**
 * As spinlock_ring_read, without any lock: never blocks writers, never waits. Returns LOGRING_OK,
 * LOGRING_E_NO_RECORD (nothing at or after the cursor yet, or the next record is still being
 * written), or LOGRING_E_CORRUPT (a committed, unreclaimed header that makes no sense: memory damage,
 * never expected). On any status but LOGRING_OK, *info and the cursor are unchanged, but buf may have
 * been written to. Async-signal-safe.
 */
logring_status spin_reserve_ring_read(spin_reserve_ring *resv, logring_cursor *cursor, void *buf,
                                      size_t buf_size, logring_record_info *info);

/**
 * One attempt at the reservation lock: true with it held (release it with spin_reserve_ring_unlock),
 * false when a writer holds it. Never waits. For a panic path's one look at the lock (the try-once
 * dump mode); writes take the lock themselves. Async-signal-safe.
 */
bool spin_reserve_ring_trylock(spin_reserve_ring *resv);

/** Releases the reservation lock taken by spin_reserve_ring_trylock. */
void spin_reserve_ring_unlock(spin_reserve_ring *resv);

/** The oldest seq not yet reclaimed (a snapshot). */
uint64_t spin_reserve_ring_first_seq(spin_reserve_ring *resv);

/** The seq the next reservation will get (a snapshot). */
uint64_t spin_reserve_ring_next_seq(spin_reserve_ring *resv);

/** As spinlock_ring_set_fault_hook: LOGRING_FAULT_RESV_LOCKED (in spin_reserve_ring_reserve and the
    writes) and LOGRING_FAULT_RESV_RESERVED (in spin_reserve_ring_write and
    spin_reserve_ring_write_until, between reserve and commit). */
void spin_reserve_ring_set_fault_hook(spin_reserve_ring *resv, logring_fault_hook hook, void *context);

/* ---------------------------------------------------------------------------------------------
 * fetch_add_ring: one fetch_add and a copy - the physical limit of a multi-writer append
 *
 * A writer takes [head, head + size) with one relaxed fetch_add on the head counter and copies
 * its record there (modulo the capacity) with relaxed word stores. When the range would straddle
 * the end, the writer leaves a wrap marker and takes a fresh range, so a writer does a second
 * fetch_add about once per lap. Nothing orders or protects anything: a writer a whole lap ahead
 * overwrites a record still being copied, and nobody can tell a finished record from a half-
 * written one. READERS CANNOT TRUST THIS BUFFER, so there is no reader. There is no seq either
 * (a seq counter would be a second shared atomic): a record is named by its byte position.
 * ------------------------------------------------------------------------------------------- */

typedef struct fetch_add_ring fetch_add_ring;

/** As spinlock_ring_create. */
fetch_add_ring *fetch_add_ring_create(size_t capacity_bytes);

/** As spinlock_ring_destroy. */
void fetch_add_ring_destroy(fetch_add_ring *fadd);

/**
 * Appends one record. Returns LOGRING_OK with its byte position in *pos_out (unique and increasing
 * per writer, not dense; may be NULL), or LOGRING_E_TOO_LARGE (nothing changed). Never waits, never
 * allocates, never makes a system call. Async-signal-safe.
 */
logring_status fetch_add_ring_write(fetch_add_ring *fadd, const void *text, size_t text_len,
                                    const logring_meta *meta, uint64_t *pos_out);

/** Bytes taken from the head counter so far (records and padding). A snapshot. */
uint64_t fetch_add_ring_head(fetch_add_ring *fadd);

#ifdef __cplusplus
}
#endif

#endif /* COMPARATORS_H */
