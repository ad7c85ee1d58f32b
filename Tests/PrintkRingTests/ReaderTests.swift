// The Swift reader as users meet it: iteration moves it, gaps are counted in every case, reading
// into a caller's buffer, and record(at:) sized by the record.

import PrintkRing
import Testing
import TestSupport

@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct ReaderTests {
    @Test func iteratingMovesTheReader() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        for n in 0..<5 { try ring.write("record \(n)") }
        let reader = ring.reader()
        for record in reader where record.seq == 2 { break }
        #expect(reader.nextSeq == 3)
        #expect(reader.next()?.text == "record 3")
        // A second loop continues where the first stopped.
        #expect(reader.map(\.text) == ["record 4"])
        #expect(reader.next() == nil)
        #expect(reader.nextSeq == 5)
    }

    @Test func lostRecordsAreCountedWhenIterating() throws {
        let ring = try PrintkRing(descriptorBits: 2, dataBits: 10)  // 4 descriptors
        for n in 0..<10 { try ring.write("record \(n)") }
        let reader = ring.reader(from: 0)
        let seqs = reader.map(\.seq)
        #expect(!seqs.isEmpty)
        #expect(seqs == Array(seqs.first!...9))
        #expect(reader.lostCount == seqs.first!)
        #expect(reader.lostCount + UInt64(seqs.count) == 10)
        #expect(reader.nextSeq == 10)
    }

    @Test func readingIntoACallersBuffer() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        try ring.write("short")
        try ring.write("a longer record than the buffer")
        let reader = ring.reader()
        var buffer = [UInt8](repeating: 0, count: 8)
        let first = try #require(buffer.withUnsafeMutableBytes { reader.next(into: $0) })
        #expect(first.info.seq == 0 && first.copied == 5 && first.info.textLength == 5)
        #expect(buffer[..<5] == Array("short".utf8)[...])
        let second = try #require(buffer.withUnsafeMutableBytes { reader.next(into: $0) })
        #expect(second.copied == 8 && second.info.textLength == 31)
        #expect(buffer == Array("a longer".utf8))
        #expect(buffer.withUnsafeMutableBytes { reader.next(into: $0) } == nil)
        #expect(reader.nextSeq == 2)
    }

    @Test func recordAtIsSizedByTheRecord() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 24)  // 8 MiB records at most
        try ring.write("tiny")
        let record = try #require(ring.record(at: 0))
        #expect(record.text == "tiny" && !record.isTruncated)
        #expect(record.bytes.capacity < 1024)
        let cut = try #require(ring.record(at: 0, maxTextLength: 2))
        #expect(cut.bytes == Array("ti".utf8) && cut.isTruncated)
        let none = try #require(ring.record(at: 0, maxTextLength: -1))
        #expect(none.bytes.isEmpty && none.isTruncated)
        #expect(ring.record(at: 1) == nil)
    }

    @Test func aRecordPrintsAsADmesgLine() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        let metadata = RecordMetadata(level: .warning, callerID: 42, timestampNanoseconds: 5_123_456_789)
        try Array("disk 3\u{1}".utf8).withUnsafeBytes { _ = try ring.write($0, metadata: metadata) }
        let record = try #require(ring.record(at: 0))
        #expect("\(record)" == "[    5.123456] disk 3\\x01")
        #expect(
            RecordFormatter(showLevel: true, showCaller: true, showSeq: true).line(for: record)
                == "<4>[    5.123456] [C42] #0 disk 3\\x01")
        #expect(
            RecordFormatter.json(for: record)
                == #"{"seq":0,"ts_nsec":5123456789,"level":4,"facility":0,"caller_id":42,"text":"disk 3\\x01"}"#)
    }

    @Test func levelsParseAsDmesgNamesThem() {
        #expect(LogLevel(parsing: "err") == .error && LogLevel(parsing: "ERROR") == .error)
        #expect(LogLevel(parsing: "warn") == .warning && LogLevel(parsing: "warning") == .warning)
        #expect(LogLevel(parsing: "emerg") == .emergency && LogLevel(parsing: "crit") == .critical)
        #expect(LogLevel(parsing: "7") == .debug && LogLevel(parsing: "0") == .emergency)
        #expect(LogLevel(parsing: "8") == nil && LogLevel(parsing: "loud") == nil && LogLevel(parsing: "-1") == nil)
    }
}
