import CComparators
import CPanicHarness
import HarnessSupport
import Comparators
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Plays the panic scenarios.
///
/// How each scenario runs (every step after the first is an explicit handshake; nothing waits for
/// time to pass):
///
/// 1. The calling thread writes the history (``ScenarioConfiguration/historyRecords`` records of
///    varied sizes) through ``LogRing/write(_:metadata:)``.
/// 2. stuck-remote, stuck-self, signal-writer: a writer thread starts a write that freezes at the
///    configured point (``FreezePoint``), inside the lock or the reservation; the runner waits
///    until it is frozen there. busy-remote: a writer thread writes as fast as it can
///    (busy-remote-paced: with some work between records, outside the lock), and the runner waits until it has committed ``ScenarioConfiguration/busyRecordsBeforePanic``
///    records; what it has committed when the panic begins counts as committed before the panic.
/// 3. The panic path: ``ScenarioConfiguration/panicMessages`` writes (none in committed-last),
///    then the dump, every wait
///    bounded by ``ScenarioConfiguration/budgetNanoseconds``. In try-once mode
///    (``DumpMode/tryOnce``) one look at the lock comes first; if it is held, what needs the lock
///    is skipped.
///    - stuck-remote, committed-last, busy-remote(-paced): on the calling thread, while the other
///      writer is frozen / busy.
///    - stuck-self: in a signal handler on the frozen thread itself (C code, CPanicHarness).
///    - signal-writer: first a signal handler on the frozen thread writes
///      ``ScenarioConfiguration/handlerWrites`` records (bounded writes, busting in bust mode);
///      then the frozen writer is released and finishes its record; then the panic path runs on
///      the calling thread.
/// 4. The frozen writer is released (stuck-remote, stuck-self: only now, after everything was
///    measured: as far as the dump knows it never continues) and joined; the busy writer is
///    stopped and joined.
/// 5. Every record committed before the panic is looked up among the records the dump returned.
public enum PanicScenarioRunner {
    /// Plays one configuration. A pair that has no meaning (``Scenario/notApplicableReason(for:)``)
    /// is reported as such.
    ///
    /// - Throws: ``ScenarioError`` when the scenario could not be played as designed.
    public static func run(_ configuration: ScenarioConfiguration) throws(ScenarioError) -> ScenarioOutcome {
        if let reason = configuration.scenario.notApplicableReason(for: configuration.implementation) {
            return .notApplicable(configuration, reason: reason)
        }
        try validate(configuration)
        guard configuration.implementation.hasReader else { throw .invalidConfiguration("fetch-add has no reader") }
        return .ran(try play(configuration.implementation.ringType, configuration))
    }

    static func play<Ring: LogRing>(_: Ring.Type, _ configuration: ScenarioConfiguration)
        throws(ScenarioError) -> ScenarioResult
    {
        var run = try ScenarioRun<Ring>(configuration)
        return try run.play()
    }

    static func validate(_ c: ScenarioConfiguration) throws(ScenarioError) {
        if c.scenario.freezesAWriter {
            guard let point = c.freezePoint, c.scenario.freezePoints(for: c.implementation).contains(point) else {
                throw .invalidConfiguration("\(c.scenario) needs a freeze point of \(c.implementation)")
            }
        } else if c.freezePoint != nil {
            throw .invalidConfiguration("\(c.scenario) freezes no writer")
        }
        guard DumpMode.modes(for: c.implementation).contains(c.dumpMode) else {
            throw .invalidConfiguration("\(c.implementation) has no \(c.dumpMode) mode")
        }
        guard (0...Int(PANIC_BATCH_MAX)).contains(c.panicMessages), (0...Int(PANIC_BATCH_MAX)).contains(c.handlerWrites)
        else { throw .invalidConfiguration("at most \(PANIC_BATCH_MAX) panic messages and handler writes") }
        guard c.historyRecords >= 0, c.busyRecordsBeforePanic >= 1 else {
            throw .invalidConfiguration("negative record counts")
        }
    }
}

/// A record committed before the panic, and the seq its write returned.
struct CommittedRecord: Hashable {
    var writer: UInt32
    var index: UInt32
    var seq: UInt64
}

/// One play of a scenario on one ring.
struct ScenarioRun<Ring: LogRing> {
    let configuration: ScenarioConfiguration
    let freeze: Freeze
    let ring: Ring
    /// How the panic path reaches the ring (the C harness, or the Swift Mutex ring's own calls).
    let access: PanicAccess
    var committed: [CommittedRecord] = []

    init(_ configuration: ScenarioConfiguration) throws(ScenarioError) {
        self.configuration = configuration
        freeze = try Freeze()
        do {
            ring = try Ring(capacityBytes: configuration.capacityBytes)
        } catch {
            throw .ringCreation(error)
        }
        access = PanicAccess(ring, freeze: freeze)
    }

    var request: PanicRequest {
        PanicRequest(
            messages: configuration.scenario.writesPanicMessages ? configuration.panicMessages : 0,
            budgetNanoseconds: configuration.budgetNanoseconds,
            // Try-once goes on as bust mode does once its check has passed.
            bust: configuration.dumpMode == .bustLock || configuration.dumpMode == .tryOnce,
            tryOnce: configuration.dumpMode == .tryOnce,
            // More than any ring of this size can hold (a record takes at least 24 bytes).
            recordCapacity: configuration.capacityBytes / 16 + 64)
    }

    mutating func play() throws(ScenarioError) -> ScenarioResult {
        defer { access.detachFreeze() }
        try writeHistory()
        switch configuration.scenario {
        case .stuckRemote: return try stuckRemote()
        case .stuckSelf: return try stuckSelf()
        case .busyRemote, .busyRemotePaced: return try busyRemote()
        case .signalWriter: return try signalWriter()
        case .committedLast: return try committedLast()
        }
    }

    mutating func writeHistory() throws(ScenarioError) {
        try withUnsafeTemporaryAllocation(byteCount: Int(PANIC_PAYLOAD_MAX), alignment: 8) {
            scratch throws(ScenarioError) in
            for index in 0..<configuration.historyRecords {
                do {
                    let seq = try writeHarnessRecord(
                        ring, .history, index, length: historyLength(index), scratch: scratch)
                    committed.append(CommittedRecord(writer: WriterID.history.rawValue, index: UInt32(index), seq: seq))
                } catch {
                    throw .writeFailed("history record \(index): \(error)")
                }
            }
        }
    }

    // MARK: Scenarios

    mutating func stuckRemote() throws(ScenarioError) -> ScenarioResult {
        let writer = try startFrozenWriter()
        let outcome = access.panic(request)
        writer.releaseAndJoin(freeze)
        return analyze(outcome, handler: nil, frozenAt: writer.point)
    }

    mutating func committedLast() throws(ScenarioError) -> ScenarioResult {
        let writer = try startFrozenWriter()
        let outcome = access.panic(request)
        let frozenWrite = writer.releaseAndJoin(freeze)
        // Its record was committed before the dump began (the writer froze after the commit), so
        // it counts as committed before the panic: readability is below 100% if the dump missed it.
        if let frozenWrite, frozenWrite.committed {
            committed.append(CommittedRecord(writer: WriterID.frozen.rawValue, index: 0, seq: frozenWrite.seq))
        }
        return analyze(outcome, handler: nil, frozenAt: writer.point)
    }

    mutating func stuckSelf() throws(ScenarioError) -> ScenarioResult {
        let writer = try startFrozenWriter()
        guard let target = access.signalSafeTarget else {
            writer.releaseAndJoin(freeze)
            throw .invalidConfiguration("\(configuration.implementation) cannot run in a signal handler")
        }
        var handled = false
        let outcome = HarnessPanic.run(request) { panic in
            let job = UnsafeMutablePointer<panic_job>.allocate(capacity: 1)
            defer { job.deallocate() }
            job.initialize(to: panic_job())
            job.pointee.kind = PANIC_JOB_PATH
            job.pointee.target = target
            job.pointee.panic = panic
            handled = panic_run_in_signal_handler(writer.thread.pthread, job, configuration.handshakeTimeoutNanoseconds)
            panic = job.pointee.panic
        }
        writer.releaseAndJoin(freeze)
        guard handled else { throw .signalNotHandled }
        return analyze(outcome, handler: nil, frozenAt: writer.point)
    }

    mutating func signalWriter() throws(ScenarioError) -> ScenarioResult {
        let writer = try startFrozenWriter()
        guard let target = access.signalSafeTarget else {
            writer.releaseAndJoin(freeze)
            throw .invalidConfiguration("\(configuration.implementation) cannot run in a signal handler")
        }
        let job = UnsafeMutablePointer<panic_job>.allocate(capacity: 1)
        defer { job.deallocate() }
        job.initialize(to: panic_job())
        job.pointee.kind = PANIC_JOB_BATCH
        job.pointee.target = target
        job.pointee.batch = HarnessPanic.batch(writer: .handler, count: configuration.handlerWrites, request)
        let handled = panic_run_in_signal_handler(writer.thread.pthread, job, configuration.handshakeTimeoutNanoseconds)
        let frozenWrite = writer.releaseAndJoin(freeze)
        guard handled else { throw .signalNotHandled }

        // The interrupted write finished after the handler returned: it committed before the panic.
        if let frozenWrite, frozenWrite.committed {
            committed.append(CommittedRecord(writer: WriterID.frozen.rawValue, index: 0, seq: frozenWrite.seq))
        }
        let handler = HandlerWrites(batch: job.pointee.batch)
        for (index, write) in handler.writes.enumerated() where write.committed {
            committed.append(CommittedRecord(writer: WriterID.handler.rawValue, index: UInt32(index), seq: write.seq))
        }
        return analyze(access.panic(request), handler: handler, frozenAt: writer.point)
    }

    mutating func busyRemote() throws(ScenarioError) -> ScenarioResult {
        let busy = BusyWriter(ring, workBetweenRecords: configuration.scenario.workBetweenRecords)
        guard
            busy.waitUntilCommitted(
                configuration.busyRecordsBeforePanic,
                timeoutNanoseconds: configuration.handshakeTimeoutNanoseconds)
        else {
            _ = busy.stopAndJoin()
            throw .busyWriter("did not commit \(configuration.busyRecordsBeforePanic) records in time")
        }
        // The check and the panic messages first; what the busy writer has committed when the dump
        // begins counts as committed before the panic.
        var committedAtPanic = 0
        let outcome = access.panic(request) { committedAtPanic = busy.committedCount }
        let report = busy.stopAndJoin()
        guard !report.overflowed else { throw .busyWriter("too many breaks in its run of seqs") }
        for index in 0..<committedAtPanic {
            committed.append(
                CommittedRecord(writer: WriterID.busy.rawValue, index: UInt32(index), seq: report.seq(of: index)))
        }
        return analyze(outcome, handler: nil, frozenAt: nil)
    }

    // MARK: Writers

    /// Starts the writer that freezes at the configured point and waits until it is frozen there.
    func startFrozenWriter() throws(ScenarioError) -> FrozenWriter {
        let point = configuration.freezePoint!
        let harnessPoint = point.harnessPoint(for: configuration.implementation)
        freeze.arm(harnessPoint)
        let result = JoinedValue<WriteOutcome>()
        let access = self.access
        let thread = OSThread {
            // It may take the harness's signal (stuck-self, signal-writer).
            _ = panic_signal_accept()
            result.value = access.writeFrozen(at: harnessPoint)
        }
        guard freeze.wait(timeoutNanoseconds: configuration.handshakeTimeoutNanoseconds) else {
            if !freeze.disarm() {
                // A writer took the freeze just now: let it go.
                _ = freeze.wait(timeoutNanoseconds: .max / 2)
                freeze.release()
            }
            thread.join()
            throw .freezePointNotReached(point)
        }
        let reached = FreezePoint.points(for: configuration.implementation).first {
            $0.harnessPoint(for: configuration.implementation) == freeze.frozenAt
        }
        return FrozenWriter(thread: thread, result: result, point: reached)
    }

    // MARK: Analysis

    func analyze(_ outcome: PanicOutcome, handler: HandlerWrites?, frozenAt: FreezePoint?) -> ScenarioResult {
        var committed = self.committed
        for (index, message) in outcome.messages.enumerated() where message.committed {
            committed.append(CommittedRecord(writer: WriterID.panic.rawValue, index: UInt32(index), seq: message.seq))
        }
        let dump = outcome.dump
        let intactReturned = Set(
            dump.records.filter { $0.intact != 0 }.map {
                CommittedRecord(writer: $0.writer, index: $0.index, seq: $0.seq)
            })
        let returnedSeqs = Set(dump.records.map(\.seq))
        let intact = committed.filter { intactReturned.contains($0) }.count
        // Lost: the dump went past the record's seq without returning anything there.
        let lost = committed.filter {
            !intactReturned.contains($0) && !returnedSeqs.contains($0.seq) && $0.seq < dump.stopSeq
        }
        let committedSet = Set(committed)
        let extra = intactReturned.filter { !committedSet.contains($0) }.count
        let refusedWrites = outcome.messages.filter { !$0.committed }.count + (handler?.refused ?? 0)
        let gaveUp = dump.gaveUp || outcome.messages.contains { $0.gaveUp } || (handler?.gaveUp ?? false)
        return ScenarioResult(
            configuration: configuration, committedBeforePanic: committed.count, returned: dump.count, intact: intact,
            torn: dump.torn, lost: lost.count, lostDuringDump: lost.filter { $0.seq >= dump.startSeq }.count,
            refused: refusedWrites, extra: extra, dumpNanoseconds: dump.nanoseconds,
            deadlocked: gaveUp, busted: dump.busted || outcome.messagesBusted || (handler?.busted ?? false),
            stoppedEarly: !dump.gaveUp && dump.stopSeq < dump.endSeq, frozenAt: frozenAt, skipped: outcome.skipped)
    }
}

/// What the signal handler's writes did (signal-writer).
struct HandlerWrites {
    var writes: [WriteOutcome]
    var gaveUp: Bool
    var busted: Bool
    var refused: Int { writes.filter { !$0.committed }.count }

    init(batch: panic_batch) {
        writes = HarnessPanic.outcomes(of: batch)
        gaveUp = batch.gave_up
        busted = batch.busted
    }
}

/// A writer frozen at its fault point.
struct FrozenWriter {
    let thread: OSThread
    let result: JoinedValue<WriteOutcome>
    /// The point it froze at, as the freeze recorded it.
    let point: FreezePoint?

    /// Lets it finish its write and waits for it; returns the write's outcome.
    @discardableResult
    func releaseAndJoin(_ freeze: Freeze) -> WriteOutcome? {
        freeze.release()
        thread.join()
        return result.value
    }
}

/// A writer that writes as fast as it can until told to stop (busy-remote).
final class BusyWriter<Ring: LogRing> {
    /// What the writer thread and the panicking thread share.
    private final class Shared: Sendable {
        let committed = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let workDone = Atomic<UInt64>(0)
    }

    /// The seqs its records got, kept as runs of consecutive seqs: a run breaks only when
    /// another thread writes in between (the panic messages) or a write fails, so a handful of runs
    /// describe millions of records without the writer storing anything per record.
    struct Report {
        /// (first index, its seq) of each run, in order.
        var runs: [(index: Int, seq: UInt64)]
        /// More breaks than there was room for: the seqs are unknown.
        var overflowed: Bool

        func seq(of index: Int) -> UInt64 {
            let run = runs.last { $0.index <= index }!
            return run.seq + UInt64(index - run.index)
        }
    }

    static var maxRuns: Int { 256 }

    private let shared = Shared()
    private let report = JoinedValue<Report>()
    private var thread: OSThread?

    /// `workBetweenRecords`: rounds of SplitMix64 computed between two records, outside the lock.
    init(_ ring: Ring, workBetweenRecords: Int) {
        let shared = self.shared
        let report = self.report
        thread = OSThread {
            var runs: [(index: Int, seq: UInt64)] = []
            runs.reserveCapacity(Self.maxRuns)  // nothing is allocated while writing
            var overflowed = false
            withUnsafeTemporaryAllocation(byteCount: Int(PANIC_PAYLOAD_MAX), alignment: 8) { scratch in
                var index = 0
                var expected: UInt64 = .max
                var work = SplitMix64(seed: 1)
                var workDone: UInt64 = 0
                // Relaxed: a stop request needs no ordering; the join orders everything after it.
                while !shared.stop.load(ordering: .relaxed) {
                    // A failed write (the ring is full) is retried with the same index.
                    guard
                        let seq = try? writeHarnessRecord(
                            ring, .busy, index, length: historyLength(index), scratch: scratch)
                    else { continue }
                    if seq != expected {
                        if runs.count < Self.maxRuns { runs.append((index, seq)) } else { overflowed = true }
                    }
                    expected = seq + 1
                    index += 1
                    // Releasing: pairs with committedCount; whoever reads the count knows these
                    // records are committed.
                    shared.committed.store(index, ordering: .releasing)
                    for _ in 0..<workBetweenRecords { workDone ^= work.next() }
                }
                // Relaxed: only keeps the work from being optimized away.
                shared.workDone.store(workDone, ordering: .relaxed)
            }
            report.value = Report(runs: runs, overflowed: overflowed)
        }
    }

    /// Records it has committed so far.
    var committedCount: Int { shared.committed.load(ordering: .acquiring) }

    /// Waits (yielding the CPU) until it has committed `count` records; false after the timeout.
    func waitUntilCommitted(_ count: Int, timeoutNanoseconds: UInt64) -> Bool {
        waitUntil(timeoutNanoseconds: timeoutNanoseconds) { committedCount >= count }
    }

    func stopAndJoin() -> Report {
        shared.stop.store(true, ordering: .relaxed)
        thread?.join()
        return report.value!
    }
}
