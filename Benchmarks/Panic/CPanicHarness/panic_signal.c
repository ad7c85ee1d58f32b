/*
 * panic_signal.c - running a write batch or the panic path in a signal handler on a chosen thread:
 * the userspace twin of an NMI that interrupts a CPU in the middle of a printk.
 *
 * The controller publishes the job in panic_pending and sends the signal; the handler takes the job
 * with an exchange (so a stray or late signal finds nothing to do), runs it, and posts panic_done.
 * The handler touches only async-signal-safe things: atomics, the job's own memory, the rings'
 * async-signal-safe calls, clock_gettime and sem_post. It saves and restores errno.
 */
#include "panic_harness.h"
#include "panic_wait.h"

#include <errno.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

static _Atomic(panic_job *) panic_pending;
static sem_t panic_done;
static pthread_once_t panic_once = PTHREAD_ONCE_INIT;
static bool panic_installed;
/* Serializes controllers: there is one pending slot per process. */
static pthread_mutex_t panic_controller = PTHREAD_MUTEX_INITIALIZER;

int panic_signal_number(void) {
    return SIGUSR2;
}

static void panic_on_signal(int signo) {
    (void)signo;
    int saved_errno = errno;
    /* Acquire: pairs with the release store in panic_run_in_signal_handler; the handler sees the
       job's inputs. */
    panic_job *job = atomic_exchange_explicit(&panic_pending, NULL, memory_order_acquire);
    if (job != NULL) {
        switch (job->kind) {
        case PANIC_JOB_BATCH: panic_write_batch(job->target, &job->batch); break;
        case PANIC_JOB_PATH: panic_path_run(job->target, &job->panic); break;
        }
        sem_post(&panic_done); /* publishes the job's results to the controller */
    }
    errno = saved_errno;
}

static void panic_install_once(void) {
    if (sem_init(&panic_done, 0, 0) != 0) return;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = panic_on_signal;
    sigfillset(&action.sa_mask); /* nothing else interrupts the handler */
    action.sa_flags = SA_RESTART;
    panic_installed = sigaction(panic_signal_number(), &action, NULL) == 0;
}

bool panic_signal_install(void) {
    pthread_once(&panic_once, panic_install_once);
    return panic_installed;
}

bool panic_signal_accept(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, panic_signal_number());
    return pthread_sigmask(SIG_UNBLOCK, &set, NULL) == 0;
}

bool panic_run_in_signal_handler(pthread_t thread, panic_job *job, uint64_t timeout_ns) {
    if (!panic_signal_install()) return false;
    pthread_mutex_lock(&panic_controller);
    /* Release: pairs with the handler's acquire exchange. */
    atomic_store_explicit(&panic_pending, job, memory_order_release);
    bool ran = false;
    if (pthread_kill(thread, panic_signal_number()) == 0) {
        ran = panic_sem_wait_for(&panic_done, timeout_ns);
    }
    if (!ran) {
        /* Acquire-release: either we take the job back (the handler never will), or the handler
           took it and is running it: then wait for it, its own deadlines bound it. */
        if (atomic_exchange_explicit(&panic_pending, NULL, memory_order_acq_rel) == NULL) {
            while (sem_wait(&panic_done) != 0) {
            }
            ran = true;
        }
    }
    pthread_mutex_unlock(&panic_controller);
    return ran;
}
