// Single-threaded behavior of the three readable baselines: round trip, seqs, wrap-around,
// refusal of records too large, truncation.

import CComparators
import HarnessSupport
import Testing

@Suite("Records")
struct RecordTests {
    @Test("Capacities out of range are refused; the size limit is a quarter of the capacity")
    func capacityLimits() {
        #expect(spinlock_ring_create(Int(LOGRING_CAPACITY_MIN) - 8) == nil)
        #expect(mutex_ring_create(Int(LOGRING_CAPACITY_MAX) + 8) == nil)
        #expect(spin_reserve_ring_create(0) == nil)
        #expect(fetch_add_ring_create(7) == nil)
        #expect(logring_max_text_len(255) == 0)
        #expect(logring_max_text_len(256) == 16)
        #expect(logring_max_text_len(263) == 16)  // rounded down to 256
        #expect(logring_max_text_len(4096) == 1024 - 48)
        #expect(logring_max_text_len(1000) == 200)  // 250 - 48, rounded down to a multiple of 8
    }

    @Test("The checksum is the word-at-a-time hash of the text and its length, sealed with the seq")
    func checksumDefinition() {
        // The definition in comparators.h, written out byte by byte (no word loads, no helpers).
        func reference(_ seq: UInt64, _ text: [UInt8]) -> UInt64 {
            func round(_ h: UInt64, _ w: UInt64) -> UInt64 {
                let x = h &+ w &* 0xc2b2_ae3d_27d4_eb4f
                return (x << 31 | x >> 33) &* 0x9e37_79b1_85eb_ca87
            }
            var hash: UInt64 = 0x243f_6a88_85a3_08d3 ^ (UInt64(text.count) &* 0x1656_67b1_9e37_79f9)
            for start in stride(from: 0, to: text.count, by: 8) {
                var word: UInt64 = 0
                for (index, byte) in text[start..<min(start + 8, text.count)].enumerated() {
                    word |= UInt64(byte) << (8 * UInt64(index))
                }
                hash = round(hash, word)
            }
            hash = round(hash, seq)
            hash ^= hash >> 33
            hash = hash &* 0xff51_afd7_ed55_8ccd
            hash ^= hash >> 33
            hash = hash &* 0xc4ce_b9fe_1a85_ec53
            return hash ^ hash >> 33
        }
        for (seq, text) in [
            (UInt64(0), [UInt8]()), (1, Array("a".utf8)), (.max, Array("hello, log".utf8)),
            (42, Array("exactly8".utf8)), (7, Array("sixteen bytes!!!".utf8)),
        ] {
            let got = text.withUnsafeBytes { logring_record_checksum(seq, $0.baseAddress, $0.count) }
            #expect(got == reference(seq, text))
        }
        #expect(logring_record_checksum(1, "x", 1) != logring_record_checksum(2, "x", 1))
        // A zero byte more changes it (the length is hashed, not only the zero-filled words).
        #expect(logring_record_checksum(1, "x", 1) != logring_record_checksum(1, "x\0", 2))
    }

    @Test("Round trip: seqs start at 0, metadata and text come back", arguments: Kind.allCases)
    func roundTrip(kind: Kind) {
        let buffer = Buffer(kind, capacity: 4096)
        #expect(buffer.firstSeq == 0)
        #expect(buffer.nextSeq == 0)
        var none = logring_cursor_at(0)
        #expect(buffer.read(&none).status == LOGRING_E_NO_RECORD)

        let texts: [[UInt8]] = [Array("first".utf8), [], Array("third record, longer".utf8)]
        for (i, text) in texts.enumerated() {
            let meta = makeMeta(
                caller: 100 + UInt32(i), ts: 1000 * UInt64(i), level: UInt8(i), facility: 3,
                flags: 0x15)
            let written = buffer.write(text, meta)
            #expect(written.status == LOGRING_OK)
            #expect(written.seq == UInt64(i))
        }
        #expect(buffer.firstSeq == 0)
        #expect(buffer.nextSeq == 3)

        var cursor = logring_cursor_at(0)
        for (i, text) in texts.enumerated() {
            let read = buffer.read(&cursor)
            #expect(read.status == LOGRING_OK)
            #expect(read.info.seq == UInt64(i))
            #expect(read.text == text)
            #expect(read.info.text_len == UInt32(text.count))
            #expect(!read.info.truncated)
            #expect(read.info.caller_id == 100 + UInt32(i))
            #expect(read.info.ts_nsec == 1000 * UInt64(i))
            #expect(read.info.level == UInt8(i))
            #expect(read.info.facility == 3)
            #expect(read.info.flags == 0x15)
            #expect(checksumMatches(read.info, read.text))
            #expect(cursor.seq == UInt64(i) + 1)
        }
        #expect(buffer.read(&cursor).status == LOGRING_E_NO_RECORD)
        #expect(cursor.seq == 3)

        // A fresh cursor in the middle finds its record by walking from the oldest.
        var middle = logring_cursor_at(2)
        let read = buffer.read(&middle)
        #expect(read.status == LOGRING_OK && read.info.seq == 2 && read.text == texts[2])

        // The level keeps its 3 bits, as in the old header.
        #expect(buffer.write([1], makeMeta(caller: 0, ts: 0, level: 0xff)).status == LOGRING_OK)
        #expect(buffer.read(&cursor).info.level == 7)
    }

    @Test("Wrap-around drops the oldest; the gap shows as a seq jump", arguments: Kind.allCases)
    func wrapDropsOldest(kind: Kind) {
        let buffer = Buffer(kind, capacity: 512)
        let count: UInt64 = 100
        for n in 0..<count {
            let text = payload(writer: 1, n: n, maxLen: buffer.maxTextLen)
            #expect(buffer.write(text, makeMeta(caller: 1, ts: n)).seq == n)
        }
        let first = buffer.firstSeq
        #expect(first > 0)
        #expect(buffer.nextSeq == count)

        var cursor = logring_cursor_at(0)
        var expected = first
        while case let read = buffer.read(&cursor), read.status == LOGRING_OK {
            #expect(read.info.seq == expected)  // the first read jumps from 0 to `first`
            #expect(read.text == payload(writer: 1, n: read.info.seq, maxLen: buffer.maxTextLen))
            #expect(checksumMatches(read.info, read.text))
            expected += 1
        }
        #expect(expected == count)

        // A reader that fell behind: its next read reports the jump.
        var slow = logring_cursor_at(0)
        #expect(buffer.read(&slow).info.seq == first)
        for n in count..<(count + 50) {
            _ = buffer.write(
                payload(writer: 1, n: n, maxLen: buffer.maxTextLen), makeMeta(caller: 1, ts: n))
        }
        let after = buffer.read(&slow)
        #expect(after.status == LOGRING_OK)
        #expect(after.info.seq == buffer.firstSeq)
        #expect(after.info.seq > first + 1)
    }

    /// Every text length, several capacities (one not a power of two): each record is read back
    /// right after it is written (the cursor-hint path), and at the end everything still held is
    /// read again from a fresh cursor (the walk path). This puts records and wrap markers at
    /// every offset the sizes allow.
    @Test("Sweep of text lengths and wrap positions", arguments: Kind.allCases)
    func wrapSweep(kind: Kind) {
        for capacity in [256, 1000, 2048] {
            let maxLen = logring_max_text_len(capacity)
            for length in 0...maxLen {
                let buffer = Buffer(kind, capacity: capacity)
                let records = UInt64(3 * capacity / (48 + length) + 3)
                var follower = logring_cursor_at(0)
                for n in 0..<records {
                    let text = filler(length: length, seed: n)
                    #expect(buffer.write(text, makeMeta(caller: 7, ts: n)).seq == n)
                    let read = buffer.read(&follower)
                    #expect(read.status == LOGRING_OK && read.info.seq == n && read.text == text)
                }
                var cursor = logring_cursor_at(0)
                var expected = buffer.firstSeq
                while case let read = buffer.read(&cursor), read.status == LOGRING_OK {
                    #expect(read.info.seq == expected)
                    #expect(read.text == filler(length: length, seed: read.info.seq))
                    expected += 1
                }
                #expect(expected == records)
            }
        }
    }

    @Test("Sweep of mixed lengths from a seeded generator", arguments: Kind.allCases)
    func mixedLengthSweep(kind: Kind) {
        var rng = SplitMix64(seed: 0x5eed)
        for capacity in [256, 1000, 4096] {
            let buffer = Buffer(kind, capacity: capacity)
            let maxLen = buffer.maxTextLen
            var lengths: [UInt64: Int] = [:]
            var follower = logring_cursor_at(0)
            for n in 0..<UInt64(2000) {
                let length = Int(rng.next() % UInt64(maxLen + 1))
                lengths[n] = length
                let text = filler(length: length, seed: n)
                #expect(buffer.write(text, makeMeta(caller: 2, ts: n)).seq == n)
                if rng.next() % 3 == 0 {
                    // Sometimes fall behind, then catch up: the jump equals what was dropped.
                    let before = follower.seq
                    let read = buffer.read(&follower)
                    #expect(read.status == LOGRING_OK)
                    #expect(read.info.seq == max(before, buffer.firstSeq))
                    #expect(
                        read.text == filler(length: lengths[read.info.seq]!, seed: read.info.seq))
                }
            }
            var cursor = logring_cursor_at(buffer.firstSeq + 1)
            let read = buffer.read(&cursor)
            #expect(read.info.seq == buffer.firstSeq + 1)
            #expect(read.text == filler(length: lengths[read.info.seq]!, seed: read.info.seq))
        }
    }

    @Test("A record too large is refused and changes nothing", arguments: Kind.allCases)
    func tooLargeIsRefused(kind: Kind) {
        let buffer = Buffer(kind, capacity: 1024)
        for n in 0..<UInt64(20) {
            _ = buffer.write(
                payload(writer: 3, n: n, maxLen: buffer.maxTextLen), makeMeta(caller: 3, ts: n))
        }
        let first = buffer.firstSeq
        let next = buffer.nextSeq

        let tooLarge = buffer.write(
            filler(length: buffer.maxTextLen + 1, seed: 1), makeMeta(caller: 3, ts: 99))
        #expect(tooLarge.status == LOGRING_E_TOO_LARGE)
        #expect(buffer.firstSeq == first)
        #expect(buffer.nextSeq == next)
        var cursor = logring_cursor_at(0)
        var expected = first
        while case let read = buffer.read(&cursor), read.status == LOGRING_OK {
            #expect(read.info.seq == expected)
            #expect(read.text == payload(writer: 3, n: read.info.seq, maxLen: buffer.maxTextLen))
            expected += 1
        }
        #expect(expected == next)

        let largest = buffer.write(
            filler(length: buffer.maxTextLen, seed: 2), makeMeta(caller: 3, ts: 100))
        #expect(largest.status == LOGRING_OK && largest.seq == next)
    }

    @Test(
        "A text longer than the reader's buffer is cut, and the cut is reported",
        arguments: Kind.allCases)
    func truncationIsReported(kind: Kind) {
        let buffer = Buffer(kind, capacity: 4096)
        let text = filler(length: 100, seed: 5)
        _ = buffer.write(text, makeMeta(caller: 4, ts: 1))
        _ = buffer.write(text, makeMeta(caller: 4, ts: 2))

        var cursor = logring_cursor_at(0)
        let cut = buffer.read(&cursor, bufferSize: 33)
        #expect(cut.status == LOGRING_OK)
        #expect(cut.info.truncated)
        #expect(cut.info.text_len == 100)
        #expect(cut.info.copied_len == 33)
        #expect(cut.text == Array(text.prefix(33)))
        #expect(cursor.seq == 1)

        let nothing = buffer.read(&cursor, bufferSize: 0)
        #expect(nothing.status == LOGRING_OK && nothing.info.truncated && nothing.info.copied_len == 0)
        #expect(nothing.info.seq == 1)

        cursor = logring_cursor_at(0)
        let whole = buffer.read(&cursor, bufferSize: 100)
        #expect(
            !whole.info.truncated && whole.text == text && checksumMatches(whole.info, whole.text))
    }
}
