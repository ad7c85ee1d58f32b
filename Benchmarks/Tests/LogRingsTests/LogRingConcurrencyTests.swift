// Many writers and a reader at once, for every implementation with a reader: nothing read is torn,
// seqs only grow, each writer's records come in its own order, and the reader gets to the newest
// record. Runs under ThreadSanitizer (scripts/test.sh --tsan).

import CPanicHarness
import Comparators
import Synchronization
import HarnessSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("LogRing concurrency")
struct LogRingConcurrencyTests {
    static let writers = 3
    static let recordsPerWriter = 3_000

    @Test(
        "Concurrent writers and a reader: nothing torn, order kept",
        arguments: readableKinds.filter { $0 != .swiftMutex })
    func writersAndReader(kind: LogRingKind) throws {
        try writersAndReader(kind.ringType)
    }

    @Test(
        "Concurrent writers and a reader on the Swift Mutex ring",
        .disabled(if: swiftMutexUnderTSan, swiftMutexTSanReason))
    func swiftMutexWritersAndReader() throws {
        try writersAndReader(SwiftMutexRing.self)
    }

    func writersAndReader<R: LogRing>(_: R.Type) throws {
        let ring = try R(capacityBytes: 1 << 14)
        let start = StartLine(threads: Self.writers + 1)
        let done = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        let threads = (0..<Self.writers).map { w in
            OSThread {
                start.arriveAndWait()
                for n in 0..<Self.recordsPerWriter {
                    let bytes = payload(writer: UInt32(w + 1), index: UInt32(n), length: 8 + (n * 7) % 90)
                    // spin-reserve and lockless refuse a write when the ring wrapped onto a record
                    // still being written: retry, so that every index is written once.
                    while (try? write(ring, bytes, LogMetadata(timestampNanoseconds: 1, callerID: UInt32(w + 1))))
                        == nil
                    {
                        failures.add(1, ordering: .relaxed)
                        sched_yield()
                    }
                }
                done.add(1, ordering: .releasing)
            }
        }

        start.arriveAndWait()
        var cursor = LogCursor()
        var lastSeq: UInt64?
        var lastIndex = [Int](repeating: -1, count: Self.writers + 1)
        var readCount = 0
        func check(_ record: (info: LogRecordInfo, payload: [UInt8])) {
            #expect(isIntact(record.info, record.payload), "torn record \(record.info.seq)")
            if let lastSeq { #expect(record.info.seq > lastSeq) }
            lastSeq = record.info.seq
            var writer: UInt32 = 0
            var index: UInt32 = 0
            let known = record.payload.withUnsafeBufferPointer {
                panic_payload_identify($0.baseAddress, $0.count, &writer, &index)
            }
            #expect(known)
            if known, (1...Self.writers).contains(Int(writer)) {
                #expect(Int(index) > lastIndex[Int(writer)], "writer \(writer) out of order")
                lastIndex[Int(writer)] = Int(index)
            }
            readCount += 1
        }
        while done.load(ordering: .acquiring) < Self.writers {
            if let record = try read(ring, &cursor) { check(record) } else { sched_yield() }
        }
        for thread in threads { thread.join() }
        while let record = try read(ring, &cursor) { check(record) }

        // Every write took a seq (lockless: a refused write may have taken one too), and the
        // reader got to the newest record.
        #expect(ring.nextSeq >= UInt64(Self.writers * Self.recordsPerWriter))
        #expect(readCount > 0)
        #expect(lastSeq == ring.nextSeq - 1)
    }
}
