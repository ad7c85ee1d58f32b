/*
 * Suites about whole records: writers racing writers, readers racing recycling.
 */
#ifndef SUITES_RECORDS_HPP
#define SUITES_RECORDS_HPP

#include "relacy_ring.hpp"

namespace prbrl {

/*
 * two_writers_one_reader: two writers write three self-checking records each (text of 5, 16 and
 * 0 bytes; 24, 8 and 13 bytes: 136 bytes of blocks through a 64-byte ring, six records through
 * four descriptors), while a reader reads along.
 * Checks: every record read is intact; seqs only go forward; every seq the reader skipped is
 * gone for good (overwritten or failed); afterwards every record is finalized or lost, every
 * record still there reads whole, and the ring still takes records.
 */
inline size_t twor_length(unsigned writer, unsigned n)
{
    static const size_t lengths[2][3] = {{5, 16, 0}, {24, 8, 13}};
    return writer < 2 && n < 3 ? lengths[writer][n] : MAX_TEXT;
}

struct two_writers_one_reader : rl::test_suite<two_writers_one_reader, 3> {
    ring_fixture f;
    reader_log log;

    void before()
    {
        f.make();
        log.reset();
    }
    void after()
    {
        log.check_gaps(f.ring);
        check_quiescent(f.ring, twor_length, false);
        check_still_writable(f.ring);
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index < 2) {
            for (unsigned n = 0; n < 3; n++)
                write_record(f.ring, index, n, twor_length(index, n));
        } else {
            prb_reader rd;
            prb_reader_init(&rd, f.ring, 0, false);
            for (int attempt = 0; attempt < 6; attempt++)
                log.next(&rd, twor_length);
        }
    }
};

/*
 * reader_vs_recycling: the ring starts with records 0 and 1 (16 bytes of text each). One writer
 * writes two 24-byte records, another two 8-byte records: both rings wrap over records 0 and 1
 * while a reader copies them (prb_read of exactly 0 and 1, then a reader from 0).
 * Checks: whatever a read returns as OK is intact (a slot or block recycled during the copy must
 * be noticed by the re-check, P5/P6); the end state as above.
 */
inline size_t rvr_length(unsigned writer, unsigned n)
{
    if (writer == 0)
        return MAX_TEXT;
    if (writer == 1)
        return 8;
    if (writer == 2)
        return 16;
    (void)n;
    return MAX_TEXT;
}

struct reader_vs_recycling : rl::test_suite<reader_vs_recycling, 3> {
    ring_fixture f;
    reader_log log;

    void before()
    {
        f.make();
        log.reset();
        RL_ASSERT(write_record(f.ring, 2, 0, 16).seq == 0);
        RL_ASSERT(write_record(f.ring, 2, 1, 16).seq == 1);
    }
    void after()
    {
        log.check_gaps(f.ring);
        check_quiescent(f.ring, rvr_length, false);
        check_still_writable(f.ring);
        f.destroy();
    }
    void thread(unsigned index)
    {
        if (index < 2) {
            for (unsigned n = 0; n < 2; n++)
                write_record(f.ring, index, n, rvr_length(index, n));
        } else {
            for (uint64_t seq = 0; seq < 2; seq++) {
                prb_record_info info;
                unsigned char text[MAX_TEXT + 8];
                if (prb_read(f.ring, seq, &info, text, sizeof text) == PRB_READ_OK)
                    check_record(info, text, seq, rvr_length);
            }
            prb_reader rd;
            prb_reader_init(&rd, f.ring, 0, false);
            for (int attempt = 0; attempt < 3; attempt++)
                log.next(&rd, rvr_length);
        }
    }
};

} // namespace prbrl

#endif
