#include "callgrind_control.h"

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define COST_HAVE_CLIENT_REQUESTS 1
#else
#define COST_HAVE_CLIENT_REQUESTS 0
#endif

bool cost_client_requests_available(void) { return COST_HAVE_CLIENT_REQUESTS; }

bool cost_running_on_valgrind(void)
{
#if COST_HAVE_CLIENT_REQUESTS
    return RUNNING_ON_VALGRIND != 0;
#else
    return false;
#endif
}

void cost_collect_start(void)
{
#if COST_HAVE_CLIENT_REQUESTS
    CALLGRIND_START_INSTRUMENTATION;
#endif
}

void cost_collect_stop(void)
{
#if COST_HAVE_CLIENT_REQUESTS
    CALLGRIND_STOP_INSTRUMENTATION;
#endif
}
