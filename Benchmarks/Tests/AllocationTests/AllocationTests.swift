import CAllocationCounter
import Comparators
import PrintkRing
import TestSupport
import Testing

/// Writing must not touch the heap: not in C, not in the Swift wrapper, not in any ring under test.
@Suite(
    .singleThreaded,
    .enabled(if: allocation_counter_available(), "the allocation counter is compiled out under sanitizers"))
struct AllocationTests {
    /// Allocations made by `body` on this thread.
    func allocations(_ body: () throws -> Void) rethrows -> UInt64 {
        allocation_counter_start()
        defer { _ = allocation_counter_stop() }
        try body()
        return allocation_counter_stop()
    }

    @Test func theCounterSeesAnAllocation() {
        // The test below could not fail if the counter saw nothing.
        let count = allocations {
            let array = [UInt8](repeating: 1, count: 1000)
            #expect(array.count == 1000)
        }
        #expect(count >= 1)
    }

    @Test func writingAllocatesNothing() throws {
        let ring = try PrintkRing(descriptorBits: 6, dataBits: 12)
        let text = "a native Swift string, long enough not to be a small string"
        let small = "short"
        let bytes: [UInt8] = Array(repeating: 0x41, count: 200)
        // Warm up: lazily initialized runtime metadata is not the write path's doing.
        try ring.write(text)
        var warm = try ring.reserve(capacity: 8)
        warm.append(small)
        warm.commit()
        try ring.write(capacity: 8) { $0.append(bytesOf: UInt64(0)) }

        let count = try allocations {
            for i in 0..<2_000 {
                try ring.write(text, level: .warning, callerID: 1)
                try ring.write(small)
                try bytes.withUnsafeBytes { _ = try ring.write($0) }
                try bytes.withUnsafeBytes { payload in
                    _ = try ring.write(capacity: 8 + payload.count) { record in
                        record.append(bytesOf: UInt64(i))
                        record.append(payload)
                    }
                }
                var reservation = try ring.reserve(capacity: 64, metadata: RecordMetadata(level: .debug, callerID: 2))
                reservation.append(small)
                if i % 2 == 0 {
                    reservation.commit()
                    var more = try ring.extendLast(callerID: 2, additionalCapacity: 5)
                    more.append(small)
                    more.finalize()
                } else {
                    reservation.finalize()
                }
            }
        }
        #expect(count == 0, "\(count) heap allocations on the write path")
        #expect(ring.statistics.failed == 0)
    }

    @Test("Writing to a ring under test allocates nothing", arguments: LogRingKind.allCases)
    func ringUnderTestWritesAllocateNothing(kind: LogRingKind) throws {
        try ringUnderTestWritesAllocateNothing(kind.ringType)
    }

    func ringUnderTestWritesAllocateNothing<R: LogRing>(_: R.Type) throws {
        let ring = try R(capacityBytes: 4096)
        let bytes = payload(writer: 7, index: 0, length: 120)
        try bytes.withUnsafeBytes { raw in
            let meta = LogMetadata(timestampNanoseconds: 1, callerID: 7)
            _ = try ring.write(raw, metadata: meta)  // warm-up: lazily initialized metadata
            let count = try allocations {
                for _ in 0..<2_000 {  // wraps the ring many times
                    _ = try ring.write(raw, metadata: meta)
                }
            }
            #expect(count == 0, "\(count) heap allocations on \(R.kind)'s write path")
        }
    }

    /// A dump loop that reads into its own buffer allocates nothing after its first record, in
    /// normal and in panic mode, also while records are lost under it.
    @Test(arguments: [false, true])
    func readingIntoABufferAllocatesNothing(panicMode: Bool) throws {
        let ring = try PrintkRing(descriptorBits: 6, dataBits: 12)
        for n in 0..<500 { try ring.write("record number \(n)") }  // wrapped many times
        let reader = ring.reader(from: 0, panicMode: panicMode)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 8)
        defer { buffer.deallocate() }
        #expect(reader.next(into: buffer) != nil)  // warm-up: runtime metadata, not the reader's doing
        var read = 1
        let count = allocations {
            while reader.next(into: buffer) != nil { read += 1 }
        }
        #expect(count == 0, "\(count) heap allocations reading \(read) records")
        #expect(read >= 16 && UInt64(read) + reader.lostCount == 500)
    }

    /// A formatted write (string interpolation into a LogMessage) allocates nothing.
    @Test func aFormattedWriteAllocatesNothing() throws {
        let ring = try PrintkRing(descriptorBits: 6, dataBits: 12)
        let device = "sda"
        try ring.log("warm-up \(1) \(2.5) \(device)")
        var written = 0
        let count = try allocations {
            for n in 0..<2_000 {
                let celsius = 40.0 + Double(n % 50) / 4
                try ring.log("disk \(n) (\(device)) at \(celsius, precision: 1) °C, ok: \(n % 2 == 0)", level: .warning)
                written += 1
            }
        }
        #expect(count == 0, "\(count) heap allocations in \(written) formatted writes")
        #expect(ring.record(at: ring.nextSeq - 1)?.text == "disk 1999 (sda) at 52.3 °C, ok: false")
    }
}
