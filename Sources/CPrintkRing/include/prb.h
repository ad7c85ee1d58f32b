/*
 * prb.h - a lockless, multi-writer ring buffer for log records, modeled on the Linux kernel's
 * printk ringbuffer (kernel/printk/printk_ringbuffer.c, Linux 5.10 and its fixes up to 2025).
 *
 * What it guarantees
 *   - Writers never block and never wait for each other or for readers. A reservation either
 *     succeeds or fails at once (and the failure is counted); no lock is ever taken.
 *   - Readers never write to the ring and never block writers. A reader never returns a torn
 *     record: every copy is validated after the fact, and a record that was overwritten while it
 *     was being copied is reported as lost. Records overwritten before a reader got to them
 *     show up as gaps in the sequence numbers, which prb_reader counts.
 *   - A writer stuck forever in the middle of a record (killed, frozen, or interrupted by the
 *     code that now wants to dump the log) stops nobody: other writers go on until the ring wraps
 *     onto the stuck record, and a reader in panic mode skips it and reads everything finalized
 *     after it.
 *
 * Where it may be called
 *   - prb_reserve, prb_entry_*, prb_commit, prb_final_commit, prb_reserve_in_last and prb_write
 *     are async-signal-safe: no lock, no allocation, no system call other than
 *     clock_gettime(CLOCK_MONOTONIC) (which POSIX lists as async-signal-safe). A signal handler
 *     may write while the thread it interrupted is in the middle of its own record.
 *   - The readers (prb_read*, prb_reader_*, prb_*_seq) are async-signal-safe too.
 *   - prb_ring_create / prb_ring_format / prb_ring_attach / prb_ring_attach_read_only /
 *     prb_ring_destroy allocate a small handle with malloc and are not async-signal-safe: call
 *     them once, up front.
 *
 * Memory
 *   All ring state lives in one contiguous, position-independent region (indices only, no
 *   pointers), so the region may be placed in shared memory and read by another process.
 *   prb_ring_required_bytes() says how large it must be: 512 + 128 x 2^desc_bits + 2^data_bits
 *   bytes, of which 64 per descriptor hold device-info strings; a ring formatted with
 *   PRB_RING_NO_DEV_INFO has none and needs 512 + 64 x 2^desc_bits + 2^data_bits. The handle
 *   (prb_ring) is process-local.
 *
 * Hostile memory
 *   A region shared with another process (a ring file, an attached mapping) may be damaged at any
 *   time by a buggy or malicious writer. Every index taken from the region is masked to its array
 *   (descriptor slots by id or seq, data words by lpos), every block's positions are checked
 *   against the ring's geometry before a byte is copied (aligned, inside one wrap or wrapping
 *   once, at most half the ring, at least as large as the text length claimed), and every loop
 *   over shared state has a bound. Damage gives lost records, a reader that stops early, or
 *   failed writes (PRB_E_NO_DESCRIPTOR, PRB_E_NO_SPACE, PRB_E_CANNOT_EXTEND): never an access or
 *   a store outside the region, never an endless loop. On a sound ring none of the bounds is
 *   ever reached. The bounds, for a region that nobody writes meanwhile (a process that keeps
 *   writing can delay any lock-free algorithm as long as it keeps writing, exactly like
 *   contention, and is treated like it):
 *     prb_first_seq          two rounds: the same tail and state word read twice means damage;
 *                            it then answers the seq the tail id implies, kept within one ring
 *                            behind the head. A tail record whose seq is not its id's is damage.
 *     prb_read_valid,        one step per record: a lost or damaged record is one whose slot
 *     prb_reader_next        holds exactly that seq (at most 2^desc_bits in a row); the panic
 *                            skip starts at most one ring behind the head and stops at the head.
 *     prb_next_seq           the same walk, from a cached seq it checks against the head (a
 *                            cache damaged to less than a ring ahead can make the answer up to
 *                            a ring too large).
 *     prb_reserve (data)     the tail walk takes one step per descriptor whose block starts where
 *                            the walk stands, each step forward and less than a ring long: at
 *                            most 2^desc_bits steps.
 *     desc_read, the CAS retries of every writer: repeat only when another process changed the
 *                            word in between: once at most on a region nobody writes.
 *
 * Records
 *   A record is a sequence number (assigned by the ring, starting at 0), metadata (timestamp,
 *   level, facility, flags, caller id, device-info strings) and up to prb_max_text_size() bytes
 *   of text. A record moves through these states (see prb.c for who moves it):
 *
 *       reserved --commit--> committed --(next reserve | own commit sees newer)--> finalized
 *          |                     |  ^                                                  |
 *          +----final commit-----|--|------------------------------------------------->+
 *                                |  |                                                  |
 *                                +--+ reopened by prb_reserve_in_last        recycled: reusable
 *
 *   Only finalized records are visible to readers; a reader in panic mode also reads committed
 *   ones (as the kernel's panic CPU does), and drops its copy if the record was reopened under it.
 */
#ifndef PRB_H
#define PRB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Limits and status codes
 * ------------------------------------------------------------------------------------------- */

/** Smallest and largest descriptor-ring size, as a power of two (4 .. 16M descriptors). */
#define PRB_DESC_BITS_MIN 2
#define PRB_DESC_BITS_MAX 24
/** Smallest and largest data-ring size, as a power of two (64 bytes .. 4 GiB). */
#define PRB_DATA_BITS_MIN 6
#define PRB_DATA_BITS_MAX 32

/** Length of the device-info strings, including the terminating NUL (as in the kernel). */
#define PRB_SUBSYSTEM_LEN 16
#define PRB_DEVICE_LEN 48

/** Outcome of the operations that can fail. Zero is success. */
typedef enum prb_status {
    PRB_OK = 0,
    /** desc_bits or data_bits out of range, or unknown layout flags; nothing was done. */
    PRB_E_INVALID_SIZE = 1,
    /** The record is larger than prb_max_text_size(); nothing in the ring was touched. */
    PRB_E_TOO_LARGE = 2,
    /** No descriptor could be reserved: the oldest one is still being written. Counted. */
    PRB_E_NO_DESCRIPTOR = 3,
    /** A descriptor (and so a seq) was reserved but no text space could be had: the oldest data
        block is still being written. The seq is committed as a lost record; readers see a gap. */
    PRB_E_NO_SPACE = 4,
    /** prb_reserve_in_last: the newest record is not this caller's committed record, or it can no
        longer grow (finalized, or its data block is no longer the newest), or the ring takes over
        dead writers' records (a ring file), where records are never reopened. Nothing changed. */
    PRB_E_CANNOT_EXTEND = 5,
    /** prb_ring_attach / prb_ring_format: the memory is too small, misaligned, or not a ring of
        this layout version. */
    PRB_E_BAD_MEMORY = 6,
    /** Out of memory while creating a handle. */
    PRB_E_NO_MEMORY = 7,
    /** An entry was used after it was committed, or was never reserved. */
    PRB_E_BAD_ENTRY = 8,
    /* Ring files (prb_file.h). */
    /** A system call failed; errno says why (ENOENT, EACCES, EEXIST, ENOSPC...). */
    PRB_E_IO = 9,
    /** Not a regular file (a symlink, FIFO, device, directory), or another user's file opened for
        writing without PRB_FILE_ALLOW_OTHER_OWNER. */
    PRB_E_FILE_UNSAFE = 10,
    /** The file does not begin with a ring file's magic. */
    PRB_E_NOT_A_RING_FILE = 11,
    /** A ring file written on a machine of the other byte order. */
    PRB_E_FILE_BYTE_ORDER = 12,
    /** A ring file written with another word size. */
    PRB_E_FILE_WORD_SIZE = 13,
    /** A ring file of a format version this code does not read. */
    PRB_E_FILE_VERSION = 14,
    /** The header's checksum does not match, or its fields disagree with each other. */
    PRB_E_FILE_HEADER = 15,
    /** The file is shorter than its header says. */
    PRB_E_FILE_TRUNCATED = 16,
    /** The file is longer than its header says. */
    PRB_E_FILE_SIZE = 17,
    /** A writing call (prb_reserve, prb_reserve_in_last, prb_write) on a read-only handle
        (prb_ring_attach_read_only, a ring file opened without PRB_FILE_WRITE): refused at once,
        nothing in the ring was touched. */
    PRB_E_READ_ONLY = 18,
    /** prb_file_open for writing: every process slot of the file's writer table is held by a live
        writer (prb_file.h). */
    PRB_E_NO_WRITER_SLOT = 19,
} prb_status;

/** Returns a static, human-readable description of a status code. */
const char *prb_status_string(prb_status status);

/* ---------------------------------------------------------------------------------------------
 * Creating a ring
 * ------------------------------------------------------------------------------------------- */

/** A ring handle: process-local, created by prb_ring_create, prb_ring_format or prb_ring_attach. */
typedef struct prb_ring prb_ring;

/**
 * Layout flag (the flags argument of the _ex functions): the ring keeps no device-info strings,
 * which saves 64 of the 128 bytes per descriptor. On such a ring prb_entry_set_dev_info does
 * nothing (the record is written without device info, as if it had not been called) and readers
 * return empty device-info strings. The region's header records the flag; prb_ring_attach
 * reads it from there.
 */
#define PRB_RING_NO_DEV_INFO 0x1u
/** Every layout flag this code knows; any other bit is refused (PRB_E_INVALID_SIZE, or
    PRB_E_BAD_MEMORY from a region's header). */
#define PRB_RING_FLAGS_KNOWN PRB_RING_NO_DEV_INFO

/**
 * Bytes of region a ring with 2^desc_bits descriptors and 2^data_bits bytes of text needs, or 0
 * when the sizes are out of range: 512 + 128 x 2^desc_bits + 2^data_bits. The region must be
 * 64-byte aligned. The same as prb_ring_required_bytes_ex with flags 0.
 */
size_t prb_ring_required_bytes(unsigned desc_bits, unsigned data_bits);

/** Bytes of region for a ring of these sizes and layout flags (PRB_RING_NO_DEV_INFO: 512 + 64 x
    2^desc_bits + 2^data_bits), or 0 when the sizes are out of range or a flag is unknown. */
size_t prb_ring_required_bytes_ex(unsigned desc_bits, unsigned data_bits, unsigned flags);

/** Creates a ring in memory it allocates itself (zeroed, 64-byte aligned). NULL on failure,
    with the reason in *status when status is not NULL. prb_ring_create_ex with flags 0. */
prb_ring *prb_ring_create(unsigned desc_bits, unsigned data_bits, prb_status *status);

/** prb_ring_create with layout flags (PRB_RING_NO_DEV_INFO); PRB_E_INVALID_SIZE for unknown ones. */
prb_ring *prb_ring_create_ex(unsigned desc_bits, unsigned data_bits, unsigned flags, prb_status *status);

/**
 * Formats caller-provided memory (at least prb_ring_required_bytes(), 64-byte aligned) as an
 * empty ring and returns a handle to it. The memory is not freed by prb_ring_destroy.
 * prb_ring_format_ex with flags 0.
 */
prb_ring *prb_ring_format(void *memory, size_t bytes, unsigned desc_bits, unsigned data_bits,
                          prb_status *status);

/** prb_ring_format with layout flags (PRB_RING_NO_DEV_INFO), recorded in the region's header; the
    memory must hold prb_ring_required_bytes_ex() bytes. PRB_E_INVALID_SIZE for unknown flags. */
prb_ring *prb_ring_format_ex(void *memory, size_t bytes, unsigned desc_bits, unsigned data_bits,
                             unsigned flags, prb_status *status);

/**
 * Attaches to memory that already holds a ring formatted by prb_ring_format (for example a shared
 * mapping written by another process). Checks the magic number, layout version, sizes and layout
 * flags before trusting anything (unknown flags, or flags and sizes that do not give the size the
 * header records, are damage); a foreign or damaged region gives PRB_E_BAD_MEMORY.
 */
prb_ring *prb_ring_attach(void *memory, size_t bytes, prb_status *status);

/**
 * Attaches like prb_ring_attach, for reading only: the memory may be mapped PROT_READ. Every read
 * function works on the handle, and the writing calls (prb_reserve, prb_reserve_in_last,
 * prb_write) return PRB_E_READ_ONLY at once without touching the ring. (prb_commit,
 * prb_final_commit, prb_entry_append and prb_entry_set_dev_info act only on an entry that one of
 * those calls filled, so they cannot be reached through a read-only handle.)
 */
prb_ring *prb_ring_attach_read_only(const void *memory, size_t bytes, prb_status *status);

/** Marks a handle read-only, as prb_ring_attach_read_only does (there is no way back). Call it
    before any thread writes through the handle (it is a plain field). */
void prb_ring_set_read_only(prb_ring *ring);

/** Whether writes through this handle are refused with PRB_E_READ_ONLY. */
bool prb_ring_is_read_only(const prb_ring *ring);

/** Frees the handle, and the region too if prb_ring_create allocated it. NULL is allowed. */
void prb_ring_destroy(prb_ring *ring);

unsigned prb_ring_desc_bits(const prb_ring *ring);
unsigned prb_ring_data_bits(const prb_ring *ring);
/** The layout flags the region was formatted with (PRB_RING_NO_DEV_INFO, or 0). */
unsigned prb_ring_flags(const prb_ring *ring);
/** The region's base address and size. */
void *prb_ring_memory(const prb_ring *ring);
size_t prb_ring_memory_bytes(const prb_ring *ring);

/**
 * Largest text a single record can hold: half the data ring minus the 8-byte block header.
 * (A block, header included, may fill at most half of the data ring; see prb.c on why.)
 */
size_t prb_max_text_size(const prb_ring *ring);

/* ---------------------------------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------------------------------- */

/** Record metadata a writer provides. Zero-initialize and fill in what you need. */
typedef struct prb_meta {
    /** Nanoseconds on CLOCK_MONOTONIC. Used as given when it is nonzero or has_timestamp is
        set; otherwise (a zero-initialized prb_meta) the clock is read at reservation. */
    uint64_t timestamp_ns;
    /** Identifies the writer (the kernel uses the task id, or 0x80000000 + CPU in interrupt
        context). prb_reserve_in_last extends only a record with the same caller id. */
    uint32_t caller_id;
    uint8_t level;    /**< syslog level, 0..7 */
    uint8_t facility; /**< syslog facility */
    uint8_t flags;    /**< free for the user, 5 bits used by the kernel */
    /** Nonzero: timestamp_ns is the record's timestamp even when it is 0. */
    uint8_t has_timestamp;
} prb_meta;

/**
 * A writer's handle on a reserved record. Lives on the writer's stack; plain data, no pointers
 * into ring memory other than the ring handle. Fields are for reading only.
 */
typedef struct prb_entry {
    prb_ring *ring;
    /** Descriptor id (descriptor index plus a wrap count). */
    uint64_t id;
    /** The record's sequence number. */
    uint64_t seq;
    /** Index (in 64-bit words) of the first text word in the data ring. */
    uint64_t text_word;
    /** Bytes of text the record may hold. */
    uint32_t capacity;
    /** Bytes of text written so far (prb_entry_append moves it). */
    uint32_t text_len;
    /** The caller id the record carries (from prb_meta, or prb_reserve_in_last). */
    uint32_t caller_id;
    /** 1 while the entry holds a reservation, 0 after commit. */
    uint32_t active;
    /** Rings with dead-writer recovery (ring files): the thread slot holding this record's
        intent, and what the slot's provider needs back when the record is committed. */
    void *intent_slot;
    uint64_t intent_token;
} prb_entry;

/**
 * Reserves a new record with room for text_size bytes of text and sets its metadata (meta may
 * be NULL: all zero, clock read now). Transition: a reusable (or never used) descriptor becomes
 * `reserved`; the previous record, if merely committed, becomes `finalized`.
 *
 * Never waits. Returns PRB_OK and fills *entry; or
 *   PRB_E_TOO_LARGE     text_size > prb_max_text_size(); nothing touched;
 *   PRB_E_NO_DESCRIPTOR the descriptor ring is full of records still being written (counted);
 *   PRB_E_NO_SPACE      the data ring is full of records still being written: the seq was used
 *                       for a record without text, committed at once, that readers see as lost;
 *   PRB_E_READ_ONLY     a read-only handle; nothing touched.
 * text_size 0 makes an empty record (no data block).
 */
prb_status prb_reserve(prb_ring *ring, prb_entry *entry, size_t text_size, const prb_meta *meta);

/** Appends up to len bytes of text; returns the number copied (less than len only when the
    reservation is full). Async-signal-safe. */
size_t prb_entry_append(prb_entry *entry, const void *bytes, size_t len);

/** Appends the 8 bytes of `word` as they lie in memory (the host's byte order), exactly as
    prb_entry_append(entry, &word, 8) does; returns the number copied. Cheaper when the text so far
    is a whole number of words (one store, no copy loop): a binary header's timestamp or id.
    Async-signal-safe. */
size_t prb_entry_append_word(prb_entry *entry, uint64_t word);

/** Sets the device-info strings (truncated to 15 and 47 bytes). NULL leaves a string empty. On a
    ring without device-info storage (PRB_RING_NO_DEV_INFO) it does nothing: the record has no
    device info, and readers return empty strings, as for a record that never set any. */
void prb_entry_set_dev_info(prb_entry *entry, const char *subsystem, const char *device);

/**
 * Commits the record: reserved -> committed. A committed record is not yet visible to readers
 * (except panic-mode readers) and may still be extended by prb_reserve_in_last with the same caller id; it becomes
 * finalized (visible) when the next record is reserved, or here at once when a newer record
 * already exists.
 */
prb_status prb_commit(prb_entry *entry);

/** Commits and finalizes the record: reserved -> finalized. It is visible to readers at once and
    can no longer be extended. */
prb_status prb_final_commit(prb_entry *entry);

/**
 * Reopens the newest record for more text, if it is committed (not finalized) and was written
 * with caller_id: committed -> reserved. Its text grows by `additional` bytes (the block may move
 * so that it wraps to the start of the data ring; the text written so far moves with it), up to
 * max_total bytes of text in all. On PRB_OK, entry->text_len is the text already there and
 * appends continue after it; commit or final-commit as usual.
 * Fails with PRB_E_CANNOT_EXTEND (nothing changed) or PRB_E_TOO_LARGE; if the record was
 * reopened but the data ring could not grow, it is committed again unchanged and
 * PRB_E_NO_SPACE is returned.
 */
prb_status prb_reserve_in_last(prb_ring *ring, prb_entry *entry, uint32_t caller_id,
                               size_t additional, size_t max_total);

/** Writes one complete record (reserve, copy, final commit). *seq_out gets its seq on success
    and on PRB_E_NO_SPACE (the lost record's seq); seq_out may be NULL. */
prb_status prb_write(prb_ring *ring, const void *text, size_t len, const prb_meta *meta,
                     uint64_t *seq_out);

/** CLOCK_MONOTONIC in nanoseconds: the clock records are stamped with. */
uint64_t prb_clock_ns(void);

/* ---------------------------------------------------------------------------------------------
 * Reading
 * ------------------------------------------------------------------------------------------- */

/** A record's metadata as a reader sees it. */
typedef struct prb_record_info {
    uint64_t seq;
    uint64_t timestamp_ns;
    /** Full text length. Larger than the reader's buffer means the copy was truncated. */
    uint32_t text_len;
    uint32_t caller_id;
    uint8_t level;
    uint8_t facility;
    uint8_t flags;
    char subsystem[PRB_SUBSYSTEM_LEN];
    char device[PRB_DEVICE_LEN];
} prb_record_info;

typedef enum prb_read_status {
    /** The record was copied. */
    PRB_READ_OK = 0,
    /** The record does not exist yet for readers (not reserved yet, or not yet finalized). */
    PRB_READ_NOT_YET = 1,
    /** The record existed but is gone: overwritten, or committed without text (lost). */
    PRB_READ_LOST = 2,
} prb_read_status;

/**
 * Reads exactly record `seq`: its info (info may be NULL) and up to buf_size bytes of its text
 * (buf may be NULL). Returns PRB_READ_LOST for a seq that was overwritten, PRB_READ_NOT_YET for a
 * seq that is not finalized or lies in the future.
 */
prb_read_status prb_read(const prb_ring *ring, uint64_t seq, prb_record_info *info, void *buf,
                         size_t buf_size);

/**
 * Reads record *seq or, when that one is lost or overwritten, the next one that is readable;
 * *seq is set to the seq actually read (compare with the one asked for to see a gap). Returns
 * false when it reaches a record that is not finalized yet (readers stop there, even if later
 * records are finalized: records are read in order), or the end. In panic mode a committed
 * record is read as if it were finalized, and a record that is neither (a stuck writer) is
 * skipped as long as a later seq has been reserved.
 */
bool prb_read_valid(const prb_ring *ring, uint64_t *seq, prb_record_info *info, void *buf,
                    size_t buf_size, bool panic_mode);

/** Seq of the oldest record still in the ring (it may be lost, i.e. without data). 0 when empty. */
uint64_t prb_first_seq(const prb_ring *ring);
/** Seq of the oldest readable record, or 0 when there is none; like prb_read_valid, it stops at
    the first record that is not finalized yet. */
uint64_t prb_first_valid_seq(const prb_ring *ring);
/** One past the newest readable record such that every record before it is finalized or lost:
    where a reader that has read everything waits. */
uint64_t prb_next_seq(const prb_ring *ring);
/** The seq the next reservation will get (the number of seqs ever reserved). */
uint64_t prb_next_reserve_seq(const prb_ring *ring);

/** A reader: where it is and how many records it has missed. Plain data; one per thread. */
typedef struct prb_reader {
    const prb_ring *ring;
    /** The seq it will try next. */
    uint64_t next_seq;
    /** Records skipped because they were overwritten or lost before this reader got to them. */
    uint64_t lost;
    /** Read committed records too, and skip records a stuck writer never committed (see
        prb_read_valid). */
    bool panic_mode;
} prb_reader;

void prb_reader_init(prb_reader *reader, const prb_ring *ring, uint64_t from_seq, bool panic_mode);

/** Reads the next readable record, counting any gap in reader->lost. false when caught up; the
    lost records it passed before stopping are counted too, and next_seq is after them (but not
    after records a panic-mode reader skipped as unfinalized just before stopping: they are
    tried again next time). */
bool prb_reader_next(prb_reader *reader, prb_record_info *info, void *buf, size_t buf_size);

/* ---------------------------------------------------------------------------------------------
 * Statistics
 * ------------------------------------------------------------------------------------------- */

typedef struct prb_stats {
    /** Seqs ever reserved (= prb_next_reserve_seq). */
    uint64_t reserved;
    /** Seqs up to which every record is finalized or lost (= prb_next_seq). */
    uint64_t finalized;
    /** Reservations refused for want of a descriptor (PRB_E_NO_DESCRIPTOR). */
    uint64_t failed_descriptor;
    /** Records that got a seq but no text space (PRB_E_NO_SPACE); readers see them as lost. */
    uint64_t failed_data;
    /** Bytes of the text ring between the data tail and the data head (blocks not yet reclaimed,
        including the wasted ends of wrapped blocks): a relaxed snapshot, 0 .. 2^data_bits. */
    uint64_t text_bytes_used;
    /** Records taken over from writers that died in the middle of them (ring files only,
        docs/RECOVERY.md); readers count each as lost. */
    uint64_t taken_over;
} prb_stats;

/** A snapshot of the counters; costs nothing on the write path (derived or failure-only). */
void prb_get_stats(const prb_ring *ring, prb_stats *stats);

/** Why a record that readers report lost (PRB_READ_LOST, a gap in prb_read_valid) is gone. */
typedef enum prb_lost_reason {
    /** Not known: a take-over older than the last PRB_RECENT_TAKE_OVERS, a record being
        overwritten right now, or damage. */
    PRB_LOST_UNKNOWN = 0,
    /** The ring wrapped past it (its seq is below prb_first_seq). */
    PRB_LOST_OVERWRITTEN = 1,
    /** It got a seq but no text space (PRB_E_NO_SPACE, counted in failed_data). */
    PRB_LOST_NO_SPACE = 2,
    /** Its writer died before committing it, and another writer took it over (ring files,
        docs/RECOVERY.md). Only the last PRB_RECENT_TAKE_OVERS take-overs are remembered. */
    PRB_LOST_WRITER_DIED = 3,
} prb_lost_reason;

/** How many take-overs a ring remembers (in its header) for prb_lost_reason_of. */
#define PRB_RECENT_TAKE_OVERS 7

/**
 * prb_lost_reason_of() - why record `seq` is lost, as far as the ring can still tell.
 * Context: any thread, any time; a few relaxed loads, no allocation.
 * Return: the reason; PRB_LOST_UNKNOWN also for a seq that is not lost.
 */
prb_lost_reason prb_lost_reason_of(const prb_ring *ring, uint64_t seq);

/**
 * prb_recent_take_overs() - the seqs of the last PRB_RECENT_TAKE_OVERS (at most) records taken
 * over from dead writers, in no particular order.
 * Return: how many were stored into seqs (at most max).
 */
size_t prb_recent_take_overs(const prb_ring *ring, uint64_t *seqs, size_t max);

/* The ring's internals as tests and the panic benchmark see them (descriptor states, raw
   positions, fault hooks) are in prb_testing.h, not here: a user of the ring needs none of them. */

#ifdef __cplusplus
}
#endif

#endif /* PRB_H */
