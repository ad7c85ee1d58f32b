/*
 * panic_freeze.c - freezing a writer at a fault point, and releasing it later (or never).
 */
#include "panic_harness.h"
#include "panic_wait.h"

#include <errno.h>
#include <comparators.h>
#include <prb_testing.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

struct panic_freeze {
    _Atomic int armed;      /* the point to freeze at, PANIC_POINT_NONE when disarmed */
    _Atomic int frozen_at;  /* the point a writer froze at */
    _Atomic uint64_t frozen_seq;
    sem_t frozen;   /* posted by the writer that froze */
    sem_t released; /* posted by the controller */
};

panic_freeze *panic_freeze_create(void) {
    panic_freeze *freeze = malloc(sizeof *freeze);
    if (freeze == NULL) return NULL;
    atomic_init(&freeze->armed, PANIC_POINT_NONE);
    atomic_init(&freeze->frozen_at, PANIC_POINT_NONE);
    atomic_init(&freeze->frozen_seq, 0);
    if (sem_init(&freeze->frozen, 0, 0) != 0) {
        free(freeze);
        return NULL;
    }
    if (sem_init(&freeze->released, 0, 0) != 0) {
        sem_destroy(&freeze->frozen);
        free(freeze);
        return NULL;
    }
    return freeze;
}

void panic_freeze_destroy(panic_freeze *freeze) {
    if (freeze == NULL) return;
    sem_destroy(&freeze->frozen);
    sem_destroy(&freeze->released);
    free(freeze);
}

void panic_freeze_arm(panic_freeze *freeze, panic_point point) {
    /* Release: pairs with the acquire CAS in panic_freeze_here; a writer that freezes sees what the
       controller did before arming. */
    atomic_store_explicit(&freeze->armed, point, memory_order_release);
}

bool panic_freeze_disarm(panic_freeze *freeze) {
    /* Relaxed: only the outcome of the race with panic_freeze_here's CAS matters here. */
    int armed = atomic_load_explicit(&freeze->armed, memory_order_relaxed);
    return armed != PANIC_POINT_NONE &&
           atomic_compare_exchange_strong_explicit(&freeze->armed, &armed, PANIC_POINT_NONE,
                                                   memory_order_relaxed, memory_order_relaxed);
}

void panic_freeze_here(panic_freeze *freeze, panic_point point, uint64_t seq) {
    /* Relaxed: a cheap filter for the common case (another point, or disarmed); the CAS decides. */
    if (atomic_load_explicit(&freeze->armed, memory_order_relaxed) != (int)point) return;
    int expected = point;
    /* Acquire: pairs with panic_freeze_arm. Only one writer wins the CAS: the freeze is single-shot. */
    if (!atomic_compare_exchange_strong_explicit(&freeze->armed, &expected, PANIC_POINT_NONE,
                                                 memory_order_acquire, memory_order_relaxed)) {
        return;
    }
    /* Relaxed: published by sem_post, which the controller's sem_wait synchronizes with. */
    atomic_store_explicit(&freeze->frozen_seq, seq, memory_order_relaxed);
    atomic_store_explicit(&freeze->frozen_at, point, memory_order_relaxed);
    sem_post(&freeze->frozen);
    while (sem_wait(&freeze->released) != 0) {
        /* EINTR: a signal handler ran on this thread (stuck-self, signal-writer); keep waiting. */
    }
}

bool panic_sem_wait_for(sem_t *sem, uint64_t timeout_ns) {
    struct timespec at;
    logring_realtime_deadline(timeout_ns, &at);
    for (;;) {
        if (sem_timedwait(sem, &at) == 0) return true;
        if (errno != EINTR) return false;
    }
}

bool panic_freeze_wait(panic_freeze *freeze, uint64_t timeout_ns) {
    return panic_sem_wait_for(&freeze->frozen, timeout_ns);
}

void panic_freeze_release(panic_freeze *freeze) {
    sem_post(&freeze->released);
}

panic_point panic_freeze_point(const panic_freeze *freeze) {
    /* Relaxed: read after panic_freeze_wait, whose sem_wait ordered it. */
    return (panic_point)atomic_load_explicit(&((panic_freeze *)freeze)->frozen_at, memory_order_relaxed);
}

uint64_t panic_freeze_seq(const panic_freeze *freeze) {
    /* Relaxed: as panic_freeze_point. */
    return atomic_load_explicit(&((panic_freeze *)freeze)->frozen_seq, memory_order_relaxed);
}

static void panic_prb_hook(void *context, prb_fault_point point, const prb_entry *entry) {
    /* The write path's points carry the entry; a read's point (PRB_FAULT_READ_INFO_COPIED) does
       not, and no scenario freezes a reader. */
    if (entry == NULL)
        return;
    panic_freeze_here(context, (panic_point)point, entry->seq);
}

static void panic_lb_hook(void *context, logring_fault_point point, uint64_t seq) {
    panic_freeze_here(context, (panic_point)(0x10 + (int)point), seq);
}

void panic_freeze_attach(panic_freeze *freeze, panic_target target) {
    switch (target.kind) {
    case PANIC_LOCKLESS: prb_ring_set_fault_hook(target.ring, panic_prb_hook, freeze); break;
    case PANIC_SPINLOCK: spinlock_ring_set_fault_hook(target.ring, panic_lb_hook, freeze); break;
    case PANIC_MUTEX: mutex_ring_set_fault_hook(target.ring, panic_lb_hook, freeze); break;
    case PANIC_SPIN_RESERVE: spin_reserve_ring_set_fault_hook(target.ring, panic_lb_hook, freeze); break;
    }
}

void panic_freeze_detach(panic_target target) {
    switch (target.kind) {
    case PANIC_LOCKLESS: prb_ring_set_fault_hook(target.ring, NULL, NULL); break;
    case PANIC_SPINLOCK: spinlock_ring_set_fault_hook(target.ring, NULL, NULL); break;
    case PANIC_MUTEX: mutex_ring_set_fault_hook(target.ring, NULL, NULL); break;
    case PANIC_SPIN_RESERVE: spin_reserve_ring_set_fault_hook(target.ring, NULL, NULL); break;
    }
}
