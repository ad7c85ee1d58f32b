/*
 * panic_harness.h - the async-signal-safe half of the panic scenarios: self-checking records,
 * writes and a panic dump that never hang, writers frozen at fault points, and a signal handler
 * that runs a batch of writes or the whole panic path on the thread it interrupts (the userspace
 * twin of an NMI). The Swift module PanicScenarios drives it; the scenarios themselves
 * (stuck-remote, stuck-self, busy-remote, signal-writer) are described there.
 *
 * Targets
 *
 *   A panic_target names one ring of the four C implementations: the lockless ring (CPrintkRing)
 *   and the spinlock_ring, mutex_ring and spin_reserve_ring comparators (CComparators). It is the
 *   one table of rings the C side has; Swift builds it from a LogRing's cHandle. The Swift Mutex
 *   ring is not here: Swift cannot run in a signal handler, so it only takes part in the
 *   scenarios that need none, driven from Swift.
 *
 * Records
 *
 *   Every record carries a checksum over its seq and payload (logring_record_checksum: a
 *   word-at-a-time 64-bit hash of the payload, sealed with the seq). The logring_* comparators
 *   store it in their header; in the lockless ring it leads the record's text (lockless_record.h,
 *   and LocklessRing in Swift).
 *
 *   Payloads are generated (panic_payload) from a writer number and a per-writer index, so a dump
 *   can tell an intact record from a torn one twice over: by its checksum and by regenerating its
 *   content.
 *
 * Where the functions may be called
 *
 *   panic_write, panic_write_batch, panic_dump_run, panic_path_run and panic_freeze_here are
 *   async-signal-safe for every target except PANIC_MUTEX (pthread mutexes are not): they use
 *   atomics, plain memory, prb_clock_ns (clock_gettime), sem_post and the rings' own
 *   async-signal-safe calls only, and never allocate. panic_freeze_here blocks (sem_wait) when it
 *   freezes its caller, which is its purpose. Everything else is for ordinary threads.
 *
 * Deadlines
 *
 *   Every wait on the panic path gives up: a write or a dump that has not had its lock within its
 *   budget (nanoseconds from the call's start) returns and says so. A bust-mode call, after giving
 *   up, re-initializes the spinlock (spinlock_ring_bust_lock, as the old kernel's zap_locks() did) and
 *   tries once more; it still never waits past its budget by more than one read of the ring.
 *
 * Try-once
 *
 *   The third way of dealing with the lock (panic_path.try_once): the panic path looks at the
 *   ring's lock once, before anything else, with one trylock (panic_lock_was_free). If it was
 *   held, nothing that needs the lock runs: no panic message, and no dump for a ring whose reader
 *   takes the lock (spinlock, mutex; spin-reserve's reader takes none and still dumps). If it was
 *   free, the path goes on as in bust mode. It never waits at all at the check, so it cannot hang
 *   there; what it shows depends on whether the lock happened to be free at that instant.
 */
#ifndef PANIC_HARNESS_H
#define PANIC_HARNESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Targets and records
 * ------------------------------------------------------------------------------------------- */

typedef enum panic_kind {
    PANIC_LOCKLESS = 1,     /**< prb_ring *          (CPrintkRing) */
    PANIC_SPINLOCK = 2,     /**< spinlock_ring *     (CComparators) */
    PANIC_MUTEX = 3,        /**< mutex_ring *        (CComparators) - never in a signal handler */
    PANIC_SPIN_RESERVE = 4, /**< spin_reserve_ring * (CComparators) */
} panic_kind;

typedef struct panic_target {
    panic_kind kind;
    void *ring;
} panic_target;

/** Whether the target's writes and dump may run in a signal handler (all but PANIC_MUTEX). */
bool panic_target_signal_safe(panic_target target);

/** Shortest and longest payload panic_payload makes (the first 8 bytes name writer and index). */
#define PANIC_PAYLOAD_MIN 8u
#define PANIC_PAYLOAD_MAX 240u

/**
 * Fills buf with the payload record `index` of writer `writer` carries, `length` bytes
 * (clamped to PANIC_PAYLOAD_MIN..PANIC_PAYLOAD_MAX); returns the length. Pure; async-signal-safe.
 */
size_t panic_payload(uint32_t writer, uint32_t index, size_t length, uint8_t *buf);

/**
 * Whether `payload` is exactly what panic_payload makes for the writer and index it names; those
 * are stored in *writer and *index whenever the payload is at least 8 bytes long.
 */
bool panic_payload_identify(const uint8_t *payload, size_t length, uint32_t *writer, uint32_t *index);

/** The timestamp, caller id and level every harness record carries: ts = index + 1, caller id =
    writer, level 6, facility 1. */
uint64_t panic_timestamp(uint32_t index);

/* ---------------------------------------------------------------------------------------------
 * Writes that never hang
 * ------------------------------------------------------------------------------------------- */

typedef enum panic_write_status {
    PANIC_WRITE_OK = 0,
    /** The lock was not had within the budget (and, in bust mode, not even after the bust). */
    PANIC_WRITE_GAVE_UP = 1,
    /** The ring could not make room (its oldest record is still being written). */
    PANIC_WRITE_FULL = 2,
    PANIC_WRITE_TOO_LARGE = 3,
    /** Not attempted: the try-once check found the lock held (panic_path_run). */
    PANIC_WRITE_SKIPPED = 4,
} panic_write_status;

/**
 * Writes record (writer, index) with a payload of `length` bytes, waiting for a lock no later
 * than deadline_ns (prb_clock_ns). In bust mode (PANIC_SPINLOCK only; ignored elsewhere) a lock
 * not had by then is busted and tried once more; *busted (may be NULL) is set when that
 * happened. *seq_out (may be NULL) gets the seq on PANIC_WRITE_OK. Async-signal-safe but for
 * PANIC_MUTEX.
 */
panic_write_status panic_write(panic_target target, uint32_t writer, uint32_t index, size_t length,
                               uint64_t deadline_ns, bool bust, bool *busted, uint64_t *seq_out);

/** Most writes one batch makes. */
#define PANIC_BATCH_MAX 8u

/** A few writes in a row: the panic messages, or what a signal handler writes. */
typedef struct panic_batch {
    /* In. */
    uint32_t writer;
    uint32_t count; /**< at most PANIC_BATCH_MAX; record i has index i */
    uint32_t length;
    uint64_t budget_ns; /**< each write gives up this long after it started */
    bool bust;
    /* Out. */
    panic_write_status status[PANIC_BATCH_MAX];
    uint64_t seq[PANIC_BATCH_MAX];
    uint32_t written; /**< writes that returned PANIC_WRITE_OK */
    bool gave_up;     /**< some write returned PANIC_WRITE_GAVE_UP */
    bool busted;      /**< some write busted the lock */
} panic_batch;

/** Makes the writes of *batch, in order, and fills in its results. Async-signal-safe but for
    PANIC_MUTEX. */
void panic_write_batch(panic_target target, panic_batch *batch);

/* ---------------------------------------------------------------------------------------------
 * The panic dump
 * ------------------------------------------------------------------------------------------- */

/** One record a dump returned. */
typedef struct panic_dumped {
    uint64_t seq;
    /** Writer and index its payload names (0 when it is too short to name any). */
    uint32_t writer;
    uint32_t index;
    /** 1: checksum and content check out. 0: torn. */
    uint8_t intact;
} panic_dumped;

/**
 * A dump of every record the ring held when the dump began (seqs below its next seq then): what a
 * panicking thread calls. Records written during the dump are not waited for.
 *
 *   lockless      a panic-mode prb_reader (it skips a record a stuck writer never finished, as
 *                 long as a later one exists); no lock, no waiting.
 *   spinlock      per record: spinlock_ring_lock_until(deadline), one read, unlock - as the old
 *                 kernel's kmsg_dump took logbuf_lock per line, so a busy writer interleaves.
 *                 In bust mode a lock not had by the deadline is busted, and the dump goes on.
 *   mutex         the same with mutex_ring_lock_until; no bust.
 *   spin-reserve  spin_reserve_ring_read, which takes no lock; it stops at a record still being written.
 *
 * A record that fails its checksum or content check counts as torn; so does a header that
 * cannot be walked (LOGRING_E_CORRUPT, only after a bust), which also ends the dump.
 */
typedef struct panic_dump {
    /* In. */
    uint64_t budget_ns; /**< the dump gives up this long after it started */
    bool bust;          /**< PANIC_SPINLOCK only */
    panic_dumped *records; /**< where the returned records go (may be NULL) */
    size_t capacity;    /**< room in records */
    /* Out. */
    size_t count;      /**< records returned (more than capacity: the rest were not stored) */
    size_t torn;       /**< records returned torn, plus headers that could not be walked */
    uint64_t start_seq; /**< the oldest seq the ring held when the dump began */
    uint64_t end_seq;   /**< the ring's next seq when the dump began: it reads below this */
    /** Where the dump stopped: every seq below it was returned or reported lost (skipped); seqs
        from it to end_seq were not reached. */
    uint64_t stop_seq;
    uint64_t elapsed_ns;
    bool gave_up; /**< it stopped at its deadline, waiting for a lock */
    bool busted;  /**< it busted the lock */
    bool corrupt; /**< it met a header it could not walk */
    bool skipped; /**< not run: the try-once check found the lock it needs held (panic_path_run) */
} panic_dump;

/** Runs a dump. Async-signal-safe but for PANIC_MUTEX. Never waits past dump->budget_ns (in bust
    mode: plus one bounded read of the ring). */
void panic_dump_run(panic_target target, panic_dump *dump);

/** The panic path: a panicking thread writes its panic messages, then dumps. */
typedef struct panic_path {
    panic_batch messages;
    panic_dump dump;
    /* In. */
    bool try_once; /**< look at the lock once first (see "Try-once" above) */
    /** Called, when not NULL, right after the try-once check with what it found: lets a caller act
        at the instant of the check (a test releases a writer there). Must be async-signal-safe
        when the path runs in a signal handler. */
    void (*checked)(void *context, bool lock_was_free);
    void *checked_context;
    /* Out. */
    /** The try-once check found the lock held: the messages were not attempted
        (PANIC_WRITE_SKIPPED) and, if the dump needs the lock, neither was the dump. */
    bool skipped;
} panic_path;

/**
 * The try-once check: one attempt at the ring's lock, released at once when had (for a lock we
 * hold, re-initializing it, as the seed patch did, and releasing it are the same). true when the
 * lock was free or the ring has none (lockless); false when someone held it. Never waits.
 * Async-signal-safe but for PANIC_MUTEX.
 */
bool panic_lock_was_free(panic_target target);

/** Whether the target's dump takes its lock (spinlock, mutex), i.e. is skipped when the try-once
    check fails. */
bool panic_dump_needs_lock(panic_target target);

/** Runs the panic path. Async-signal-safe but for PANIC_MUTEX. */
void panic_path_run(panic_target target, panic_path *panic);

/* ---------------------------------------------------------------------------------------------
 * Freezing a writer at a fault point
 * ------------------------------------------------------------------------------------------- */

/** Where a writer can be frozen. Lockless points have prb_fault_point's values; comparator
    points are 0x10 + logring_fault_point. */
typedef enum panic_point {
    PANIC_POINT_NONE = 0,
    PANIC_POINT_PRB_DESC_RESERVED = 1,  /**< lockless: descriptor reserved, seq assigned, no data */
    PANIC_POINT_PRB_DATA_ALLOCATED = 2, /**< lockless: data block allocated, no text written */
    PANIC_POINT_PRB_TEXT_PARTIAL = 3,   /**< lockless: the checksum appended, the payload not yet */
    PANIC_POINT_PRB_COMMITTED = 4,      /**< lockless: committed, not finalized (prb_commit) */
    PANIC_POINT_LOCKED = 0x11,          /**< spinlock, mutex, swift-mutex: lock held, nothing stored */
    PANIC_POINT_TEXT_PARTIAL = 0x12,    /**< spinlock, mutex, swift-mutex: half the copy done */
    PANIC_POINT_RESV_LOCKED = 0x13,     /**< spin-reserve: reservation lock held (lock window) */
    PANIC_POINT_RESV_RESERVED = 0x14,   /**< spin-reserve: reserved, text not copied (busy window) */
} panic_point;

/**
 * A freeze: armed at one point, it stops the first writer that reaches that point (in any thread)
 * until it is released, and tells the controller that it did. Once it has frozen a writer it is
 * disarmed: every other writer passes every point untouched.
 */
typedef struct panic_freeze panic_freeze;

/** NULL when out of memory. */
panic_freeze *panic_freeze_create(void);
/** Nobody may be frozen in it. NULL is allowed. */
void panic_freeze_destroy(panic_freeze *freeze);

/** Arms the freeze at `point` (PANIC_POINT_NONE disarms it). */
void panic_freeze_arm(panic_freeze *freeze, panic_point point);

/** Installs the freeze as the fault hook of the target's ring (prb_ring_set_fault_hook,
    logring_*_set_fault_hook). Before any writer starts. */
void panic_freeze_attach(panic_freeze *freeze, panic_target target);
/** Removes the target's fault hook. After every writer is done. */
void panic_freeze_detach(panic_target target);

/**
 * What a fault hook calls at `point` with the writer's seq: if the freeze is armed at this point,
 * it disarms it, tells the controller, and blocks until panic_freeze_release. Otherwise it returns
 * at once. Async-signal-safe (a handler's write passes through it without stopping).
 */
void panic_freeze_here(panic_freeze *freeze, panic_point point, uint64_t seq);

/**
 * Disarms the freeze if no writer has taken it: true when it was still armed (no writer will
 * freeze now). false when a writer already froze or is freezing: panic_freeze_wait will see it, and
 * it must be released.
 */
bool panic_freeze_disarm(panic_freeze *freeze);

/** Waits until a writer is frozen; false after timeout_ns (a point that was never reached). */
bool panic_freeze_wait(panic_freeze *freeze, uint64_t timeout_ns);
/** Lets the frozen writer go on. */
void panic_freeze_release(panic_freeze *freeze);
/** The point a writer froze at (PANIC_POINT_NONE if none did yet) and the seq it held there. */
panic_point panic_freeze_point(const panic_freeze *freeze);
uint64_t panic_freeze_seq(const panic_freeze *freeze);

/**
 * The write a writer about to be frozen makes, in the form that passes `point` (no deadline: it
 * is an ordinary writer):
 *   lockless, PANIC_POINT_PRB_COMMITTED     the two-phase write with prb_commit, which passes that
 *       point, not final commit;
 *   otherwise                            the ordinary write (panic_write without deadline). For the
 *       lockless ring that is a two-phase write too, whose first append (the checksum) leaves the
 *       record partly written: PANIC_POINT_PRB_TEXT_PARTIAL.
 * Not for signal handlers.
 */
panic_write_status panic_write_frozen(panic_target target, panic_point point, uint32_t writer, uint32_t index,
                                      size_t length, uint64_t *seq_out);

/* ---------------------------------------------------------------------------------------------
 * Running code in a signal handler on a chosen thread
 * ------------------------------------------------------------------------------------------- */

typedef enum panic_job_kind {
    PANIC_JOB_BATCH = 1, /**< panic_write_batch: a handler that writes (printk from NMI) */
    PANIC_JOB_PATH = 2, /**< panic_path_run: a handler that panics and dumps */
} panic_job_kind;

typedef struct panic_job {
    panic_job_kind kind;
    panic_target target;
    panic_batch batch; /**< PANIC_JOB_BATCH */
    panic_path panic; /**< PANIC_JOB_PATH */
} panic_job;

/** The signal the harness uses. */
int panic_signal_number(void);

/** Installs the harness's handler for panic_signal_number() (once; later calls do nothing).
    false if sigaction failed. */
bool panic_signal_install(void);

/**
 * Unblocks the harness's signal in the calling thread. A new thread inherits its creator's signal
 * mask, and threads of a thread pool (Swift's cooperative pool, libdispatch) block signals: a
 * thread that is to take the harness's signal calls this first. false if pthread_sigmask failed.
 */
bool panic_signal_accept(void);

/**
 * Sends the harness's signal to `thread` and has its handler run *job there, then waits for it:
 * true once it ran. false, with the job not run, when the handler did not take it within
 * timeout_ns (the thread ended, or blocks the signal). Once the handler has taken the job this
 * waits for it to finish, which its own deadlines bound. One job at a time, process-wide.
 */
bool panic_run_in_signal_handler(pthread_t thread, panic_job *job, uint64_t timeout_ns);

/* ---------------------------------------------------------------------------------------------
 * Build facts the tests need
 * ------------------------------------------------------------------------------------------- */

/**
 * Whether this build runs under ThreadSanitizer. On Linux, Synchronization.Mutex locks in the
 * uninstrumented Swift runtime, so TSan sees none of its ordering and reports every access it
 * protects (reproduced with a two-thread counter under Swift 6.3.1): tests that share the Swift
 * Mutex ring between threads are disabled under TSan.
 */
bool panic_built_with_thread_sanitizer(void);

#ifdef __cplusplus
}
#endif

#endif /* PANIC_HARNESS_H */
