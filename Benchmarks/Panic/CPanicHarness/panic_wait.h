/*
 * panic_wait.h - the harness's one bounded wait. Private to the target.
 */
#ifndef PANIC_WAIT_H
#define PANIC_WAIT_H

#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>

/** sem_wait for at most timeout_ns (retried on EINTR); false when the time ran out. Only a bound
    on how long a broken scenario can hang: a wall-clock jump does not matter. */
bool panic_sem_wait_for(sem_t *sem, uint64_t timeout_ns);

#endif /* PANIC_WAIT_H */
