import Comparators

/// What one run measured.
///
/// "Committed before the panic" means: a write whose call returned success before the panic path
/// began its dump (the history, what the busy writer had finished when the panic began, a signal
/// handler's successful writes, the frozen writer's record once it was released, the panic
/// messages that got through, and in committed-last the frozen writer's record, committed before it
/// froze). The frozen writer's own record in stuck-remote and stuck-self is not: its write never
/// returned.
public struct ScenarioResult: Sendable, Hashable {
    public var configuration: ScenarioConfiguration
    /// Records committed before the panic (see above).
    public var committedBeforePanic: Int
    /// Records the dump returned, intact or not, committed before the panic or not.
    public var returned: Int
    /// Records committed before the panic that the dump returned with their seq, checksum and
    /// content intact.
    public var intact: Int
    /// Records the dump returned torn (checksum or content wrong), plus headers it could not walk.
    public var torn: Int
    /// Records committed before the panic that the dump reported lost: it skipped their seq
    /// because they had been overwritten.
    public var lost: Int
    /// Of the lost records, those that were still in the ring when the dump began: overwritten
    /// while it read (busy-remote), rather than before the panic.
    public var lostDuringDump: Int
    /// Writes on the panic path (panic messages, a signal handler's writes) that did not commit.
    public var refused: Int
    /// Intact records the dump returned that were not committed before the panic (the frozen
    /// record once a later reservation finalized it; the busy writer's records written during the
    /// dump).
    public var extra: Int
    /// How long the dump took (the panic messages before it not included).
    public var dumpNanoseconds: UInt64
    /// Some wait on the panic path (a panic message, the dump, a signal handler's write) gave up at
    /// its deadline: without the deadline, the thread would have hung.
    public var deadlocked: Bool
    /// Some write or the dump busted the lock.
    public var busted: Bool
    /// The dump stopped before the end of what the ring held, not at a deadline: at a record still
    /// being written, or at a header it could not walk.
    public var stoppedEarly: Bool
    /// The point the writer froze at (nil in the busy scenarios).
    public var frozenAt: FreezePoint?
    /// Try-once: the check found the lock held, so nothing that needs it ran (no panic message; no
    /// dump either, unless the ring's reader takes no lock). Not a deadlock: nothing waited.
    public var skipped = false

    /// The dump showed something: it returned at least one record.
    public var dumpedAnything: Bool { returned > 0 }

    /// Committed records the dump neither returned intact nor reported lost.
    public var missing: Int { committedBeforePanic - intact - lost }

    /// intact / (committed before the panic − lost): the share of the records that were still in
    /// the ring that the dump could give back. 1 when there was nothing to read.
    public var readability: Double {
        let readable = committedBeforePanic - lost
        return readable > 0 ? Double(intact) / Double(readable) : 1
    }
}

/// A run's outcome: measured, or not applicable to that implementation.
public enum ScenarioOutcome: Sendable, Hashable {
    case ran(ScenarioResult)
    case notApplicable(ScenarioConfiguration, reason: String)

    public var configuration: ScenarioConfiguration {
        switch self {
        case .ran(let result): result.configuration
        case .notApplicable(let configuration, _): configuration
        }
    }

    public var result: ScenarioResult? {
        if case .ran(let result) = self { return result }
        return nil
    }
}

/// A scenario that could not be played as designed. None of these is a result about a ring: each
/// means the harness (or the ring's basic operation) failed.
public enum ScenarioError: Error, Sendable, Hashable, CustomStringConvertible {
    case ringCreation(LogRingError)
    /// The configuration names a freeze point or dump mode the implementation does not have.
    case invalidConfiguration(String)
    /// The writer did not stop at its freeze point within the handshake timeout.
    case freezePointNotReached(FreezePoint)
    /// The signal handler did not run within the handshake timeout.
    case signalNotHandled
    /// A write outside the panic path failed.
    case writeFailed(String)
    /// The busy writer did not get going, or its records were not as expected.
    case busyWriter(String)
    /// The dump returned more records than the runner had room to record.
    case dumpOverflow(Int)

    public var description: String {
        switch self {
        case .ringCreation(let error): "could not create the ring: \(error)"
        case .invalidConfiguration(let why): "invalid configuration: \(why)"
        case .freezePointNotReached(let point): "no writer reached the freeze point \(point)"
        case .signalNotHandled: "the signal handler did not run"
        case .writeFailed(let why): "a write failed: \(why)"
        case .busyWriter(let why): "busy writer: \(why)"
        case .dumpOverflow(let count): "the dump returned \(count) records, more than there was room for"
        }
    }
}
