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
        /// The descriptor is reserved (its seq taken); no text block yet.
        case descReserved = "desc-reserved"
        /// The text block is allocated; no text written.
        case dataAllocated = "data-allocated"
        /// Part of the text is written (the record is written in two pieces to get here).
        case textPartial = "text-partial"
        /// The record is committed, not yet finalized.
        case committed

        var faultPoint: prb_fault_point {
            switch self {
            case .descReserved: PRB_FAULT_DESC_RESERVED
            case .dataAllocated: PRB_FAULT_DATA_ALLOCATED
            case .textPartial: PRB_FAULT_TEXT_PARTIAL
            case .committed: PRB_FAULT_COMMITTED
            }
        }
    }

    static let pointVariable = "PRB_TEST_FREEZE_AT"
    static let recordVariable = "PRB_TEST_FREEZE_RECORD"
    static let notifyVariable = "PRB_TEST_FREEZE_NOTIFY"

    var point: Point
    /// Freeze in the record-th record (counting from 1) that reaches `point`.
    var record: Int
    /// The file that gets the "frozen" line (appended), or nil for standard error.
    var notifyPath: String?

    /// The request in the environment, nil if PRB_TEST_FREEZE_AT is unset or empty.
    static func fromEnvironment() throws -> FreezeRequest? {
        guard let pointName = environment(pointVariable) else {
            if environment(recordVariable) != nil || environment(notifyVariable) != nil {
                throw ValidationError("\(recordVariable) and \(notifyVariable) need \(pointVariable)")
            }
            return nil
        }
        guard let point = Point(rawValue: pointName) else {
            let names = Point.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("\(pointVariable)=\(pointName): expected one of \(names)")
        }
        var record = 1
        if let text = environment(recordVariable) {
            guard let n = Int(text), n >= 1 else {
                throw ValidationError("\(recordVariable)=\(text): expected a record number of 1 or more")
            }
            record = n
        }
        return FreezeRequest(point: point, record: record, notifyPath: environment(notifyVariable))
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name), value.pointee != 0 else { return nil }
        return String(cString: value)
    }
}

/// Counts the records that reach the requested point and freezes the process in the right one.
/// Installed as the ring handle's fault hook; runs inside the write path, on the writing thread.
final class Freezer {
    let request: FreezeRequest
    /// Called just before freezing, to push out what the process has buffered (its --seqs lines).
    let flush: () -> Void
    /// The record (line) the main loop is writing, counting from 1.
    var currentRecord = 0
    private var lastRecordCounted = 0
    private var recordsReached = 0

    init(request: FreezeRequest, flush: @escaping () -> Void) {
        self.request = request
        self.flush = flush
    }

    /// Installs the hook on `ring`'s handle. The freezer must outlive the ring's writes.
    func install(on ring: PrintkRing) {
        let hook: prb_fault_hook = { context, point, entry in
            guard let context, let entry else { return }
            Unmanaged<Freezer>.fromOpaque(context).takeUnretainedValue().reached(point, seq: entry.pointee.seq)
        }
        prb_ring_set_fault_hook(ring.cRing, hook, Unmanaged.passUnretained(self).toOpaque())
    }

    private func reached(_ point: prb_fault_point, seq: UInt64) {
        // text-partial may be reached more than once by one record: count records, not passes.
        guard point == request.point.faultPoint, currentRecord != lastRecordCounted else { return }
        lastRecordCounted = currentRecord
        recordsReached += 1
        if recordsReached == request.record { freeze(seq: seq) }
    }

    /// Says where it stopped, then waits for a signal forever. The process keeps running (it is
    /// not stopped with SIGSTOP): a supervisor's SIGKILL, and SIGTERM or SIGINT, end it at once,
    /// and a waitpid without WUNTRACED or a shell's job control is not confused by it.
    private func freeze(seq: UInt64) -> Never {
        flush()
        let line = "prb-log: frozen point=\(request.point.rawValue) record=\(currentRecord) seq=\(seq) pid=\(getpid())\n"
        var fd: Int32 = 2
        if let path = request.notifyPath {
            fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            if fd < 0 { fd = 2 }
        }
        writeAll(line, to: fd)
        while true { pause() }
    }
}
