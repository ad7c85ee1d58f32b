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
 *         64    24  reserved, zero
 *         88     4  the ring's layout flags (PRB_RING_NO_DEV_INFO; 0 in files made before them)
 *         92    20  reserved, zero
 *        112     8  checksum: 64-bit FNV-1a of bytes 0..111
 *        120  3976  zero, up to PRB_FILE_HEADER_BYTES
 *       4096     …  the ring region (prb_ring_format_ex); its own header repeats the sizes and
 *                   the layout flags, which must agree with these
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

/** The file format this code writes and reads. */
#define PRB_FILE_VERSION 1
/** Bytes before the ring region: one page. */
#define PRB_FILE_HEADER_BYTES 4096
/** The mode of a new ring file when the caller gives 0. */
#define PRB_FILE_DEFAULT_MODE 0600

/** prb_file_open flag: open for writing (default: read-only, mapped PROT_READ). */
#define PRB_FILE_WRITE 0x1u
/** prb_file_open flag: accept a file owned by another user for writing. */
#define PRB_FILE_ALLOW_OTHER_OWNER 0x2u

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
} prb_file_info;

/**
 * prb_file_create() - create a new ring file at @path and open it for writing.
 * @path:      where the file goes; nothing may exist there yet (not even a symlink)
 * @desc_bits: log2 of the number of descriptors (PRB_DESC_BITS_MIN..PRB_DESC_BITS_MAX)
 * @data_bits: log2 of the bytes of text (PRB_DATA_BITS_MIN..PRB_DATA_BITS_MAX)
 * @mode:      the file's permission bits (0 means PRB_FILE_DEFAULT_MODE); applied exactly
 * @status:    the reason on failure (may be NULL)
 *
 * Context: any thread; not async-signal-safe.
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
 * region does not hold a valid ring), PRB_E_NO_MEMORY.
 */
prb_file *prb_file_open(const char *path, unsigned flags, prb_status *status);

/** The ring inside an open file: read it (and, if opened for writing, write it) with prb.h.
    It stays valid until prb_file_close. Do not prb_ring_destroy it. A file opened without
    PRB_FILE_WRITE gives a read-only handle (prb_ring_attach_read_only): its writes return
    PRB_E_READ_ONLY instead of faulting on the PROT_READ mapping. */
prb_ring *prb_file_ring(const prb_file *file);

/** Fills @info from the header of an open file. */
void prb_file_get_info(const prb_file *file, prb_file_info *info);

/** Unmaps and closes the file (the records stay in it). NULL is allowed. */
void prb_file_close(prb_file *file);

#ifdef __cplusplus
}
#endif

#endif /* PRB_FILE_H */
