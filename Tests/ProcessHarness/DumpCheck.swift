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
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                badLines.append(String(line))
                continue
            }
            if let seq = object["seq"] as? UInt64, let caller = object["caller_id"] as? UInt32, let text = object["text"] as? String {
                events.append(.record(seq: seq, callerID: caller, text: text))
            } else if let count = object["lost"] as? UInt64, let from = object["from_seq"] as? UInt64 {
                events.append(.lost(fromSeq: from, count: count))
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

    /// Parses prb-log --seqs output.
    public init(writer: Int, pid: Int32, seqsOutput: String) {
        self.init(
            writer: writer, pid: pid, seqs: seqsOutput.split(separator: "\n").map { $0 == "-" ? nil : UInt64($0) })
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

/// Checks a dump: every record's text checks and carries its writer's pid, no line twice, each
/// writer's lines in its own order, and every seq between the first and the last shown is a
/// record or inside a lost run. With `reports`, each record's seq must be the one its writer was
/// given, and no seq given twice. With `quiet` (no writer ran during the dump) no record a
/// writer reported written may be missing unless the ring overwrote it.
///
/// What "overwrote" means: the ring recycles text blocks oldest first, in the order they were
/// allocated, and that is not quite seq order: a writer that reserved its descriptor and was
/// preempted before allocating its text block gets a block after those of later seqs, so a
/// pushed text tail can overwrite records just above one that survives (the kernel's ring does
/// the same, and its reader reports them lost). Seq alone cannot tell, so the check is per
/// writer, whose records are allocated in its own order: once one of a writer's records is
/// shown, each of its later records must be shown too; and a reported record newer than
/// everything the dump shows is missing.
public func check(_ dump: Dump, reports: [WriterReport], quiet: Bool = false) -> Findings {
    var findings = Findings()
    findings.badLines = dump.badLines.count
    for line in dump.badLines.prefix(3) { findings.note("bad dump line: \(line)") }
    let byWriter = Dictionary(reports.map { ($0.writer, $0) }, uniquingKeysWith: { first, _ in first })
    var expected: UInt64?
    var seen = Set<SelfCheckingLine>()
    var lastCounter: [Int: Int] = [:]
    var shownSeqs = Set<UInt64>()
    for event in dump.events {
        switch event {
        case .lost(let from, let count):
            // A run before the first record was overwritten before the dump began: not counted.
            if findings.records > 0 { findings.lostRecords += count }
            if let expected, from != expected {
                findings.unaccountedGaps += 1
                findings.note("lost run from \(from) where seq \(expected) was due")
            }
            expected = from + count
        case .record(let seq, let caller, let text):
            findings.records += 1
            shownSeqs.insert(seq)
            if let due = expected, seq != due {
                if seq < due {
                    findings.outOfOrder += 1
                    findings.note("seq \(seq) after seq \(due - 1)")
                } else {
                    findings.unaccountedGaps += 1
                    findings.note("seqs \(due)..<\(seq) missing without a lost run")
                }
            }
            expected = seq + 1
            guard let line = SelfCheckingLine(checking: text) else {
                findings.torn += 1
                findings.note("seq \(seq) does not check: \(text.prefix(80))")
                continue
            }
            if !seen.insert(line).inserted {
                findings.duplicates += 1
                findings.note("seq \(seq): writer \(line.writer) line \(line.counter) shown twice")
            }
            if let last = lastCounter[line.writer], line.counter <= last {
                findings.outOfOrder += 1
                findings.note("seq \(seq): writer \(line.writer) line \(line.counter) after its line \(last)")
            }
            lastCounter[line.writer] = line.counter
            if let report = byWriter[line.writer] {
                if report.pid != Int32(bitPattern: caller) {
                    findings.wrongWriter += 1
                    findings.note("seq \(seq): writer \(line.writer)'s line carries caller id \(caller), not pid \(report.pid)")
                }
                if line.counter < report.seqs.count, let given = report.seqs[line.counter], given != seq {
                    findings.wrongWriter += 1
                    findings.note("seq \(seq): writer \(line.writer) line \(line.counter) was given seq \(given)")
                }
            } else if !reports.isEmpty {
                findings.wrongWriter += 1
                findings.note("seq \(seq): writer \(line.writer) is no writer of this ring")
            }
        }
    }
    var givenTo: [UInt64: Int] = [:]
    for report in reports {
        for case .some(let seq) in report.seqs {
            if let other = givenTo.updateValue(report.writer, forKey: seq) {
                findings.wrongWriter += 1
                findings.note("seq \(seq) was given to writers \(other) and \(report.writer)")
            }
        }
    }
    if quiet {
        let newestShown = expected ?? 0
        for report in reports {
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

extension Dump {
    /// The first JSON object of `output` (prb-dump --stats --json prints one).
    static func object(_ output: String) -> [String: Any]? {
        guard let line = output.split(separator: "\n").first else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }
}
