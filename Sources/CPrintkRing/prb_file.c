/*
 * prb_file.c - ring files: create, validate, map. The layout and the rules are in prb_file.h.
 *
 * The header is written once, before the file is linked at its path, and never changes after;
 * it is read with pread(), not through the mapping, so nothing here races with anyone. The ring
 * region after it is the only shared, changing part, and only prb.c touches it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_CLOEXEC, O_NOFOLLOW and posix_fallocate in the strict modes */
#endif

#include "prb_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILE_MAGIC "PRBFILE"
#define BYTE_ORDER_MARK UINT32_C(0x01020304)
#define BYTE_ORDER_SWAPPED UINT32_C(0x04030201)
#define WORD_BYTES 8u

/* The first 120 bytes of the file, as prb_file.h lays them out. */
struct file_header {
    char magic[8];
    uint32_t version;
    uint32_t header_bytes;
    uint32_t byte_order;
    uint32_t word_bytes;
    uint32_t desc_bits;
    uint32_t data_bits;
    uint64_t ring_offset;
    uint64_t ring_bytes;
    uint64_t file_bytes;
    uint64_t created_realtime_ns;
    uint64_t reserved[3];
    uint32_t ring_flags;
    uint32_t reserved_after_flags;
    uint64_t reserved_tail[2];
    uint64_t checksum;
};

_Static_assert(sizeof(struct file_header) == 120, "the header layout is fixed by prb_file.h");
_Static_assert(offsetof(struct file_header, ring_flags) == 88, "the ring's layout flags are at byte 88");
_Static_assert(offsetof(struct file_header, checksum) == 112, "the checksum covers bytes 0..111");

struct prb_file {
    prb_ring *ring;
    void *mapping;
    size_t mapping_bytes;
    int fd;
    bool writable;
    struct file_header header;
};

/* 64-bit FNV-1a: small, and enough to tell a damaged header from a good one. */
static uint64_t header_checksum(const struct file_header *h)
{
    const unsigned char *bytes = (const unsigned char *)h;
    uint64_t hash = UINT64_C(0xcbf29ce484222325);
    size_t i;

    for (i = 0; i < offsetof(struct file_header, checksum); i++) {
        hash ^= bytes[i];
        hash *= UINT64_C(0x100000001b3);
    }
    return hash;
}

static prb_file *fail(prb_status *status_out, prb_status status)
{
    if (status_out != NULL)
        *status_out = status;
    return NULL;
}

/* Releases whatever of a half-built prb_file exists; keeps errno as the caller set it. */
static void release(prb_file *f)
{
    int saved = errno;

    if (f == NULL)
        return;
    prb_ring_destroy(f->ring);
    if (f->mapping != NULL)
        munmap(f->mapping, f->mapping_bytes);
    if (f->fd >= 0)
        close(f->fd);
    free(f);
    errno = saved;
}

static prb_file *new_file(void)
{
    prb_file *f = (prb_file *)calloc(1, sizeof *f);

    if (f != NULL)
        f->fd = -1;
    return f;
}

static uint64_t realtime_ns(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

/*
 * Opens a new file next to @path under a name nobody else uses, O_EXCL|O_NOFOLLOW. Returns the
 * descriptor and the name in *tmp_out (malloc'd), or -1 with errno set.
 */
static int create_temporary(const char *path, unsigned mode, char **tmp_out)
{
    size_t length = strlen(path) + 64;
    char *tmp = (char *)malloc(length);
    unsigned attempt;
    int fd = -1;

    if (tmp == NULL) {
        errno = ENOMEM;
        return -1;
    }
    for (attempt = 0; attempt < 100; attempt++) {
        snprintf(tmp, length, "%s.tmp-%ld-%llx-%u", path, (long)getpid(),
                 (unsigned long long)(realtime_ns() & 0xffffffffffULL), attempt);
        fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
        if (fd >= 0 || errno != EEXIST)
            break;
    }
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    *tmp_out = tmp;
    return fd;
}

prb_file *prb_file_create(const char *path, unsigned desc_bits, unsigned data_bits, unsigned mode,
                          prb_status *status_out)
{
    return prb_file_create_ex(path, desc_bits, data_bits, 0, mode, status_out);
}

prb_file *prb_file_create_ex(const char *path, unsigned desc_bits, unsigned data_bits, unsigned ring_flags,
                             unsigned mode, prb_status *status_out)
{
    size_t ring_bytes = prb_ring_required_bytes_ex(desc_bits, data_bits, ring_flags);
    uint64_t file_bytes = (uint64_t)PRB_FILE_HEADER_BYTES + ring_bytes;
    prb_status status = PRB_E_IO;
    char *tmp = NULL;
    prb_file *f;
    int error;

    if (ring_bytes == 0)
        return fail(status_out, PRB_E_INVALID_SIZE);
    if (path == NULL || path[0] == '\0') {
        errno = EINVAL;
        return fail(status_out, PRB_E_IO);
    }
    if (file_bytes > (uint64_t)SIZE_MAX || file_bytes > (uint64_t)INT64_MAX) {
        errno = EFBIG;
        return fail(status_out, PRB_E_IO);
    }
    mode = (mode == 0 ? PRB_FILE_DEFAULT_MODE : mode) & 07777u;
    f = new_file();
    if (f == NULL)
        return fail(status_out, PRB_E_NO_MEMORY);

    f->fd = create_temporary(path, mode, &tmp);
    if (f->fd < 0)
        goto failed;
    /* Exactly the mode asked for: open() applied the umask. */
    if (fchmod(f->fd, (mode_t)mode) != 0)
        goto failed;
    /* Allocate every block now, so that a full disk (or tmpfs) fails here with ENOSPC rather than
       with SIGBUS in a writer later. */
    error = posix_fallocate(f->fd, 0, (off_t)file_bytes);
    if (error != 0) {
        errno = error;
        goto failed;
    }
    f->mapping_bytes = (size_t)file_bytes;
    f->mapping = mmap(NULL, f->mapping_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
    if (f->mapping == MAP_FAILED) {
        f->mapping = NULL;
        goto failed;
    }
    f->ring = prb_ring_format_ex((char *)f->mapping + PRB_FILE_HEADER_BYTES, ring_bytes, desc_bits, data_bits,
                                 ring_flags, &status);
    if (f->ring == NULL)
        goto failed;

    memcpy(f->header.magic, FILE_MAGIC, sizeof f->header.magic);
    f->header.version = PRB_FILE_VERSION;
    f->header.header_bytes = PRB_FILE_HEADER_BYTES;
    f->header.byte_order = BYTE_ORDER_MARK;
    f->header.word_bytes = WORD_BYTES;
    f->header.desc_bits = desc_bits;
    f->header.data_bits = data_bits;
    f->header.ring_flags = ring_flags;
    f->header.ring_offset = PRB_FILE_HEADER_BYTES;
    f->header.ring_bytes = ring_bytes;
    f->header.file_bytes = file_bytes;
    f->header.created_realtime_ns = realtime_ns();
    f->header.checksum = header_checksum(&f->header);
    memcpy(f->mapping, &f->header, sizeof f->header);

    /* Publish: the complete file appears at @path at once, or not at all (EEXIST when anything,
       a symlink included, is there: link() never follows or replaces it). */
    status = PRB_E_IO;
    if (link(tmp, path) != 0)
        goto failed;
    unlink(tmp);
    free(tmp);
    f->writable = true;
    if (status_out != NULL)
        *status_out = PRB_OK;
    return f;

failed:
    if (tmp != NULL) {
        error = errno;
        unlink(tmp);
        free(tmp);
        errno = error;
    }
    release(f);
    return fail(status_out, status);
}

/* Checks a header read from a file of @file_size bytes; PRB_OK when every field agrees. */
static prb_status check_header(const struct file_header *h, size_t got, uint64_t file_size)
{
    size_t ring_bytes;

    if (got < sizeof h->magic || memcmp(h->magic, FILE_MAGIC, sizeof h->magic) != 0)
        return PRB_E_NOT_A_RING_FILE;
    if (got < sizeof *h)
        return PRB_E_FILE_TRUNCATED;
    if (h->byte_order == BYTE_ORDER_SWAPPED)
        return PRB_E_FILE_BYTE_ORDER;
    if (h->byte_order != BYTE_ORDER_MARK)
        return PRB_E_FILE_HEADER;
    if (h->word_bytes != WORD_BYTES)
        return PRB_E_FILE_WORD_SIZE;
    if (h->version != PRB_FILE_VERSION)
        return PRB_E_FILE_VERSION;
    if (h->checksum != header_checksum(h))
        return PRB_E_FILE_HEADER;
    /* The checksum matched, but a writer of this version may still have been wrong (or hostile):
       every size must agree with every other. */
    ring_bytes = prb_ring_required_bytes_ex(h->desc_bits, h->data_bits, h->ring_flags); /* 0: unknown flags */
    if (h->header_bytes != PRB_FILE_HEADER_BYTES || h->ring_offset != PRB_FILE_HEADER_BYTES || ring_bytes == 0 ||
        h->ring_bytes != ring_bytes || h->file_bytes != h->ring_offset + h->ring_bytes)
        return PRB_E_FILE_HEADER;
    if (file_size < h->file_bytes)
        return PRB_E_FILE_TRUNCATED;
    if (file_size > h->file_bytes)
        return PRB_E_FILE_SIZE;
    if (h->file_bytes > (uint64_t)SIZE_MAX)
        return PRB_E_FILE_HEADER;
    return PRB_OK;
}

prb_file *prb_file_open(const char *path, unsigned flags, prb_status *status_out)
{
    bool writable = (flags & PRB_FILE_WRITE) != 0;
    prb_status status = PRB_E_IO;
    struct stat st;
    prb_file *f;
    ssize_t got;

    if (path == NULL || path[0] == '\0') {
        errno = EINVAL;
        return fail(status_out, PRB_E_IO);
    }
    f = new_file();
    if (f == NULL)
        return fail(status_out, PRB_E_NO_MEMORY);
    f->writable = writable;

    /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below. */
    f->fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (f->fd < 0) {
        if (errno == ELOOP)
            status = PRB_E_FILE_UNSAFE; /* a symlink */
        goto failed;
    }
    if (fstat(f->fd, &st) != 0)
        goto failed;
    status = PRB_E_FILE_UNSAFE;
    if (!S_ISREG(st.st_mode))
        goto failed;
    if (writable && st.st_uid != geteuid() && (flags & PRB_FILE_ALLOW_OTHER_OWNER) == 0)
        goto failed;

    got = pread(f->fd, &f->header, sizeof f->header, 0);
    if (got < 0) {
        status = PRB_E_IO;
        goto failed;
    }
    status = check_header(&f->header, (size_t)got, (uint64_t)st.st_size);
    if (status != PRB_OK)
        goto failed;

    status = PRB_E_IO;
    f->mapping_bytes = (size_t)f->header.file_bytes;
    f->mapping = mmap(NULL, f->mapping_bytes, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, f->fd, 0);
    if (f->mapping == MAP_FAILED) {
        f->mapping = NULL;
        goto failed;
    }
    /* A PROT_READ mapping gets a read-only handle: writes through it fail with PRB_E_READ_ONLY
       instead of faulting. */
    if (writable)
        f->ring = prb_ring_attach((char *)f->mapping + f->header.ring_offset, (size_t)f->header.ring_bytes, &status);
    else
        f->ring = prb_ring_attach_read_only((const char *)f->mapping + f->header.ring_offset,
                                            (size_t)f->header.ring_bytes, &status);
    if (f->ring == NULL)
        goto failed;
    /* The region's own header must describe the ring the file header promised. */
    status = PRB_E_BAD_MEMORY;
    if (prb_ring_desc_bits(f->ring) != f->header.desc_bits || prb_ring_data_bits(f->ring) != f->header.data_bits ||
        prb_ring_flags(f->ring) != f->header.ring_flags)
        goto failed;
    if (status_out != NULL)
        *status_out = PRB_OK;
    return f;

failed:
    release(f);
    return fail(status_out, status);
}

prb_ring *prb_file_ring(const prb_file *f) { return f->ring; }

void prb_file_get_info(const prb_file *f, prb_file_info *info)
{
    info->version = f->header.version;
    info->desc_bits = f->header.desc_bits;
    info->data_bits = f->header.data_bits;
    info->file_bytes = f->header.file_bytes;
    info->ring_bytes = f->header.ring_bytes;
    info->ring_flags = f->header.ring_flags;
    info->created_realtime_ns = f->header.created_realtime_ns;
    info->writable = f->writable;
}

void prb_file_close(prb_file *f) { release(f); }
