/*
 * The atomics layer of prb.c with preemption points: the first acquire fence executed after a
 * test arms `preempt_hook` calls the hook right there, and the first compare-and-swap that
 * succeeds after a test arms `preempt_after_cas_hook` calls that hook right after it, as if the
 * thread had been descheduled there and another thread had run. This replays, deterministically
 * and on any hardware, an interleaving that stress tests would hit only by luck.
 */
#ifndef PREEMPT_ATOMICS_H
#define PREEMPT_ATOMICS_H

#include <stdatomic.h>
#include <stdbool.h>

typedef _Atomic uint64_t prb_aword;

#define PRB_MO_RELAXED memory_order_relaxed
#define PRB_MO_ACQUIRE memory_order_acquire
#define PRB_MO_RELEASE memory_order_release
#define PRB_MO_ACQ_REL memory_order_acq_rel
#define PRB_MO_SEQ_CST memory_order_seq_cst

#define prb_load(p, mo) atomic_load_explicit((p), (mo))
#define prb_store(p, v, mo) atomic_store_explicit((p), (v), (mo))
#define prb_cas(p, e, d, ms, mf) preemptible_cas((p), (e), (d), (ms), (mf))
#define prb_fetch_add(p, v, mo) atomic_fetch_add_explicit((p), (v), (mo))

extern void (*preempt_hook)(void);
extern void (*preempt_after_cas_hook)(void);

static inline bool preemptible_cas(prb_aword *p, uint64_t *expected, uint64_t desired, memory_order success,
                                   memory_order failure)
{
    bool done = atomic_compare_exchange_strong_explicit(p, expected, desired, success, failure);
    if (done && preempt_after_cas_hook != 0) {
        void (*hook)(void) = preempt_after_cas_hook;
        preempt_after_cas_hook = 0;
        hook();
    }
    return done;
}

static inline void preemptible_fence(memory_order order)
{
    if (order == memory_order_acquire && preempt_hook != 0) {
        void (*hook)(void) = preempt_hook;
        preempt_hook = 0;
        hook();
    }
    atomic_thread_fence(order);
}

#define prb_fence(mo) preemptible_fence(mo)

#endif
