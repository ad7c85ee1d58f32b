/*
 * prb_file.h - a ring in a file: a flight recorder whose records outlive the process that wrote
 * them.
 *
 * A ring file is a self-describing header page followed by a ring region (prb.h), mapped
 * MAP_SHARED by every process that opens it. Writers in any number of processes write through
 * the same lockless algorithm as threads of one process do; readers map the file read-only and
 * cannot change it. After the writer is gone (exited, killed, crashed) the file still holds every
 * record it finalized: open it and read.
 *
 * The file, byte by byte (every integer in the writer's byte order, which the header records):
 *
 *     offset  size  field
 *          0     8  magic: the bytes "PRBFILE" and a NUL, in every byte order
 *          8     4  format version (PRB_FILE_VERSION)
 *         12     4  header size in bytes (PRB_FILE_HEADER_BYTES: a page, so the ring is aligned)
 *         16     4  byte-order mark: 0x01020304 as the writer stored it
 *         20     4  word size in bytes (8: every ring word is 64 bits)
 *         24     4  desc_bits           28   4  data_bits
 *         32     8  offset of the ring region (= the header size)
 *         40     8  size of the ring region (prb_ring_required_bytes_ex)
 *         48     8  size of the whole file
 *         56     8  creation time, nanoseconds since the Unix epoch (CLOCK_REALTIME)
 *         64     8  offset of the writer table (= the header size)
 *         72     8  size of the writer table: 64 x (1 + process slots + thread slots), rounded
 *                   up to a page
 *         80     4  process slots        84   4  thread slots
 *         88     4  the ring's layout flags (PRB_RING_NO_DEV_INFO, or 0)
 *         92    20  reserved, zero
 *        112     8  checksum: 64-bit FNV-1a of bytes 0..111
 *        120  3976  zero, up to PRB_FILE_HEADER_BYTES
 *       4096     …  the writer table (below)
 *          …     …  the ring region (prb_ring_format_ex), at 4096 + the table's size; its own
 *                   header repeats the sizes and the layout flags, which must agree with these
 *
 * The writer table: who writes this file, and whether they are still alive
 *   64-byte lines (one per slot, so that no two writers share a cache line). Line 0 is reserved,
 *   zero. Line 1 + p is process slot p:
 *       word 0  generation: how many times the slot was claimed (0: never)
 *       word 1  the claimer's pid (for people: liveness never depends on it)
 *       word 2  when it was claimed, nanoseconds since the Unix epoch
 *       word 3  1 when its owner closed the file, 0 while open (or when it died)
 *   Lines 1 + process slots + t are the thread slots (prb_recovery.h): each writing thread holds
 *   one, and keeps in it, while a record of its own is in flight, that record's descriptor id, so
 *   that if the process dies a survivor can tell whose the record was and take it over
 *   (docs/RECOVERY.md):
 *       word 0  owner: (process slot + 1) << 40 | its generation's low 40 bits; 0 when free
 *       word 1  intent: 1 << 63 | the descriptor id of the record in flight; 0 when none
 *
 *   Every handle opened for writing claims a process slot: it takes an open-file-description
 *   lock (F_OFD_SETLK, a write lock on the first byte of the slot's line) and then increments the
 *   generation. The kernel releases that lock when the process dies, however it dies; a stopped or
 *   preempted process keeps it. So (slot, generation) names one writer for good: alive while the
 *   byte is locked and the generation unchanged, dead once the lock is gone, replaced once another
 *   process claimed the slot (prb_file_writer_state). Pids are not used, so pid reuse and pid
 *   namespaces cannot fool it. The table's words are shared memory like the ring: read as hostile.
 *   A child made by fork() shares its parent's open file description, and so its lock: a child that
 *   writes must open the file itself.
 *
 * Trust
 *   prb_file_open checks everything before it maps anything: the file type and owner, the magic,
 *   byte order, word size, version, checksum, that every size and offset agrees with the others
 *   and with the file's real size, and then (prb_ring_attach) the ring region's own header and
 *   positions. Each failure has its own status. The ring body stays hostile input after that:
 *   another process may damage it at any time; readers and writers treat what they load from it
 *   accordingly (see prb.h).
 *
 * Safety of the path
 *   prb_file_create never follows a symlink and never reuses an existing file: it formats a new
 *   file under a temporary name (O_CREAT|O_EXCL|O_NOFOLLOW) and links it to the path only when
 *   it is complete, so a reader never sees a half-written header, and a file or symlink planted at
 *   the path (in /dev/shm, say) makes creation fail with EEXIST. The new file's mode is exactly
 *   the one asked for (0600 by default), whatever the umask. prb_file_open refuses symlinks,
 *   FIFOs, devices and directories (opened with O_NONBLOCK, so a FIFO cannot hang it), and for
 *   writing a file owned by another user unless PRB_FILE_ALLOW_OTHER_OWNER is given.
 *
 * Context: none of these functions is async-signal-safe (they open, map and allocate); call them
 * once, up front. The ring they return is used with prb.h like any other.
 */
#ifndef PRB_FILE_H
#define PRB_FILE_H

#include "prb.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The file format this code writes and reads (2: with the writer table). */
#define PRB_FILE_VERSION 2
/** Bytes before the ring region: one page. */
#define PRB_FILE_HEADER_BYTES 4096
/** The mode of a new ring file when the caller gives 0. */
#define PRB_FILE_DEFAULT_MODE 0600

/** prb_file_open flag: open for writing (default: read-only, mapped PROT_READ). */
#define PRB_FILE_WRITE 0x1u
/** prb_file_open flag: accept a file owned by another user for writing. */
#define PRB_FILE_ALLOW_OTHER_OWNER 0x2u

/** Process slots in the writer table of a new file: how many handles may have it open for
    writing at once (each process that writes needs one; more if it opens the file twice). */
#define PRB_FILE_PROCESS_SLOTS 256
/** Thread slots in the writer table of a new file (per-thread intents, docs/RECOVERY.md). */
#define PRB_FILE_THREAD_SLOTS 1024
/** The most slots of each kind a file may declare (a bound on what a hostile header can ask). */
#define PRB_FILE_SLOTS_MAX 65536
/** Bytes per slot of the writer table: a cache line. */
#define PRB_FILE_SLOT_BYTES 64

/** A ring file, open and mapped. Process-local. */
typedef struct prb_file prb_file;

/** What the header of an open ring file says. */
typedef struct prb_file_info {
    uint32_t version;
    uint32_t desc_bits;
    uint32_t data_bits;
    uint64_t file_bytes;
    uint64_t ring_bytes;
    /** The ring's layout flags (PRB_RING_NO_DEV_INFO: no device-info storage), or 0. */
    uint32_t ring_flags;
    /** Nanoseconds since the Unix epoch. */
    uint64_t created_realtime_ns;
    /** Whether this process opened it for writing. */
    bool writable;
    /** Slots of the writer table. */
    uint32_t process_slots;
    uint32_t thread_slots;
} prb_file_info;

/** What prb_file_writer_state says about the writer (slot, generation). */
typedef enum prb_writer_state {
    /** The slot's lock is held and the slot still has this generation: the writer is running
        (or stopped, or preempted: nothing about it may be taken over). */
    PRB_WRITER_ALIVE = 0,
    /** Nobody holds the slot's lock: the writer has closed the file or died. */
    PRB_WRITER_DEAD = 1,
    /** The slot has a newer generation: the writer is gone and another handle claimed the slot. */
    PRB_WRITER_REPLACED = 2,
    /** No answer: the slot is out of range, its generation is behind the one asked about (damage),
        or the lock query failed (errno says why). Treat as alive. */
    PRB_WRITER_UNKNOWN = 3,
} prb_writer_state;

/** One claimed process slot of the writer table, as prb_file_list_writers reports it. */
typedef struct prb_file_writer {
    uint32_t slot;
    uint64_t generation;
    /** The pid its claimer had (in the claimer's pid namespace): for people, not for liveness. */
    int64_t pid;
    /** When it was claimed, nanoseconds since the Unix epoch. */
    uint64_t since_realtime_ns;
    /** ALIVE or DEAD (or UNKNOWN if the query failed); see prb_file_writer_state. */
    prb_writer_state state;
    /** Its owner closed the file (prb_file_close) rather than dying with it open. */
    bool closed;
} prb_file_writer;

/**
 * prb_file_create() - create a new ring file at @path and open it for writing.
 * @path:      where the file goes; nothing may exist there yet (not even a symlink)
 * @desc_bits: log2 of the number of descriptors (PRB_DESC_BITS_MIN..PRB_DESC_BITS_MAX)
 * @data_bits: log2 of the bytes of text (PRB_DATA_BITS_MIN..PRB_DATA_BITS_MAX)
 * @mode:      the file's permission bits (0 means PRB_FILE_DEFAULT_MODE); applied exactly
 * @status:    the reason on failure (may be NULL)
 *
 * Context: any thread; not async-signal-safe.
 * The new file's writer table has PRB_FILE_PROCESS_SLOTS and PRB_FILE_THREAD_SLOTS; this handle
 * holds process slot 0.
 *
 * Return: the open file, or NULL: PRB_E_INVALID_SIZE (sizes out of range), PRB_E_IO (a system call
 * failed; errno says why: EEXIST when something is at @path already), PRB_E_NO_MEMORY.
 * On failure nothing is left at @path, nor any temporary file.
 */
prb_file *prb_file_create(const char *path, unsigned desc_bits, unsigned data_bits, unsigned mode,
                          prb_status *status);

/**
 * prb_file_create_ex() - prb_file_create with the ring's layout flags (prb.h: PRB_RING_NO_DEV_INFO,
 * a ring without device-info storage). The header records them and prb_file_open checks them
 * against the ring region's own header. prb_file_create is this with @ring_flags 0.
 *
 * Context: any thread; not async-signal-safe.
 * Return: as prb_file_create; PRB_E_INVALID_SIZE for unknown flags too.
 */
prb_file *prb_file_create_ex(const char *path, unsigned desc_bits, unsigned data_bits, unsigned ring_flags,
                             unsigned mode, prb_status *status);

/**
 * prb_file_open() - open an existing ring file, read-only or (PRB_FILE_WRITE) for writing.
 * @path:   the file; a symlink is refused, not followed
 * @flags:  PRB_FILE_WRITE, PRB_FILE_ALLOW_OTHER_OWNER, or 0 for a read-only mapping
 * @status: the reason on failure (may be NULL)
 *
 * Context: any thread; not async-signal-safe.
 * Return: the open file, or NULL with one of: PRB_E_IO (errno says why: ENOENT, EACCES...),
 * PRB_E_FILE_UNSAFE (a symlink, FIFO, device or directory; or, for writing, another user's file),
 * PRB_E_NOT_A_RING_FILE (no ring file magic), PRB_E_FILE_BYTE_ORDER, PRB_E_FILE_WORD_SIZE,
 * PRB_E_FILE_VERSION, PRB_E_FILE_HEADER (checksum or fields that disagree, unknown ring flags), PRB_E_FILE_TRUNCATED
 * (shorter than the header says), PRB_E_FILE_SIZE (longer than it says), PRB_E_BAD_MEMORY (the ring
 * region does not hold a valid ring), PRB_E_NO_MEMORY, PRB_E_NO_WRITER_SLOT (for writing: every
 * process slot of the writer table is held by a live handle).
 *
 * For writing, the handle claims a free process slot of the writer table (a slot whose lock
 * nobody holds: never used, closed, or left by a writer that died) and holds it until
 * prb_file_close.
 */
prb_file *prb_file_open(const char *path, unsigned flags, prb_status *status);

/** The ring inside an open file: read it (and, if opened for writing, write it) with prb.h.
    It stays valid until prb_file_close. Do not prb_ring_destroy it. A file opened without
    PRB_FILE_WRITE gives a read-only handle (prb_ring_attach_read_only): its writes return
    PRB_E_READ_ONLY instead of faulting on the PROT_READ mapping. */
prb_ring *prb_file_ring(const prb_file *file);

/** Fills @info from the header of an open file. */
void prb_file_get_info(const prb_file *file, prb_file_info *info);

/**
 * prb_file_writer_slot() - the process slot this handle holds in the writer table.
 * Context: any thread.
 * Return: true with *slot and *generation set for a handle opened for writing; false (nothing
 * set) for a read-only handle.
 */
bool prb_file_writer_slot(const prb_file *file, uint32_t *slot, uint64_t *generation);

/**
 * prb_file_writer_state() - is the writer that held (slot, generation) still there?
 *
 * Reads the slot's generation, asks the kernel whether anyone holds the slot's lock
 * (F_OFD_GETLK), and reads the generation again. This handle's own slot is alive. A writer is only
 * ever DEAD or REPLACED after it has really gone: that is what makes it safe to take over its
 * records.
 *
 * Context: any thread; one system call (not on any write path: recovery's failure path and tools).
 * Return: see prb_writer_state.
 */
prb_writer_state prb_file_writer_state(const prb_file *file, uint32_t slot, uint64_t generation);

/**
 * prb_file_owner_gone() - is the holder of a thread slot's owner tag gone for good? The tag is
 * (process slot + 1) << 40 | the slot's generation (low 40 bits); 0 (a free slot) is gone.
 * Context: any thread; may make a system call (prb_file_writer_state).
 * Return: true if its process slot was claimed again since, or is held by nobody; false while it
 * is held, and when the tag is damaged or the answer unknown.
 */
bool prb_file_owner_gone(const prb_file *file, uint64_t owner_tag);

/**
 * prb_file_list_writers() - the process slots that have ever been claimed, with their state.
 * @out: room for @max entries (may be NULL when @max is 0)
 *
 * Context: any thread; one system call per claimed slot.
 * Return: the number of claimed slots (the first @max of them are in @out, in slot order).
 */
size_t prb_file_list_writers(const prb_file *file, prb_file_writer *out, size_t max);

/** Unmaps and closes the file (the records stay in it); a handle opened for writing marks its
    process slot closed and releases it. NULL is allowed. */
void prb_file_close(prb_file *file);

#ifdef __cplusplus
}
#endif

#endif /* PRB_FILE_H */
