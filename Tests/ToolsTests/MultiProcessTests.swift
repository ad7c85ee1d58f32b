// Many writer processes on one ring file and a reader process following them: the tools as
// processes, with self-checking records (Tests/ProcessHarness).

import ProcessHarness
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

@Suite(.singleThreaded, .serialized, .timeLimit(.minutes(2))) struct MultiProcessTests {
    static let maxPayload = 90

    /// The input of a writer: `count` self-checking lines.
    static func lines(writer: Int, count: Int) -> String {
        (0..<count).map { SelfCheckingLine(writer: writer, counter: $0).text(maxPayload: maxPayload) + "\n" }.joined()
    }

    /// N prb-log processes write one small ring at once (it wraps hundreds of times) while a
    /// prb-dump --follow reads it: what the reader printed and a dump of the quiet ring afterwards
    /// check against what each writer says it wrote.
    @Test func writerProcessesAndAFollowingReader() throws {
        let scratch = try ScratchDirectory()
        let ring = scratch.file("shared.ring")
        let (writers, linesEach, descriptorBits) = (4, 20000, 6)
        let create = try ChildProcess("prb-log", ["--create", "--desc-bits", "\(descriptorBits)", "--data-bits", "12", ring])
        try #require(create.wait(seconds: 60) == .exited(0))
        let follower = try ChildProcess("prb-dump", ["--follow", "--json", "--from-seq", "0", ring], stdout: scratch.file("follow"))
        var processes: [ChildProcess] = []
        for writer in 0..<writers {
            try writeFile(scratch.file("in-\(writer)"), Self.lines(writer: writer, count: linesEach))
        }
        for writer in 0..<writers {
            processes.append(
                try ChildProcess(
                    "prb-log", ["--seqs", "--summary", ring], stdin: scratch.file("in-\(writer)"), stdout: scratch.file("seqs-\(writer)"),
                    stderr: scratch.file("err-\(writer)")))
        }
        var reports: [WriterReport] = []
        for (writer, process) in processes.enumerated() {
            try #require(process.wait(seconds: 60) == .exited(0), "writer \(writer): \(readFile(scratch.file("err-\(writer)")))")
            let report = WriterReport(writer: writer, pid: process.pid, seqsOutput: readFile(scratch.file("seqs-\(writer)")))
            #expect(report.seqs.count == linesEach)
            let written = report.seqs.compactMap { $0 }.count
            #expect(readFile(scratch.file("err-\(writer)")).contains("prb-log: wrote \(written) of \(linesEach) lines"))
            reports.append(report)
        }
        let allSeqs = reports.flatMap { $0.seqs.compactMap { $0 } }
        #expect(Set(allSeqs).count == allSeqs.count, "two writes were given the same seq")
        // The ring wrapped many times: far more records were written than it holds.
        #expect(allSeqs.count > 50 << descriptorBits)

        // The reader has caught up once it printed the newest record (bounded wait), then stops.
        let newest = try #require(allSeqs.max())
        let caughtUp = waitUntil(seconds: 60) {
            Dump(json: readFile(scratch.file("follow"))).events.contains {
                if case .record(let seq, _, _) = $0 { return seq == newest }
                return false
            }
        }
        #expect(caughtUp, "prb-dump --follow never printed seq \(newest)")
        follower.send(SIGTERM)
        #expect(follower.wait(seconds: 60) == .exited(0))

        let followed = check(Dump(json: readFile(scratch.file("follow"))), reports: reports)
        #expect(followed.isClean, "\(followed)")
        #expect(followed.records > 0)

        let dumper = try ChildProcess("prb-dump", ["--json", "--from-seq", "0", ring], stdout: scratch.file("dump"))
        try #require(dumper.wait(seconds: 60) == .exited(0))
        let quiet = Dump(json: readFile(scratch.file("dump")))
        let findings = check(quiet, reports: reports, quiet: true)
        #expect(findings.isClean, "\(findings)")
        // The quiet dump ends with the newest record and holds at least the last few.
        var lastShown: UInt64?
        if case .record(let seq, _, _)? = quiet.events.last { lastShown = seq }
        #expect(lastShown == newest)
        #expect(findings.records >= 8)
    }

    /// The checks fail when they should: a torn record, a record under another writer's pid, one
    /// shown twice, lines out of their writer's order, a gap without a lost run, and a finalized
    /// record missing from a quiet dump are each caught.
    @Test func theChecksCatchWhatTheyLookFor() {
        let line = { (writer: Int, counter: Int) in SelfCheckingLine(writer: writer, counter: counter).text(maxPayload: 40) }
        let reports = [WriterReport(writer: 1, pid: 100, seqs: [10, 12, 13]), WriterReport(writer: 2, pid: 200, seqs: [11, 14])]
        var good = Dump(json: "")
        good.events = [
            .lost(fromSeq: 0, count: 10), .record(seq: 10, callerID: 100, text: line(1, 0)), .lost(fromSeq: 11, count: 1),
            .record(seq: 12, callerID: 100, text: line(1, 1)), .record(seq: 13, callerID: 100, text: line(1, 2)),
            .record(seq: 14, callerID: 200, text: line(2, 1)),
        ]
        // Seq 11 (writer 2's first line) lost above the first record shown: overwritten out of
        // seq order, which a quiet dump allows since none of writer 2's earlier lines is shown.
        #expect(check(good, reports: reports).isClean)
        #expect(check(good, reports: reports, quiet: true).isClean)
        var quietMissing = good
        quietMissing.events[4] = .lost(fromSeq: 13, count: 1)
        #expect(check(quietMissing, reports: reports).isClean)
        #expect(check(quietMissing, reports: reports, quiet: true).missingFinalized == 1)
        quietMissing = good
        quietMissing.events.removeLast()
        #expect(check(quietMissing, reports: reports, quiet: true).missingFinalized == 1)
        let sameSeqTwice = reports + [WriterReport(writer: 3, pid: 300, seqs: [12])]
        #expect(check(good, reports: sameSeqTwice).wrongWriter == 1)

        func with(_ change: (inout [Dump.Event]) -> Void) -> Findings {
            var dump = good
            change(&dump.events)
            return check(dump, reports: reports)
        }
        var torn = line(1, 1)
        torn += torn.removeLast() == "0" ? "1" : "0"
        #expect(with { $0[3] = .record(seq: 12, callerID: 100, text: torn) }.torn == 1)
        #expect(with { $0[3] = .record(seq: 12, callerID: 100, text: String(line(1, 1).dropFirst(4))) }.torn == 1)
        #expect(with { $0[3] = .record(seq: 12, callerID: 200, text: line(1, 1)) }.wrongWriter == 1)
        #expect(with { $0[3] = .record(seq: 12, callerID: 100, text: line(1, 0)) }.duplicates == 1)
        #expect(with { $0.swapAt(3, 4) }.outOfOrder >= 1)
        #expect(with { $0.remove(at: 2) }.unaccountedGaps == 1)
        #expect(with { $0[5] = .record(seq: 14, callerID: 300, text: line(3, 0)) }.wrongWriter == 1)
    }

    /// prb-log's testing aid: an unknown freeze point or record number is a usage error with a
    /// clear message, and a writer frozen at a point says where (and which seq) and stays there
    /// until it is killed.
    @Test func freezeRequestsAreCheckedAndAnnounced() throws {
        let scratch = try ScratchDirectory()
        let ring = scratch.file("freeze.ring")
        let invalid: [(environment: [String: String], message: String)] = [
            (["PRB_TEST_FREEZE_AT": "halfway"], "PRB_TEST_FREEZE_AT=halfway: expected one of desc-head-moved, desc-reserved"),
            (
                ["PRB_TEST_FREEZE_AT": "committed", "PRB_TEST_FREEZE_RECORD": "0"],
                "PRB_TEST_FREEZE_RECORD=0: expected a record number of 1 or more"
            ),
            (["PRB_TEST_FREEZE_RECORD": "2"], "PRB_TEST_FREEZE_RECORD and PRB_TEST_FREEZE_NOTIFY need PRB_TEST_FREEZE_AT"),
            (["PRB_TEST_FREEZE_AT": "committed,desc-reserved"], "the points must be distinct and in write-path order"),
        ]
        for (index, request) in invalid.enumerated() {
            let log = try ChildProcess(
                "prb-log", ["--create", ring], environment: request.environment, stderr: scratch.file("err-\(index)"))
            #expect(log.wait(seconds: 60) == .exited(64))
            #expect(readFile(scratch.file("err-\(index)")).contains(request.message))
        }
        try writeFile(scratch.file("in"), (1...10).map { "line number \($0)\n" }.joined())
        let frozen = try ChildProcess(
            "prb-log", ["--create", "--seqs", ring],
            environment: ["PRB_TEST_FREEZE_AT": "text-partial", "PRB_TEST_FREEZE_RECORD": "3", "PRB_TEST_FREEZE_NOTIFY": scratch.file("notify")],
            stdin: scratch.file("in"), stdout: scratch.file("seqs"))
        let announced = waitUntil(seconds: 60) { readFile(scratch.file("notify")).hasSuffix("\n") || frozen.poll() }
        #expect(announced)
        #expect(readFile(scratch.file("notify")) == "prb-log: frozen point=text-partial record=3 seq=2 pid=\(frozen.pid)\n")
        // Its earlier lines' seqs were pushed out before it froze; it has not ended by itself.
        #expect(readFile(scratch.file("seqs")) == "0\n1\n")
        #expect(!frozen.poll())
        #expect(frozen.killAndReap() == .signaled(SIGKILL))
    }
}
