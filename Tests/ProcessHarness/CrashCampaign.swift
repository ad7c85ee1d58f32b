// The crash-test supervisor: writer processes (prb-log) on one ring file, one of them killed
// again and again (at a random moment, or frozen at a fault point first), a new one started in
// its place, and after every kill the checks: the ring still takes writes after wrapping past
// the dead writer's record, and a dump is intact. Used by Tests/ToolsTests (a few kills) and by
// scripts/crash-test.sh through the prb-crash executable (thousands).

/// Where a victim is killed.
public enum KillPoint: Equatable, Sendable, CustomStringConvertible {
    /// At a random moment of its run (a random delay after a random writer was picked).
    case random
    /// Frozen by prb-log's PRB_TEST_FREEZE_AT at this point of one of its records, then killed.
    case freeze(FreezePoint)

    public var description: String {
        switch self {
        case .random: "random"
        case .freeze(let point): point.rawValue
        }
    }
}

/// prb-log's freeze points (PRB_TEST_FREEZE_AT).
public enum FreezePoint: String, CaseIterable, Sendable {
    case descHeadMoved = "desc-head-moved"
    case descReserved = "desc-reserved"
    case dataHeadMoved = "data-head-moved"
    case dataPositions = "data-positions"
    case dataAllocated = "data-allocated"
    case textPartial = "text-partial"
    case committed
}

/// What a campaign does.
public struct CampaignConfiguration: Sendable {
    /// Writer processes running all the time (0: the victim runs alone, then the probe).
    public var writers = 3
    public var descriptorBits = 5
    public var dataBits = 11
    public var kills = 5
    public var killPoint: KillPoint = .random
    /// Random kills wait up to this long after a writer starts or after the previous kill.
    public var maxKillDelayMilliseconds = 40
    /// The ring must take writes until it has wrapped this many times past the dead record.
    public var wraps = 3
    /// Lines each background writer writes before it ends (and a new one takes its place).
    public var linesPerWriter = 4000
    /// Payload lengths vary from 0 to this.
    public var maxPayload = 100
    /// A frozen victim freezes in one of its first this-many records (picked at random).
    public var maxFreezeRecord = 20
    /// Run a prb-dump --follow through the whole campaign and check what it printed.
    public var follow = true
    public var seed: UInt64 = 1
    /// Give up on a child after this many seconds (a wedge must fail, never hang).
    public var childTimeoutSeconds = 60.0

    public init() {}
}

/// The counts a campaign reports.
public struct CampaignCounts: Sendable {
    public var kills = 0
    /// Random kills that found their victim already finished (no kill happened).
    public var victimsAlreadyDone = 0
    /// Kills after which the ring stopped taking writes before it had wrapped past the dead
    /// record `wraps` times.
    public var wedges = 0
    /// Frozen victims whose record a dump did not show as it should (lost, or its whole text if
    /// it was committed).
    public var deadRecordsMisshown = 0
    /// Followers (prb-dump --follow) that had not printed the ring's newest record a while after
    /// the last write: stuck behind a dead record.
    public var followersStuck = 0
    /// Writes the background writers reported refused.
    public var refusedWrites = 0
    /// Freeze requests that never froze (the victim ended first).
    public var freezesMissed = 0
    /// Dumps checked (one after each kill, one quiet dump per ring, the follower's).
    public var dumps = 0
    /// Rings created (a wedged ring is replaced by a new one).
    public var rings = 0
    /// Take-overs, as prb-dump --stats reports them, summed over the rings; nil while prb-dump
    /// does not report them.
    public var takeovers: Int?
    /// The dumps' findings, summed.
    public var findings = Findings()
    /// Failures of the harness or of a tool (a writer that exited non-zero, a timeout).
    public var harnessProblems: [String] = []

    public init() {}

    /// Nothing went wrong.
    public var isClean: Bool {
        wedges == 0 && deadRecordsMisshown == 0 && followersStuck == 0 && findings.isClean && harnessProblems.isEmpty
    }

    public var summary: String {
        """
        kills: \(kills) (\(victimsAlreadyDone) victims had finished before their kill; \(freezesMissed) freezes missed)
        rings: \(rings)
        wedges: \(wedges)
        torn records: \(findings.torn)
        finalized records missing above a dump's first seq: \(findings.missingFinalized)
        duplicates: \(findings.duplicates), out of order: \(findings.outOfOrder), wrong writer: \(findings.wrongWriter), \
        unaccounted gaps: \(findings.unaccountedGaps), bad dump lines: \(findings.badLines)
        dead records shown wrongly: \(deadRecordsMisshown)
        followers stuck: \(followersStuck)
        takeovers: \(takeovers.map(String.init) ?? "n/a")
        dumps checked: \(dumps) (\(findings.records) records, \(findings.lostRecords) reported lost)
        writes refused: \(refusedWrites)
        harness problems: \(harnessProblems.count)\(harnessProblems.prefix(10).map { "\n  " + $0 }.joined())
        """
    }
}

/// One crash campaign in a scratch directory.
public final class CrashCampaign {
    public let configuration: CampaignConfiguration
    public private(set) var counts = CampaignCounts()
    /// Called with a line of progress now and then (prb-crash prints it).
    public var progress: (String) -> Void = { _ in }

    private let scratch: ScratchDirectory
    private var random: UInt64
    private var nextWriterID = 0
    private var ringPath = ""
    /// What the current ring's writers are and said they wrote, as long as a dump could show
    /// their records (a writer still running has said nothing yet but its pid).
    private var ledger = WriterLedger()
    /// The records the current ring's frozen victims died in.
    private var deadRecords: [(seq: UInt64, point: FreezePoint, line: SelfCheckingLine)] = []
    /// The output of the prb-dump --follow reading the current ring, and its check so far: read
    /// and checked a piece at a time (after each kill), so that a check costs the same at the
    /// thousandth kill as at the first.
    private var followerOutput: GrowingFile?
    private var followerCheck = DumpChecker()

    public init(_ configuration: CampaignConfiguration) throws(HarnessError) {
        self.configuration = configuration
        scratch = try ScratchDirectory(prefix: "prb-crash")
        random = configuration.seed
    }

    private func nextRandom(below bound: Int) -> Int {
        random = SelfCheckingLine.mix(random)
        return Int(random % UInt64(max(bound, 1)))
    }

    /// A writer process: prb-log --seqs on a file of self-checking lines.
    final class Writer {
        let id: Int
        let process: ChildProcess
        let seqsPath: String
        let stderrPath: String
        var killed = false

        init(id: Int, process: ChildProcess, seqsPath: String, stderrPath: String) {
            self.id = id
            self.process = process
            self.seqsPath = seqsPath
            self.stderrPath = stderrPath
        }
    }

    /// Starts a writer of `lines` lines, with `environment` (a freeze request).
    func startWriter(lines: Int, environment: [String: String] = [:]) throws(HarnessError) -> Writer {
        let id = nextWriterID
        nextWriterID += 1
        var text = ""
        text.reserveCapacity(lines * (configuration.maxPayload / 2 + 32))
        for counter in 0..<lines {
            text += SelfCheckingLine(writer: id, counter: counter).text(maxPayload: configuration.maxPayload)
            text += "\n"
        }
        let input = scratch.file("in-\(id)")
        try writeFile(input, text)
        let seqs = scratch.file("seqs-\(id)")
        let stderr = scratch.file("err-\(id)")
        let process = try ChildProcess(
            "prb-log", ["--seqs", "--summary", ringPath], environment: environment, stdin: input, stdout: seqs,
            stderr: stderr)
        ledger.started(writer: id, pid: process.pid)
        return Writer(id: id, process: process, seqsPath: seqs, stderrPath: stderr)
    }

    /// Collects an ended writer's report (and removes its files).
    func finish(_ writer: Writer) {
        let report = WriterReport(writer: writer.id, pid: writer.process.pid, seqsOutput: readFile(writer.seqsPath))
        ledger.ended(report)
        if !writer.killed {
            if writer.process.ending != .exited(0) {
                counts.harnessProblems.append(
                    "writer \(writer.id) ended \(String(describing: writer.process.ending)): \(readFile(writer.stderrPath))")
            }
            counts.refusedWrites += report.seqs.filter { $0 == nil }.count
        }
        for name in ["in-\(writer.id)", "seqs-\(writer.id)", "err-\(writer.id)"] { unlink(scratch.file(name)) }
    }

    /// Runs the campaign to its number of kills; returns the counts.
    public func run() throws(HarnessError) -> CampaignCounts {
        while counts.kills < configuration.kills {
            try runRing()
        }
        return counts
    }

    /// Creates a new ring file, the one the campaign's writers, probes and dumps use from now on.
    public func createRing() throws(HarnessError) {
        counts.rings += 1
        ringPath = scratch.file("ring-\(counts.rings)")
        ledger = WriterLedger()
        deadRecords = []
        followerOutput = nil
        followerCheck = DumpChecker()
        let create = try ChildProcess(
            "prb-log",
            ["--create", "--desc-bits", String(configuration.descriptorBits), "--data-bits", String(configuration.dataBits), ringPath])
        guard create.wait(seconds: configuration.childTimeoutSeconds) == .exited(0) else {
            throw .toolFailed("prb-log --create \(ringPath) failed")
        }
    }

    /// A writer frozen at a fault point, still running.
    public final class FrozenWriter {
        public let process: ChildProcess
        /// The seq of the record it froze in.
        public let seq: UInt64
        /// The line it was writing.
        public let line: SelfCheckingLine
        /// The "frozen" lines it wrote so far, one per point it reached.
        public private(set) var freezes = 1
        let notifyPath: String

        init(process: ChildProcess, seq: UInt64, line: SelfCheckingLine, notifyPath: String) {
            self.process = process
            self.seq = seq
            self.line = line
            self.notifyPath = notifyPath
        }

        /// Lets it go on (SIGUSR1) and waits, at most `seconds`, until it freezes at its next
        /// point; returns false if it ended or did not freeze again in time.
        public func resume(seconds: Double = 60) -> Bool {
            process.send(SIGUSR1)
            let target = freezes + 1
            _ = waitUntil(seconds: seconds) {
                readFile(notifyPath).split(separator: "\n").count >= target || process.poll()
            }
            guard readFile(notifyPath).split(separator: "\n").count >= target else { return false }
            freezes = target
            return true
        }
    }

    /// Starts a writer that freezes at `point` of the `record`-th record reaching it (then at
    /// each further point of that record, after a `resume()`), and waits (bounded) until it says
    /// it froze. Returns nil if it ended without freezing (the ring refused every record that
    /// would have reached the point); throws if it did neither in time.
    public func startFrozenWriter(at points: [FreezePoint], record: Int) throws(HarnessError) -> FrozenWriter? {
        let notify = scratch.file("frozen-\(nextWriterID)")
        let victim = try startWriter(
            lines: record + 500,
            environment: [
                "PRB_TEST_FREEZE_AT": points.map(\.rawValue).joined(separator: ","), "PRB_TEST_FREEZE_RECORD": String(record),
                "PRB_TEST_FREEZE_NOTIFY": notify,
            ])
        // The victim may also end first, if the ring refused the records that would have
        // reached the point.
        _ = waitUntil(seconds: configuration.childTimeoutSeconds) {
            readFile(notify).contains("\n") || victim.process.poll()
        }
        guard let frozen = FrozenLine(readFile(notify)) else {
            let ended = victim.process.poll()
            victim.process.killAndReap()
            victim.killed = true
            finish(victim)
            unlink(notify)
            if !ended { throw .timedOut("writer \(victim.id) to freeze at \(points.map(\.rawValue))") }
            return nil
        }
        victim.killed = true  // from here on its report is partial, whatever ends it
        finish(victim)
        return FrozenWriter(
            process: victim.process, seq: frozen.seq, line: SelfCheckingLine(writer: victim.id, counter: frozen.record - 1),
            notifyPath: notify)
    }

    /// ``startFrozenWriter(at:record:)`` with one point.
    public func startFrozenWriter(at point: FreezePoint, record: Int) throws(HarnessError) -> FrozenWriter? {
        try startFrozenWriter(at: [point], record: record)
    }

    /// One ring file: writers, kills and checks until the kills are done or the ring wedges.
    func runRing() throws(HarnessError) {
        try createRing()
        let followPath = scratch.file("follow-\(counts.rings)")
        let follower =
            configuration.follow
            ? try ChildProcess("prb-dump", ["--follow", "--json", "--from-seq", "0", ringPath], stdout: followPath) : nil
        if follower != nil { followerOutput = GrowingFile(followPath) }
        var writers: [Writer] = []
        for _ in 0..<configuration.writers {
            writers.append(try startWriter(lines: configuration.linesPerWriter))
        }
        var wedged = false
        while counts.kills < configuration.kills && !wedged {
            // Background writers that ran out of lines are replaced.
            for (slot, writer) in writers.enumerated() where writer.process.poll() {
                finish(writer)
                writers[slot] = try startWriter(lines: configuration.linesPerWriter)
            }
            let killsBefore = counts.kills
            wedged = try killOne(&writers)
            if counts.kills / Self.progressInterval > killsBefore / Self.progressInterval && !wedged {
                progress(runningTotals)
            }
        }
        // Wind down: the background writers finish their lines (a wedged ring refuses them fast).
        for writer in writers {
            if writer.process.wait(seconds: configuration.childTimeoutSeconds) == nil {
                counts.harnessProblems.append("writer \(writer.id) still running after \(configuration.childTimeoutSeconds) s")
                writer.process.killAndReap()
                writer.killed = true
            }
            finish(writer)
        }
        if !wedged {
            // Every reported record above the first one shown must be there once all is quiet.
            let quiet = try dump()
            counts.dumps += 1
            counts.findings.add(check(quiet, against: ledger, quiet: true))
        }
        if let follower {
            // A reader following the ring must get past every dead record: it prints the newest
            // record soon after the last write (bounded wait), unless the ring wedged.
            if !wedged, let next = try statistics()["next_seq"] as? UInt64, next > 0 {
                let caughtUp = waitUntil(seconds: 30) {
                    readFollower()
                    return followerCheck.covers(next - 1)
                }
                if !caughtUp {
                    counts.followersStuck += 1
                    counts.findings.note("ring \(counts.rings): prb-dump --follow never printed seq \(next - 1)")
                }
            }
            follower.send(SIGTERM)
            if follower.wait(seconds: configuration.childTimeoutSeconds) != .exited(0) {
                counts.harnessProblems.append("prb-dump --follow did not stop cleanly on SIGTERM")
                follower.killAndReap()
            }
            readFollower()
            counts.dumps += 1
            counts.findings.add(followerCheck.findings)
            if !wedged {
                for dead in deadRecords {
                    let shown = followerCheck.shown(dead.seq)
                    if !deadRecordShownCorrectly(shown, point: dead.point, line: dead.line, byFollower: true) {
                        counts.deadRecordsMisshown += 1
                        counts.findings.note(
                            "ring \(counts.rings): prb-dump --follow shows the record a victim froze in at \(dead.point.rawValue) (seq \(dead.seq)) as \(shown)")
                    }
                }
            }
            unlink(followPath)
        }
        counts.findings.add(ledger.findings)
        if let takeovers = try takeoverCount() { counts.takeovers = (counts.takeovers ?? 0) + takeovers }
        unlink(ringPath)
        // The ring's own findings are in the counts now: the running totals must not add them again.
        let writersHeld = ledger.writersHeld
        ledger = WriterLedger()
        followerOutput = nil
        progress("ring \(counts.rings) done (\(writersHeld) writers held at its end): " + runningTotals)
    }

    /// Kills between two progress lines.
    public static let progressInterval = 25

    /// The counts so far, the current ring's follower and reports included, and what the
    /// supervisor itself used: one line of progress.
    var runningTotals: String {
        var findings = counts.findings
        if followerOutput != nil { findings.add(followerCheck.findings) }
        findings.add(ledger.findings)
        return "\(counts.kills) kills, \(counts.wedges) wedges, \(findings.torn) torn, "
            + "\(findings.missingFinalized) missing, \(findings.failures) dump failures, "
            + "\(counts.deadRecordsMisshown) dead records shown wrongly, \(counts.harnessProblems.count) harness problems; "
            + "supervisor \(ResourceUsage.ofThisProcess()), \(ledger.writersHeld) writers held"
    }

    /// Checks what the follower printed since the last call, and catches its check up with the
    /// writers that ended since.
    func readFollower() {
        guard let followerOutput else { return }
        for line in followerOutput.newLines() { followerCheck.check(jsonLine: line, against: ledger) }
        followerCheck.settle(with: ledger)
    }

    /// Tells the checks where the ring stands (`stats`, just taken: after every writer it
    /// knows of as ended had ended), after checking the follower up to now: the reports of
    /// writers the ring and the follower have passed are dropped.
    func observe(_ stats: [String: Any]) {
        readFollower()
        guard let firstSeq = stats["first_seq"] as? UInt64, let nextReserveSeq = stats["next_reserve_seq"] as? UInt64 else {
            return
        }
        ledger.observe(
            firstSeq: firstSeq, nextReserveSeq: nextReserveSeq,
            readerPosition: followerOutput == nil ? nil : followerCheck.position ?? 0)
    }

    /// Kills one writer and checks the ring; returns true if the ring wedged.
    func killOne(_ writers: inout [Writer]) throws(HarnessError) -> Bool {
        var deadSeq: UInt64?
        var deadPoint: FreezePoint?
        var deadLine: SelfCheckingLine?
        switch configuration.killPoint {
        case .random:
            guard !writers.isEmpty else { throw .toolFailed("random kills need background writers") }
            let slot = nextRandom(below: writers.count)
            sleepFor(milliseconds: nextRandom(below: configuration.maxKillDelayMilliseconds + 1))
            let victim = writers[slot]
            if victim.process.poll() {
                counts.victimsAlreadyDone += 1
                finish(victim)
            } else {
                victim.killed = true
                victim.process.killAndReap()
                counts.kills += 1
                finish(victim)
            }
            writers[slot] = try startWriter(lines: configuration.linesPerWriter)
        case .freeze(let point):
            let record = 1 + nextRandom(below: configuration.maxFreezeRecord)
            guard let frozen = try startFrozenWriter(at: point, record: record) else {
                counts.freezesMissed += 1
                return false
            }
            frozen.process.killAndReap()
            unlink(frozen.notifyPath)
            counts.kills += 1
            deadSeq = frozen.seq
            deadPoint = point
            deadLine = frozen.line
            deadRecords.append((frozen.seq, point, frozen.line))
            if followerOutput != nil && !followerCheck.watch(frozen.seq) {
                counts.harnessProblems.append("the follower's check had passed seq \(frozen.seq) before the victim froze in it")
            }
        }
        // A few records after the kill (which finalize a committed record), then the dead record
        // must show as it should.
        _ = try probe(lines: 4)
        if let deadSeq, let deadPoint, let deadLine {
            let shown = try dump()
            counts.dumps += 1
            counts.findings.add(check(shown, against: ledger))
            if !deadRecordShownCorrectly(shown.shown(deadSeq), point: deadPoint, line: deadLine, byFollower: false) {
                counts.deadRecordsMisshown += 1
                counts.findings.note(
                    "kill \(counts.kills): the record the victim froze in at \(deadPoint.rawValue) (seq \(deadSeq)) shows as \(shown.shown(deadSeq))")
            }
        }
        // The ring must take writes until it has wrapped `wraps` times past the dead record.
        let wrap = try writesKeepSucceeding(pastSeq: deadSeq)
        if !wrap.succeeded {
            counts.wedges += 1
            counts.findings.note("kill \(counts.kills) at \(configuration.killPoint): \(wrap.why)")
            return true
        }
        let shown = try dump()
        counts.dumps += 1
        counts.findings.add(check(shown, against: ledger))
        return false
    }

    /// A committed record must show whole (the next reservation finalized it), any other dead
    /// record as lost, never as a record. Two allowances:
    /// - A dump taken just after the kill may stop before a dead record that is not committed:
    ///   the ring takes a dead record over only when it needs its space, and until then a reader
    ///   waits at it as at a slow writer's. A follower must have gone past it by the end.
    /// - A lost committed record is fine while background writers run, or in a follower's
    ///   output: the reader may have been overtaken and have lost it overwritten.
    func deadRecordShownCorrectly(_ shown: Dump.Shown, point: FreezePoint, line: SelfCheckingLine, byFollower: Bool)
        -> Bool
    {
        switch shown {
        case .belowFirst: return true  // already overwritten by the survivors
        case .lost: return point != .committed || configuration.writers > 0 || byFollower
        case .record(_, let text): return point == .committed && SelfCheckingLine(checking: text) == line
        case .absent: return point != .committed && !byFollower
        }
    }

    /// The result of a probe writer.
    public struct ProbeResult {
        /// Lines the ring took.
        public var written = 0
        public var lines = 0
    }

    /// Runs a prb-log of `lines` self-checking lines to its end.
    public func probe(lines: Int) throws(HarnessError) -> ProbeResult {
        let writer = try startWriter(lines: lines)
        guard writer.process.wait(seconds: configuration.childTimeoutSeconds) != nil else {
            writer.process.killAndReap()
            throw .timedOut("probe writer \(writer.id)")
        }
        let report = WriterReport(writer: writer.id, pid: writer.process.pid, seqsOutput: readFile(writer.seqsPath))
        ledger.ended(report)
        if writer.process.ending != .exited(0) || report.seqs.count != lines {
            counts.harnessProblems.append("probe writer \(writer.id) ended \(String(describing: writer.process.ending))")
        }
        for name in ["in-\(writer.id)", "seqs-\(writer.id)", "err-\(writer.id)"] { unlink(scratch.file(name)) }
        return ProbeResult(written: report.seqs.compactMap { $0 }.count, lines: lines)
    }

    /// The outcome of ``writesKeepSucceeding(pastSeq:)``.
    public struct WrapCheck {
        public var succeeded: Bool
        public var why: String
        /// The ring's oldest record after the probe (prb-dump --stats first_seq).
        public var firstSeq: UInt64?
    }

    /// Writes enough records to wrap both the descriptor ring and the text ring `wraps` times and
    /// says whether the ring kept taking them: at least `wraps` rings' worth of the probe's writes
    /// succeeded, and (when the dead record's seq is known) the ring's oldest record is past it.
    /// Refusals while a live writer holds the oldest record are normal (on a loaded machine a
    /// background writer preempted in the middle of a record makes the probe's writes fail for as
    /// long as it is off the CPU), so the probe goes on in rounds until it has got its writes in,
    /// for at most `probeRounds` rounds. A ring wedged by a dead record refuses everything once it
    /// is full, so every round after the first then writes nothing.
    public func writesKeepSucceeding(pastSeq deadSeq: UInt64?) throws(HarnessError) -> WrapCheck {
        let descriptors = 1 << configuration.descriptorBits
        // A record takes at least 8 bytes of header and a few of text in the text ring: enough
        // records for the larger of the two rings to wrap.
        let perWrap = max(descriptors, (1 << configuration.dataBits) / 24)
        let lines = (configuration.wraps + 1) * perWrap
        var written = 0
        var rounds = 0
        var firstSeq: UInt64?
        repeat {
            written += try probe(lines: lines).written
            rounds += 1
            let stats = try statistics()
            observe(stats)
            firstSeq = stats["first_seq"] as? UInt64
            let pastDead = deadSeq.map { dead in firstSeq.map { $0 > dead } ?? true } ?? true
            if written >= configuration.wraps * perWrap && pastDead {
                return WrapCheck(succeeded: true, why: "", firstSeq: firstSeq)
            }
        } while rounds < Self.probeRounds
        if written < configuration.wraps * perWrap {
            return WrapCheck(
                succeeded: false,
                why: "the ring took \(written) of \(rounds * lines) writes in \(rounds) rounds (dead record \(deadSeq.map(String.init) ?? "?"))",
                firstSeq: firstSeq)
        }
        return WrapCheck(
            succeeded: false,
            why: "after \(written) writes the oldest record \(firstSeq.map(String.init) ?? "?") is not past the dead one \(deadSeq.map(String.init) ?? "?")",
            firstSeq: firstSeq)
    }

    /// Probe rounds before a ring that keeps refusing counts as wedged.
    static let probeRounds = 8

    /// A one-shot prb-dump --json from seq 0.
    func dump() throws(HarnessError) -> Dump {
        let out = scratch.file("dump")
        unlink(out)
        let dumper = try ChildProcess("prb-dump", ["--json", "--from-seq", "0", ringPath], stdout: out)
        guard dumper.wait(seconds: configuration.childTimeoutSeconds) == .exited(0) else {
            dumper.killAndReap()
            throw .toolFailed("prb-dump \(ringPath) failed or hung")
        }
        return Dump(json: readFile(out))
    }

    /// prb-dump --stats --json.
    func statistics() throws(HarnessError) -> [String: Any] {
        let out = scratch.file("stats")
        unlink(out)
        let dumper = try ChildProcess("prb-dump", ["--stats", "--json", ringPath], stdout: out)
        guard dumper.wait(seconds: configuration.childTimeoutSeconds) == .exited(0) else {
            dumper.killAndReap()
            throw .toolFailed("prb-dump --stats \(ringPath) failed or hung")
        }
        return Dump.object(readFile(out)) ?? [:]
    }

    /// The take-overs prb-dump --stats counts ("takeovers"; "recent_takeover_seqs" lists the
    /// last few, which is not a count), or nil if it does not count them.
    func takeoverCount() throws(HarnessError) -> Int? {
        try statistics()["takeovers"] as? Int
    }
}

/// The line a frozen prb-log writes: "prb-log: frozen point=P record=R seq=S pid=I".
struct FrozenLine {
    var record: Int
    var seq: UInt64

    init?(_ text: String) {
        guard let line = text.split(separator: "\n").first, line.hasPrefix("prb-log: frozen ") else { return nil }
        var fields: [Substring: Substring] = [:]
        for pair in line.split(separator: " ").dropFirst(2) {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        guard let record = fields["record"].flatMap({ Int($0) }), let seq = fields["seq"].flatMap({ UInt64($0) }) else {
            return nil
        }
        self.record = record
        self.seq = seq
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif
