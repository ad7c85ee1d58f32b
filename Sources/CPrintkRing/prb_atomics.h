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

/*
 * PRB_MO_SEQ_CST is defined for one purpose only: the store-buffering pair P10 (prb.c), where a
 * committer stores its state and then loads the head while a reserver stores the head and then
 * loads the committer's state. Acquire/release cannot forbid both loads missing both stores;
 * only the single total order of seq_cst operations does. The four accesses of that pair
 * (desc_reserve:D, desc_make_final:A, _prb_commit:B, prb_commit:A) are its only users, each with a
 * comment there; docs/VERIFICATION.md shows each is needed.
 */

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

/*
 * Ordering sites, and weakening one of them.
 *
 * Every memory order and fence at an ordering site of prb.c is written with the site's name: the
 * kernel-style label LMM(desc_reserve:D) becomes desc_reserve_D (a label that covers both a
 * compare-and-swap and a fence gets _fence on the fence), e.g.
 *   PRB_MO(desc_reserve_D, PRB_MO_SEQ_CST)        a store's order, or a CAS's success order
 *   PRB_MO_LOAD(desc_reserve_A, PRB_MO_ACQUIRE)   a load's order, or a CAS's failure order
 *   PRB_FENCE(desc_read_D, PRB_MO_ACQUIRE)        a fence
 * Normally these expand to the order itself and to prb_fence(order), token for token: the code
 * that ships is exactly what it would be without them.
 *
 * A checker build (Tests/Relacy, scripts/verify-weakening.sh) weakens one site at a time, to show
 * that the barrier there is needed: with the barrier gone, some test must fail. Define (-D, value 1):
 *   PRB_WEAKEN_<site>       every order of the site becomes relaxed; its fence is removed
 *   PRB_WEAKEN_SC_<site>    only the seq_cst part goes: seq_cst -> acq_rel (as a load or failure
 *                           order: acquire); a seq_cst fence becomes acq_rel
 *   PRB_WEAKEN_ACQ_<site>   only the acquire half goes: acq_rel -> release, acquire -> relaxed,
 *                           seq_cst -> release (as a load or failure order: relaxed)
 *   PRB_WEAKEN_REL_<site>   only the release half goes: acq_rel -> acquire, release -> relaxed,
 *                           seq_cst -> acquire
 * The weakened order is a constant expression and always valid for its operation: a load never
 * gets a release order, a failure order never gets stronger than its success order. A fence
 * weakened to relaxed is no fence at all.
 */
#define PRB_MO(site, mo) PRB_APPLY_(PRB_SITE_PICK_(PRB_MO_AT_, site), (mo, 0, PRB_SITE_KNOBS_(site)))
#define PRB_MO_LOAD(site, mo) PRB_APPLY_(PRB_SITE_PICK_(PRB_MO_AT_, site), (mo, 1, PRB_SITE_KNOBS_(site)))
#define PRB_FENCE(site, mo) PRB_APPLY_(PRB_SITE_PICK_(PRB_FENCE_AT_, site), (mo, 0, PRB_SITE_KNOBS_(site)))

/* Unweakened: the order itself, the fence itself. */
#define PRB_MO_AT_0(mo, ...) mo
#define PRB_FENCE_AT_0(mo, ...) prb_fence(mo)

/* Weakened: keep the seq_cst / acquire / release parts of `mo` that no knob removes. */
#define PRB_MO_AT_1(mo, is_read, all, sc, acq, rel)                                                     \
    PRB_MO_MAKE_((mo) == PRB_MO_SEQ_CST && !((all) || (sc) || (acq) || (rel)),                          \
                 ((mo) == PRB_MO_ACQUIRE || (mo) == PRB_MO_ACQ_REL || (mo) == PRB_MO_SEQ_CST) &&         \
                     !((all) || (acq)),                                                                  \
                 !(is_read) && ((mo) == PRB_MO_RELEASE || (mo) == PRB_MO_ACQ_REL || (mo) == PRB_MO_SEQ_CST) && \
                     !((all) || (rel)))
#define PRB_MO_MAKE_(sc, acq, rel)                                                                      \
    ((sc) ? PRB_MO_SEQ_CST                                                                              \
          : (acq) && (rel) ? PRB_MO_ACQ_REL : (acq) ? PRB_MO_ACQUIRE : (rel) ? PRB_MO_RELEASE : PRB_MO_RELAXED)
#define PRB_FENCE_AT_1(mo, is_read, all, sc, acq, rel)                                                  \
    ((PRB_MO_AT_1(mo, 0, all, sc, acq, rel)) == PRB_MO_RELAXED ? (void)0                                \
                                                                : prb_fence(PRB_MO_AT_1(mo, 0, all, sc, acq, rel)))

/* The knobs of a site as 0/1, and whether any is set (then PRB_..._AT_1 is picked, else _AT_0). */
#define PRB_SITE_KNOBS_(site)                                                                           \
    PRB_IS_SET_(PRB_WEAKEN_##site), PRB_IS_SET_(PRB_WEAKEN_SC_##site), PRB_IS_SET_(PRB_WEAKEN_ACQ_##site), \
        PRB_IS_SET_(PRB_WEAKEN_REL_##site)
#define PRB_SITE_PICK_(prefix, site)                                                                    \
    PRB_PASTE_(prefix, PRB_ANY_SET_(PRB_IS_SET_(PRB_WEAKEN_##site), PRB_IS_SET_(PRB_WEAKEN_SC_##site),   \
                                    PRB_IS_SET_(PRB_WEAKEN_ACQ_##site), PRB_IS_SET_(PRB_WEAKEN_REL_##site)))

/* Preprocessor helpers. PRB_IS_SET_(NAME) is 1 if NAME is a macro defined as 1 (what -DNAME
   gives), else 0: the placeholder trick of the kernel's IS_ENABLED(). */
#define PRB_APPLY_(macro, args) macro args
#define PRB_PASTE_(a, b) PRB_PASTE2_(a, b)
#define PRB_PASTE2_(a, b) a##b
#define PRB_SECOND_(ignored, value, ...) value
#define PRB_IS_SET_(name) PRB_IS_SET2_(name)
#define PRB_IS_SET2_(value) PRB_IS_SET3_(PRB_PLACEHOLDER_##value)
#define PRB_IS_SET3_(arg_or_junk) PRB_SECOND_(arg_or_junk 1, 0, 0)
#define PRB_PLACEHOLDER_1 0,
#define PRB_ANY_SET_(a, b, c, d) PRB_ANY_SET2_(a, b, c, d)
#define PRB_ANY_SET2_(a, b, c, d) PRB_ANY_SET3_(PRB_NONE_SET_##a##b##c##d)
#define PRB_ANY_SET3_(arg_or_junk) PRB_SECOND_(arg_or_junk 1, 1, 1)
#define PRB_NONE_SET_0000 ~, 0,

/* Alignment a ring region must have: a cache line, so that the header's hot words do not share
   lines with anything else. A checker whose atomics are large objects may lower it. */
#ifndef PRB_REGION_ALIGN
#define PRB_REGION_ALIGN 64
#endif

#endif /* PRB_ATOMICS_H */
