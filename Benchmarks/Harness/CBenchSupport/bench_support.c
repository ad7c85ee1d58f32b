#include "bench_support.h"

#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int bench_allowed_cpus(int *cpus, int capacity)
{
    cpu_set_t set;
    int count = 0;

    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return -1;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &set))
            continue;
        if (count < capacity)
            cpus[count] = cpu;
        count++;
    }
    return count;
}

int bench_pin_current_thread(int cpu)
{
    cpu_set_t set;

    if (cpu < 0 || cpu >= CPU_SETSIZE)
        return EINVAL;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

int bench_current_cpu(void) { return sched_getcpu(); }

bool bench_numa_available(void) { return numa_available() >= 0; }

int bench_numa_max_node(void) { return bench_numa_available() ? numa_max_node() : 0; }

int bench_numa_node_of_cpu(int cpu)
{
    int node;
    if (!bench_numa_available())
        return 0;
    node = numa_node_of_cpu(cpu);
    return node < 0 ? 0 : node;
}

void *bench_numa_alloc(size_t bytes, int node)
{
    void *memory;

    if (bench_numa_available()) {
        memory = node < 0 ? numa_alloc_interleaved(bytes) : numa_alloc_onnode(bytes, node);
        if (memory != NULL)
            memset(memory, 0, bytes); /* touch every page now, on its node */
        return memory;
    }
    memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED)
        return NULL;
    memset(memory, 0, bytes);
    return memory;
}

void bench_numa_free(void *memory, size_t bytes)
{
    if (memory == NULL)
        return;
    if (bench_numa_available())
        numa_free(memory, bytes);
    else
        munmap(memory, bytes);
}

int bench_numa_node_of_address(void *address)
{
    int node = -1;
    if (!bench_numa_available())
        return 0;
    if (get_mempolicy(&node, NULL, 0, address, MPOL_F_NODE | MPOL_F_ADDR) != 0)
        return -1;
    return node;
}

int bench_set_memory_policy(int node)
{
    struct bitmask *nodes;

    if (!bench_numa_available())
        return -1;
    if (node < 0) {
        numa_set_interleave_mask(numa_all_nodes_ptr);
        return 0;
    }
    nodes = numa_allocate_nodemask();
    numa_bitmask_setbit(nodes, (unsigned)node);
    numa_set_membind(nodes);
    numa_free_nodemask(nodes);
    return 0;
}
