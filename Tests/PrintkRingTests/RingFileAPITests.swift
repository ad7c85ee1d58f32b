// The Swift face of ring files: PrintkRing(creatingFile:) and PrintkRing(openingFile:), and the
// errors a refused file gives.

import CPrintkRing
import PrintkRing
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct RingFileAPITests {
    /// A unique path in /tmp, removed when the test ends.
    final class TemporaryPath {
        let path: String
        init(_ name: String) { path = "/tmp/prb-api-\(getpid())-\(UInt64.random(in: 0...UInt64.max))-\(name)" }
        deinit { unlink(path) }
    }

    @Test func recordsOutliveTheRingThatWroteThem() throws {
        let file = TemporaryPath("round-trip.ring")
        do {
            let ring = try PrintkRing(creatingFile: file.path, descriptorBits: 5, dataBits: 12)
            #expect(ring.fileInfo?.isWritable == true)
            #expect(ring.fileInfo?.descriptorBits == 5 && ring.fileInfo?.dataBits == 12)
            for n in 0..<10 { try ring.write("line \(n)", level: .notice, callerID: 3) }
        }
        let ring = try PrintkRing(openingFile: file.path)
        let info = try #require(ring.fileInfo)
        #expect(!info.isWritable)
        #expect(info.version == Int(PRB_FILE_VERSION))
        let reader = ring.reader()
        var texts: [String] = []
        while let record = reader.next() {
            texts.append(record.text)
            #expect(record.info.callerID == 3 && record.info.level == .notice)
        }
        #expect(texts == (0..<10).map { "line \($0)" })
        #expect(try PrintkRing(descriptorBits: 4, dataBits: 8).fileInfo == nil)
    }

    @Test func aSecondHandleWritesTheSameRing() throws {
        let file = TemporaryPath("shared.ring")
        let first = try PrintkRing(creatingFile: file.path, descriptorBits: 5, dataBits: 12)
        let second = try PrintkRing(openingFile: file.path, access: .readWrite)
        try first.write("from the first")
        try second.write("from the second")
        let reader = try PrintkRing(openingFile: file.path).reader()
        #expect(reader.next()?.text == "from the first")
        #expect(reader.next()?.text == "from the second")
        #expect(reader.next() == nil)
    }

    /// A ring file opened read-only refuses every write with `readOnly`, and reads as usual.
    @Test func aReadOnlyRingRefusesWrites() throws {
        let file = TemporaryPath("read-only.ring")
        do {
            let ring = try PrintkRing(creatingFile: file.path, descriptorBits: 4, dataBits: 10)
            #expect(!ring.isReadOnly)
            try ring.write("first", callerID: 5)
            var open = try ring.reserve(capacity: 8, metadata: RecordMetadata(callerID: 5))
            open.append("second")
            open.commit()  // committed, not final: extendLast would take it
        }
        let ring = try PrintkRing(openingFile: file.path)
        #expect(ring.isReadOnly)
        #expect(throws: PrintkRingError.readOnly) { try ring.write("no") }
        #expect(throws: PrintkRingError.readOnly) { _ = try ring.reserve(capacity: 4) }
        #expect(throws: PrintkRingError.readOnly) { _ = try ring.extendLast(callerID: 5, additionalCapacity: 4) }
        #expect(ring.nextReserveSeq == 2)
        #expect(ring.record(at: 0)?.text == "first")
        let stats = ring.statistics
        #expect(stats.reserved == 2 && stats.failed == 0)
        #expect(stats.textBytesInUse == 32)  // two 16-byte blocks
    }

    @Test func refusalsAreSpecific() throws {
        let file = TemporaryPath("refusals.ring")
        _ = try PrintkRing(creatingFile: file.path, descriptorBits: 4, dataBits: 10)
        #expect(throws: PrintkRingError.system(errno: EEXIST)) {
            try PrintkRing(creatingFile: file.path, descriptorBits: 4, dataBits: 10)
        }
        #expect(throws: PrintkRingError.invalidSize(descriptorBits: 1, dataBits: 10)) {
            try PrintkRing(creatingFile: file.path + ".small", descriptorBits: 1, dataBits: 10)
        }
        #expect(throws: PrintkRingError.system(errno: ENOENT)) {
            try PrintkRing(openingFile: file.path + ".missing")
        }
        // Not a ring file: the first bytes are not the magic.
        let fd = open(file.path, O_WRONLY)
        try #require(fd >= 0)
        _ = pwrite(fd, "XXXXXXXX", 8, 0)
        close(fd)
        #expect(throws: PrintkRingError.badRingFile(.notARingFile)) { try PrintkRing(openingFile: file.path) }
        #expect(PrintkRingError.badRingFile(.truncated).description.contains("truncated"))
        #expect(PrintkRingError.system(errno: ENOENT).description == "No such file or directory")
    }
}
