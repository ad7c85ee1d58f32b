#!/usr/bin/env bash
# Installs what building the package needs and a fresh Debian/Ubuntu machine lacks: libnuma's
# headers (the benchmark's NUMA placement). Safe to run again; does nothing when all is there.
set -euo pipefail

if ! pkg-config --exists numa 2>/dev/null && [ ! -f /usr/include/numa.h ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "libnuma-dev is missing: run 'sudo apt-get install -y libnuma-dev'" >&2
        exit 1
    fi
    echo "installing libnuma-dev" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libnuma-dev pkg-config >&2
fi
