/*
 * bench_support.h - what the benchmark needs from the OS that Swift cannot reach directly:
 * CPU affinity (sched_getaffinity, pthread_setaffinity_np, sched_getcpu need _GNU_SOURCE, and
 * the CPU_* macros do not import) and NUMA placement through libnuma.
 */
#ifndef BENCH_SUPPORT_H
#define BENCH_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Writes the CPUs this process may run on (ascending) into cpus, at most capacity of them;
    returns how many there are (which may exceed capacity), or -1 on error. */
int bench_allowed_cpus(int *cpus, int capacity);

/** Pins the calling thread to one CPU; returns 0 or an errno value. */
int bench_pin_current_thread(int cpu);

/** The CPU the calling thread runs on now, or -1. */
int bench_current_cpu(void);

/** libnuma: true when the kernel has NUMA support (numa_available() >= 0). */
bool bench_numa_available(void);
/** Highest node number (0 on a machine without NUMA). */
int bench_numa_max_node(void);
/** The node of a CPU (0 without NUMA). */
int bench_numa_node_of_cpu(int cpu);
/** Allocates `bytes` of zeroed memory on `node`, or interleaved over all nodes when node < 0;
    falls back to ordinary page-aligned memory without NUMA. Free with bench_numa_free. */
void *bench_numa_alloc(size_t bytes, int node);
void bench_numa_free(void *memory, size_t bytes);
/** The node that holds the page at `address`, or -1 if unknown. */
int bench_numa_node_of_address(void *address);

/**
 * Sets the calling thread's memory policy, which threads it creates afterwards inherit: pages
 * first touched under it come from `node` (node >= 0, MPOL_BIND) or are interleaved over all
 * nodes (node < 0). Used for the comparators, which allocate their own buffers. Returns 0, or -1
 * without NUMA (nothing changed).
 */
int bench_set_memory_policy(int node);

#endif
