// The crash campaign's checks as it runs them for hours: a follower's output read a piece at a
// time (GrowingFile) and checked line by line (DumpChecker) against a WriterLedger that learns of
// writers as they start and end and forgets them once the ring has passed them. Each test shows
// that a fault is still caught on that path, or that what the checks keep stays bounded.

import ProcessHarness
import Testing
import TestSupport

@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct IncrementalCheckTests {
    static func line(_ writer: Int, _ counter: Int) -> String {
        SelfCheckingLine(writer: writer, counter: counter).text(maxPayload: 40)
    }

    /// One line as prb-dump --json prints it.
    static func json(_ event: Dump.Event) -> String {
        switch event {
        case .record(let seq, let caller, let text): "{\"seq\":\(seq),\"caller_id\":\(caller),\"text\":\"\(text)\"}\n"
        case .lost(let from, let count): "{\"lost\":\(count),\"from_seq\":\(from)}\n"
        }
    }

    /// Writer 1 (pid 100) was given seqs 10, 12, 13; writer 2 (pid 200) 11 and 14.
    static let seqs: [Int: [UInt64?]] = [1: [10, 12, 13], 2: [11, 14]]
    static let pids: [Int: Int32] = [1: 100, 2: 200]

    /// A follower's output that checks: seq 11 lost, the others shown.
    static var good: [Dump.Event] {
        [
            .lost(fromSeq: 0, count: 10), .record(seq: 10, callerID: 100, text: line(1, 0)), .lost(fromSeq: 11, count: 1),
            .record(seq: 12, callerID: 100, text: line(1, 1)), .record(seq: 13, callerID: 100, text: line(1, 2)),
            .record(seq: 14, callerID: 200, text: line(2, 1)),
        ]
    }

    /// Follows `events` as the campaign does: the writers are running while the first half is
    /// printed and read (the read cuts a line in two), they end, then the rest is printed and read.
    static func follow(_ events: [Dump.Event]) throws -> Findings {
        let scratch = try ScratchDirectory()
        let path = scratch.file("follow")
        let output = GrowingFile(path)
        var ledger = WriterLedger()
        for (writer, pid) in pids { ledger.started(writer: writer, pid: pid) }
        var checker = DumpChecker()
        let text = events.map(json).joined()
        let cut = text.index(text.startIndex, offsetBy: text.count / 2)
        try writeFile(path, String(text[..<cut]))
        for line in output.newLines() { checker.check(jsonLine: line, against: ledger) }
        checker.settle(with: ledger)
        for (writer, seqs) in seqs { ledger.ended(WriterReport(writer: writer, pid: pids[writer]!, seqs: seqs)) }
        try writeFile(path, text)
        for line in output.newLines() { checker.check(jsonLine: line, against: ledger) }
        checker.settle(with: ledger)
        #expect(checker.covers((events.last.map { if case .record(let seq, _, _) = $0 { seq } else { 0 } }) ?? 0))
        var findings = checker.findings
        findings.add(ledger.findings)
        return findings
    }

    /// A torn record, one shown twice, lines out of their writer's order, a gap without a lost
    /// run, a line under another writer's pid, and a line at a seq its writer was not given (seen
    /// while the writer ran, checked once it ended) are each caught when the output is checked
    /// in pieces, as a whole check catches them.
    @Test func aFollowerCheckedInPiecesCatchesEachFault() throws {
        let clean = try Self.follow(Self.good)
        #expect(clean.isClean, "\(clean)")
        #expect(clean.records == 4)
        func with(_ change: (inout [Dump.Event]) -> Void) throws -> Findings {
            var events = Self.good
            change(&events)
            return try Self.follow(events)
        }
        var torn = Self.line(1, 1)
        torn += torn.removeLast() == "0" ? "1" : "0"
        let tornRecord = try with { $0[3] = .record(seq: 12, callerID: 100, text: torn) }
        #expect(tornRecord.torn == 1)
        let shownTwice = try with { $0[5] = .record(seq: 14, callerID: 100, text: Self.line(1, 2)) }
        #expect(shownTwice.duplicates == 1)
        let swapped = try with { $0.swapAt(3, 4) }
        #expect(swapped.outOfOrder >= 1)
        let gap = try with { $0.remove(at: 2) }
        #expect(gap.unaccountedGaps == 1)
        let otherPid = try with { $0[3] = .record(seq: 12, callerID: 200, text: Self.line(1, 1)) }
        #expect(otherPid.wrongWriter == 1)
        // Writer 1's line 0 shown at seq 11 (and seq 10 lost): the seq is checked against its report
        // only after it ended, the read after the one that saw the line.
        let wrongSeq = try with {
            $0[0] = .lost(fromSeq: 0, count: 11)
            $0[1] = .record(seq: 11, callerID: 100, text: Self.line(1, 0))
            $0.remove(at: 2)
        }
        #expect(wrongSeq.wrongWriter == 1, "\(wrongSeq)")
        #expect(wrongSeq.unaccountedGaps == 0)
    }

    /// A report is checked once, when its writer ends: a seq given twice is caught, and so is a
    /// seq handed out before the writer started, even after the ledger forgot who had it.
    @Test func reportsAreCheckedWhenTheyArrive() {
        var ledger = WriterLedger()
        ledger.started(writer: 1, pid: 100)
        ledger.started(writer: 2, pid: 200)
        ledger.ended(WriterReport(writer: 1, pid: 100, seqs: [0, 1, nil, 2]))
        #expect(ledger.findings.isClean)
        ledger.ended(WriterReport(writer: 2, pid: 200, seqs: [3, 1]))
        #expect(ledger.findings.wrongWriter == 1)
        // The ring moves on: 10 seqs handed out, then its oldest record is past both writers,
        // and so is the reader: they are forgotten.
        ledger.observe(firstSeq: 0, nextReserveSeq: 10, readerPosition: 10)
        ledger.observe(firstSeq: 10, nextReserveSeq: 12, readerPosition: 10)
        #expect(ledger.writersHeld == 0)
        ledger.started(writer: 3, pid: 300)
        ledger.ended(WriterReport(writer: 3, pid: 300, seqs: [12, 2]))
        #expect(ledger.findings.wrongWriter == 2, "\(ledger.findings)")
    }

    /// A killed writer's report may end in the middle of a line: that line does not count (its
    /// start would read as another seq, given twice).
    @Test func aReportCutByAKillEndsAtItsLastCompleteLine() {
        #expect(WriterReport(writer: 1, pid: 100, seqsOutput: "10\n-\n1234\n12").seqs == [10, nil, 1234])
        #expect(WriterReport(writer: 1, pid: 100, seqsOutput: "10\n-\n").seqs == [10, nil])
        #expect(WriterReport(writer: 1, pid: 100, seqsOutput: "12").seqs == [])
    }

    /// A writer is forgotten only once both the ring's oldest record and the reader are past
    /// every seq it could have had; from then on a record of it in any dump is a failure (shown
    /// after the ring had passed it), and until then its lines check as usual.
    @Test func aWriterIsForgottenOnlyWhenNothingCanShowItsRecords() {
        var ledger = WriterLedger()
        ledger.started(writer: 1, pid: 100)
        ledger.ended(WriterReport(writer: 1, pid: 100, seqs: [5, 6]))
        ledger.observe(firstSeq: 0, nextReserveSeq: 8, readerPosition: 8)
        // The ring is past it, the reader is not.
        ledger.observe(firstSeq: 9, nextReserveSeq: 20, readerPosition: 7)
        #expect(ledger.writersHeld == 1)
        var checker = DumpChecker()
        checker.check(.record(seq: 6, callerID: 100, text: Self.line(1, 1)), against: ledger)
        #expect(checker.findings.isClean, "\(checker.findings)")
        ledger.observe(firstSeq: 9, nextReserveSeq: 20, readerPosition: 8)
        #expect(ledger.writersHeld == 0)
        checker.settle(with: ledger)
        #expect(checker.writersHeld == 0)
        checker.check(.record(seq: 7, callerID: 100, text: Self.line(1, 2)), against: ledger)
        #expect(checker.findings.outOfOrder == 1, "\(checker.findings)")
    }

    /// A quiet dump checked against a ledger that has forgotten old writers still reports a
    /// finalized record of a writer it holds as missing.
    @Test func aMissingRecordIsStillReportedAfterOldWritersAreForgotten() {
        var ledger = WriterLedger()
        ledger.started(writer: 1, pid: 100)
        ledger.ended(WriterReport(writer: 1, pid: 100, seqs: [0, 1]))
        ledger.observe(firstSeq: 0, nextReserveSeq: 2, readerPosition: nil)
        ledger.started(writer: 2, pid: 200)
        ledger.ended(WriterReport(writer: 2, pid: 200, seqs: [2, 3, 4]))
        ledger.observe(firstSeq: 2, nextReserveSeq: 5, readerPosition: nil)
        #expect(ledger.writersHeld == 1)
        var dump = Dump(json: "")
        dump.events = [
            .lost(fromSeq: 0, count: 2), .record(seq: 2, callerID: 200, text: Self.line(2, 0)),
            .record(seq: 3, callerID: 200, text: Self.line(2, 1)), .record(seq: 4, callerID: 200, text: Self.line(2, 2)),
        ]
        #expect(check(dump, against: ledger, quiet: true).isClean)
        dump.events[2] = .lost(fromSeq: 3, count: 1)
        #expect(check(dump, against: ledger, quiet: true).missingFinalized == 1)
    }

    /// However many writers come and go, the ledger and the checker hold only those the ring and
    /// the reader have not passed: here a few, after ten thousand.
    @Test func whatTheChecksKeepStaysBounded() {
        var ledger = WriterLedger()
        var checker = DumpChecker()
        var nextSeq: UInt64 = 0
        for writer in 0..<10_000 {
            ledger.started(writer: writer, pid: Int32(1000 + writer))
            var seqs: [UInt64?] = []
            for counter in 0..<5 {
                checker.check(.record(seq: nextSeq, callerID: UInt32(1000 + writer), text: Self.line(writer, counter)), against: ledger)
                seqs.append(nextSeq)
                nextSeq += 1
            }
            ledger.ended(WriterReport(writer: writer, pid: Int32(1000 + writer), seqs: seqs))
            checker.settle(with: ledger)
            // The ring holds about the last 32 records.
            ledger.observe(firstSeq: nextSeq - min(nextSeq, 32), nextReserveSeq: nextSeq, readerPosition: checker.position)
        }
        #expect(checker.findings.isClean, "\(checker.findings)")
        #expect(checker.findings.records == 50_000)
        #expect(ledger.writersHeld <= 10)
        #expect(checker.writersHeld <= 10)
    }

    /// How the follower showed the record a victim froze in: asked before the check reaches it.
    @Test func aWatchedSeqIsRememberedAsShown() {
        let ledger = WriterLedger()
        var checker = DumpChecker()
        let watched = [3, 5, 8].map { checker.watch($0) }
        #expect(watched == [true, true, true])
        checker.check(.record(seq: 2, callerID: 1, text: Self.line(1, 0)), against: ledger)
        checker.check(.lost(fromSeq: 3, count: 2), against: ledger)
        checker.check(.record(seq: 5, callerID: 1, text: Self.line(1, 1)), against: ledger)
        let tooLate = checker.watch(4)
        #expect(!tooLate)
        #expect(checker.shown(3) == .lost)
        #expect(checker.shown(5) == .record(callerID: 1, text: Self.line(1, 1)))
        #expect(checker.shown(8) == .absent)
        #expect(checker.shown(1) == .belowFirst)
    }
}
