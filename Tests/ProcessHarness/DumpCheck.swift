// Checking what prb-dump --json printed against what the writers say they wrote.

import Foundation

/// A prb-dump --json output, parsed.
public struct Dump {
    /// One line of the dump: a record, or a run of records the reader reports lost.
    public enum Event: Equatable {
        case record(seq: UInt64, callerID: UInt32, text: String)
        case lost(fromSeq: UInt64, count: UInt64)
    }

    public var events: [Event] = []
    /// Lines that were not a record or a lost run (a damaged dump).
    public var badLines: [String] = []

    public init(json output: String) {
        for line in output.split(separator: "\n") {
            if let event = Event(jsonLine: line) {
                events.append(event)
            } else {
                badLines.append(String(line))
            }
        }
    }

    /// The seq of the first record shown: every seq below it that the dump does not show was
    /// overwritten before the dump began.
    public var firstRecordSeq: UInt64? {
        for case .record(let seq, _, _) in events { return seq }
        return nil
    }

    /// Whether the dump reached `seq` (shows it, or a lost run covering it, or anything newer).
    public func covers(_ seq: UInt64) -> Bool {
        switch events.last {
        case .record(let last, _, _): last >= seq
        case .lost(let from, let count): from + count > seq
        case nil: false
        }
    }

    /// How the dump shows record `seq`.
    public enum Shown: Equatable {
        /// Below the first record shown: overwritten.
        case belowFirst
        /// Inside a run the reader reported lost (never finished, or overwritten while the dump
        /// read).
        case lost
        case record(callerID: UInt32, text: String)
        /// Not shown at all: past the end of the dump (e.g. a reader stopped before it).
        case absent
    }

    public func shown(_ seq: UInt64) -> Shown {
        if let first = firstRecordSeq, seq < first { return .belowFirst }
        for event in events {
            switch event {
            case .record(let s, let caller, let text) where s == seq: return .record(callerID: caller, text: text)
            case .lost(let from, let count) where seq >= from && seq - from < count: return .lost
            default: continue
            }
        }
        return .absent
    }
}

/// What a writer process says it wrote: the seq of each of its lines (by counter), nil for a
/// line the ring refused. A killed writer's report ends early (its last lines were unreported).
public struct WriterReport {
    public var writer: Int
    public var pid: Int32
    public var seqs: [UInt64?]

    public init(writer: Int, pid: Int32, seqs: [UInt64?]) {
        self.writer = writer
        self.pid = pid
        self.seqs = seqs
    }

    /// Parses prb-log --seqs output. Only complete lines count: a killed writer may have been
    /// stopped in the middle of writing its report (a fatal signal cuts a write to a file short
    /// between pages), and the start of a line ("12" of "1234") would read as a wrong seq.
    public init(writer: Int, pid: Int32, seqsOutput: String) {
        let completeLines = seqsOutput.lastIndex(of: "\n").map { seqsOutput[...$0] } ?? ""
        self.init(
            writer: writer, pid: pid, seqs: completeLines.split(separator: "\n").map { $0 == "-" ? nil : UInt64($0) })
    }
}

/// The findings of one check. Every count but `records` and `lostRecords` is a failure.
public struct Findings: CustomStringConvertible, Sendable {
    public var records = 0
    /// Records reported lost after the first record shown (overwritten while the dump read, or
    /// never finished).
    public var lostRecords: UInt64 = 0
    /// A record whose text does not check (torn, or damaged).
    public var torn = 0
    /// The same writer's line shown twice.
    public var duplicates = 0
    /// A writer's lines not in the order it wrote them, or seqs going backwards.
    public var outOfOrder = 0
    /// A record whose caller id is not its writer's pid, or whose seq is not the one its writer
    /// was given.
    public var wrongWriter = 0
    /// A jump in seq that no lost run covers.
    public var unaccountedGaps = 0
    /// A record its writer reported written that a dump of the quiet ring does not show although
    /// the ring still holds an older record of the same writer, or although it is newer than
    /// every record the dump shows.
    public var missingFinalized = 0
    /// Lines of the dump that are neither a record nor a lost run.
    public var badLines = 0
    /// The first few failures, described.
    public var problems: [String] = []

    public init() {}

    public var failures: Int { torn + duplicates + outOfOrder + wrongWriter + unaccountedGaps + missingFinalized + badLines }
    public var isClean: Bool { failures == 0 }

    mutating func note(_ problem: String) {
        if problems.count < 20 { problems.append(problem) }
    }

    public mutating func add(_ other: Findings) {
        records += other.records
        lostRecords += other.lostRecords
        torn += other.torn
        duplicates += other.duplicates
        outOfOrder += other.outOfOrder
        wrongWriter += other.wrongWriter
        unaccountedGaps += other.unaccountedGaps
        missingFinalized += other.missingFinalized
        badLines += other.badLines
        for problem in other.problems { note(problem) }
    }

    public var description: String {
        "records \(records), lost \(lostRecords), torn \(torn), duplicates \(duplicates), out of order \(outOfOrder), "
            + "wrong writer \(wrongWriter), unaccounted gaps \(unaccountedGaps), missing finalized \(missingFinalized), "
            + "bad lines \(badLines)" + (problems.isEmpty ? "" : "; " + problems.joined(separator: "; "))
    }
}

extension Dump.Event {
    /// One line of prb-dump --json; nil if it is neither a record nor a lost run.
    public init?(jsonLine line: Substring) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        if let seq = object["seq"] as? UInt64, let caller = object["caller_id"] as? UInt32, let text = object["text"] as? String {
            self = .record(seq: seq, callerID: caller, text: text)
        } else if let count = object["lost"] as? UInt64, let from = object["from_seq"] as? UInt64 {
            self = .lost(fromSeq: from, count: count)
        } else {
            return nil
        }
    }
}

/// The seqs given to a ring's writers, one bit each, from a lower bound that moves up: a seq is
/// kept only while a writer still running could have been given it too.
struct SeqWindow {
    /// The lowest seq the window can hold (a multiple of 64); the seqs below were forgotten.
    private(set) var base: UInt64 = 0
    private var words: [UInt64] = []

    /// How far above `base` a seq may lie (a report's seqs are parsed from a file: a damaged one
    /// must not make the window allocate without limit).
    static let span: UInt64 = 1 << 28

    /// Adds `seq`, which lies in `base ..< base + span`; returns false if it was there already.
    mutating func insert(_ seq: UInt64) -> Bool {
        let offset = seq - base
        let word = Int(offset / 64)
        let bit = UInt64(1) << (offset % 64)
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word - words.count + 1)) }
        defer { words[word] |= bit }
        return words[word] & bit == 0
    }

    /// Forgets the seqs below `seq` (rounded down to a multiple of 64).
    mutating func forget(below seq: UInt64) {
        guard seq > base else { return }
        let dropped = (seq - base) / 64
        words.removeFirst(Int(min(dropped, UInt64(words.count))))
        base += dropped * 64
    }
}

/// What the checks know of one ring's writers: each writer's pid from its start, its report once
/// it has ended, and no more than that it existed once neither the ring nor its reader can show
/// its records any more. Memory stays bounded however long a campaign runs on one ring: a report
/// is kept only while a dump could still show one of its writer's records, and the seqs given
/// only as far back as a writer still running could have been given one.
///
/// A report is checked once, when it arrives: no seq given to two writers, and none given to a
/// writer that had been handed out before it started.
public struct WriterLedger {
    /// Where a writer stands.
    public enum Status {
        /// Started and not ended: its pid is known, its seqs are not yet.
        case running(pid: Int32)
        case ended(WriterReport)
        /// Ended, and both the ring's oldest record and the reader following it were past every
        /// seq it was given: no dump may show one of its records any more.
        case retired
        /// Not a writer of this ring.
        case unknown
    }

    private struct Entry {
        var pid: Int32
        /// The seqs handed out when it started (as last observed): it was given none below.
        var startedAt: UInt64
        var report: WriterReport?
        /// The seqs handed out when it had ended (first observation after its end): it was given
        /// none at or above.
        var endedBelow: UInt64?
    }

    private var entries: [Int: Entry] = [:]
    private var retired: Set<Int> = []
    private var given = SeqWindow()
    /// Seqs handed out as of the latest observation.
    private var handedOut: UInt64 = 0
    /// Failures found in the reports themselves (seqs given twice).
    public private(set) var findings = Findings()

    public init() {}

    /// A ledger of writers that have all ended, as after a run (nothing retires without
    /// observations of the ring).
    public init(reports: [WriterReport]) {
        for report in reports {
            started(writer: report.writer, pid: report.pid)
            ended(report)
        }
    }

    /// No writer was ever started.
    public var isEmpty: Bool { entries.isEmpty && retired.isEmpty }

    /// Writers whose pid or report the ledger holds: running, or ended and not yet retired.
    public var writersHeld: Int { entries.count }

    /// The reports of the ended writers not yet retired, by writer id.
    public var endedReports: [WriterReport] { entries.keys.sorted().compactMap { entries[$0]?.report } }

    public func status(of writer: Int) -> Status {
        if let entry = entries[writer] { return entry.report.map { .ended($0) } ?? .running(pid: entry.pid) }
        return retired.contains(writer) ? .retired : .unknown
    }

    /// A writer process was started.
    public mutating func started(writer: Int, pid: Int32) {
        entries[writer] = Entry(pid: pid, startedAt: handedOut)
    }

    /// A writer ended (exited, or was killed: then its report may end early); its report is
    /// checked against every other report that could share a seq with it.
    public mutating func ended(_ report: WriterReport) {
        let startedAt = entries[report.writer]?.startedAt ?? 0
        for case (let counter, let seq?) in report.seqs.enumerated() {
            if seq < startedAt || seq < given.base {
                findings.wrongWriter += 1
                findings.note("writer \(report.writer) line \(counter) was given seq \(seq), handed out before it started (at seq \(startedAt))")
            } else if seq - given.base >= SeqWindow.span {
                findings.wrongWriter += 1
                findings.note("writer \(report.writer) line \(counter) was given seq \(seq), \(SeqWindow.span) or more past seq \(given.base)")
            } else if !given.insert(seq) {
                findings.wrongWriter += 1
                findings.note("seq \(seq) was given twice, the second time to writer \(report.writer) line \(counter)")
            }
        }
        entries[report.writer, default: Entry(pid: report.pid, startedAt: startedAt)].report = report
    }

    /// Tells the ledger where the ring stands (prb-dump --stats: `firstSeq`, the oldest record
    /// still in it; `nextReserveSeq`, the seqs handed out) and up to which seq a reader following
    /// it has been checked (nil if none follows). Call it with statistics taken after the last
    /// ``ended(_:)``: a writer retires once the ring and the reader are past the seqs handed out
    /// at an earlier observation after its end.
    public mutating func observe(firstSeq: UInt64, nextReserveSeq: UInt64, readerPosition: UInt64?) {
        handedOut = max(handedOut, nextReserveSeq)
        for (writer, entry) in entries where entry.report != nil {
            guard let endedBelow = entry.endedBelow else {
                entries[writer]?.endedBelow = nextReserveSeq
                continue
            }
            if firstSeq >= endedBelow && readerPosition.map({ $0 >= endedBelow }) ?? true {
                entries[writer] = nil
                retired.insert(writer)
            }
        }
        let oldestRunningStart = entries.values.filter { $0.report == nil }.map(\.startedAt).min() ?? handedOut
        given.forget(below: oldestRunningStart)
    }
}

/// Checks a prb-dump --json output one line at a time, in the order the reader printed them,
/// against a ring's ``WriterLedger``: every record's text checks and carries its writer's pid, no
/// line twice, each writer's lines in its own order, every seq after the first one shown is a
/// record or inside a lost run, and each record's seq is the one its writer was given. A reader
/// following a ring for a whole campaign is checked as it goes: what is kept is the position,
/// per writer the lines shown (until the writer retires), and the seqs asked about with
/// ``watch(_:)``, never the lines themselves.
public struct DumpChecker {
    public private(set) var findings = Findings()
    /// One past the last seq checked (the seq due next); nil before the first line.
    public private(set) var position: UInt64?
    /// The seq of the first record shown: every seq below it that the dump does not show was
    /// overwritten before the dump began.
    public private(set) var firstRecordSeq: UInt64?

    /// A writer's lines shown so far.
    private struct LinesShown {
        var counters: Set<Int> = []
        var last: Int?
        /// Lines shown while their writer was running, whose seqs are checked once it has ended.
        var unverified: [(counter: Int, seq: UInt64)] = []
    }

    private var linesShown: [Int: LinesShown] = [:]
    /// Seqs asked about and not yet reached, in increasing order.
    private var watchedAhead: [UInt64] = []
    /// How the seqs asked about were shown.
    private var watchedShown: [UInt64: Dump.Shown] = [:]

    public init() {}

    /// Whether the checked lines reached `seq` (a record or a lost run at or past it).
    public func covers(_ seq: UInt64) -> Bool {
        position.map { $0 > seq } ?? false
    }

    /// Remembers how record `seq` will be shown, for ``shown(_:)``; returns false if the checked
    /// lines have already reached it (too late to ask).
    public mutating func watch(_ seq: UInt64) -> Bool {
        guard !covers(seq) else { return false }
        watchedAhead.insert(seq, at: watchedAhead.firstIndex { $0 > seq } ?? watchedAhead.endIndex)
        return true
    }

    /// How record `seq`, asked about with ``watch(_:)`` before the checked lines reached it, was
    /// shown.
    public func shown(_ seq: UInt64) -> Dump.Shown {
        if let first = firstRecordSeq, seq < first { return .belowFirst }
        return watchedShown[seq] ?? .absent
    }

    /// Checks one line of output.
    public mutating func check(jsonLine line: Substring, against ledger: WriterLedger) {
        if let event = Dump.Event(jsonLine: line) {
            check(event, against: ledger)
        } else {
            noteBadLine(line)
        }
    }

    /// Checks a whole dump.
    public mutating func check(_ dump: Dump, against ledger: WriterLedger) {
        for line in dump.badLines { noteBadLine(Substring(line)) }
        for event in dump.events { check(event, against: ledger) }
    }

    mutating func noteBadLine(_ line: Substring) {
        findings.badLines += 1
        if findings.badLines <= 3 { findings.note("bad dump line: \(line)") }
    }

    /// Checks one record or lost run.
    public mutating func check(_ event: Dump.Event, against ledger: WriterLedger) {
        switch event {
        case .lost(let from, let count):
            // A run before the first record was overwritten before the dump began: not counted.
            if findings.records > 0 { findings.lostRecords += count }
            if let expected = position, from != expected {
                findings.unaccountedGaps += 1
                findings.note("lost run from \(from) where seq \(expected) was due")
            }
            position = from + count
            resolveWatched(below: from + count) { $0 >= from ? .lost : nil }
        case .record(let seq, let caller, let text):
            findings.records += 1
            if firstRecordSeq == nil { firstRecordSeq = seq }
            if let due = position, seq != due {
                if seq < due {
                    findings.outOfOrder += 1
                    findings.note("seq \(seq) after seq \(due - 1)")
                } else {
                    findings.unaccountedGaps += 1
                    findings.note("seqs \(due)..<\(seq) missing without a lost run")
                }
            }
            position = seq + 1
            resolveWatched(below: seq + 1) { $0 == seq ? .record(callerID: caller, text: text) : nil }
            guard let line = SelfCheckingLine(checking: text) else {
                findings.torn += 1
                findings.note("seq \(seq) does not check: \(text.prefix(80))")
                return
            }
            check(line, seq: seq, callerID: caller, against: ledger)
        }
    }

    /// Settles the watched seqs below `end`, which the checked lines have now reached: as
    /// `outcome` says, or absent (jumped over).
    private mutating func resolveWatched(below end: UInt64, _ outcome: (UInt64) -> Dump.Shown?) {
        while let seq = watchedAhead.first, seq < end {
            watchedAhead.removeFirst()
            watchedShown[seq] = outcome(seq) ?? .absent
        }
    }

    private mutating func check(_ line: SelfCheckingLine, seq: UInt64, callerID: UInt32, against ledger: WriterLedger) {
        let status = ledger.status(of: line.writer)
        if case .retired = status {
            findings.outOfOrder += 1
            findings.note("seq \(seq): writer \(line.writer) line \(line.counter) shown after the ring and its reader had passed all that writer's seqs")
            return
        }
        var shown = linesShown[line.writer] ?? LinesShown()
        if !shown.counters.insert(line.counter).inserted {
            findings.duplicates += 1
            findings.note("seq \(seq): writer \(line.writer) line \(line.counter) shown twice")
        }
        if let last = shown.last, line.counter <= last {
            findings.outOfOrder += 1
            findings.note("seq \(seq): writer \(line.writer) line \(line.counter) after its line \(last)")
        }
        shown.last = line.counter
        switch status {
        case .running(let pid):
            checkCaller(callerID, of: line, seq: seq, pid: pid)
            shown.unverified.append((line.counter, seq))
        case .ended(let report):
            checkCaller(callerID, of: line, seq: seq, pid: report.pid)
            checkSeq(seq, of: line.counter, against: report)
        case .unknown:
            if !ledger.isEmpty {
                findings.wrongWriter += 1
                findings.note("seq \(seq): writer \(line.writer) is no writer of this ring")
            }
        case .retired:
            break
        }
        linesShown[line.writer] = shown
    }

    private mutating func checkCaller(_ callerID: UInt32, of line: SelfCheckingLine, seq: UInt64, pid: Int32) {
        if pid != Int32(bitPattern: callerID) {
            findings.wrongWriter += 1
            findings.note("seq \(seq): writer \(line.writer)'s line carries caller id \(callerID), not pid \(pid)")
        }
    }

    private mutating func checkSeq(_ seq: UInt64, of counter: Int, against report: WriterReport) {
        if counter < report.seqs.count, let given = report.seqs[counter], given != seq {
            findings.wrongWriter += 1
            findings.note("seq \(seq): writer \(report.writer) line \(counter) was given seq \(given)")
        }
    }

    /// Catches up with the ledger: the lines of writers that have ended since they were shown
    /// are checked against their reports, and what is kept of retired writers is dropped. Call it
    /// before each ``WriterLedger/observe(firstSeq:nextReserveSeq:readerPosition:)``, which may
    /// retire writers whose lines are still unverified here.
    public mutating func settle(with ledger: WriterLedger) {
        for (writer, shown) in linesShown {
            switch ledger.status(of: writer) {
            case .ended(let report):
                for (counter, seq) in shown.unverified { checkSeq(seq, of: counter, against: report) }
                linesShown[writer]?.unverified = []
            case .retired:
                linesShown[writer] = nil
            case .running, .unknown:
                continue
            }
        }
    }

    /// Writers whose lines the checker holds (for a campaign's report of its own memory).
    public var writersHeld: Int { linesShown.count }
}

/// Checks a whole dump against a ring's writers (see ``DumpChecker``). With `quiet` (no writer
/// ran during the dump) no record a writer reported written may be missing unless the ring
/// overwrote it.
///
/// What "overwrote" means: the ring recycles text blocks oldest first, in the order they were
/// allocated, and that is not quite seq order: a writer that reserved its descriptor and was
/// preempted before allocating its text block gets a block after those of later seqs, so a
/// pushed text tail can overwrite records just above one that survives (the kernel's ring does
/// the same, and its reader reports them lost). Seq alone cannot tell, so the check is per
/// writer, whose records are allocated in its own order: once one of a writer's records is
/// shown, each of its later records must be shown too; and a reported record newer than
/// everything the dump shows is missing. (A retired writer's records are all below the ring's
/// oldest record: none can be missing.)
public func check(_ dump: Dump, against ledger: WriterLedger, quiet: Bool = false) -> Findings {
    var checker = DumpChecker()
    checker.check(dump, against: ledger)
    var findings = checker.findings
    if quiet {
        var shownSeqs = Set<UInt64>()
        for case .record(let seq, _, _) in dump.events { shownSeqs.insert(seq) }
        let newestShown = checker.position ?? 0
        for report in ledger.endedReports {
            let firstShown = report.seqs.firstIndex { seq in seq.map { shownSeqs.contains($0) } ?? false }
            for case (let counter, let seq?) in report.seqs.enumerated() where !shownSeqs.contains(seq) {
                if let firstShown, counter > firstShown {
                    findings.missingFinalized += 1
                    findings.note("writer \(report.writer) line \(counter) (seq \(seq)) missing after its line \(firstShown)")
                } else if seq >= newestShown {
                    findings.missingFinalized += 1
                    findings.note("writer \(report.writer) line \(counter) (seq \(seq)) missing, newer than the whole dump")
                }
            }
        }
    }
    return findings
}

/// ``check(_:against:quiet:)`` against writers that have all ended, with their reports' own
/// findings (a seq given to two writers).
public func check(_ dump: Dump, reports: [WriterReport], quiet: Bool = false) -> Findings {
    let ledger = WriterLedger(reports: reports)
    var findings = ledger.findings
    findings.add(check(dump, against: ledger, quiet: quiet))
    return findings
}

extension Dump {
    /// The first JSON object of `output` (prb-dump --stats --json prints one).
    static func object(_ output: String) -> [String: Any]? {
        guard let line = output.split(separator: "\n").first else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }
}
