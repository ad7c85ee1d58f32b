// The atomics layer of prb.c mapped to Relacy (a checker of the C++11 memory model): every
// load, store, CAS, fetch-add and fence of the real ring code becomes a Relacy operation, with
// the `$` debug argument that lets Relacy print the failing history line by line.
#ifndef PRB_ATOMICS_RELACY_HPP
#define PRB_ATOMICS_RELACY_HPP

#include <relacy/relacy.hpp>

typedef rl::atomic<uint64_t> prb_aword;

#define PRB_REGION_ALIGN alignof(prb_aword)

#define PRB_MO_RELAXED rl::mo_relaxed
#define PRB_MO_ACQUIRE rl::mo_acquire
#define PRB_MO_RELEASE rl::mo_release
#define PRB_MO_ACQ_REL rl::mo_acq_rel
#define PRB_MO_SEQ_CST rl::mo_seq_cst

#define prb_load(p, mo) ((*(p))($).load(mo))
#define prb_store(p, v, mo) ((*(p))($).store((v), (mo)))
/*
 * A failed compare-and-swap is, in the C++ model, a plain load with the failure order: it may read
 * any value a load could (RC11 and herd's C11 model agree), including one older than the newest.
 * Relacy's compare_exchange always reads the newest value, success or failure, so on its own it
 * would never show a weakening that only matters when a CAS fails on a stale value (the
 * store-buffering pair P10 at desc_make_final:A, the failure orders of the tail and head CASes).
 * prb_cas_ therefore first loads with the failure order, as a failing CAS would, and fails with
 * that value if it differs from the expected one; otherwise it does the real CAS (which may still
 * fail, on the newest value). Every outcome is one the C++ model allows for a strong CAS; the
 * extra load can only add synchronization, never remove it, so no false alarm comes from it.
 * PRB_RELACY_EXACT_CAS=1 restores Relacy's own CAS (a failed CAS then reads the newest value).
 */
#if defined(PRB_RELACY_EXACT_CAS) && PRB_RELACY_EXACT_CAS
#define prb_cas(p, expected_ptr, desired, mo_success, mo_failure) \
    ((*(p))($).compare_exchange_strong(*(expected_ptr), (desired), (mo_success), (mo_failure)))
#else
#define prb_cas(p, expected_ptr, desired, mo_success, mo_failure) \
    prb_cas_((p), (expected_ptr), (desired), (mo_success), (mo_failure), $)

/*
 * Steering for the suites (relacy_ring.hpp): if set, called before every compare-and-swap with
 * the word it is about to change. A suite uses it to hold a thread at one CAS (say, the data head
 * CAS of an allocation) until others have done something, waiting on plain variables: that only
 * chooses the interleaving, it adds no synchronization. Null (nothing) unless a suite sets it.
 */
static void (*prbrl_before_cas)(const prb_aword *word) = nullptr;

inline bool prb_cas_(prb_aword *p, uint64_t *expected, uint64_t desired, rl::memory_order mo_success,
                     rl::memory_order mo_failure, rl::debug_info_param info)
{
    if (prbrl_before_cas != nullptr)
        prbrl_before_cas(p);
    uint64_t seen = (*p)(info).load(mo_failure);
    if (seen != *expected) {
        *expected = seen;
        return false;
    }
    return (*p)(info).compare_exchange_strong(*expected, desired, mo_success, mo_failure);
}
#endif
#define prb_fetch_add(p, v, mo) ((*(p))($).fetch_add((v), (mo)))
#define prb_fence(mo) rl::atomic_thread_fence((mo), $)

#endif
