/*
 * prb_atomics.h - the only door to shared ring memory.
 *
 * Every byte of a ring (header, descriptors, infos and text) lives in one array of 64-bit
 * words of type prb_aword, and prb.c touches that array only through the macros below.
 * Each macro takes an explicit memory order; nothing relies on a default.
 *
 * Why a layer of its own: the same prb.c must compile in three worlds.
 *   - C11 (what ships):        prb_aword is `_Atomic uint64_t`, the macros are <stdatomic.h>.
 *   - C++ (plain):             prb_aword is `std::atomic<uint64_t>`; this keeps the source in the
 *                              common subset of C and C++.
 *   - A memory-model checker:  define PRB_ATOMICS_CUSTOM to a header that provides the same
 *                              names (for Relacy: rl::atomic<uint64_t>, and each access passing
 *                              Relacy's `$` debug argument). The checker then runs the real ring
 *                              code, not a model of it.
 *
 * This header is private to the C target: Swift never sees `_Atomic`.
 */
#ifndef PRB_ATOMICS_H
#define PRB_ATOMICS_H

#include <stdint.h>

#if defined(PRB_ATOMICS_CUSTOM)

#include PRB_ATOMICS_CUSTOM

#elif defined(__cplusplus)

#include <atomic>

typedef std::atomic<uint64_t> prb_aword;

#define PRB_MO_RELAXED std::memory_order_relaxed
#define PRB_MO_ACQUIRE std::memory_order_acquire
#define PRB_MO_RELEASE std::memory_order_release
#define PRB_MO_ACQ_REL std::memory_order_acq_rel
#define PRB_MO_SEQ_CST std::memory_order_seq_cst

#define prb_load(p, mo) ((p)->load(mo))
#define prb_store(p, v, mo) ((p)->store((v), (mo)))
#define prb_cas(p, expected_ptr, desired, mo_success, mo_failure) \
    ((p)->compare_exchange_strong(*(expected_ptr), (desired), (mo_success), (mo_failure)))
#define prb_fetch_add(p, v, mo) ((p)->fetch_add((v), (mo)))
#define prb_fence(mo) std::atomic_thread_fence(mo)

static_assert(sizeof(prb_aword) == 8, "ring words must be plain 64-bit words");
static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free (signal safety, shared memory)");

#else

#include <stdatomic.h>

typedef _Atomic uint64_t prb_aword;

#define PRB_MO_RELAXED memory_order_relaxed
#define PRB_MO_ACQUIRE memory_order_acquire
#define PRB_MO_RELEASE memory_order_release
#define PRB_MO_ACQ_REL memory_order_acq_rel
#define PRB_MO_SEQ_CST memory_order_seq_cst

#define prb_load(p, mo) atomic_load_explicit((p), (mo))
#define prb_store(p, v, mo) atomic_store_explicit((p), (v), (mo))
#define prb_cas(p, expected_ptr, desired, mo_success, mo_failure) \
    atomic_compare_exchange_strong_explicit((p), (expected_ptr), (desired), (mo_success), (mo_failure))
#define prb_fetch_add(p, v, mo) atomic_fetch_add_explicit((p), (v), (mo))
#define prb_fence(mo) atomic_thread_fence(mo)

/* Ring memory is an array of these words, in this process or another: they must be plain
   64-bit words, and lock-free (a lock would break async-signal safety and cross-process use). */
_Static_assert(sizeof(prb_aword) == 8, "ring words must be plain 64-bit words");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free (signal safety, shared memory)");

#endif

/* Alignment a ring region must have: a cache line, so that the header's hot words do not share
   lines with anything else. A checker whose atomics are large objects may lower it. */
#ifndef PRB_REGION_ALIGN
#define PRB_REGION_ALIGN 64
#endif

#endif /* PRB_ATOMICS_H */
