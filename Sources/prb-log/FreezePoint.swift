// prb-log's freeze points: a testing aid that stops the writer for good at a chosen point of one
// of its records, so that a crash test can kill it exactly there (PRB_TEST_FREEZE_AT).

import ArgumentParser
import CPrintkRing
import CPrintkRing.Testing
@_spi(Testing) import PrintkRing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Where and when to freeze, as the environment asks.
struct FreezeRequest {
    /// The points of the write path a writer can be frozen at: the C core's fault points.
    enum Point: String, CaseIterable {
        /// The descriptor head has moved onto the record; the descriptor is not marked reserved
        /// yet (ring files only: the window where only the writer's intent names the record).
        case descHeadMoved = "desc-head-moved"
        /// The descriptor is reserved (its seq taken); no text block yet.
        case descReserved = "desc-reserved"
        /// The data head has moved past the record's block and nothing names the block yet, but
        /// the writer's data intent (ring files only).
        case dataHeadMoved = "data-head-moved"
        /// The block's positions are in the descriptor; its header does not name the record yet
        /// (ring files only).
        case dataPositions = "data-positions"
        /// The text block is allocated; no text written.
        case dataAllocated = "data-allocated"
        /// Part of the text is written (the record is written in two pieces to get here).
        case textPartial = "text-partial"
        /// The record is committed, not yet finalized.
        case committed

        var faultPoint: prb_fault_point {
            switch self {
            case .descHeadMoved: PRB_FAULT_DESC_HEAD_MOVED
            case .descReserved: PRB_FAULT_DESC_RESERVED
            case .dataHeadMoved: PRB_FAULT_DATA_HEAD_MOVED
            case .dataPositions: PRB_FAULT_DATA_POSITIONS
            case .dataAllocated: PRB_FAULT_DATA_ALLOCATED
            case .textPartial: PRB_FAULT_TEXT_PARTIAL
            case .committed: PRB_FAULT_COMMITTED
            }
        }
    }

    static let pointVariable = "PRB_TEST_FREEZE_AT"
    static let recordVariable = "PRB_TEST_FREEZE_RECORD"
    static let notifyVariable = "PRB_TEST_FREEZE_NOTIFY"

    /// The points to freeze at, in the order the write path reaches them: the first in the
    /// record-th record that reaches it, the others later in the same record.
    var points: [Point]
    /// Freeze in the record-th record (counting from 1) that reaches the first point.
    var record: Int
    /// The file that gets the "frozen" lines (appended), or nil for standard error.
    var notifyPath: String?

    /// The request in the environment, nil if PRB_TEST_FREEZE_AT is unset or empty.
    static func fromEnvironment() throws -> FreezeRequest? {
        guard let pointNames = environment(pointVariable) else {
            if environment(recordVariable) != nil || environment(notifyVariable) != nil {
                throw ValidationError("\(recordVariable) and \(notifyVariable) need \(pointVariable)")
            }
            return nil
        }
        var points: [Point] = []
        for name in pointNames.split(separator: ",", omittingEmptySubsequences: false) {
            guard let point = Point(rawValue: String(name)) else {
                let names = Point.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("\(pointVariable)=\(pointNames): expected one of \(names), or several in that order")
            }
            // Text-partial may come more than once in a record; the others once, in this order.
            if let last = points.last, Point.allCases.firstIndex(of: point)! <= Point.allCases.firstIndex(of: last)! {
                throw ValidationError("\(pointVariable)=\(pointNames): the points must be distinct and in write-path order")
            }
            points.append(point)
        }
        var record = 1
        if let text = environment(recordVariable) {
            guard let n = Int(text), n >= 1 else {
                throw ValidationError("\(recordVariable)=\(text): expected a record number of 1 or more")
            }
            record = n
        }
        return FreezeRequest(points: points, record: record, notifyPath: environment(notifyVariable))
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name), value.pointee != 0 else { return nil }
        return String(cString: value)
    }
}

/// Counts the records that reach the first requested point and freezes the process there in the
/// right one, then at each further point of that record. Installed as the ring handle's fault
/// hook; runs inside the write path, on the writing thread.
final class Freezer {
    let request: FreezeRequest
    /// Called just before freezing, to push out what the process has buffered (its --seqs lines).
    let flush: () -> Void
    /// The record (line) the main loop is writing, counting from 1.
    var currentRecord = 0
    private var lastRecordCounted = 0
    private var recordsReached = 0
    /// The record frozen in (once it is known) and the index of the next point to freeze at.
    private var frozenRecord = 0
    private var nextPoint = 0

    init(request: FreezeRequest, flush: @escaping () -> Void) {
        self.request = request
        self.flush = flush
    }

    /// Installs the hook on `ring`'s handle, and blocks SIGUSR1 (see `freeze`). The freezer must
    /// outlive the ring's writes.
    func install(on ring: PrintkRing) {
        ResumeSignal.install()
        let hook: prb_fault_hook = { context, point, entry in
            guard let context, let entry else { return }
            Unmanaged<Freezer>.fromOpaque(context).takeUnretainedValue().reached(point, seq: entry.pointee.seq)
        }
        prb_ring_set_fault_hook(ring.cRing, hook, Unmanaged.passUnretained(self).toOpaque())
    }

    private func reached(_ point: prb_fault_point, seq: UInt64) {
        guard nextPoint < request.points.count, point == request.points[nextPoint].faultPoint else { return }
        if nextPoint == 0 {
            // text-partial may be reached more than once by one record: count records, not passes.
            guard currentRecord != lastRecordCounted else { return }
            lastRecordCounted = currentRecord
            recordsReached += 1
            guard recordsReached == request.record else { return }
            frozenRecord = currentRecord
        } else if currentRecord != frozenRecord {
            return
        }
        freeze(at: request.points[nextPoint], seq: seq)
        nextPoint += 1
    }

    /// Says where it stopped, then waits for a signal. The process keeps running (it is not
    /// stopped with SIGSTOP): a supervisor's SIGKILL, and SIGTERM or SIGINT, end it at once, and
    /// a waitpid without WUNTRACED or a shell's job control is not confused by it. SIGUSR1 lets it
    /// go on, to the next requested point if any.
    private func freeze(at point: FreezeRequest.Point, seq: UInt64) {
        flush()
        let line = "prb-log: frozen point=\(point.rawValue) record=\(currentRecord) seq=\(seq) pid=\(getpid())\n"
        var fd: Int32 = 2
        if let path = request.notifyPath {
            fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            if fd < 0 { fd = 2 }
        }
        writeAll(line, to: fd)
        if fd != 2 { close(fd) }
        ResumeSignal.wait()
    }
}

/// SIGUSR1 resumes a frozen writer. It stays blocked except inside sigsuspend, so a signal sent
/// before the writer froze is not lost: it is taken by the next wait.
enum ResumeSignal {
    private nonisolated(unsafe) static var received: sig_atomic_t = 0

    static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in ResumeSignal.received = 1 }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGUSR1, &action, nil)
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGUSR1)
        sigprocmask(SIG_BLOCK, &blocked, nil)
    }

    /// Waits until SIGUSR1 arrives (or a signal ends the process).
    static func wait() {
        var unblocked = sigset_t()
        sigprocmask(SIG_BLOCK, nil, &unblocked)
        sigdelset(&unblocked, SIGUSR1)
        while received == 0 { sigsuspend(&unblocked) }
        received = 0
    }
}
