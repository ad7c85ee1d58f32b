/*
 * prb_file.c - ring files: create, validate, map, and the writer table. The layout and the rules
 * are in prb_file.h.
 *
 * The header is written once, before the file is linked at its path, and never changes after;
 * it is read with pread(), not through the mapping, so nothing here races with anyone. The writer
 * table and the ring region after it are shared and changing: the ring belongs to prb.c, the
 * table's process slots to this file (through the atomics layer, like every shared word).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_CLOEXEC, O_NOFOLLOW and posix_fallocate in the strict modes */
#endif

#include "prb_file.h"
#include "prb_atomics.h"
#include "prb_recovery.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
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
    uint64_t table_offset;
    uint64_t table_bytes;
    uint32_t process_slots;
    uint32_t thread_slots;
    uint32_t ring_flags;
    uint32_t reserved_after_flags;
    uint64_t reserved_tail[2];
    uint64_t checksum;
};

_Static_assert(sizeof(struct file_header) == 120, "the header layout is fixed by prb_file.h");
_Static_assert(offsetof(struct file_header, ring_flags) == 88, "the ring's layout flags are at byte 88");
_Static_assert(offsetof(struct file_header, checksum) == 112, "the checksum covers bytes 0..111");

_Static_assert(offsetof(struct file_header, table_offset) == 64, "prb_file.h: the table's offset is at 64");
_Static_assert(offsetof(struct file_header, process_slots) == 80, "prb_file.h: the slot counts are at 80");

/* The words of a process slot (prb_file.h). */
enum { PS_GENERATION = 0, PS_PID = 1, PS_SINCE = 2, PS_CLOSED = 3 };
#define SLOT_WORDS (PRB_FILE_SLOT_BYTES / WORD_BYTES)

struct prb_file {
    prb_ring *ring;
    void *mapping;
    size_t mapping_bytes;
    int fd;
    bool writable;
    /* The process slot this handle holds (writable handles only). */
    bool has_slot;
    uint32_t slot;
    uint64_t generation;
    /* What this handle's thread slots hold as their owner: (slot + 1) << 40 | generation's low
       40 bits (prb_recovery.h). */
    uint64_t owner_tag;
    /* The process's fork count when the handle was opened: a handle inherited by a child of
       fork() shares its parent's open file description, lock and slots, and must neither write
       nor free them (see after_fork). */
    unsigned fork_generation;
    struct prb_file *next_open; /* the registry of open writable handles (thread exit) */
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

static void mark_slot_closed(prb_file *f);
static void stop_recovery(prb_file *f);
static bool inherited(const prb_file *f);

/* Releases whatever of a half-built prb_file exists; keeps errno as the caller set it. */
static void release(prb_file *f)
{
    int saved = errno;

    if (f == NULL)
        return;
    if (f->has_slot && !(f->owner_tag != 0 && inherited(f))) {
        stop_recovery(f);
        mark_slot_closed(f);
    }
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

/* ---------------------------------------------------------------------------------------------
 * The writer table
 * ------------------------------------------------------------------------------------------- */

/* Bytes of a writer table with these slot counts: line 0, then the slots, rounded up to a page. */
static uint64_t table_bytes_for(uint64_t process_slots, uint64_t thread_slots)
{
    uint64_t bytes = PRB_FILE_SLOT_BYTES * (1 + process_slots + thread_slots);

    return (bytes + PRB_FILE_HEADER_BYTES - 1) / PRB_FILE_HEADER_BYTES * PRB_FILE_HEADER_BYTES;
}

/* Offset in the file of process slot p's line (and of the byte its lock covers). */
static off_t slot_offset(const prb_file *f, uint32_t p)
{
    return (off_t)(f->header.table_offset + (uint64_t)PRB_FILE_SLOT_BYTES * (1 + (uint64_t)p));
}

static prb_aword *slot_word(const prb_file *f, uint32_t p, unsigned k)
{
    return (prb_aword *)((char *)f->mapping + slot_offset(f, p)) + k;
}

/* An open-file-description lock request for the first byte of slot p's line. */
static struct flock slot_lock(const prb_file *f, uint32_t p, short type)
{
    struct flock lock;

    memset(&lock, 0, sizeof lock);
    lock.l_type = type;
    lock.l_whence = SEEK_SET;
    lock.l_start = slot_offset(f, p);
    lock.l_len = 1;
    lock.l_pid = 0; /* required for F_OFD_* */
    return lock;
}

/*
 * claim_slot() - takes the first process slot whose lock nobody holds, and makes it this handle's:
 * free -> held by (slot, generation + 1).
 *
 * The lock comes first: from then on no live handle can claim the slot, so the generation is ours
 * to increment. It is stored with release, after the pid and time: whoever acquires the new
 * generation (prb_file_writer_state, and later the take-over that tags intents with it) sees the
 * slot as this claimer left it. The generation never goes back to 0 (0 means never claimed), even
 * if the word was damaged to the largest value.
 *
 * Context: prb_file_create / prb_file_open, before the handle is returned.
 * Return: PRB_OK; PRB_E_NO_WRITER_SLOT if every slot is locked; PRB_E_IO if fcntl failed otherwise.
 */
static prb_status claim_slot(prb_file *f)
{
    uint32_t p;
    uint64_t generation;

    for (p = 0; p < f->header.process_slots; p++) {
        struct flock lock = slot_lock(f, p, F_WRLCK);

        if (fcntl(f->fd, F_OFD_SETLK, &lock) != 0) {
            if (errno == EAGAIN || errno == EACCES)
                continue; /* a live handle holds it */
            return PRB_E_IO;
        }
        generation = prb_load(slot_word(f, p, PS_GENERATION), PRB_MO_RELAXED) + 1;
        if (generation == 0)
            generation = 1;
        prb_store(slot_word(f, p, PS_PID), (uint64_t)getpid(), PRB_MO_RELAXED);
        prb_store(slot_word(f, p, PS_SINCE), realtime_ns(), PRB_MO_RELAXED);
        prb_store(slot_word(f, p, PS_CLOSED), 0, PRB_MO_RELAXED);
        prb_store(slot_word(f, p, PS_GENERATION), generation, PRB_MO_RELEASE);
        f->has_slot = true;
        f->slot = p;
        f->generation = generation;
        return PRB_OK;
    }
    errno = EAGAIN;
    return PRB_E_NO_WRITER_SLOT;
}

/* A clean close: the slot says so (prb-dump tells a writer that closed from one that died); the
   lock goes with the descriptor, just after. Only while the slot is still ours (it is: we hold
   its lock), and only on a writable mapping. */
static void mark_slot_closed(prb_file *f)
{
    if (f->mapping != NULL && prb_load(slot_word(f, f->slot, PS_GENERATION), PRB_MO_RELAXED) == f->generation)
        prb_store(slot_word(f, f->slot, PS_CLOSED), 1, PRB_MO_RELAXED);
}

/* ---------------------------------------------------------------------------------------------
 * Thread slots: where each writer thread keeps its intent (prb_recovery.h, docs/RECOVERY.md)
 * ------------------------------------------------------------------------------------------- */

#define OWNER_GENERATION_BITS 40
#define OWNER_GENERATION_MASK ((UINT64_C(1) << OWNER_GENERATION_BITS) - 1)
/* A release token for a slot claimed for one reservation only (see acquire_thread_slot). */
#define TOKEN_TEMPORARY (UINT64_C(1) << 63)

static prb_aword *thread_slot(const prb_file *f, uint32_t t)
{
    uint64_t line = 1 + (uint64_t)f->header.process_slots + t;

    return (prb_aword *)((char *)f->mapping + f->header.table_offset + PRB_FILE_SLOT_BYTES * line);
}

/*
 * The slot each thread keeps for each ring file it writes: found without a system call or a
 * locked instruction on every reservation after its first. `busy` is set while a reservation of
 * this thread holds the slot; a signal handler that writes meanwhile (or a second entry the
 * thread holds open) takes a temporary slot instead, so that each record in flight has an intent
 * of its own. A handful of files per thread; beyond that, temporary slots.
 */
#define THREAD_FILES 4
/*
 * `busy` is read by a signal handler that interrupts this very thread, never by another thread: the
 * atomic_signal_fence calls around it are compiler barriers only (no instruction is emitted on any
 * architecture), which keep the compiler from moving its stores across the intent store and the
 * commit. The seq_cst order they name costs nothing more than acquire or release would there.
 */
struct thread_file_slot {
    const prb_file *file; /* compared, never followed: the file may be closed */
    uint64_t owner_tag;
    prb_aword *slot;
    volatile sig_atomic_t busy;
};
static _Thread_local struct thread_file_slot thread_slots[THREAD_FILES];

/*
 * The handles open for writing in this process, so that a thread's exit frees its slots only in
 * files still mapped. Not async-signal-safe (a mutex): used at open, close and thread exit only.
 */
static pthread_mutex_t open_files_lock = PTHREAD_MUTEX_INITIALIZER;
static prb_file *open_files;
static pthread_once_t thread_exit_once = PTHREAD_ONCE_INIT;
static pthread_key_t thread_exit_key;
static bool thread_exit_key_made;
/* Incremented in every child of fork(): a handle opened before is inherited (prb_file.fork_generation). */
static _Atomic unsigned fork_generation;

/* A handle inherited through fork(): its lock and slots are its parent's. */
static bool inherited(const prb_file *f)
{
    return f->fork_generation != atomic_load_explicit(&fork_generation, memory_order_relaxed);
}

/*
 * A slot of this handle goes back to the table, unless its intent names a record that may still
 * need a take-over (a record left in flight: the slot must keep naming it until a survivor has
 * taken it over; after that, a writer that needs a slot reclaims it, see claim_thread_slot).
 */
static void free_thread_slot(prb_file *f, prb_aword *slot)
{
    uint64_t expected = f->owner_tag;

    if (!prb_ring_intent_settled(f->ring, slot))
        return;
    /* Release: pairs with claim_thread_slot's acquire (the next owner overwrites the intent). */
    prb_cas(&slot[PRB_TS_OWNER], &expected, 0, PRB_MO_RELEASE, PRB_MO_RELAXED);
}

/* A thread ends: its slots go back to the table (the ones of files still open). */
static void release_thread_slots(void *unused)
{
    unsigned i;

    (void)unused;
    pthread_mutex_lock(&open_files_lock);
    for (i = 0; i < THREAD_FILES; i++) {
        struct thread_file_slot *t = &thread_slots[i];
        prb_file *f;

        for (f = open_files; f != NULL && t->file != NULL; f = f->next_open) {
            if (f == t->file && f->owner_tag == t->owner_tag) {
                free_thread_slot(f, t->slot);
                break;
            }
        }
        t->file = NULL;
    }
    pthread_mutex_unlock(&open_files_lock);
}

/*
 * In the child of a fork(): every handle open for writing is its parent's (the same open file
 * description, so the same lock, process slot and owner tag, and the thread slots its parent's
 * threads hold). Writes through it are refused (PRB_E_NO_WRITER_SLOT: the child would write under
 * its parent's name, into its parent's thread slot), and closing it frees nothing of the parent's;
 * a child that writes opens the file itself. Only the forking thread exists in the child, and the
 * registry's lock may have been held by another thread of the parent: start afresh.
 */
static void after_fork(void)
{
    atomic_fetch_add_explicit(&fork_generation, 1, memory_order_relaxed);
    memset(thread_slots, 0, sizeof thread_slots);
    open_files = NULL;
    pthread_mutex_init(&open_files_lock, NULL);
}

static void make_thread_exit_key(void)
{
    thread_exit_key_made = pthread_key_create(&thread_exit_key, release_thread_slots) == 0;
    pthread_atfork(NULL, NULL, after_fork);
}

/*
 * claim_thread_slot() - a free thread slot becomes this handle's: free -> owned by owner_tag. A
 * slot is free when its owner word is 0, or when its owner is gone and its intent settled (the
 * record it names can need no take-over): that second scan makes system calls, and runs only when
 * the table has no free slot.
 * Return: the slot, or NULL when every slot is in use.
 */
static prb_aword *claim_thread_slot(prb_file *f)
{
    uint32_t t, pass;

    for (pass = 0; pass < 2; pass++) {
        for (t = 0; t < f->header.thread_slots; t++) {
            prb_aword *slot = thread_slot(f, t);
            uint64_t owner = prb_load(&slot[PRB_TS_OWNER], PRB_MO_RELAXED);

            if (owner != 0 && (pass == 0 || !prb_file_owner_gone(f, owner) ||
                               !prb_ring_intent_settled(f->ring, slot)))
                continue;
            /* Acquire: pairs with the release that freed the slot; we overwrite its intent next. */
            if (prb_cas(&slot[PRB_TS_OWNER], &owner, f->owner_tag, PRB_MO_ACQUIRE, PRB_MO_RELAXED)) {
                /* Release: a survivor that reads these resets (prb.c: recover_unnamed_block:B, :C)
                   sees what the claim acquired: the previous owner's finished record, or its death
                   (the liveness query above synchronized with it). */
                prb_store(&slot[PRB_TS_DESC], 0, PRB_MO_RELEASE);
                prb_store(&slot[PRB_TS_DATA_BEGIN], PRB_TS_NO_BLOCK, PRB_MO_RELEASE);
                return slot;
            }
        }
    }
    return NULL;
}

/* prb_recovery_ops.acquire_slot: the calling thread's slot for this file. */
static prb_aword *acquire_thread_slot(void *context, uint64_t *token)
{
    prb_file *f = (prb_file *)context;
    struct thread_file_slot *free_entry = NULL;
    prb_aword *slot;
    unsigned i;

    if (inherited(f))
        return NULL;
    for (i = 0; i < THREAD_FILES; i++) {
        struct thread_file_slot *t = &thread_slots[i];

        if (t->file == f && t->owner_tag == f->owner_tag) {
            if (t->busy)
                goto temporary; /* a signal handler, or a second open entry of this thread */
            t->busy = 1;
            atomic_signal_fence(memory_order_seq_cst); /* busy is set before the intent store */
            *token = i;
            return t->slot;
        }
        if (free_entry == NULL && (t->file == NULL || t->file == f))
            free_entry = t; /* unused, or left by an earlier handle at this address */
    }
    if (free_entry != NULL) {
        slot = claim_thread_slot(f);
        if (slot == NULL)
            return NULL;
        free_entry->busy = 1;
        free_entry->slot = slot;
        free_entry->owner_tag = f->owner_tag;
        free_entry->file = f;
        atomic_signal_fence(memory_order_seq_cst);
        /* Once per thread, so that its exit frees its slots. Not on POSIX's list of
           async-signal-safe functions: glibc keeps the values of the first 32 keys in the thread
           itself and allocates nothing for them, but a thread whose first write to a ring file
           is in a signal handler should not rely on it (prb_file.h). */
        if (thread_exit_key_made && pthread_getspecific(thread_exit_key) == NULL)
            pthread_setspecific(thread_exit_key, thread_slots);
        *token = (uint64_t)(free_entry - thread_slots);
        return slot;
    }
temporary:
    slot = claim_thread_slot(f);
    if (slot == NULL)
        return NULL;
    *token = TOKEN_TEMPORARY | (uint64_t)(slot - thread_slot(f, 0)) / (PRB_FILE_SLOT_BYTES / WORD_BYTES);
    return slot;
}

/* prb_recovery_ops.release_slot. */
static void release_thread_slot(void *context, uint64_t token)
{
    prb_file *f = (prb_file *)context;

    if ((token & TOKEN_TEMPORARY) != 0) {
        /* Release: pairs with claim_thread_slot's acquire. */
        prb_store(&thread_slot(f, (uint32_t)(token & ~TOKEN_TEMPORARY))[PRB_TS_OWNER], 0, PRB_MO_RELEASE);
        return;
    }
    atomic_signal_fence(memory_order_seq_cst); /* the commit is done before the slot is free */
    thread_slots[token].busy = 0;
}

static bool owner_gone_op(void *context, uint64_t owner_tag) { return prb_file_owner_gone((prb_file *)context, owner_tag); }

static const prb_recovery_ops file_recovery_ops = {owner_gone_op, acquire_thread_slot, release_thread_slot};

/* A writable handle: its ring records intents in the file's thread slots, and takes over the
   records of writers that died. */
static void start_recovery(prb_file *f)
{
    f->owner_tag = ((uint64_t)(f->slot + 1) << OWNER_GENERATION_BITS) | (f->generation & OWNER_GENERATION_MASK);
    pthread_once(&thread_exit_once, make_thread_exit_key);
    f->fork_generation = atomic_load_explicit(&fork_generation, memory_order_relaxed);
    pthread_mutex_lock(&open_files_lock);
    f->next_open = open_files;
    open_files = f;
    pthread_mutex_unlock(&open_files_lock);
    prb_ring_enable_recovery(f->ring, thread_slot(f, 0), f->header.thread_slots, &file_recovery_ops, f);
}

/* Closing: the handle leaves the registry and the thread slots it holds are free again, but for
   a slot whose record is still in flight (a thread that never committed it): that one keeps naming
   the record, whose writer is now gone, until a survivor takes it over. */
static void stop_recovery(prb_file *f)
{
    prb_file **p;
    uint32_t t;
    unsigned i;

    if (f->owner_tag == 0)
        return;
    pthread_mutex_lock(&open_files_lock);
    for (p = &open_files; *p != NULL; p = &(*p)->next_open) {
        if (*p == f) {
            *p = f->next_open;
            break;
        }
    }
    pthread_mutex_unlock(&open_files_lock);
    for (i = 0; i < THREAD_FILES; i++)
        if (thread_slots[i].file == f)
            thread_slots[i].file = NULL;
    for (t = 0; t < f->header.thread_slots; t++)
        if (prb_load(&thread_slot(f, t)[PRB_TS_OWNER], PRB_MO_RELAXED) == f->owner_tag)
            free_thread_slot(f, thread_slot(f, t));
}

bool prb_file_owner_gone(const prb_file *f, uint64_t owner_tag)
{
    uint64_t slot = (owner_tag >> OWNER_GENERATION_BITS) - 1, now;
    prb_writer_state state;

    if (owner_tag == 0)
        return true;
    if (slot >= f->header.process_slots)
        return false; /* a damaged tag: no answer, so alive */
    now = prb_load(slot_word(f, (uint32_t)slot, PS_GENERATION), PRB_MO_ACQUIRE);
    if ((now & OWNER_GENERATION_MASK) != (owner_tag & OWNER_GENERATION_MASK))
        return true; /* the slot was claimed again since: that owner is gone */
    state = prb_file_writer_state(f, (uint32_t)slot, now);
    return state == PRB_WRITER_DEAD || state == PRB_WRITER_REPLACED;
}

bool prb_file_writer_slot(const prb_file *f, uint32_t *slot, uint64_t *generation)
{
    if (!f->has_slot)
        return false;
    *slot = f->slot;
    *generation = f->generation;
    return true;
}

prb_writer_state prb_file_writer_state(const prb_file *f, uint32_t slot, uint64_t generation)
{
    struct flock lock;
    uint64_t now;

    if (slot >= f->header.process_slots || generation == 0)
        return PRB_WRITER_UNKNOWN;
    if (f->has_slot && slot == f->slot && generation == f->generation)
        return PRB_WRITER_ALIVE; /* our own lock does not conflict with us: F_OFD_GETLK cannot see it */

    /*
     * Acquire: pairs with claim_slot's release store of the generation, so that a claim we see
     * comes with the slot as its claimer wrote it. Then the lock, then the generation again: a
     * claim that happened in between shows up as a newer generation.
     */
    now = prb_load(slot_word(f, slot, PS_GENERATION), PRB_MO_ACQUIRE);
    if (now != generation)
        return now > generation ? PRB_WRITER_REPLACED : PRB_WRITER_UNKNOWN;
    lock = slot_lock(f, slot, F_WRLCK);
    if (fcntl(f->fd, F_OFD_GETLK, &lock) != 0)
        return PRB_WRITER_UNKNOWN;
    now = prb_load(slot_word(f, slot, PS_GENERATION), PRB_MO_ACQUIRE);
    if (now != generation)
        return now > generation ? PRB_WRITER_REPLACED : PRB_WRITER_UNKNOWN;
    return lock.l_type == F_UNLCK ? PRB_WRITER_DEAD : PRB_WRITER_ALIVE;
}

size_t prb_file_list_writers(const prb_file *f, prb_file_writer *out, size_t max)
{
    size_t count = 0;
    uint32_t p;

    for (p = 0; p < f->header.process_slots; p++) {
        uint64_t generation = prb_load(slot_word(f, p, PS_GENERATION), PRB_MO_ACQUIRE);

        if (generation == 0)
            continue;
        if (count < max) {
            prb_file_writer *w = &out[count];
            w->slot = p;
            w->generation = generation;
            w->pid = (int64_t)prb_load(slot_word(f, p, PS_PID), PRB_MO_RELAXED);
            w->since_realtime_ns = prb_load(slot_word(f, p, PS_SINCE), PRB_MO_RELAXED);
            w->closed = prb_load(slot_word(f, p, PS_CLOSED), PRB_MO_RELAXED) == 1;
            w->state = prb_file_writer_state(f, p, generation);
            if (w->state == PRB_WRITER_REPLACED)
                w->state = PRB_WRITER_ALIVE; /* claimed again meanwhile: someone holds it now */
        }
        count++;
    }
    return count;
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
    uint64_t table_bytes = table_bytes_for(PRB_FILE_PROCESS_SLOTS, PRB_FILE_THREAD_SLOTS);
    uint64_t ring_offset = (uint64_t)PRB_FILE_HEADER_BYTES + table_bytes;
    uint64_t file_bytes = ring_offset + ring_bytes;
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
    f->ring = prb_ring_format_ex((char *)f->mapping + ring_offset, ring_bytes, desc_bits, data_bits, ring_flags,
                                 &status);
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
    f->header.ring_offset = ring_offset;
    f->header.ring_bytes = ring_bytes;
    f->header.file_bytes = file_bytes;
    f->header.created_realtime_ns = realtime_ns();
    f->header.table_offset = PRB_FILE_HEADER_BYTES;
    f->header.table_bytes = table_bytes;
    f->header.process_slots = PRB_FILE_PROCESS_SLOTS;
    f->header.thread_slots = PRB_FILE_THREAD_SLOTS;
    f->header.checksum = header_checksum(&f->header);
    memcpy(f->mapping, &f->header, sizeof f->header);

    /* Slot 0 of a file nobody else has seen yet: the lock cannot fail but for a system error. */
    status = claim_slot(f);
    if (status != PRB_OK)
        goto failed;
    start_recovery(f);

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
    if (h->process_slots == 0 || h->process_slots > PRB_FILE_SLOTS_MAX || h->thread_slots > PRB_FILE_SLOTS_MAX ||
        h->table_offset != PRB_FILE_HEADER_BYTES ||
        h->table_bytes != table_bytes_for(h->process_slots, h->thread_slots))
        return PRB_E_FILE_HEADER;
    if (h->header_bytes != PRB_FILE_HEADER_BYTES || h->ring_offset != h->table_offset + h->table_bytes ||
        ring_bytes == 0 || h->ring_bytes != ring_bytes || h->file_bytes != h->ring_offset + h->ring_bytes)
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
    if (writable) {
        status = claim_slot(f);
        if (status != PRB_OK)
            goto failed;
        start_recovery(f);
    }
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
    info->process_slots = f->header.process_slots;
    info->thread_slots = f->header.thread_slots;
}

void prb_file_close(prb_file *f) { release(f); }
