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
#define prb_cas(p, expected_ptr, desired, mo_success, mo_failure) \
    ((*(p))($).compare_exchange_strong(*(expected_ptr), (desired), (mo_success), (mo_failure)))
#define prb_fetch_add(p, v, mo) ((*(p))($).fetch_add((v), (mo)))
#define prb_fence(mo) rl::atomic_thread_fence((mo), $)

#endif
