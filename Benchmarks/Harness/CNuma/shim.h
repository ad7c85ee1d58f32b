// libnuma, seen from Swift. Only the benchmark links it; the ring itself has no dependency.
#include <numa.h>
