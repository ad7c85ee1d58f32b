/*
 * What every interleaving replay shares: one line per check, and the tally its main() reports.
 */
#ifndef REPLAY_CHECK_H
#define REPLAY_CHECK_H

#include <stdbool.h>
#include <stdio.h>

static int passed, failed;

static void check(bool ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAILED", what);
    if (ok)
        passed++;
    else
        failed++;
}

#endif
