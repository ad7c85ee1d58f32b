// The README's examples are code that runs: the Swift one is below, word for word (a test checks
// it against README.md), and ToolsTests compiles and runs the C one.

import Foundation
import PrintkRing
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct ReadmeExampleTests {
    /// README.md, "Using it from Swift", without its `import` line.
    func readmeSwiftExample() throws {
        // README begin
        let ring = try PrintkRing(descriptorBits: 12, dataBits: 17)   // 4096 records, 128 KiB of text, 640.5 KiB in all

        // One call: reserve, copy, commit. Returns the record's sequence number. Allocates nothing.
        let seq = try ring.write("eth0: link up", level: .info)
        print("written as record", seq)

        // Two phases: fill the record in place. The reservation is ~Copyable: it is consumed by
        // commit() or finalize() and cannot be committed twice.
        var record = try ring.reserve(capacity: 64, metadata: RecordMetadata(level: .warning, callerID: 7))
        record.append("disk 3: ")
        record.append("temperature high")
        record.commit()                       // still extendable by the same caller...
        var more = try ring.extendLast(callerID: 7, additionalCapacity: 9)
        more.append(" (71 °C)")
        more.finalize()                       // ...until finalized

        // In place, assembled from pieces, in the fastest way Swift has: the reservation lives in this
        // call's frame (no retain of the ring, no moves), and the record is final when the closure returns.
        let header: UInt64 = 0xfeed
        try ring.write(capacity: 8 + 5) { record in
            record.append(bytesOf: header)
            record.append("hello")
        }

        // Reading never blocks a writer; records overwritten before the reader got to them are counted.
        // A reader is a cursor: iterating it moves it.
        let reader = ring.reader()
        for record in reader {
            print(record)                     // [  975.944696] eth0: link up   (dmesg's layout)
        }
        print("missed:", reader.lostCount, "next:", reader.nextSeq)

        // After a crash: skip records that a stuck writer will never finish.
        let dump = ring.reader(panicMode: true)
        var buffer = [UInt8](repeating: 0, count: 256)          // reading without allocating
        while let (info, copied) = buffer.withUnsafeMutableBytes({ dump.next(into: $0) }) {
            print(info.seq, copied, info.textLength)
        }

        // A ring in a file outlives the process that wrote it; another process opens it read-only.
        let path = "/tmp/readme-\(UInt64.random(in: 0 ... .max)).ring"
        let flightRecorder = try PrintkRing(creatingFile: path, descriptorBits: 10, dataBits: 16)
        try flightRecorder.write("still here after a crash")
        let opened = try PrintkRing(openingFile: path, access: .readOnly)
        print(opened.record(at: 0)!)
        // README end
        unlink(path)
    }

    @Test func theSwiftExampleRuns() throws {
        try readmeSwiftExample()
    }

    @Test func theSwiftExampleIsTheREADMEs() throws {
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        let begin = try #require(source.range(of: "// README begin\n"))
        let end = try #require(source.range(of: "        // README end"))
        let tested = source[begin.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("        ") ? String($0.dropFirst(8)) : String($0) }.joined(separator: "\n")
        let readmePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md").path
        let readme = try String(contentsOfFile: readmePath, encoding: .utf8)
        let section = try #require(readme.range(of: "## Using it from Swift"))
        let open = try #require(readme.range(of: "```swift\n", range: section.upperBound..<readme.endIndex))
        let close = try #require(readme.range(of: "```", range: open.upperBound..<readme.endIndex))
        let example = readme[open.upperBound..<close.lowerBound].replacingOccurrences(of: "import PrintkRing\n\n", with: "")
        #expect(tested == example, "README.md's Swift example and the one this test runs differ: copy the README's here")
    }
}
