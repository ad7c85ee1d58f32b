// fetch_add_ring has no reader: these tests check what can be checked from outside (positions, the head
// counter, the size limit) and run overlapping writers so ThreadSanitizer can look at the copy.

import CComparators
import HarnessSupport
import TestSupport
import Testing

@Suite("Fetch-add positions", .singleThreaded)
struct FetchAddRingTests {
    private func write(_ fadd: OpaquePointer, _ text: [UInt8], ts: UInt64) -> (logring_status, UInt64) {
        var meta = makeMeta(caller: 5, ts: ts)
        var pos: UInt64 = .max
        let status = text.withUnsafeBytes {
            fetch_add_ring_write(fadd, $0.baseAddress, $0.count, &meta, &pos)
        }
        return (status, pos)
    }

    @Test("Positions follow the head; a record that would straddle the end takes a fresh range")
    func positionsFollowHead() {
        let capacity: UInt64 = 1000
        let fadd = fetch_add_ring_create(Int(capacity))!
        defer { fetch_add_ring_destroy(fadd) }
        #expect(fetch_add_ring_head(fadd) == 0)

        var random = SplitMix64(seed: 42)
        var head: UInt64 = 0
        for n in 0..<UInt64(500) {
            let length = Int(random.next() % UInt64(logring_max_text_len(Int(capacity)) + 1))
            let size = 48 + UInt64((length + 7) & ~7)
            var expected = head
            head += size
            while expected % capacity + size > capacity {  // the model of the straddle rule
                expected = head
                head += size
            }
            let (status, pos) = write(fadd, filler(length: length, seed: n), ts: n)
            #expect(status == LOGRING_OK)
            #expect(pos == expected)
            #expect(fetch_add_ring_head(fadd) == head)
        }
    }

    @Test("A record too large is refused and the head does not move")
    func tooLarge() {
        let fadd = fetch_add_ring_create(1024)!
        defer { fetch_add_ring_destroy(fadd) }
        _ = write(fadd, filler(length: 10, seed: 0), ts: 0)
        let head = fetch_add_ring_head(fadd)
        #expect(
            write(fadd, filler(length: logring_max_text_len(1024) + 1, seed: 1), ts: 1).0
                == LOGRING_E_TOO_LARGE)
        #expect(fetch_add_ring_head(fadd) == head)
        #expect(write(fadd, filler(length: logring_max_text_len(1024), seed: 2), ts: 2).0 == LOGRING_OK)
    }

    final class WriterResult: @unchecked Sendable {
        var bytes: UInt64 = 0
        var positionsIncrease = true
        var straddled = 0
        var failed = 0
    }

    @Test(
        "Two writers lapping a small ring: positions unique, no straddling, head accounts for all")
    func twoWriters() {
        let capacity: UInt64 = 512
        let fadd = fetch_add_ring_create(Int(capacity))!
        defer { fetch_add_ring_destroy(fadd) }
        let shared = SendablePointer(raw: fadd)
        let perWriter = stressRecordsPerWriter
        let results = [WriterResult(), WriterResult()]
        let startLine = StartLine(threads: 2)
        let threads = results.enumerated().map { index, result in
            OSThread {
                var last: UInt64? = nil
                startLine.arriveAndWait()
                for n in 0..<UInt64(perWriter) {
                    let text = payload(
                        writer: UInt32(index), index: UInt32(n),
                        length: min(8 + Int(n) * 7 % 90, logring_max_text_len(Int(capacity))))
                    let size = 48 + UInt64((text.count + 7) & ~7)
                    var meta = makeMeta(caller: UInt32(index), ts: n)
                    var pos: UInt64 = 0
                    let status = text.withUnsafeBytes {
                        fetch_add_ring_write(shared.raw, $0.baseAddress, $0.count, &meta, &pos)
                    }
                    if status != LOGRING_OK {
                        result.failed += 1
                        continue
                    }
                    if let last, pos <= last { result.positionsIncrease = false }
                    if pos % capacity + size > capacity { result.straddled += 1 }
                    last = pos
                    result.bytes += size
                }
            }
        }
        threads.forEach { $0.join() }
        for result in results {
            #expect(result.failed == 0)
            #expect(result.positionsIncrease)
            #expect(result.straddled == 0)
        }
        #expect(fetch_add_ring_head(fadd) >= results.reduce(0) { $0 + $1.bytes })
    }
}
