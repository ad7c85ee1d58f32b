// One functional suite for every LogRing: ordinary writes and reads, the same checks for the
// lockless ring and each comparator. Each test opens `kind.ringType` into a generic function, so
// the code under test is driven exactly as the benchmark drives it. fetch-add has no reader: it
// takes the write tests, and a test that its reader refuses.

import CAllocationCounter
import CComparators
import Comparators
import Testing

@Suite("LogRing functional suite")
struct LogRingFunctionalTests {
    static let capacity = 1 << 14

    @Test("Records read back in order with their seq, metadata, payload and a valid checksum", arguments: readableKinds)
    func writesAndReadsInOrder(kind: LogRingKind) throws {
        try writesAndReadsInOrder(kind.ringType)
    }

    func writesAndReadsInOrder<R: LogRing>(_: R.Type) throws {
        let ring = try R(capacityBytes: Self.capacity)
        #expect(R.kind.rawValue == "\(R.kind)")
        #expect(ring.nextSeq == 0)
        var written: [(LogMetadata, [UInt8])] = []
        for n in 0..<40 {
            let bytes = payload(writer: 1, index: UInt32(n), length: 8 + n * 5)
            let meta = metadata(n)
            #expect(try write(ring, bytes, meta) == UInt64(n))
            written.append((meta, bytes))
        }
        #expect(ring.nextSeq == 40)

        var cursor = LogCursor()
        for n in 0..<40 {
            let record = try #require(try read(ring, &cursor))
            #expect(record.info.seq == UInt64(n))
            #expect(record.info.metadata == written[n].0)
            #expect(record.payload == written[n].1)
            #expect(record.info.payloadLength == written[n].1.count)
            #expect(!record.info.isTruncated)
            #expect(isIntact(record.info, record.payload))
            #expect(cursor.seq == UInt64(n + 1))
        }
        #expect(try read(ring, &cursor) == nil)
    }

    @Test("A cursor resumes where it stopped; a fresh cursor finds any seq", arguments: readableKinds)
    func cursorResumes(kind: LogRingKind) throws {
        try cursorResumes(kind.ringType)
    }

    func cursorResumes<R: LogRing>(_: R.Type) throws {
        let ring = try R(capacityBytes: Self.capacity)
        for n in 0..<10 { try write(ring, payload(writer: 2, index: UInt32(n), length: 30)) }
        var cursor = LogCursor()
        for _ in 0..<10 { _ = try #require(try read(ring, &cursor)) }
        #expect(try read(ring, &cursor) == nil)
        for n in 10..<20 { try write(ring, payload(writer: 2, index: UInt32(n), length: 30)) }
        for n in 10..<20 {
            let record = try #require(try read(ring, &cursor))
            #expect(record.info.seq == UInt64(n))
            #expect(record.payload == payload(writer: 2, index: UInt32(n), length: 30))
        }
        var fresh = LogCursor(seq: 13)
        let record = try #require(try read(ring, &fresh))
        #expect(record.info.seq == 13)
        #expect(record.payload == payload(writer: 2, index: 13, length: 30))
    }

    @Test(
        "Empty and maximal payloads are stored; a larger one is refused and changes nothing",
        arguments: LogRingKind.allCases)
    func payloadSizeLimits(kind: LogRingKind) throws {
        try payloadSizeLimits(kind.ringType)
    }

    func payloadSizeLimits<R: LogRing>(_: R.Type) throws {
        let ring = try R(capacityBytes: Self.capacity)
        #expect(ring.maxPayloadLength > 0 && ring.maxPayloadLength < ring.capacityBytes)
        let maximal = (0..<ring.maxPayloadLength).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let first = try write(ring, [])
        let second = try write(ring, maximal)
        #expect(second > first)
        let before = ring.nextSeq
        #expect(throws: LogRingError.recordTooLarge(size: maximal.count + 1, maximum: ring.maxPayloadLength)) {
            try write(ring, maximal + [1])
        }
        #expect(ring.nextSeq == before)

        guard R.kind.hasReader else { return }
        var cursor = LogCursor()
        let empty = try #require(try read(ring, &cursor))
        #expect(empty.info.payloadLength == 0)
        #expect(isIntact(empty.info, empty.payload))
        let full = try #require(try read(ring, &cursor, bufferSize: maximal.count))
        #expect(full.payload == maximal)
        #expect(isIntact(full.info, full.payload))
        #expect(try read(ring, &cursor) == nil)
    }

    @Test(
        "A full ring overwrites its oldest records; a reader sees a jump in seq, then every newer record",
        arguments: readableKinds)
    func overwritesOldest(kind: LogRingKind) throws {
        try overwritesOldest(kind.ringType)
    }

    func overwritesOldest<R: LogRing>(_: R.Type) throws {
        let ring = try R(capacityBytes: 4096)
        let count = 400  // far more than 4 KiB holds
        for n in 0..<count {
            try write(ring, payload(writer: 3, index: UInt32(n), length: 8 + (n * 13) % 60), metadata(n))
        }
        var cursor = LogCursor()
        let oldest = try #require(try read(ring, &cursor))
        #expect(oldest.info.seq > 0)
        #expect(oldest.info.seq < UInt64(count))
        #expect(isIntact(oldest.info, oldest.payload))
        var expected = oldest.info.seq + 1
        while let record = try read(ring, &cursor) {
            #expect(record.info.seq == expected)
            #expect(
                record.payload == payload(writer: 3, index: UInt32(expected), length: 8 + (Int(expected) * 13) % 60))
            #expect(isIntact(record.info, record.payload))
            expected += 1
        }
        #expect(expected == UInt64(count))
    }

    @Test("A buffer shorter than the payload gets its start, and the record says it was cut", arguments: readableKinds)
    func truncatedRead(kind: LogRingKind) throws {
        try truncatedRead(kind.ringType)
    }

    func truncatedRead<R: LogRing>(_: R.Type) throws {
        let ring = try R(capacityBytes: Self.capacity)
        let bytes = payload(writer: 4, index: 0, length: 100)
        try write(ring, bytes)
        try write(ring, payload(writer: 4, index: 1, length: 10))
        var cursor = LogCursor()
        let cut = try #require(try read(ring, &cursor, bufferSize: 16))
        #expect(cut.info.payloadLength == 100)
        #expect(cut.info.copiedLength == 16)
        #expect(cut.info.isTruncated)
        #expect(cut.payload == Array(bytes.prefix(16)))
        #expect(!isIntact(cut.info, cut.payload))  // a cut copy cannot be checked
        let next = try #require(try read(ring, &cursor))
        #expect(next.info.seq == 1)
    }

    @Test("A record whose payload changed after writing fails its checksum", arguments: readableKinds)
    func checksumCatchesChanges(kind: LogRingKind) throws {
        try checksumCatchesChanges(kind.ringType)
    }

    func checksumCatchesChanges<R: LogRing>(_: R.Type) throws {
        let ring = try R(capacityBytes: Self.capacity)
        try write(ring, payload(writer: 5, index: 0, length: 40))
        var cursor = LogCursor()
        var record = try #require(try read(ring, &cursor))
        #expect(isIntact(record.info, record.payload))
        record.payload[20] ^= 1
        #expect(!isIntact(record.info, record.payload))
        var otherSeq = record.info
        otherSeq.seq += 1
        record.payload[20] ^= 1
        #expect(!isIntact(otherSeq, record.payload))
    }

    @Test("Capacities out of range are refused", arguments: LogRingKind.allCases)
    func invalidCapacity(kind: LogRingKind) {
        #expect(throws: LogRingError.invalidCapacity(64)) { try kind.makeRing(capacityBytes: 64) }
    }

    @Test("fetch-add has no reader")
    func fetchAddHasNoReader() throws {
        #expect(!LogRingKind.fetchAdd.hasReader)
        let ring = try FetchAddRing(capacityBytes: Self.capacity)
        let first = try write(ring, payload(writer: 6, index: 0, length: 20))
        let second = try write(ring, payload(writer: 6, index: 1, length: 20))
        #expect(second > first)  // byte positions: increasing, not dense
        var cursor = LogCursor()
        #expect(throws: LogRingError.unsupported) { try read(ring, &cursor) }
    }

    @Test(
        "Writing allocates nothing",
        .enabled(if: allocation_counter_available(), "the counter is off under sanitizers"),
        arguments: LogRingKind.allCases)
    func writingAllocatesNothing(kind: LogRingKind) throws {
        try writingAllocatesNothing(kind.ringType)
    }

    func writingAllocatesNothing<R: LogRing>(_: R.Type) throws {
        let ring = try R(capacityBytes: 4096)
        let bytes = payload(writer: 7, index: 0, length: 120)
        try bytes.withUnsafeBytes { raw in
            let meta = LogMetadata(timestampNanoseconds: 1, callerID: 7)
            _ = try ring.write(raw, metadata: meta)  // warm-up: lazily initialized metadata
            allocation_counter_start()
            for _ in 0..<2_000 {  // wraps the ring many times
                _ = try ring.write(raw, metadata: meta)
            }
            let count = allocation_counter_stop()
            #expect(count == 0, "\(count) heap allocations on \(R.kind)'s write path")
        }
    }

    @Test("Every implementation has its name, and the names are the ones the tables use")
    func names() {
        #expect(
            LogRingKind.allCases.map(\.rawValue) == [
                "lockless", "spinlock", "mutex", "swift-mutex", "spin-reserve", "fetch-add",
            ])
        for kind in LogRingKind.allCases {
            #expect(kind.ringType.kind == kind)
        }
    }
}

@Suite("Record checksum")
struct LogChecksumTests {
    @Test("The Swift checksum is the C comparators' logring_record_checksum")
    func matchesC() {
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
}
