/*
 * callgrind_control.h - what `prb-bench cost` asks of callgrind from inside the measured
 * process: start and stop collecting around the measured loop, so that set-up and warm-up do not
 * count. The client requests come from valgrind/callgrind.h (Debian's valgrind package); a binary
 * built without that header gets functions that do nothing, and says so.
 */
#ifndef CALLGRIND_CONTROL_H
#define CALLGRIND_CONTROL_H

#include <stdbool.h>

/** Whether this binary was built with valgrind's client requests (valgrind/callgrind.h was
    installed when it was compiled). Without them the start and stop calls do nothing. */
bool cost_client_requests_available(void);

/** Whether the calling process runs under valgrind (RUNNING_ON_VALGRIND); false without the
    client requests. */
bool cost_running_on_valgrind(void);

/** Starts counting (CALLGRIND_START_INSTRUMENTATION; run callgrind with --instr-atstart=no).
    Out of line: the few instructions of its return are the only ones counted outside the loop.
    Outside valgrind it costs a handful of instructions and does nothing. */
void cost_collect_start(void);

/** Stops counting (CALLGRIND_STOP_INSTRUMENTATION). */
void cost_collect_stop(void);

#endif
