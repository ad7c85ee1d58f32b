#!/usr/bin/env bash
# Installs valgrind (callgrind, and valgrind/callgrind.h, which prb-bench's cost loops are built
# with) and binutils (objdump, objcopy) when they are missing: `prb-bench cost` and the
# instruction budget check need them. Safe to run again. Exits 1 when they are missing and
# cannot be installed (not root).
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v valgrind >/dev/null && [ -f /usr/include/valgrind/callgrind.h ] \
    && command -v objdump >/dev/null && command -v objcopy >/dev/null; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "valgrind is missing: run 'sudo apt-get install -y valgrind binutils'" >&2
    exit 1
fi
echo "installing valgrind" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind binutils >&2
# callgrind.h is looked for when the C file is compiled (__has_include): a build made before the
# header existed has no client requests, and nothing else would make it compile again.
touch Benchmarks/Harness/CCallgrind/callgrind_control.c
