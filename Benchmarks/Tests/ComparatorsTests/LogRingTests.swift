// One functional suite for every LogRing: ordinary writes and reads, wrap-around, size limits,
// truncation, the same checks for the lockless ring and each comparator. Each test opens
// `kind.ringType` into a generic function, so the code under test is driven exactly as the
// benchmark drives it. fetch-add has no reader: it takes the write tests, and a test that its
// reader refuses.

import CComparators
import Comparators
import HarnessSupport
import TestSupport
import Testing

@Suite("LogRing functional suite", .singleThreaded)
struct LogRingTests {
    static let capacity = 1 << 14

    @Test("Records read back in order with their seq, metadata, payload and a valid checksum", arguments: readableKinds)
    func writesAndReadsInOrder(kind: LogRingKind) throws {
        try writesAndReadsInOrder(kind.ringType)
    }

    func writesAndReadsInOrder<R: LogRing>(_: R.Type) throws {
        let ring = try R(capacityBytes: Self.capacity)
        #expect(R.kind.rawValue == "\(R.kind)")
        #expect(ring.firstSeq == 0)
        #expect(ring.nextSeq == 0)
        var empty = LogCursor()
        #expect(try read(ring, &empty) == nil)
        var written: [(LogMetadata, [UInt8])] = []
        for n in 0..<40 {
            let bytes = n == 1 ? [] : payload(writer: 1, index: UInt32(n), length: 8 + n * 5)
            let meta = metadata(n)
            #expect(try write(ring, bytes, meta) == UInt64(n))
            written.append((meta, bytes))
        }
        #expect(ring.firstSeq == 0)
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
        #expect(cursor.seq == 40)
    }

    @Test("The C comparators keep 3 bits of level, as the old header did", arguments: [LogRingKind.spinlock, .mutex, .spinReserve])
    func levelKeepsThreeBits(kind: LogRingKind) throws {
        try levelKeepsThreeBits(kind.ringType)
    }

    func levelKeepsThreeBits<R: LogRing>(_: R.Type) throws {
        let ring = try R(capacityBytes: Self.capacity)
        try write(ring, [1], LogMetadata(level: 0xff))
        var cursor = LogCursor()
        #expect(try read(ring, &cursor)?.info.metadata.level == 7)
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
        let (firstBefore, nextBefore) = (ring.firstSeq, ring.nextSeq)
        #expect(throws: LogRingError.recordTooLarge(size: maximal.count + 1, maximum: ring.maxPayloadLength)) {
            try write(ring, maximal + [1])
        }
        #expect(ring.firstSeq == firstBefore)
        #expect(ring.nextSeq == nextBefore)

        guard R.kind.hasReader else { return }
        var cursor = LogCursor()
        let empty = try #require(try read(ring, &cursor))
        #expect(empty.info.payloadLength == 0)
        #expect(isIntact(empty.info, empty.payload))
        let full = try #require(try read(ring, &cursor, bufferSize: maximal.count))
        #expect(full.payload == maximal)
        #expect(isIntact(full.info, full.payload))
        #expect(try read(ring, &cursor) == nil)
        #expect(try write(ring, maximal) == nextBefore)
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
        func length(_ n: Int) -> Int { 8 + (n * 13) % 60 }
        for n in 0..<count {
            try write(ring, payload(writer: 3, index: UInt32(n), length: length(n)), metadata(n))
        }
        #expect(ring.firstSeq > 0)
        #expect(ring.nextSeq == UInt64(count))
        var cursor = LogCursor()
        let oldest = try #require(try read(ring, &cursor))
        #expect(oldest.info.seq >= ring.firstSeq)
        #expect(oldest.info.seq < UInt64(count))
        #expect(isIntact(oldest.info, oldest.payload))
        var expected = oldest.info.seq + 1
        while let record = try read(ring, &cursor) {
            #expect(record.info.seq == expected)
            #expect(record.payload == payload(writer: 3, index: UInt32(expected), length: length(Int(expected))))
            #expect(isIntact(record.info, record.payload))
            expected += 1
        }
        #expect(expected == UInt64(count))

        // A reader that fell behind: its next read reports the jump.
        var slow = LogCursor()
        let before = try #require(try read(ring, &slow)).info.seq
        for n in count..<(count + 100) {
            try write(ring, payload(writer: 3, index: UInt32(n), length: length(n)), metadata(n))
        }
        let after = try #require(try read(ring, &slow))
        #expect(after.info.seq > before + 1)
        #expect(after.info.seq >= ring.firstSeq)
        #expect(isIntact(after.info, after.payload))
    }

    /// Every payload length, several capacities (one not a power of two): each record is read back
    /// right after it is written (the cursor-hint path), and at the end everything still held is
    /// read again from a fresh cursor (the walk path). This puts records and wrap markers at every
    /// offset the sizes allow.
    @Test("Sweep of payload lengths and wrap positions", arguments: readableKinds)
    func wrapSweep(kind: LogRingKind) throws {
        try wrapSweep(kind.ringType)
    }

    func wrapSweep<R: LogRing>(_: R.Type) throws {
        for capacity in [256, 1000, 2048] {
            let maxLength = try R(capacityBytes: capacity).maxPayloadLength
            for length in 0...maxLength {
                let ring = try R(capacityBytes: capacity)
                let records = UInt64(3 * ring.capacityBytes / (48 + length) + 3)
                var follower = LogCursor()
                for n in 0..<records {
                    let bytes = filler(length: length, seed: n)
                    #expect(try write(ring, bytes) == n)
                    let record = try read(ring, &follower, bufferSize: length)
                    #expect(record?.info.seq == n && record?.payload == bytes)
                }
                var cursor = LogCursor()
                let first = try #require(try read(ring, &cursor, bufferSize: length))
                #expect(first.info.seq >= ring.firstSeq)
                var expected = first.info.seq
                var record: (info: LogRecordInfo, payload: [UInt8])? = first
                while let found = record {
                    #expect(found.info.seq == expected)
                    #expect(found.payload == filler(length: length, seed: found.info.seq))
                    expected += 1
                    record = try read(ring, &cursor, bufferSize: length)
                }
                #expect(expected == records)
            }
        }
    }

    @Test("Sweep of mixed lengths from a seeded generator", arguments: readableKinds)
    func mixedLengthSweep(kind: LogRingKind) throws {
        try mixedLengthSweep(kind.ringType)
    }

    func mixedLengthSweep<R: LogRing>(_: R.Type) throws {
        var random = SplitMix64(seed: 0x5eed)
        // The lockless ring's firstSeq may be a record already lost (no text): its readers start at
        // the oldest readable one, which may be later.
        func expectStart(_ seq: UInt64, _ wanted: UInt64) {
            if R.kind == .lockless { #expect(seq >= wanted) } else { #expect(seq == wanted) }
        }
        for capacity in [256, 1000, 4096] {
            let ring = try R(capacityBytes: capacity)
            var lengths: [UInt64: Int] = [:]
            var follower = LogCursor()
            for n in 0..<UInt64(2000) {
                let length = Int(random.next() % UInt64(ring.maxPayloadLength + 1))
                lengths[n] = length
                #expect(try write(ring, filler(length: length, seed: n)) == n)
                if random.next() % 3 == 0 {
                    // Sometimes fall behind, then catch up: the jump equals what was dropped.
                    let before = follower.seq
                    let record = try #require(try read(ring, &follower, bufferSize: ring.maxPayloadLength))
                    expectStart(record.info.seq, max(before, ring.firstSeq))
                    #expect(record.payload == filler(length: lengths[record.info.seq]!, seed: record.info.seq))
                }
            }
            var cursor = LogCursor(seq: ring.firstSeq + 1)
            let record = try #require(try read(ring, &cursor, bufferSize: ring.maxPayloadLength))
            expectStart(record.info.seq, ring.firstSeq + 1)
            #expect(record.payload == filler(length: lengths[record.info.seq]!, seed: record.info.seq))
        }
    }

    @Test("A buffer shorter than the payload gets its start, and the record says it was cut", arguments: readableKinds)
    func truncatedRead(kind: LogRingKind) throws {
        try truncatedRead(kind.ringType)
    }

    func truncatedRead<R: LogRing>(_: R.Type) throws {
        let ring = try R(capacityBytes: Self.capacity)
        let bytes = payload(writer: 4, index: 0, length: 100)
        try write(ring, bytes)
        try write(ring, bytes)
        var cursor = LogCursor()
        let cut = try #require(try read(ring, &cursor, bufferSize: 16))
        #expect(cut.info.payloadLength == 100)
        #expect(cut.info.copiedLength == 16)
        #expect(cut.info.isTruncated)
        #expect(cut.payload == Array(bytes.prefix(16)))
        #expect(!isIntact(cut.info, cut.payload))  // a cut copy cannot be checked
        #expect(cursor.seq == 1)

        let nothing = try #require(try read(ring, &cursor, bufferSize: 0))
        #expect(nothing.info.seq == 1)
        #expect(nothing.info.isTruncated && nothing.info.copiedLength == 0)

        cursor = LogCursor()
        let whole = try #require(try read(ring, &cursor, bufferSize: 100))
        #expect(!whole.info.isTruncated && whole.payload == bytes && isIntact(whole.info, whole.payload))
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

    @Test("The C comparators' capacities and size limit: 256 bytes to 2 GiB, a record at most a quarter")
    func comparatorCapacityLimits() {
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
