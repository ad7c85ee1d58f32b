/*
 * raw_spinlock.h - a raw test-and-test-and-set spinlock, like the old kernel's logbuf_lock.
 * Private to the target; used by spinlock_ring and (for reservations only) spin_reserve_ring.
 *
 * A waiter reads the lock word until it looks free (so that waiters spin in their own caches),
 * then tries to take it with one exchange. The pause instruction tells the CPU it is a spin
 * loop (x86 PAUSE, arm64 YIELD); elsewhere the loop simply spins.
 */
#ifndef RAW_SPINLOCK_H
#define RAW_SPINLOCK_H

#include "comparators.h"

#include <prb.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct raw_spinlock {
    _Atomic uint32_t held; /* 0 free, 1 held */
};

static inline void logring_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

static inline void raw_spin_lock_init(struct raw_spinlock *lock) {
    atomic_init(&lock->held, 0);
}

/** One attempt; true with the lock held. */
static inline bool raw_spin_trylock(struct raw_spinlock *lock) {
    /* Relaxed: only a hint that the exchange below may succeed; it orders nothing. */
    if (atomic_load_explicit(&lock->held, memory_order_relaxed) != 0) return false;
    /* Acquire: pairs with the release in raw_spin_unlock, so the previous holder's critical
       section happens before ours. */
    return atomic_exchange_explicit(&lock->held, 1, memory_order_acquire) == 0;
}

/** Spins until the lock is free, then takes it. */
static inline void raw_spin_lock(struct raw_spinlock *lock) {
    while (!raw_spin_trylock(lock)) {
        /* Relaxed: waiting only; raw_spin_trylock's exchange does the ordering. */
        while (atomic_load_explicit(&lock->held, memory_order_relaxed) != 0) {
            logring_cpu_relax();
        }
    }
}

/** Whether the lock looks held right now (for spin loops that also watch a clock). */
static inline bool raw_spin_looks_held(struct raw_spinlock *lock) {
    /* Relaxed: a hint for a wait loop; the caller retries with raw_spin_trylock. */
    return atomic_load_explicit(&lock->held, memory_order_relaxed) != 0;
}

/** Spins until the lock is taken (true) or prb_clock_ns() reaches deadline_ns (false). A
    deadline in the past makes it a single attempt. */
static inline bool raw_spin_lock_until(struct raw_spinlock *lock, uint64_t deadline_ns) {
    for (;;) {
        if (raw_spin_trylock(lock)) return true;
        if (prb_clock_ns() >= deadline_ns) return false;
        /* Read the clock only every so often: it is far slower than a pause. */
        for (int i = 0; i < 128 && raw_spin_looks_held(lock); i++) {
            logring_cpu_relax();
        }
    }
}

static inline void raw_spin_unlock(struct raw_spinlock *lock) {
    /* Release: pairs with the acquire exchange in raw_spin_trylock of the next holder. */
    atomic_store_explicit(&lock->held, 0, memory_order_release);
}

#endif /* RAW_SPINLOCK_H */
