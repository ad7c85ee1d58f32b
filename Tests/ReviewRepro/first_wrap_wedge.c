/*
 * Review repro (not part of the package build): a writer dies in data_alloc in the descriptor
 * ring's first wrap, while the data ring is still in its first wrap (data positions < 0). The
 * taken-over record keeps the positions of its never-used descriptor: 0 and 0. desc_push_tail then
 * asks data_push_tail(0), a whole data ring ahead of the start, which no walk can reach (the head
 * is below 0, and no reservation can move it: the descriptor ring is full). Every reservation
 * fails from then on.
 *
 * Build: gcc -std=c11 -O1 -pthread -I Sources/CPrintkRing/include -I Sources/CPrintkRing \
 *          Tests/ReviewRepro/first_wrap_wedge.c -o /tmp/fww && /tmp/fww [fault-point [desc_bits data_bits]]
 * (fault points 1, 6, 8 wedge with the default 4/12; 8 recovers with 8/8, where the data ring wraps first)
 */
#define _GNU_SOURCE
#include "../../Sources/CPrintkRing/prb.c"

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static prb_aword slots[2 * PRB_TS_WORDS];
static _Atomic int dead;
static int die_at;
static pthread_t dying_thread;

static bool owner_is_gone(void *c, uint64_t tag) { (void)c; return tag == 1 && atomic_load(&dead); }
static prb_aword *acquire_slot(void *c, uint64_t *token)
{
    (void)c;
    *token = pthread_equal(pthread_self(), dying_thread) ? 0 : 1;
    return &slots[*token * PRB_TS_WORDS];
}
static void release_slot(void *c, uint64_t t) { (void)c; (void)t; }
static const prb_recovery_ops ops = {owner_is_gone, acquire_slot, release_slot};

static void hook(void *c, prb_fault_point p, const prb_entry *e)
{
    (void)c; (void)e;
    if ((int)p != die_at || !pthread_equal(pthread_self(), dying_thread))
        return;
    atomic_store(&dead, 1);
    for (;;)
        pause(); /* dead for good */
}

static void *dying(void *arg)
{
    prb_ring *r = arg;
    prb_entry e;
    prb_reserve(r, &e, 8, NULL); /* dies inside */
    return NULL;
}

int main(int argc, char **argv)
{
    unsigned desc_bits = argc > 2 ? (unsigned)atoi(argv[2]) : 4, data_bits = argc > 3 ? (unsigned)atoi(argv[3]) : 12;
    size_t bytes = prb_ring_required_bytes(desc_bits, data_bits);
    void *mem = aligned_alloc(64, bytes);
    prb_status st;
    prb_ring *r = prb_ring_format(mem, bytes, desc_bits, data_bits, &st);
    unsigned k, ok = 0, fails_at_end = 0;

    die_at = argc > 1 ? atoi(argv[1]) : PRB_FAULT_DATA_HEAD_MOVED;
    slots[0 * PRB_TS_WORDS + PRB_TS_OWNER] = 1;
    slots[1 * PRB_TS_WORDS + PRB_TS_OWNER] = 2;
    slots[0 * PRB_TS_WORDS + PRB_TS_DATA_BEGIN] = PRB_TS_NO_BLOCK;
    slots[1 * PRB_TS_WORDS + PRB_TS_DATA_BEGIN] = PRB_TS_NO_BLOCK;
    prb_ring_enable_recovery(r, slots, 2, &ops, NULL);
    prb_ring_set_fault_hook(r, hook, NULL);

    /* A few records first, so that the dead one is not the first. */
    for (k = 0; k < 3; k++) {
        prb_entry e;
        if (prb_reserve(r, &e, 8, NULL) == PRB_OK) { prb_entry_append(&e, "abcdefgh", 8); prb_final_commit(&e); }
    }
    pthread_create(&dying_thread, NULL, dying, r);
    while (!atomic_load(&dead))
        usleep(1000);

    /* 16 descriptors, 16-byte blocks: 200 records wrap the descriptor ring 12 times and the data
       ring (4096 bytes) less than once... at first; later ones wrap it. */
    for (k = 0; k < 1000; k++) {
        prb_entry e;
        prb_status s = prb_reserve(r, &e, 8, NULL);
        if (s == PRB_OK) {
            prb_entry_append(&e, "abcdefgh", 8);
            prb_final_commit(&e);
            ok++;
            fails_at_end = 0;
        } else {
            fails_at_end++;
        }
    }
    printf("die at %d: %u of 1000 reservations succeeded; the last %u failed; taken over: %llu\n", die_at, ok,
           fails_at_end, (unsigned long long)prb_load(hdr_word(r, H_TAKEN_OVER), PRB_MO_RELAXED));
    return fails_at_end > 0 ? 1 : 0;
}
