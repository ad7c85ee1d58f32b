// The try-once dump mode: the patch the July 2019 discussion weighed (look at the lock once, with
// one trylock, and skip everything that needs it when it is held), and the three outcomes its
// reviewers predicted for it, one test each. Every "at the instant of the check" is a handshake:
// a writer frozen holding the lock, or parked outside it and released by the check itself.
//
// Runs under ThreadSanitizer (trait .concurrent): once its check has passed, try-once goes on as
// bust mode does, but its runs here have budgets they never reach, so nothing is busted.

import CPanicHarness
import Comparators
import HarnessSupport
import PanicScenarios
import Synchronization
import TestSupport
import Testing

@Suite("Try-once: the seed patch's three predicted outcomes", .concurrent)
struct TryOnceTests {
    // MARK: Scenario 1: deadlock-free, but nothing shown

    @Test(
        "stuck-remote: a lock held for good is seen at the check; nothing waits, nothing is written or dumped",
        arguments: [LogRingKind.spinlock, .mutex], [FreezePoint.locked, .textPartial])
    func stuckRemoteSkipsEverything(kind: LogRingKind, point: FreezePoint) throws {
        let r = try play(.stuckRemote, kind, point, .tryOnce, budget: generousBudget)
        expectSkippedEverything(r)
        // The deadline mode, for contrast: the same holder makes it wait out its budget.
        let before = try play(.stuckRemote, kind, point, .deadline, budget: shortBudget)
        #expect(before.deadlocked)
    }

    @Test(
        "stuck-remote, swift-mutex: one withLockIfAvailable sees the holder; nothing is dumped",
        .disabled(if: swiftMutexUnderTSan, swiftMutexTSanReason), arguments: [FreezePoint.locked, .textPartial])
    func stuckRemoteSwiftMutex(point: FreezePoint) throws {
        expectSkippedEverything(try play(.stuckRemote, .swiftMutex, point, .tryOnce, budget: generousBudget))
    }

    @Test("stuck-remote, spin-reserve: the messages are skipped, but its reader takes no lock and still dumps")
    func stuckRemoteSpinReserve() throws {
        let r = try play(.stuckRemote, .spinReserve, .locked, .tryOnce, budget: generousBudget)
        #expect(r.skipped)
        #expect(!r.deadlocked)
        #expect(r.refused == 0)
        #expect(r.readability == 1)
    }

    // MARK: Scenario 2: better than before

    @Test(
        "stuck-self: the handler finds its own thread's lock held and returns at once instead of waiting for itself",
        arguments: [FreezePoint.locked, .textPartial])
    func stuckSelfReturnsAtOnce(point: FreezePoint) throws {
        let r = try play(.stuckSelf, .spinlock, point, .tryOnce, budget: generousBudget)
        expectSkippedEverything(r)
        // Before: the handler waits for the lock its own thread holds until the budget runs out.
        let before = try play(.stuckSelf, .spinlock, point, .deadline, budget: shortBudget)
        #expect(before.deadlocked)
        #expect(before.returned == 0)
    }

    // MARK: Scenario 3: worse than before

    @Test("busy-remote: a writer holding the lock at the instant of the check means nothing is dumped")
    func busyWriterHoldingTheLock() throws {
        let freeze = try #require(panic_freeze_create())
        defer { panic_freeze_destroy(freeze) }
        try withBusySpinlock(freeze: freeze) { target, writer in
            // The writer, busy so far, stops in its next write right after taking the lock.
            panic_freeze_arm(freeze, PANIC_POINT_LOCKED)
            guard panic_freeze_wait(freeze, defaultWaitLimit.nanoseconds) else {
                Issue.record("the busy writer did not stop holding the lock within \(defaultWaitLimit)")
                if !panic_freeze_disarm(freeze) {
                    // It is stopping just now: let it go, so that it can be joined.
                    _ = panic_freeze_wait(freeze, defaultWaitLimit.nanoseconds)
                    panic_freeze_release(freeze)
                }
                return
            }
            let panic = runTryOncePath(target, releasing: nil)
            panic_freeze_release(freeze)
            #expect(panic.checkSaw == false)
            #expect(panic.path.skipped)
            #expect(panic.path.dump.skipped)
            #expect(panic.path.dump.count == 0)
            #expect(panic.path.messages.written == 0)
            #expect(!panic.path.dump.gave_up)
        }
    }

    @Test("busy-remote: a writer that has just released the lock at the instant of the check means a dump")
    func busyWriterBetweenRecords() throws {
        try withBusySpinlock(freeze: nil) { target, writer in
            // The writer stops between two records, outside the lock; the check itself lets it go
            // on at full speed while the panic path writes and dumps.
            writer.park()
            guard writer.waitUntilParked() else {
                Issue.record("the busy writer never parked")
                return
            }
            let panic = runTryOncePath(target, releasing: writer)
            #expect(panic.checkSaw == true)
            #expect(!panic.path.skipped)
            #expect(panic.path.messages.written == 2)
            #expect(panic.path.dump.count > 0)
            #expect(panic.path.dump.torn == 0)
            #expect(!panic.path.dump.busted)
        }
    }

    // MARK: Helpers

    func expectSkippedEverything(_ r: ScenarioResult, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.skipped, sourceLocation: sourceLocation)
        #expect(!r.deadlocked, sourceLocation: sourceLocation)
        #expect(!r.busted, sourceLocation: sourceLocation)
        #expect(r.returned == 0, sourceLocation: sourceLocation)
        #expect(r.refused == 0, sourceLocation: sourceLocation)  // not refused: never attempted
        #expect(r.intact == 0, sourceLocation: sourceLocation)
        #expect(r.committedBeforePanic == 48, sourceLocation: sourceLocation)  // the history only
        #expect(r.dumpNanoseconds == 0, sourceLocation: sourceLocation)
    }

    struct TryOncePanic {
        var path: panic_path
        /// What the check found, as its callback reported.
        var checkSaw: Bool?
    }

    /// Runs the panic path in try-once mode on this thread; `writer` (if any) is released from
    /// its park by the check's callback, at the instant of the check.
    func runTryOncePath(_ target: panic_target, releasing writer: ParkedWriter?) -> TryOncePanic {
        let context = CheckContext(writer: writer)
        let records = UnsafeMutableBufferPointer<panic_dumped>.allocate(capacity: 8192)
        defer { records.deallocate() }
        var path = panic_path()
        path.try_once = true
        path.messages.writer = 5
        path.messages.count = 2
        path.messages.length = 64
        path.messages.budget_ns = generousBudget
        path.dump.budget_ns = generousBudget
        path.dump.records = records.baseAddress
        path.dump.capacity = records.count
        path.checked = { raw, free in
            let context = Unmanaged<CheckContext>.fromOpaque(raw!).takeUnretainedValue()
            context.saw.store(free ? 1 : 0, ordering: .releasing)
            context.writer?.unpark()
        }
        withExtendedLifetime(context) {
            path.checked_context = Unmanaged.passUnretained(context).toOpaque()
            panic_path_run(target, &path)
        }
        let saw = context.saw.load(ordering: .acquiring)
        return TryOncePanic(path: path, checkSaw: saw < 0 ? nil : saw == 1)
    }

    final class CheckContext: Sendable {
        let saw = Atomic<Int>(-1)
        let writer: ParkedWriter?
        init(writer: ParkedWriter?) { self.writer = writer }
    }

    /// A spinlock ring with 48 records of history and a writer taking and releasing its lock at
    /// full speed (it has committed 64 records when `body` runs); stopped and joined afterwards.
    /// `freeze`, if any, is the ring's fault hook from before the writer starts.
    func withBusySpinlock(freeze: OpaquePointer?, _ body: (panic_target, ParkedWriter) throws -> Void) throws {
        let ring = try SpinlockRing(capacityBytes: 1 << 16)
        let target = panic_target(kind: PANIC_SPINLOCK, ring: UnsafeMutableRawPointer(ring.cHandle!))
        for index in 0..<48 {
            #expect(panic_write(target, 1, UInt32(index), 8 + index, .max, false, nil, nil) == PANIC_WRITE_OK)
        }
        if let freeze { panic_freeze_attach(freeze, target) }
        let writer = ParkedWriter(target)
        defer {
            writer.stop()
            writer.thread.join(waitingFor: "the busy writer")
            if freeze != nil { panic_freeze_detach(target) }
            withExtendedLifetime(ring) {}
        }
        guard waitUntil(timeoutNanoseconds: defaultWaitLimit.nanoseconds, { writer.committed >= 64 }) else {
            Issue.record("the busy writer did not get going")
            return
        }
        try body(target, writer)
    }
}

/// A writer that writes through the harness at full speed and, when asked, parks between two
/// records (outside the lock) until it is let go.
final class ParkedWriter: @unchecked Sendable {
    private let committedCount = Atomic<Int>(0)
    private let parkRequested = Atomic<Bool>(false)
    private let parked = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let target: panic_target
    private(set) var thread: OSThread!

    init(_ target: panic_target) {
        self.target = target
        thread = OSThread { [self] in
            var index: UInt32 = 0
            // Relaxed: a stop request orders nothing; the join orders everything after it.
            while !stopped.load(ordering: .relaxed) {
                if panic_write(self.target, 3, index, 64, .max, false, nil, nil) == PANIC_WRITE_OK {
                    index += 1
                    committedCount.store(Int(index), ordering: .releasing)
                }
                // Acquiring/releasing: pairs with park()/unpark(); the panicking thread that sees
                // `parked` knows this thread is outside the lock.
                if parkRequested.load(ordering: .acquiring) {
                    parked.store(true, ordering: .releasing)
                    _ = waitUntil(timeoutNanoseconds: defaultWaitLimit.nanoseconds) {
                        !parkRequested.load(ordering: .acquiring) || stopped.load(ordering: .relaxed)
                    }
                    parked.store(false, ordering: .releasing)
                }
            }
        }
    }

    var committed: Int { committedCount.load(ordering: .acquiring) }

    func park() { parkRequested.store(true, ordering: .releasing) }
    func waitUntilParked() -> Bool {
        waitUntil(timeoutNanoseconds: defaultWaitLimit.nanoseconds) { parked.load(ordering: .acquiring) }
    }
    /// Lets it go on; async-signal-safe (one atomic store).
    func unpark() { parkRequested.store(false, ordering: .releasing) }
    func stop() { stopped.store(true, ordering: .relaxed) }
}
