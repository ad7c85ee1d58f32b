// The record checksum: its definition, written out; the Swift and C versions agree bit for bit;
// what changes it.

import CComparators
import CPrintkRing
import Comparators
import Testing

@Suite("Record checksum", .singleThreaded)
struct ChecksumTests {
    @Test("The checksum is the word-at-a-time hash of the payload and its length, sealed with the seq")
    func definition() {
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
            let c = text.withUnsafeBytes { logring_record_checksum(seq, $0.baseAddress, $0.count) }
            #expect(c == reference(seq, text))
            #expect(text.withUnsafeBytes { LogChecksum.of(seq: seq, payload: $0) } == reference(seq, text))
        }
        #expect(logring_record_checksum(1, "x", 1) != logring_record_checksum(2, "x", 1))
        // A zero byte more changes it (the length is hashed, not only the zero-filled words).
        #expect(logring_record_checksum(1, "x", 1) != logring_record_checksum(1, "x\0", 2))
    }

    @Test("The Swift checksum is the C comparators' logring_record_checksum")
    func swiftMatchesC() {
        for n in 0..<200 {
            let bytes = (0..<(n * 3)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ n) }
            let seq = UInt64(n) &* 0x9e37_79b9_7f4a_7c15
            let swift = bytes.withUnsafeBytes { LogChecksum.of(seq: seq, payload: $0) }
            let c = bytes.withUnsafeBytes { logring_record_checksum(seq, $0.baseAddress, $0.count) }
            #expect(swift == c)
        }
    }

    @Test("Every payload byte, the length and the seq change the checksum")
    func sensitivity() {
        let base = (0..<37).map { UInt8($0) }
        let checksum = base.withUnsafeBytes { LogChecksum.of(seq: 5, payload: $0) }
        for index in base.indices {
            var flipped = base
            flipped[index] ^= 0x01
            #expect(flipped.withUnsafeBytes { LogChecksum.of(seq: 5, payload: $0) } != checksum)
        }
        #expect((base + [0]).withUnsafeBytes { LogChecksum.of(seq: 5, payload: $0) } != checksum)
        #expect(base.withUnsafeBytes { LogChecksum.of(seq: 6, payload: $0) } != checksum)
        // The two phases compose to the whole.
        let hash = base.withUnsafeBytes { LogChecksum.payloadHash($0) }
        #expect(LogChecksum.seal(hash, seq: 5) == checksum)
    }

    @Test("A lockless record written in C (lockless_record.h) reads back intact through LocklessRing")
    func locklessRecordLayoutInC() throws {
        let ring = try LocklessRing(capacityBytes: 4096)
        let bytes = (0..<29).map { UInt8($0 &* 3) }
        var meta = prb_meta(timestamp_ns: 5, caller_id: 6, level: 3, facility: 1, flags: 0, has_timestamp: 0)
        var seq: UInt64 = .max
        let status = bytes.withUnsafeBytes { lockless_record_write(ring.cHandle, $0.baseAddress, $0.count, &meta, true, &seq) }
        #expect(status == PRB_OK && seq == 0)
        var cursor = LogCursor()
        var buffer = [UInt8](repeating: 0, count: 64)
        let info = try #require(try buffer.withUnsafeMutableBytes { try ring.read(from: &cursor, into: $0) })
        #expect(info.payloadLength == bytes.count)
        #expect(Array(buffer.prefix(info.copiedLength)) == bytes)
        #expect(bytes.withUnsafeBytes { info.isIntact($0) })
    }
}
