import PrintkRing
import Testing
import TestSupport

/// The Swift API: errors, writes, reservations, readers, statistics.
@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct SwiftAPITests {
    @Test(arguments: [(1, 10), (25, 10), (4, 5), (4, 33), (-1, 10)])
    func invalidSizesThrow(descriptorBits: Int, dataBits: Int) throws {
        #expect(throws: PrintkRingError.invalidSize(descriptorBits: descriptorBits, dataBits: dataBits)) {
            _ = try PrintkRing(descriptorBits: descriptorBits, dataBits: dataBits)
        }
    }

    @Test func writeAndReadBack() throws {
        let ring = try PrintkRing(descriptorBits: 6, dataBits: 12)
        #expect(try ring.write("boot", level: .notice, facility: 3, callerID: 11) == 0)
        #expect(try ring.write("ready", level: .info) == 1)
        let records = Array(ring.reader())
        #expect(records.map(\.text) == ["boot", "ready"])
        #expect(records.map(\.seq) == [0, 1])
        #expect(records[0].info.level == .notice)
        #expect(records[0].info.facility == 3)
        #expect(records[0].info.callerID == 11)
        #expect(!records[0].isTruncated)
        #expect(ring.record(at: 1)?.text == "ready")
        #expect(ring.record(at: 2) == nil)
    }

    @Test func bytesAndNonASCIIText() throws {
        let ring = try PrintkRing(descriptorBits: 6, dataBits: 12)
        let bytes: [UInt8] = [0, 1, 2, 255, 10, 13]
        _ = try bytes.withUnsafeBytes { try ring.write($0, metadata: RecordMetadata(level: .debug)) }
        try ring.write("grüße, 世界 🌍")
        let reader = ring.reader()
        #expect(reader.next()?.bytes == bytes)
        #expect(reader.next()?.text == "grüße, 世界 🌍")
        #expect(reader.next() == nil)
    }

    @Test func tooLargeIsATypedErrorAndChangesNothing() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 8)
        #expect(ring.maxRecordSize == 120)
        let text = String(repeating: "x", count: 121)
        #expect(throws: PrintkRingError.recordTooLarge(size: 121, maximum: 120)) { try ring.write(text) }
        #expect(throws: PrintkRingError.recordTooLarge(size: 1000, maximum: 120)) {
            _ = try ring.reserve(capacity: 1000)
        }
        #expect(throws: PrintkRingError.negativeSize(-1)) {
            _ = try ring.reserve(capacity: -1)
        }
        #expect(ring.nextReserveSeq == 0)
        #expect(try ring.write(String(repeating: "y", count: 120)) == 0)
    }

    @Test func scopedWriteAssemblesARecordInPlace() throws {
        let ring = try PrintkRing(descriptorBits: 6, dataBits: 12)
        let header: UInt32 = 0x0102_0304
        var seenInside: (seq: UInt64, capacity: Int, count: Int)?
        let seq = try ring.write(capacity: 12, metadata: RecordMetadata(level: .error, callerID: 9)) { record in
            #expect(record.append(bytesOf: header) == 4)
            #expect(record.append("payload-and-more") == 8)  // only what fits
            seenInside = (record.seq, record.capacity, record.count)
        }
        #expect(seq == 0)
        #expect(seenInside?.seq == 0)
        #expect(seenInside?.capacity == 12)
        #expect(seenInside?.count == 12)
        let record = try #require(ring.record(at: 0))
        #expect(record.bytes == withUnsafeBytes(of: header) { Array($0) } + Array("payload-".utf8))
        #expect(record.info.level == .error)
        #expect(record.info.callerID == 9)
        // Final: readers see it at once and it cannot be extended.
        #expect(ring.nextSeq == 1)
        #expect(throws: PrintkRingError.cannotExtend) { _ = try ring.extendLast(callerID: 9, additionalCapacity: 1) }
    }

    @Test func scopedWriteCommitsAShortRecordAndRefusesBadSizes() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 8)
        #expect(try ring.write(capacity: 50) { $0.append("abc") } == 0)
        #expect(ring.record(at: 0)?.text == "abc")
        var called = false
        #expect(throws: PrintkRingError.recordTooLarge(size: 121, maximum: 120)) {
            try ring.write(capacity: 121) { _ in called = true }
        }
        #expect(throws: PrintkRingError.negativeSize(-1)) {
            try ring.write(capacity: -1) { _ in called = true }
        }
        #expect(!called)
        #expect(ring.nextReserveSeq == 1)
    }

    @Test func reservationCommitAndFinalize() throws {
        let ring = try PrintkRing(descriptorBits: 6, dataBits: 12)
        var first = try ring.reserve(capacity: 10, metadata: RecordMetadata(level: .warning, callerID: 4))
        #expect(first.seq == 0)
        #expect(first.capacity == 10)
        #expect(first.append("0123456789abc") == 10)  // only what fits
        #expect(first.count == 10)
        first.setDeviceInfo(subsystem: "pci", device: "0000:00:1f.2")
        first.commit()
        #expect(ring.nextSeq == 0)  // committed, not yet final

        var second = try ring.reserve(capacity: 3)
        #expect(ring.nextSeq == 1)  // the reservation finalized the first
        second.append("end")
        second.finalize()
        let records = Array(ring.reader())
        #expect(records.map(\.text) == ["0123456789", "end"])
        #expect(records[0].info.subsystem == "pci")
        #expect(records[0].info.device == "0000:00:1f.2")
        #expect(records[0].info.level == .warning)
    }

    @Test func droppedReservationIsCommittedByDeinit() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        do {
            var abandoned = try ring.reserve(capacity: 8)
            abandoned.append("partial")
        }
        try ring.write("after")
        #expect(Array(ring.reader()).map(\.text) == ["partial", "after"])
    }

    @Test func extendLast() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        var line = try ring.reserve(capacity: 6, metadata: RecordMetadata(callerID: 42))
        line.append("Hello,")
        line.commit()
        #expect(throws: PrintkRingError.cannotExtend) { _ = try ring.extendLast(callerID: 7, additionalCapacity: 1) }
        var more = try ring.extendLast(callerID: 42, additionalCapacity: 7)
        #expect(more.count == 6 && more.capacity == 13)
        more.append(" world!")
        more.finalize()
        #expect(throws: PrintkRingError.cannotExtend) { _ = try ring.extendLast(callerID: 42, additionalCapacity: 1) }
        #expect(ring.record(at: 0)?.text == "Hello, world!")
    }

    @Test func extensionBeyondTheLimitNamesTheLimit() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        var line = try ring.reserve(capacity: 8, metadata: RecordMetadata(callerID: 1))
        line.append("12345678")
        line.commit()
        #expect(throws: PrintkRingError.extensionTooLarge(additional: 5, maximumTotal: 10)) {
            _ = try ring.extendLast(callerID: 1, additionalCapacity: 5, maxTotalSize: 10)
        }
        #expect(PrintkRingError.extensionTooLarge(additional: 5, maximumTotal: 10).description.contains("10 bytes"))
        var more = try ring.extendLast(callerID: 1, additionalCapacity: 2, maxTotalSize: 10)
        more.append("90")
        more.finalize()
        #expect(ring.record(at: 0)?.text == "1234567890")
    }

    @Test func readerCountsWhatWasOverwritten() throws {
        let ring = try PrintkRing(descriptorBits: 3, dataBits: 10)
        let reader = ring.reader(from: 0)
        for i in 0..<50 { try ring.write("record \(i)") }
        let records = Array(AnyIterator { reader.next() })
        #expect(records.first?.seq == ring.firstSeq)
        #expect(records.last?.text == "record 49")
        #expect(reader.lostCount == ring.firstSeq)
        #expect(UInt64(records.count) + reader.lostCount == 50)
        #expect(reader.nextSeq == 50)
        #expect(reader.next() == nil)
        try ring.write("later")
        #expect(reader.next()?.text == "later")
    }

    @Test func nextInfoSkipsTheText() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        try ring.write("abcdef", level: .error)
        let reader = ring.reader()
        let info = reader.nextInfo()
        #expect(info?.textLength == 6)
        #expect(info?.level == .error)
        #expect(reader.nextInfo() == nil)
    }

    @Test func truncatedRecord() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        try ring.write("a long line of text")
        let record = ring.record(at: 0, maxTextLength: 6)
        #expect(record?.text == "a long")
        #expect(record?.isTruncated == true)
        #expect(record?.info.textLength == 19)
    }

    @Test func readerGrowsItsBufferForLargeRecords() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 16)
        let big = String(repeating: "z", count: 20_000)
        try ring.write("small")
        try ring.write(big)
        #expect(Array(ring.reader()).map(\.text) == ["small", big])
    }

    @Test func statistics() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 8)
        try ring.write("one")
        var open = try ring.reserve(capacity: 100)
        open.append(String(repeating: "o", count: 100))
        try ring.write(String(repeating: "t", count: 100))
        #expect(throws: PrintkRingError.noSpace(lostSeq: 3)) { try ring.write(String(repeating: "f", count: 100)) }
        let stats = ring.statistics
        #expect(stats.reserved == 4)
        #expect(stats.finalized == 1)
        #expect(stats.failedDataAllocations == 1)
        #expect(stats.failedReservations == 0)
        #expect(stats.failed == 1)
        open.finalize()
        #expect(ring.statistics.finalized == 4)
    }

    @Test func sharedMemoryRingThroughSwift() throws {
        let need = try #require(PrintkRing.requiredBytes(descriptorBits: 4, dataBits: 10))
        #expect(PrintkRing.requiredBytes(descriptorBits: 1, dataBits: 10) == nil)
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: need, alignment: 64)
        defer { memory.deallocate() }
        let writer = try PrintkRing(formatting: memory, descriptorBits: 4, dataBits: 10)
        try writer.write("shared")
        let reader = try PrintkRing(attachingTo: memory)
        #expect(reader.record(at: 0)?.text == "shared")
        #expect(throws: PrintkRingError.badMemory) {
            _ = try PrintkRing(attachingTo: UnsafeMutableRawBufferPointer(rebasing: memory[0..<100]))
        }
    }

    /// Each bad argument gets the error that names it.
    @Test func badArgumentsAreNamed() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 8)
        #expect(throws: PrintkRingError.negativeSize(-5)) { try ring.write(capacity: -5) { _ in } }
        #expect(throws: PrintkRingError.negativeSize(-1)) { _ = try ring.extendLast(callerID: 1, additionalCapacity: -1) }
        #expect(throws: PrintkRingError.negativeSize(-5)) {
            _ = try ring.extendLast(callerID: 1, additionalCapacity: 1, maxTotalSize: -5)
        }
        #expect(ring.statistics.reserved == 0)
        let need = try #require(PrintkRing.requiredBytes(descriptorBits: 4, dataBits: 10))
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: need + 64, alignment: 64)
        defer { memory.deallocate() }
        #expect(throws: PrintkRingError.regionTooSmall(required: need, available: need - 8)) {
            _ = try PrintkRing(
                formatting: UnsafeMutableRawBufferPointer(rebasing: memory[0..<need - 8]), descriptorBits: 4, dataBits: 10)
        }
        let misaligned = UnsafeMutableRawBufferPointer(rebasing: memory[8..<need + 8])
        #expect(throws: PrintkRingError.misalignedRegion) {
            _ = try PrintkRing(formatting: misaligned, descriptorBits: 4, dataBits: 10)
        }
        #expect(throws: PrintkRingError.misalignedRegion) { _ = try PrintkRing(attachingTo: misaligned) }
        #expect(PrintkRingError.negativeSize(-5).description.contains("negative"))
        #expect(PrintkRingError.regionTooSmall(required: 10, available: 5).description.contains("needs 10"))
    }

    @Test func errorsDescribeThemselves() {
        #expect(PrintkRingError.recordTooLarge(size: 9, maximum: 8).description.contains("9 bytes"))
        #expect(PrintkRingError.invalidSize(descriptorBits: 1, dataBits: 2).description.contains("descriptorBits 1"))
        #expect(LogLevel.critical.description == "critical")
        #expect(LogLevel.error.description == "error" && LogLevel(rawValue: 9).description == "level9")
        // By severity, as swift-log orders its levels: the more severe is the greater.
        #expect(LogLevel.error > LogLevel.warning)
        #expect(LogLevel.debug < LogLevel.info && LogLevel.emergency > LogLevel.alert)
        #expect([LogLevel.debug, .emergency, .warning].max() == .emergency)
        for level in (0...7).map({ LogLevel(rawValue: $0) }) {
            #expect(LogLevel(parsing: level.description) == level)
        }
    }
}

/// A user's program may have a `Record` (or a `Reader`, a `LogLevel`) of its own: every type of the
/// API is reachable by its qualified name.
@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct QualifiedNameTests {
    struct Record { let isMine = true }
    struct Reader {}

    @Test func everyTypeHasAQualifiedName() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        let metadata = PrintkRing.RecordMetadata(level: PrintkRing.LogLevel.error)
        try ring.write("theirs", metadata: metadata)
        let theirs: PrintkRing.Record? = ring.record(at: 0)
        let reader: PrintkRing.Reader = ring.reader()
        let info: PrintkRing.RecordInfo? = reader.nextInfo()
        let message: PrintkRing.LogMessage = "formatted \(1)"
        let formatter = PrintkRing.RecordFormatter()
        #expect(Record().isMine)
        #expect(theirs?.text == "theirs" && info?.level == .error)
        #expect(message.text == "formatted 1" && formatter.line(for: theirs!).hasSuffix(" theirs"))
    }
}
