// Several writers and a reader at once, on real threads, for every implementation with a reader:
// nothing read is torn or foreign, seqs only grow (for each writer and for the reader), each
// writer's records come in its own order, and records read plus records skipped account for every
// seq written. Two sizes: a small ring that wraps all the time (where spin-reserve and the lockless
// ring refuse writes) and a larger one. Runs under ThreadSanitizer.

import Comparators
import HarnessSupport
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Records per writer: short by default, long with LOGRING_STRESS_RECORDS=<records per writer>.
let stressRecordsPerWriter: Int = {
    if let value = getenv("LOGRING_STRESS_RECORDS"), let n = Int(String(cString: value)), n > 0 {
        return n
    }
    return 5_000
}()

@Suite("Concurrency", .concurrent)
struct ConcurrencyTests {
    static let writers = 3
    static let capacities = [2048, 1 << 14]

    @Test(
        "Concurrent writers and a reader: nothing torn, order kept, every seq accounted for",
        arguments: readableKinds.filter { $0 != .swiftMutex }, capacities)
    func writersAndReader(kind: LogRingKind, capacity: Int) throws {
        try writersAndReader(kind.ringType, capacity: capacity)
    }

    @Test(
        "Concurrent writers and a reader on the Swift Mutex ring",
        .disabled(if: swiftMutexUnderTSan, swiftMutexTSanReason), arguments: capacities)
    func swiftMutexWritersAndReader(capacity: Int) throws {
        try writersAndReader(SwiftMutexRing.self, capacity: capacity)
    }

    /// What one writer saw, filled in by its thread and read after join.
    final class WriterResult: @unchecked Sendable {
        var refused = 0
        var otherErrors = 0
        var seqsIncrease = true
    }

    func writersAndReader<R: LogRing>(_: R.Type, capacity: Int) throws {
        let ring = try R(capacityBytes: capacity)
        let maxLength = min(ring.maxPayloadLength, 97)
        let start = StartLine(threads: Self.writers + 1)
        let done = Atomic<Int>(0)
        let results = (0..<Self.writers).map { _ in WriterResult() }
        let threads = results.enumerated().map { w, result in
            OSThread {
                var lastSeq: UInt64?
                start.arriveAndWait()
                for n in 0..<stressRecordsPerWriter {
                    let bytes = payload(writer: UInt32(w + 1), index: UInt32(n), length: min(8 + (n * 7) % 90, maxLength))
                    // spin-reserve and lockless refuse a write when the ring wrapped onto a record
                    // still being written: retry, so that every index is written once.
                    while true {
                        do {
                            let seq = try write(ring, bytes, LogMetadata(timestampNanoseconds: 1, callerID: UInt32(w + 1)))
                            if let lastSeq, seq <= lastSeq { result.seqsIncrease = false }
                            lastSeq = seq
                            break
                        } catch LogRingError.ringFull {
                            result.refused += 1
                            yieldCPU()
                        } catch {
                            result.otherErrors += 1
                            break
                        }
                    }
                }
                // Releasing: the reader that sees every writer done sees all their records committed.
                done.add(1, ordering: .releasing)
            }
        }

        start.arriveAndWait()
        var cursor = LogCursor()
        var lastSeq: UInt64?
        var lastIndex = [Int](repeating: -1, count: Self.writers + 1)
        var readCount: UInt64 = 0
        var skipped: UInt64 = 0
        func check(_ record: (info: LogRecordInfo, payload: [UInt8]), wanted: UInt64) {
            #expect(isIntact(record.info, record.payload), "torn record \(record.info.seq)")
            #expect(!record.info.isTruncated)
            #expect(record.info.seq >= wanted)
            skipped += record.info.seq - wanted
            if let lastSeq { #expect(record.info.seq > lastSeq) }
            lastSeq = record.info.seq
            let named = identify(record.payload)
            #expect(named != nil, "record \(record.info.seq) has foreign content")
            if let named, (1...Self.writers).contains(Int(named.writer)) {
                #expect(Int(named.index) > lastIndex[Int(named.writer)], "writer \(named.writer) out of order")
                lastIndex[Int(named.writer)] = Int(named.index)
            }
            readCount += 1
        }
        while done.load(ordering: .acquiring) < Self.writers {
            let wanted = cursor.seq
            if let record = try read(ring, &cursor) { check(record, wanted: wanted) } else { yieldCPU() }
        }
        for thread in threads { thread.join() }
        while case let wanted = cursor.seq, let record = try read(ring, &cursor) { check(record, wanted: wanted) }

        for result in results {
            #expect(result.otherErrors == 0)
            #expect(result.seqsIncrease)
            if R.kind != .spinReserve && R.kind != .lockless { #expect(result.refused == 0) }
        }
        // Every write took a seq (lockless: a refused write may have taken one too); the reader got
        // to the newest record, and what it read plus what it skipped is every seq.
        let written = UInt64(Self.writers * stressRecordsPerWriter)
        if R.kind == .lockless { #expect(ring.nextSeq >= written) } else { #expect(ring.nextSeq == written) }
        #expect(readCount > 0)
        #expect(lastSeq == ring.nextSeq - 1)
        #expect(cursor.seq == ring.nextSeq)
        #expect(readCount + skipped == ring.nextSeq)
    }
}
