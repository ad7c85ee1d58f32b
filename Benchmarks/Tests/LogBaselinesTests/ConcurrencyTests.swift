// Two writers and one reader at once, on real threads. Checks every record read for content and
// checksum, per-writer order, increasing seqs, and that records read plus records dropped
// account for every seq written.

import CComparators
import Synchronization
import HarnessSupport
import Testing

@Suite("Concurrency")
struct ConcurrencyTests {
    /// What one writer did, filled in by its thread and read after join.
    final class WriterResult: @unchecked Sendable {
        var written = 0
        var noSpace = 0
        var otherStatus = 0
        var seqsIncrease = true
    }

    /// What the reader saw, filled in by its thread and read after join.
    final class ReaderResult: @unchecked Sendable {
        var read = 0
        var dropped: UInt64 = 0
        var badChecksum = 0
        var badContent = 0
        var seqNotIncreasing = 0
        var writerOrderBroken = 0
        var truncated = 0
        var otherStatus = 0
        var endCursor: UInt64 = 0
    }

    @Test(
        "2 writers + 1 reader: every record read is intact and in order", arguments: Kind.allCases)
    func twoWritersOneReader(kind: Kind) {
        let buffer = Buffer(kind, capacity: 2048)
        let perWriter = stressRecordsPerWriter
        let maxLen = buffer.maxTextLen
        let writersDone = Atomic<Int>(0)
        let startLine = StartLine(threads: 3)

        let writerResults = [WriterResult(), WriterResult()]
        let writers = (0..<2).map { index in
            let result = writerResults[index]
            return OSThread {
                let writer = UInt32(index + 1)
                var lastSeq: UInt64? = nil
                startLine.arriveAndWait()
                for n in 0..<UInt64(perWriter) {
                    let written = buffer.write(
                        payload(writer: writer, n: n, maxLen: maxLen),
                        makeMeta(caller: writer, ts: n))
                    switch written.status {
                    case LOGRING_OK:
                        result.written += 1
                        if let last = lastSeq, written.seq <= last { result.seqsIncrease = false }
                        lastSeq = written.seq
                    case LOGRING_E_NO_SPACE: result.noSpace += 1
                    default: result.otherStatus += 1
                    }
                }
                // Releasing: the reader that sees both writers done sees all their records committed.
                writersDone.add(1, ordering: .releasing)
            }
        }

        let readerResult = ReaderResult()
        let reader = OSThread {
            let r = readerResult
            var cursor = logring_cursor_at(0)
            var lastSeq: UInt64? = nil
            var lastN: [UInt32: UInt64] = [:]
            startLine.arriveAndWait()
            while true {
                // Read the flag before trying: a miss after both writers finished means the end.
                let finished = writersDone.load(ordering: .acquiring) == 2
                let wanted = cursor.seq
                let read = buffer.read(&cursor, bufferSize: 512)
                if read.status == LOGRING_E_NO_RECORD {
                    if finished { break }
                    yieldCPU()
                    continue
                }
                guard read.status == LOGRING_OK else {
                    r.otherStatus += 1
                    break
                }
                r.read += 1
                r.dropped += read.info.seq - wanted
                if read.info.truncated { r.truncated += 1 }
                if !checksumMatches(read.info, read.text) { r.badChecksum += 1 }
                if read.text
                    != payload(writer: read.info.caller_id, n: read.info.ts_nsec, maxLen: maxLen)
                {
                    r.badContent += 1
                }
                if let last = lastSeq, read.info.seq <= last { r.seqNotIncreasing += 1 }
                lastSeq = read.info.seq
                if let last = lastN[read.info.caller_id], read.info.ts_nsec <= last {
                    r.writerOrderBroken += 1
                }
                lastN[read.info.caller_id] = read.info.ts_nsec
            }
            r.endCursor = cursor.seq
        }

        writers.forEach { $0.join() }
        reader.join()

        let total = writerResults.reduce(0) { $0 + $1.written }
        for result in writerResults {
            #expect(result.otherStatus == 0)
            #expect(result.seqsIncrease)
            #expect(result.written + result.noSpace == perWriter)
            if kind != .resv { #expect(result.noSpace == 0) }
        }
        #expect(buffer.nextSeq == UInt64(total))
        #expect(readerResult.otherStatus == 0)
        #expect(readerResult.badChecksum == 0)
        #expect(readerResult.badContent == 0)
        #expect(readerResult.truncated == 0)
        #expect(readerResult.seqNotIncreasing == 0)
        #expect(readerResult.writerOrderBroken == 0)
        #expect(readerResult.read > 0)
        #expect(readerResult.endCursor == UInt64(total))
        #expect(UInt64(readerResult.read) + readerResult.dropped == UInt64(total))
    }
}
