// Panic-mode readers return a committed record (the kernel's panic CPU does since Linux 6.8):
// reserve, append "last", commit(), and a panic-mode reader yields it, through every reading form.

import PrintkRing
import Testing
import TestSupport

@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct PanicModeReaderTests {
    /// Three finalized records and a committed "last".
    func ringEndingInACommittedRecord() throws -> (PrintkRing, UInt64) {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        for n in 0..<3 { try ring.write("record \(n)") }
        var last = try ring.reserve(capacity: 4)
        let lastSeq = last.seq
        Array("last".utf8).withUnsafeBytes { _ = last.append($0) }
        last.commit()
        return (ring, lastSeq)
    }

    @Test func aPanicModeReaderYieldsTheCommittedRecord() throws {
        let (ring, lastSeq) = try ringEndingInACommittedRecord()
        #expect(ring.reader().map(\.text) == ["record 0", "record 1", "record 2"])
        let panic = ring.reader(panicMode: true)
        #expect(panic.map(\.text) == ["record 0", "record 1", "record 2", "last"])
        #expect(panic.nextSeq == lastSeq + 1)
        #expect(panic.lostCount == 0)
        #expect(ring.record(at: lastSeq) == nil, "record(at:) is an ordinary read")
    }

    @Test func readingIntoABufferAndMetadataOnlyInPanicMode() throws {
        let (ring, lastSeq) = try ringEndingInACommittedRecord()
        let reader = ring.reader(from: lastSeq, panicMode: true)
        var buffer = [UInt8](repeating: 0, count: 16)
        let read = try #require(buffer.withUnsafeMutableBytes { reader.next(into: $0) })
        #expect(read.info.seq == lastSeq)
        #expect(Array(buffer[..<read.copied]) == Array("last".utf8))
        #expect(ring.reader(from: lastSeq, panicMode: true).nextInfo()?.textLength == 4)
    }

    /// A committed record longer than the reader's scratch buffer: the reader grows the buffer
    /// and reads the same record again, in panic mode too.
    @Test func aLongCommittedRecordIsReadWhole() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 12)
        let text = String(repeating: "panic hint ", count: 40)
        var last = try ring.reserve(capacity: text.utf8.count)
        Array(text.utf8).withUnsafeBytes { _ = last.append($0) }
        last.commit()
        let record = try #require(ring.reader(panicMode: true).next())
        #expect(record.text == text)
    }

    @Test func theAsyncSequenceInPanicModeYieldsTheCommittedRecord() async throws {
        let (ring, _) = try ringEndingInACommittedRecord()
        var texts: [String] = []
        for await record in ring.records(panicMode: true) {
            texts.append(record.text)
            if texts.count == 4 { break }
        }
        #expect(texts == ["record 0", "record 1", "record 2", "last"])
    }
}
