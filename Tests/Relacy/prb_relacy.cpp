/*
 * Relacy suites over the real ring code: prb.c itself is compiled here as C++, with its atomics
 * layer mapped to Relacy's (prb_atomics_relacy.hpp), so Relacy's scheduler explores interleavings
 * and the weak behaviours the C++11 memory model allows, on our actual implementation.
 *
 * Usage: prb_relacy [iterations] (default 100000 per suite). Built and run by scripts/verify.sh.
 */
#include "prb_atomics_relacy.hpp"
#define PRB_ATOMICS_CUSTOM "prb_atomics_relacy.hpp"
#include "../../Sources/CPrintkRing/prb.c"

#include <cstdio>

/* A ring region made of Relacy atomics (constructed objects, as Relacy requires). */
struct region {
    prb_aword *words = nullptr;
    size_t count = 0;
    void make(size_t bytes) {
        count = bytes / 8;
        words = new prb_aword[count];
    }
    void destroy() {
        delete[] words;
    }
};

static uint64_t checksum(uint64_t a, uint64_t b) { return (a * 0x9E3779B97F4A7C15ull) ^ (b + 0x1234567ull); }

/*
 * Two writers write three self-checking records each into a ring of 4 descriptors and 64 bytes of
 * text (so both rings wrap); a reader reads as it goes. Every record read must be intact and seqs
 * must only grow.
 */
struct two_writers_one_reader : rl::test_suite<two_writers_one_reader, 3> {
    region mem;
    prb_ring *ring;
    void before() {
        size_t bytes = prb_ring_required_bytes(2, 6);
        mem.make(bytes);
        prb_status st;
        ring = prb_ring_format(mem.words, bytes, 2, 6, &st);
        RL_ASSERT(ring != nullptr);
    }
    void after() {
        prb_ring_destroy(ring);
        mem.destroy();
    }
    void thread(unsigned index) {
        if (index < 2) {
            for (uint64_t n = 0; n < 3; n++) {
                uint64_t payload[2] = {index * 100 + n, checksum(index * 100 + n, 0)};
                prb_meta meta = {1, index, 6, 0, 0};
                prb_write(ring, payload, sizeof payload, &meta, nullptr);
            }
        } else {
            prb_reader rd;
            prb_reader_init(&rd, ring, 0, false);
            uint64_t last = 0;
            bool any = false;
            for (int attempt = 0; attempt < 6; attempt++) {
                prb_record_info info;
                uint64_t payload[2] = {0, 0};
                if (!prb_reader_next(&rd, &info, payload, sizeof payload)) continue;
                RL_ASSERT(info.text_len == sizeof payload);
                RL_ASSERT(payload[1] == checksum(payload[0], 0));
                RL_ASSERT(!any || info.seq > last);
                last = info.seq;
                any = true;
            }
        }
    }
};

int main(int argc, char **argv) {
    rl::test_params p;
    p.iteration_count = argc > 1 ? atoi(argv[1]) : 100000;
    p.search_type = rl::random_scheduler_type;
    int passed = 0, failed = 0;
    if (rl::simulate<two_writers_one_reader>(p)) passed++; else failed++;
    std::printf("relacy: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
