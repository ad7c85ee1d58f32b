import CPrintkRing
import Testing
import TestSupport

/// Reader semantics: first/next seqs, gaps, far-away seqs.
@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct ReadingTests {
    @Test func seqsFarInTheFutureAreNotYetThere() {
        let r = CRing(descBits: 4, dataBits: 10)
        r.write(Array("a".utf8))
        for seq: UInt64 in [1, 15, 16, 17, 1 << 40, .max] {
            #expect(r.read(seq).0 == PRB_READ_NOT_YET)
            var s = seq
            #expect(!prb_read_valid(r.ring, &s, nil, nil, 0, false))
            #expect(!prb_read_valid(r.ring, &s, nil, nil, 0, true))
        }
        #expect(r.readAll(from: 5).seqs.isEmpty)
    }

    @Test func seqsLongGoneAreLostAndReadersSkipToTheTail() {
        let r = CRing(descBits: 3, dataBits: 10)
        for i in 0..<100 { r.write(pattern(10, seed: UInt64(i))) }
        let first = prb_first_seq(r.ring)
        #expect(first > 80)
        #expect(r.read(0).0 == PRB_READ_LOST)
        #expect(r.read(first - 1).0 == PRB_READ_LOST)
        var s: UInt64 = 3
        #expect(prb_read_valid(r.ring, &s, nil, nil, 0, false))
        #expect(s == first)
        let all = r.readAll(from: 0)
        #expect(all.seqs == Array(first..<100))
        #expect(all.lost == first)
        #expect(prb_first_valid_seq(r.ring) == first)
    }

    @Test func nextSeqStopsAtTheFirstRecordNotFinalized() {
        let r = CRing(descBits: 4, dataBits: 10)
        r.write(Array("0".utf8))
        var (_, open) = r.reserve(Array("1".utf8))
        r.write(Array("2".utf8))
        #expect(prb_next_seq(r.ring) == 1)
        #expect(prb_next_reserve_seq(r.ring) == 3)
        #expect(r.readAll().seqs == [0])
        #expect(prb_final_commit(&open) == PRB_OK)
        #expect(prb_next_seq(r.ring) == 3)
        #expect(r.readAll().seqs == [0, 1, 2])
    }

    /// prb_next_seq walks forward from a cached end of the finalized prefix, which finalizations
    /// refresh every stride-th record (a quarter of the ring, at most 64, prb.c): the cache never
    /// lags the newest finalized record by a stride or more, whether a record was finalized by its
    /// final commit or by the next reservation. A cache that is never refreshed would give the same
    /// answers, only after a walk over the whole ring on every call.
    @Test(arguments: [4, 6, 8, 10] as [UInt32]) func theFinalizedPrefixCacheKeepsUp(descBits: UInt32) {
        let r = CRing(descBits: descBits, dataBits: 16)
        let stride = min(r.descCount / 4, 64)
        var worst: UInt64 = 0
        for n in 0..<(3 * r.descCount) {
            let finalizedThrough: UInt64
            if n % 2 == 0 {
                r.write(pattern(8, seed: n))  // final commit
                finalizedThrough = n
            } else {
                var (_, entry) = r.reserve(pattern(8, seed: n))
                prb_commit(&entry)  // finalized by the next reservation, like record n - 1 just now
                finalizedThrough = n - 1
            }
            worst = max(worst, finalizedThrough - r.positions.last_finalized_seq)
        }
        #expect(worst < stride, "the cache lagged \(worst) records behind, with a stride of \(stride)")
    }

    @Test func lostRecordsCountInNextSeqAndStatistics() {
        let r = CRing(descBits: 4, dataBits: 8)
        // A stuck writer holds most of the data ring; a large record then gets a seq but no space.
        var (_, stuck) = r.reserve(pattern(100, seed: 1))
        r.write(pattern(100, seed: 2))
        let (status, lostSeq) = r.write(pattern(100, seed: 3))
        #expect(status == PRB_E_NO_SPACE)
        #expect(lostSeq == 2)
        #expect(r.read(lostSeq).0 == PRB_READ_LOST)
        #expect(r.stats.failed_data == 1)
        #expect(r.stats.reserved == 3)
        #expect(prb_final_commit(&stuck) == PRB_OK)
        #expect(prb_next_seq(r.ring) == 3)
        let all = r.readAll()
        #expect(all.seqs == [0, 1])
        let (_, after) = r.write(pattern(10, seed: 4))
        let more = r.readAll(from: 2)
        #expect(more.seqs == [after])
        #expect(more.lost == 1)
    }

    /// A reader that has read everything, then meets lost records at the very end (no readable
    /// record after them): it counts them and moves past them, although it returns false.
    @Test func lostRecordsAtTheEndAreCountedAndPassed() {
        let r = CRing(descBits: 4, dataBits: 8)
        var (_, stuck) = r.reserve(pattern(100, seed: 1))  // holds the oldest data block
        var reader = prb_reader()
        prb_reader_init(&reader, r.ring, 0, false)
        var info = prb_record_info()
        #expect(!prb_reader_next(&reader, &info, nil, 0))  // record 0 is not finalized yet
        #expect(reader.next_seq == 0 && reader.lost == 0)
        #expect(prb_final_commit(&stuck) == PRB_OK)
        #expect(prb_reader_next(&reader, &info, nil, 0) && info.seq == 0)
        // Hold the data ring again; the next three records get seqs but no text.
        var (_, stuck2) = r.reserve(pattern(100, seed: 2))
        r.write(pattern(60, seed: 3))
        var lostSeqs: [UInt64] = []
        for i in 0..<3 {
            let (status, seq) = r.write(pattern(100, seed: UInt64(4 + i)))
            #expect(status == PRB_E_NO_SPACE)
            lostSeqs.append(seq)
        }
        #expect(lostSeqs == [3, 4, 5])
        #expect(prb_final_commit(&stuck2) == PRB_OK)
        #expect(prb_reader_next(&reader, &info, nil, 0) && info.seq == 1)
        #expect(prb_reader_next(&reader, &info, nil, 0) && info.seq == 2)
        #expect(!prb_reader_next(&reader, &info, nil, 0))
        #expect(reader.lost == 3, "the three records without text at the end are lost")
        #expect(reader.next_seq == 6)
        #expect(prb_next_seq(r.ring) == 6)
        // Nothing is counted twice, and the next record is read as usual.
        #expect(!prb_reader_next(&reader, &info, nil, 0))
        #expect(reader.lost == 3 && reader.next_seq == 6)
        let (_, next) = r.write(pattern(10, seed: 9))
        #expect(prb_reader_next(&reader, &info, nil, 0) && info.seq == next)
        #expect(reader.lost == 3)
    }

    /// The text ring's fill level: head minus tail, in bytes.
    @Test func statisticsCountTextBytesInUse() {
        let r = CRing(descBits: 4, dataBits: 8)
        #expect(r.stats.text_bytes_used == 0)
        r.write(pattern(10, seed: 1))  // a 24-byte block
        #expect(r.stats.text_bytes_used == 24)
        r.write([])  // no block
        #expect(r.stats.text_bytes_used == 24)
        for i in 0..<40 { r.write(pattern(30, seed: UInt64(i))) }  // wraps many times
        let used = r.stats.text_bytes_used
        #expect(used > r.dataSize / 2 && used <= r.dataSize)
        let p = r.positions
        #expect(used == p.data_head_lpos &- p.data_tail_lpos)
    }

    @Test func fullDescriptorRingOfOpenRecordsRefusesReservations() {
        let r = CRing(descBits: 2, dataBits: 10)
        var open: [prb_entry] = []
        for i in 0..<3 {
            let (status, entry) = r.reserve(pattern(4, seed: UInt64(i)))
            #expect(status == PRB_OK)
            open.append(entry)
        }
        // Three open records and the bootstrap tail fill the four descriptors... the bootstrap can
        // be recycled, but then the tail stands on an open record.
        var refused = 0
        for i in 0..<3 where r.write(pattern(4, seed: UInt64(10 + i))).0 == PRB_E_NO_DESCRIPTOR { refused += 1 }
        #expect(refused >= 2)
        #expect(r.stats.failed_descriptor == UInt64(refused))
        for i in open.indices { #expect(prb_final_commit(&open[i]) == PRB_OK) }
        #expect(r.write(pattern(4, seed: 99)).0 == PRB_OK)
    }

    @Test func metadataRoundTrips() {
        let r = CRing(descBits: 4, dataBits: 10)
        var entry = prb_entry()
        var meta = prb_meta(timestamp_ns: 123_456_789, caller_id: 0x8000_0003, level: 2, facility: 17, flags: 5, has_timestamp: 0)
        #expect(prb_reserve(r.ring, &entry, 3, &meta) == PRB_OK)
        prb_entry_append(&entry, "abc", 3)
        prb_entry_set_dev_info(&entry, "usb", "1-1.4:1.0-with-a-rather-long-device-name-that-is-truncated")
        #expect(prb_final_commit(&entry) == PRB_OK)
        let (_, info, text) = r.read(0)
        #expect(text == Array("abc".utf8))
        #expect(info.timestamp_ns == 123_456_789)
        #expect(info.caller_id == 0x8000_0003)
        #expect(info.level == 2 && info.facility == 17 && info.flags == 5)
        let subsystem = withUnsafeBytes(of: info.subsystem) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let device = withUnsafeBytes(of: info.device) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        #expect(subsystem == "usb")
        #expect(device == String("1-1.4:1.0-with-a-rather-long-device-name-that-is-truncated".prefix(47)))
    }

    @Test func timestampsComeFromTheMonotonicClock() {
        let r = CRing(descBits: 4, dataBits: 10)
        let before = prb_clock_ns()
        r.write(Array("t".utf8))
        let after = prb_clock_ns()
        let stamp = r.read(0).1.timestamp_ns
        #expect(stamp >= before && stamp <= after)
    }
}
