/*
 * fuzz_ring.c - libFuzzer over the ring's attach, read and write paths with hostile memory
 * (issue 11: "The ring body is hostile input too"). Run it with scripts/fuzz.sh.
 *
 * An input is a ring region, as prb_ring_format lays it out, followed by "late damage":
 *
 *     [ region: the number of bytes its header's H_BYTES word says ][ damage: 12-byte records ]
 *
 * The harness copies the region into memory between two PROT_NONE pages (against the leading or
 * the trailing one, by the input's length), attaches to it read-only and for writing (attach
 * checks what it can and refuses the rest), then applies the damage records (u32 word index,
 * u64 value: another process damaging a ring we have open, which attach cannot see), and runs:
 * every read entry point with the region mapped PROT_READ (a reader that stores faults), a few
 * writes of every kind, and the readers again. A reader that returns more records than the
 * region could hold aborts (a runaway), as does a read status out of range; a loop that never
 * ends is caught by libFuzzer's -timeout. AddressSanitizer checks the caller's buffers and
 * UndefinedBehaviorSanitizer the arithmetic.
 *
 * Built with -DPRB_FUZZ_SEEDS it is instead a program that writes a few valid rings (wrapped,
 * with committed, extended, empty, lost and stuck records) into a directory: the seed corpus.
 */
#define _GNU_SOURCE
#include "prb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define REGION_MAX (1u << 16)
#define HDR_BYTES 512
#define H_BYTES_WORD 4

/* A small deterministic generator, for choices the input does not make. */
static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

#ifndef PRB_FUZZ_SEEDS

static unsigned char *guarded;  /* REGION_MAX usable bytes between two PROT_NONE pages */
static size_t page;

static void set_protection(int protection)
{
    if (mprotect(guarded, REGION_MAX, protection) != 0)
        abort();
}

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_ring: %s\n", what);
        abort();
    }
}

/* Every read entry point; the text goes to a heap buffer of exactly buf_size bytes (ASan). */
static void read_everything(const prb_ring *ring, uint64_t *rs)
{
    uint64_t count = UINT64_C(1) << prb_ring_desc_bits(ring);
    size_t max_text = prb_max_text_size(ring);
    size_t buf_size = (size_t)(mix(rs) % (max_text + 1));
    unsigned char *buf = (unsigned char *)malloc(buf_size + 1);
    prb_record_info info;
    prb_stats stats;
    uint64_t first = prb_first_seq(ring), next, reserve, starts[6], k;
    unsigned s, panic;

    (void)prb_first_valid_seq(ring);
    next = prb_next_seq(ring);
    reserve = prb_next_reserve_seq(ring);
    prb_get_stats(ring, &stats);
    check(stats.text_bytes_used <= (UINT64_C(1) << prb_ring_data_bits(ring)), "text_bytes_used beyond the ring");

    for (k = 0; k < 2 * count + 4; k++) {
        prb_read_status st = prb_read(ring, first - 2 + k, (k & 1) ? &info : NULL, (k & 2) ? buf : NULL,
                                      (k & 2) ? buf_size : 0);
        check(st == PRB_READ_OK || st == PRB_READ_NOT_YET || st == PRB_READ_LOST, "prb_read status");
    }
    starts[0] = 0;
    starts[1] = first;
    starts[2] = next;
    starts[3] = reserve - 1;
    starts[4] = mix(rs);
    starts[5] = first + mix(rs) % (2 * count);
    for (s = 0; s < 6; s++) {
        for (panic = 0; panic < 2; panic++) {
            uint64_t seq = starts[s], records = 0;
            prb_reader reader;

            if (prb_read_valid(ring, &seq, &info, buf, buf_size, panic != 0))
                check(seq >= starts[s], "prb_read_valid went back");
            prb_reader_init(&reader, ring, starts[s], panic != 0);
            while (prb_reader_next(&reader, &info, buf, buf_size))
                check(++records <= 4 * count + 8, "a reader does not stop");
            check(reader.next_seq >= starts[s], "a reader went back");
        }
    }
    free(buf);
}

/* A few writes of every kind; they may fail, they must return. */
static void write_a_little(prb_ring *ring, uint32_t caller, uint64_t *rs)
{
    static const unsigned char text[1 << 15];
    size_t max_text = prb_max_text_size(ring);
    unsigned n = 1 + (unsigned)(mix(rs) % 4), i;

    for (i = 0; i < n; i++) {
        size_t size = (size_t)(mix(rs) % (max_text + 1));
        prb_meta meta = {1, caller, 1, 0, 0};
        prb_entry e;
        uint64_t seq;

        if (size > sizeof text)
            size = sizeof text;
        switch (mix(rs) % 3) {
        case 0:
            (void)prb_write(ring, text, size, &meta, &seq);
            break;
        case 1:
            if (prb_reserve(ring, &e, size, &meta) == PRB_OK) {
                check(prb_entry_append(&e, text, size) == size, "append");
                prb_entry_set_dev_info(&e, "sub", "dev");
                check((mix(rs) & 1 ? prb_commit(&e) : prb_final_commit(&e)) == PRB_OK, "commit");
            }
            break;
        default:
            if (prb_reserve_in_last(ring, &e, caller, size / 2, max_text) == PRB_OK) {
                check(prb_entry_append(&e, text, size / 2) == size / 2, "append after reopen");
                check((mix(rs) & 1 ? prb_commit(&e) : prb_final_commit(&e)) == PRB_OK, "re-commit");
            }
            break;
        }
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    unsigned char *m;

    (void)argc;
    (void)argv;
    page = (size_t)sysconf(_SC_PAGESIZE);
    m = (unsigned char *)mmap(NULL, REGION_MAX + 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        abort();
    guarded = m + page;
    set_protection(PROT_READ | PROT_WRITE);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t region_bytes, rs = size;
    size_t k, words;
    unsigned char *region;
    prb_ring *reader, *writer;
    prb_status status;
    prb_entry probe;

    if (size < HDR_BYTES)
        return 0;
    memcpy(&region_bytes, data + H_BYTES_WORD * 8, 8);
    if (region_bytes < HDR_BYTES || region_bytes > size || region_bytes > REGION_MAX || region_bytes % 64 != 0)
        region_bytes = size - size % 64 < REGION_MAX ? size - size % 64 : REGION_MAX;
    for (k = 0; k < size && k < 64; k++)
        rs = rs * 31 + data[size - 1 - k];

    /* Against the leading guard page, or ending at the trailing one. */
    set_protection(PROT_READ | PROT_WRITE);
    region = (size & 1) ? guarded + REGION_MAX - region_bytes : guarded;
    memcpy(region, data, (size_t)region_bytes);

    reader = prb_ring_attach_read_only(region, (size_t)region_bytes, &status);
    if (reader == NULL) {
        check(status == PRB_E_BAD_MEMORY, "attach status");
        return 0;
    }
    writer = prb_ring_attach(region, (size_t)region_bytes, &status);
    check(writer != NULL, "a region attached read-only is refused for writing");
    check(prb_reserve(reader, &probe, 1, NULL) == PRB_E_READ_ONLY, "read-only handle");

    /* Late damage: what another process might store after we attached. */
    words = (size_t)region_bytes / 8;
    for (k = (size_t)region_bytes; k + 12 <= size; k += 12) {
        uint32_t w;
        uint64_t v;
        memcpy(&w, data + k, 4);
        memcpy(&v, data + k + 4, 8);
        memcpy(region + (w % words) * 8, &v, 8);
    }

    set_protection(PROT_READ);
    read_everything(reader, &rs);
    set_protection(PROT_READ | PROT_WRITE);
    write_a_little(writer, (uint32_t)(mix(&rs) % 3), &rs);
    set_protection(PROT_READ);
    read_everything(reader, &rs);

    prb_ring_destroy(reader);
    prb_ring_destroy(writer);
    return 0;
}

#else /* PRB_FUZZ_SEEDS: write the seed corpus */

static void make_seed(const char *dir, unsigned desc_bits, unsigned data_bits, unsigned variant)
{
    prb_status status;
    /* Variant 3: a ring without device-info storage (PRB_RING_NO_DEV_INFO), the same otherwise. */
    prb_ring *ring = prb_ring_create_ex(desc_bits, data_bits, variant == 3 ? PRB_RING_NO_DEV_INFO : 0, &status);
    size_t max_text = prb_max_text_size(ring), bytes = prb_ring_memory_bytes(ring);
    unsigned char text[1 << 12];
    uint64_t rs = variant * 1000 + desc_bits * 10 + data_bits;
    unsigned steps = (3 + variant) << desc_bits, i;
    prb_entry stuck;
    int have_stuck = 0;
    char path[4096];
    FILE *f;

    memset(text, 'x', sizeof text);
    for (i = 0; i < steps; i++) {
        size_t size = (mix(&rs) % 10 == 0) ? 0 : 1 + (size_t)(mix(&rs) % max_text);
        uint32_t caller = (uint32_t)(mix(&rs) % 3);
        prb_meta meta = {i + 1, caller, 4, 1, 0};
        prb_entry e;

        switch (mix(&rs) % 4) {
        case 0:
        case 1:
            prb_write(ring, text, size, &meta, NULL);
            break;
        case 2:
            if (prb_reserve(ring, &e, size, &meta) == PRB_OK) {
                prb_entry_append(&e, text, size);
                if (variant == 2 && !have_stuck && i > steps / 2) {
                    stuck = e; /* a writer that never commits */
                    have_stuck = 1;
                } else {
                    prb_commit(&e);
                }
            }
            break;
        default:
            if (prb_reserve_in_last(ring, &e, caller, size / 2, max_text) == PRB_OK) {
                prb_entry_append(&e, text, size / 2);
                prb_commit(&e);
            }
        }
    }
    (void)stuck;
    snprintf(path, sizeof path, "%s/seed-%u-%u-%u.ring", dir, desc_bits, data_bits, variant);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(prb_ring_memory(ring), 1, bytes, f) != bytes) {
        perror(path);
        exit(1);
    }
    /* A little late damage on some seeds: the tail word, a state word. */
    if (variant == 1) {
        uint32_t w = 16;
        uint64_t v = 7;
        fwrite(&w, 4, 1, f);
        fwrite(&v, 8, 1, f);
        w = 64;
        v = UINT64_C(1) << 63;
        fwrite(&w, 4, 1, f);
        fwrite(&v, 8, 1, f);
    }
    fclose(f);
    prb_ring_destroy(ring);
}

int main(int argc, char **argv)
{
    static const unsigned geometries[][2] = {{2, 6}, {3, 8}, {4, 9}, {5, 10}, {6, 11}};
    unsigned g, variant;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    for (g = 0; g < sizeof geometries / sizeof geometries[0]; g++)
        for (variant = 0; variant < 4; variant++)
            make_seed(argv[1], geometries[g][0], geometries[g][1], variant);
    return 0;
}

#endif
