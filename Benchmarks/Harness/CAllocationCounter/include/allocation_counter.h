/*
 * allocation_counter.h - counts heap allocations made by the calling thread, for the test that
 * proves the write path allocates nothing.
 *
 * The counter interposes malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign in
 * the test executable (the dynamic linker resolves those names to the executable first) and
 * forwards to glibc's own entry points. Counting is per thread, so tests running in parallel on
 * other threads do not disturb it. Under a sanitizer, which interposes the allocator itself, the
 * counter is compiled out and reports itself unavailable.
 */
#ifndef ALLOCATION_COUNTER_H
#define ALLOCATION_COUNTER_H

#include <stdbool.h>
#include <stdint.h>

/** False when the counter is compiled out (sanitizer builds, non-glibc systems). */
bool allocation_counter_available(void);

/** Starts counting this thread's allocations from zero. */
void allocation_counter_start(void);

/** Stops counting and returns the number of allocations this thread made since start. */
uint64_t allocation_counter_stop(void);

#endif
