#!/usr/bin/env python3
"""Makes a Relacy history of the ring suites readable.

Relacy prints every access with the raw address of the rl::atomic and the raw 64-bit value. This
names each address after the ring word it is (hdr.head_id, desc[2].state, info[1].seq, data[5]) and
decodes the values: a state word as "state(id rN)", an id as "rN", an lpos relative to the ring's
first position. rN is the record number an id stands for (seq N when the ring is used in order):
ids start at DESC0_ID + 1 for seq 0.

Usage: decode_history.py HISTORY_FILE [--all] [--desc-bits 2] [--data-bits 6]
  default: only the threads' part of the first failing history (between BEFORE END and
           AFTER BEGIN, i.e. without the set-up and the final checks); --all: everything.
The ring geometry defaults to the suites' (relacy_ring.hpp: 4 descriptors, 64 bytes).
"""
import re
import sys

# Layout version 2 of prb.c (the enum at its top): header, descriptors, infos, device infos, text.
HDR_WORDS, DESC_WORDS, INFO_WORDS, DEV_WORDS = 64, 4, 4, 8
HDR_NAMES = {0: "magic", 8: "head_id", 16: "tail_id", 24: "data_head", 32: "data_tail",
             40: "last_finalized", 48: "failed_desc", 56: "failed_data"}
DESC_FIELDS = {0: "state", 1: "begin", 2: "next", 3: "spare"}
INFO_FIELDS = {0: "seq", 1: "ts", 2: "caller_len", 3: "level"}
STATES = ["reserved", "committed", "finalized", "reusable"]
ID_BITS = 62
ID_MASK = (1 << ID_BITS) - 1
M64 = (1 << 64) - 1


def main():
    args = sys.argv[1:]
    show_all = "--all" in args
    desc_bits, data_bits = 2, 6
    if "--desc-bits" in args:
        desc_bits = int(args[args.index("--desc-bits") + 1])
    if "--data-bits" in args:
        data_bits = int(args[args.index("--data-bits") + 1])
    path = [a for a in args if not a.startswith("--") and not a.isdigit()][0]
    count, size = 1 << desc_bits, 1 << data_bits
    desc0 = (-(count + 1)) & ID_MASK
    blk0 = (-size) & M64

    lines = open(path).read().splitlines()
    # Only the first failure's global history: it ends where the per-thread histories begin.
    start = next(i for i, l in enumerate(lines) if l.startswith("execution history"))
    hist = []
    for l in lines[start + 1:]:
        if not l.startswith("["):
            break
        hist.append(l)
    header = lines[:start]

    # The region's first word and the size of one rl::atomic: the first two stores of
    # prb_ring_format (it zeroes the region word by word from the start).
    stores = [int(m.group(1), 16) for l in hist if "in prb_ring_format" in l
              for m in [re.search(r"<0x([0-9a-f]+)> atomic store", l)] if m]
    base, stride = stores[0], stores[1] - stores[0]
    descs = HDR_WORDS
    infos = descs + count * DESC_WORDS
    devs = infos + count * INFO_WORDS
    data = devs + count * DEV_WORDS
    end = data + size // 8

    def rec(id_):
        return "r%d" % ((id_ - desc0 - 1) & ID_MASK) if id_ != desc0 else "r-1(boot)"

    def lpos(v):
        return "L%d" % ((v - blk0) & M64) if v & 1 == 0 else ("FAILED" if v == 1 else "EMPTY" if v == 3 else hex(v))

    def name_and_kind(addr):
        if (addr - base) % stride:
            return None, None
        w = (addr - base) // stride
        if w < 0 or w >= end:
            return None, None
        if w < HDR_WORDS:
            n = HDR_NAMES.get(w, "hdr%d" % w)
            kind = {"head_id": "id", "tail_id": "id", "data_head": "lpos", "data_tail": "lpos"}.get(n)
            return "hdr." + n, kind
        if w < infos:
            s, f = divmod(w - descs, DESC_WORDS)
            n = DESC_FIELDS[f]
            return "desc[%d].%s" % (s, n), {"state": "sv", "begin": "lpos", "next": "lpos"}.get(n)
        if w < devs:
            s, f = divmod(w - infos, INFO_WORDS)
            return "info[%d].%s" % (s, INFO_FIELDS[f]), None
        if w < data:
            s, f = divmod(w - devs, DEV_WORDS)
            return "dev[%d].%d" % (s, f), None
        return "data[%d]" % (w - data), "data"

    def value(kind, v):
        if kind == "sv":
            if v == 0:
                # Also reserved(id 0): ids overflow to 0 on the second wrap (DESC0_ID).
                return "0(unused|%s)" % ("reserved(%s)" % rec(0))
            return "%s(%s)" % (STATES[v >> ID_BITS], rec(v & ID_MASK))
        if kind == "id":
            return rec(v)
        if kind == "lpos":
            return lpos(v)
        if kind == "data" and desc0 - 2 * count <= (v & ID_MASK) <= desc0 + 64 and v >> ID_BITS == 0:
            return "%d(id %s?)" % (v, rec(v))
        return str(v)

    in_threads = False
    out = [h for h in header if h.strip()]
    for l in hist:
        if "[BEFORE END]" in l:
            in_threads = True
            continue
        if "[AFTER BEGIN]" in l:
            in_threads = False
        if not (show_all or in_threads):
            continue
        m = re.search(r"<0x([0-9a-f]+)>", l)
        if m:
            n, kind = name_and_kind(int(m.group(1), 16))
            if n is not None:
                l = l.replace(m.group(0), n)
                for key in ("value", "orig", "cmp", "xchg"):  # "value" also matches "prev value"
                    l = re.sub(r"(\b%s=)(\d+)" % re.escape(key),
                               lambda mm: mm.group(1) + value(kind, int(mm.group(2))), l)
        l = re.sub(r", in (\w+), Tests/Relacy/\.\./\.\./Sources/CPrintkRing/prb\.c\((\d+)\)", r"  [\1 prb.c:\2]", l)
        l = re.sub(r", in (\w+), Tests/Relacy/(\S+)\((\d+)\)", r"  [\1 \2:\3]", l)
        out.append(l)
    print("\n".join(out))


if __name__ == "__main__":
    main()
