#include "allocation_counter.h"

#include <stddef.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define COUNTER_DISABLED 1
#endif
#endif
#if !defined(__GLIBC__) && !defined(__linux__)
#define COUNTER_DISABLED 1
#endif

#if defined(COUNTER_DISABLED)

bool allocation_counter_available(void) { return false; }
void allocation_counter_start(void) {}
uint64_t allocation_counter_stop(void) { return 0; }

#else

/* glibc's real allocator entry points. */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

/* Initial-exec TLS: reading it never allocates (it lives in the thread's static TLS block). */
static __thread int counting __attribute__((tls_model("initial-exec")));
static __thread uint64_t allocations __attribute__((tls_model("initial-exec")));

static inline void count(void)
{
    if (counting)
        allocations++;
}

void *malloc(size_t size)
{
    count();
    return __libc_malloc(size);
}

void *calloc(size_t count_, size_t size)
{
    count();
    return __libc_calloc(count_, size);
}

void *realloc(void *pointer, size_t size)
{
    count();
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size)
{
    count();
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size)
{
    count();
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    void *pointer;
    count();
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0)
        return 22; /* EINVAL */
    pointer = __libc_memalign(alignment, size);
    if (pointer == NULL && size != 0)
        return 12; /* ENOMEM */
    *out = pointer;
    return 0;
}

bool allocation_counter_available(void) { return true; }

void allocation_counter_start(void)
{
    allocations = 0;
    counting = 1;
}

uint64_t allocation_counter_stop(void)
{
    counting = 0;
    return allocations;
}

#endif
