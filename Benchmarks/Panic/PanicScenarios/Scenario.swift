import CPanicHarness
import Comparators

/// The four panic scenarios: what the old spinlock-protected printk buffer could not survive (the
/// July 2019 LKML discussion, reference section 8), played in userspace, a variant of the third,
/// and committed-last (the kernel's 2023 panic-mode rule). In each, a panicking thread first writes
/// its panic messages (none in committed-last) and then dumps every record it can, with a deadline
/// on every wait.
public enum Scenario: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// Another thread is frozen mid-record (holding the lock / holding a reservation) and never
    /// continues; the panicking thread writes and dumps. (LKML scenario 1.)
    case stuckRemote = "stuck-remote"
    /// The panicking thread itself was interrupted mid-record: a signal handler, the userspace twin
    /// of an NMI, runs the panic path on the thread that is inside the write. (LKML scenario 2.)
    case stuckSelf = "stuck-self"
    /// Another thread keeps writing at full speed during the whole panic path (taking and releasing
    /// the lock / reserving and committing). (LKML scenario 3.)
    case busyRemote = "busy-remote"
    /// busy-remote with a writer that does some work outside the lock between two records
    /// (``workBetweenRecords`` rounds of SplitMix64; not timed, an estimated few hundred
    /// nanoseconds), so that the lock is free most of the time.
    case busyRemotePaced = "busy-remote-paced"
    /// A signal handler writes records while the thread it interrupted is in the middle of a write
    /// (printk from NMI); the panic path runs afterwards.
    case signalWriter = "signal-writer"
    /// Another thread has committed its record and is frozen right after the commit (lockless:
    /// ``FreezePoint/committed``), so its record is the newest and still only committed: nothing
    /// has finalized it. The panicking thread dumps at once, writing no panic message (a new
    /// reservation would finalize the record). The frozen record may be the last hint at the
    /// cause: the dump must return it, as the kernel's panic CPU does since Linux 6.8.
    case committedLast = "committed-last"

    public var description: String { rawValue }

    /// One line on what happens.
    public var summary: String {
        switch self {
        case .stuckRemote:
            "another thread is frozen mid-record and never continues; the panicking thread writes its panic messages and dumps"
        case .stuckSelf:
            "a signal handler runs the panic path on the thread that is frozen inside a write"
        case .busyRemote:
            "another thread writes at full speed during the whole panic path"
        case .busyRemotePaced:
            "another thread writes during the whole panic path, with some work outside the lock between records"
        case .signalWriter:
            "a signal handler writes while the thread it interrupted is inside a write; then the panic path runs"
        case .committedLast:
            "another thread is frozen right after committing the newest record (not yet finalized); the panicking thread dumps at once"
        }
    }

    /// Whether the panic path writes its panic messages before the dump (not in committed-last,
    /// where a new record would finalize the frozen one).
    public var writesPanicMessages: Bool { self != .committedLast }

    /// The points a writer of `implementation` is frozen at in this scenario.
    public func freezePoints(for implementation: LogRingKind) -> [FreezePoint] {
        guard freezesAWriter else { return [] }
        return self == .committedLast ? [.committed] : FreezePoint.points(for: implementation)
    }

    /// Whether a writer is frozen at a fault point in this scenario.
    public var freezesAWriter: Bool { !isBusy }

    /// Whether another thread writes during the whole panic path (busy-remote and its variant).
    public var isBusy: Bool { self == .busyRemote || self == .busyRemotePaced }

    /// Rounds of SplitMix64 the busy writer computes between two records, outside the lock.
    public var workBetweenRecords: Int { self == .busyRemotePaced ? 256 : 0 }

    /// Whether this scenario runs ring code in a signal handler.
    public var usesSignalHandler: Bool { self == .stuckSelf || self == .signalWriter }

    /// Why `implementation` cannot take part in this scenario, or `nil` when it can.
    public func notApplicableReason(for implementation: LogRingKind) -> String? {
        if implementation == .fetchAdd {
            return "no reader: nothing it holds can be trusted, so there is nothing to dump"
        }
        if self == .committedLast && implementation != .lockless {
            return "no record is ever committed but not final: a write is readable once it has returned"
        }
        guard usesSignalHandler else { return nil }
        switch implementation {
        case .mutex:
            return "pthread mutexes are not async-signal-safe: a signal handler may not lock one"
        case .swiftMutex:
            return "Swift code cannot run in a signal handler (runtime calls, reference counting, allocation)"
        default:
            return nil
        }
    }
}

/// Where a writer is frozen. Which points an implementation has: ``points(for:)``.
public enum FreezePoint: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// Lockless: the descriptor is reserved and the seq assigned; no data block yet.
    case descriptorReserved = "desc-reserved"
    /// Lockless: the data block is allocated; no text written yet.
    case dataAllocated = "data-allocated"
    /// Part-way through the copy: lockless, half the text written; spinlock, mutex and swift-mutex,
    /// under the lock, the header and half the payload stored.
    case textPartial = "text-partial"
    /// Lockless: committed but not finalized.
    case committed
    /// Spinlock, mutex, swift-mutex: right after taking the lock. Spin-reserve: under the
    /// reservation lock (its lock window).
    case locked
    /// Spin-reserve: reserved (BUSY), lock released, text not copied (its busy-record window).
    case reserved

    public var description: String { rawValue }

    /// The points an implementation can be frozen at, in the order of its write path.
    public static func points(for implementation: LogRingKind) -> [FreezePoint] {
        switch implementation {
        case .lockless: [.descriptorReserved, .dataAllocated, .textPartial, .committed]
        case .spinlock, .mutex, .swiftMutex: [.locked, .textPartial]
        case .spinReserve: [.locked, .reserved]
        case .fetchAdd: []
        }
    }

    /// The harness's name for this point in `implementation`'s write path.
    func harnessPoint(for implementation: LogRingKind) -> panic_point {
        switch (implementation, self) {
        case (.lockless, .descriptorReserved): PANIC_POINT_PRB_DESC_RESERVED
        case (.lockless, .dataAllocated): PANIC_POINT_PRB_DATA_ALLOCATED
        case (.lockless, .textPartial): PANIC_POINT_PRB_TEXT_PARTIAL
        case (.lockless, .committed): PANIC_POINT_PRB_COMMITTED
        case (.spinReserve, .locked): PANIC_POINT_RESV_LOCKED
        case (.spinReserve, .reserved): PANIC_POINT_RESV_RESERVED
        case (_, .locked): PANIC_POINT_LOCKED
        case (_, .textPartial): PANIC_POINT_TEXT_PARTIAL
        default: PANIC_POINT_NONE
        }
    }
}

/// How the panic path deals with a lock it cannot have.
public enum DumpMode: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// Wait until the deadline, then give up and report it (deadlocked).
    case deadline
    /// Wait until the deadline, then re-initialize the lock, as the old kernel's panic path did
    /// (zap_locks, printk_safe_flush_on_panic), and go on: whatever is in the buffer is read,
    /// torn or not. Only the spinlock can be busted.
    case bustLock = "bust"
    /// The patch the July 2019 discussion weighed: look at the lock once, with one trylock, before
    /// anything else. Held: skip everything that needs it (the panic messages; the dump, unless the
    /// ring's reader takes no lock), so nothing can hang and nothing is shown. Free: go on as in
    /// bust mode (deadline mode where there is no bust). Every ring with a lock has it.
    case tryOnce = "try-once"

    public var description: String { rawValue }

    /// The modes an implementation has.
    public static func modes(for implementation: LogRingKind) -> [DumpMode] {
        switch implementation {
        case .spinlock: [.deadline, .bustLock, .tryOnce]
        case .mutex, .swiftMutex, .spinReserve: [.deadline, .tryOnce]
        case .lockless, .fetchAdd: [.deadline]
        }
    }
}

/// One run: a scenario, an implementation, where its writer freezes and how it dumps.
public struct ScenarioConfiguration: Sendable, Hashable, CustomStringConvertible {
    public var scenario: Scenario
    public var implementation: LogRingKind
    /// Where the writer freezes; `nil` in the busy scenarios (and in runs that are not applicable).
    public var freezePoint: FreezePoint?
    public var dumpMode: DumpMode
    /// Each wait for a lock on the panic path (a panic message, the dump, a signal handler's write)
    /// gives up this long after it began. A bound so that nothing hangs, not a measurement.
    public var budgetNanoseconds: UInt64
    /// Ring size for every implementation.
    public var capacityBytes = 1 << 16
    /// Records written before anything goes wrong.
    public var historyRecords = 48
    /// Records the panicking thread writes before it dumps (at most 8).
    public var panicMessages = 2
    /// Records a signal handler writes in signal-writer (at most 8).
    public var handlerWrites = 3
    /// busy-remote: the busy writer has committed at least this many records when the panic begins.
    public var busyRecordsBeforePanic = 64
    /// How long the runner waits for a writer to reach its freeze point, a signal handler to run or
    /// the busy writer to start, before it calls the scenario broken. Never reached when all is
    /// well; it keeps a broken scenario from hanging.
    public var handshakeTimeoutNanoseconds: UInt64 = 20_000_000_000

    public init(
        scenario: Scenario, implementation: LogRingKind, freezePoint: FreezePoint?, dumpMode: DumpMode = .deadline,
        budgetNanoseconds: UInt64
    ) {
        self.scenario = scenario
        self.implementation = implementation
        self.freezePoint = freezePoint
        self.dumpMode = dumpMode
        self.budgetNanoseconds = budgetNanoseconds
    }

    public var description: String {
        "\(scenario) \(implementation) frozen-at=\(freezePoint?.rawValue ?? "-") dump=\(dumpMode)"
    }

    /// Every run of the table: each scenario x implementation, with each freeze point (where the
    /// scenario freezes a writer) and each dump mode; one run for a pair that is not applicable.
    public static func matrix(budgetNanoseconds: UInt64) -> [ScenarioConfiguration] {
        var runs: [ScenarioConfiguration] = []
        for scenario in Scenario.allCases {
            for implementation in LogRingKind.allCases {
                if scenario.notApplicableReason(for: implementation) != nil {
                    runs.append(
                        .init(
                            scenario: scenario, implementation: implementation, freezePoint: nil,
                            budgetNanoseconds: budgetNanoseconds))
                    continue
                }
                let points: [FreezePoint?] =
                    scenario.freezesAWriter ? scenario.freezePoints(for: implementation) : [nil]
                for mode in DumpMode.modes(for: implementation) {
                    for point in points {
                        runs.append(
                            .init(
                                scenario: scenario, implementation: implementation, freezePoint: point,
                                dumpMode: mode, budgetNanoseconds: budgetNanoseconds))
                    }
                }
            }
        }
        return runs
    }
}
