import CComparators
import CPanicHarness
import HarnessSupport
import Comparators

/// Who writes a record, as its payload says (panic_payload): the runner tells records apart by it.
enum WriterID: UInt32 {
    case history = 1
    case frozen = 2
    case busy = 3
    case handler = 4
    case panic = 5
}

/// Payload length of history record `index`: varied, so that records of many sizes are in the ring.
func historyLength(_ index: Int) -> Int { 8 + (index * 37) % 113 }

/// Payload length of the frozen writer's, the handler's and the panic messages' records. One
/// length for all three, so that a record a busted lock lets two writers write at the same place
/// stays walkable (see the signal-writer scenario).
let fixedLength = 64

/// The metadata every harness record carries (panic_timestamp and friends).
func harnessMetadata(_ writer: WriterID, _ index: Int) -> LogMetadata {
    LogMetadata(
        timestampNanoseconds: panic_timestamp(UInt32(index)), callerID: writer.rawValue, level: 6, facility: 1)
}

/// Writes record (writer, index) through the ring's ``LogRing`` interface, using `scratch`
/// (at least PANIC_PAYLOAD_MAX bytes) for the payload.
func writeHarnessRecord<Ring: LogRing>(
    _ ring: Ring, _ writer: WriterID, _ index: Int, length: Int, scratch: UnsafeMutableRawBufferPointer
) throws(LogRingError) -> UInt64 {
    let bytes = scratch.baseAddress!.assumingMemoryBound(to: UInt8.self)
    let count = panic_payload(writer.rawValue, UInt32(truncatingIfNeeded: index), length, bytes)
    return try ring.write(UnsafeRawBufferPointer(start: bytes, count: count), metadata: harnessMetadata(writer, index))
}

/// What the panic path does: its messages, then the dump.
struct PanicRequest {
    var messages: Int
    var budgetNanoseconds: UInt64
    var bust: Bool
    /// Look at the lock once first (``DumpMode/tryOnce``).
    var tryOnce: Bool
    /// Room for the records the dump returns.
    var recordCapacity: Int
}

/// One write's outcome.
struct WriteOutcome: Sendable {
    var committed: Bool
    var seq: UInt64
    var gaveUp: Bool
}

/// What a dump returned (panic_dump, or the Swift Mutex ring's equivalent).
struct DumpOutcome {
    var records: [panic_dumped] = []
    var count = 0
    var torn = 0
    var startSeq: UInt64 = 0
    var endSeq: UInt64 = 0
    var stopSeq: UInt64 = 0
    var nanoseconds: UInt64 = 0
    var gaveUp = false
    var busted = false
    var corrupt = false
    /// Not run: the try-once check found the lock it needs held.
    var skipped = false
}

/// What the panic path did.
struct PanicOutcome {
    /// The panic messages (none when the try-once check skipped them).
    var messages: [WriteOutcome] = []
    var messagesBusted = false
    /// The try-once check found the lock held: what needs it was skipped.
    var skipped = false
    var dump = DumpOutcome()
}

/// How the panic path reaches a ring: through the C harness (`panic_target`, the one table the
/// signal-handler code needs) for every ring with a C side, or through the Swift Mutex ring's own
/// deadline calls, since Swift cannot run in a signal handler. Made once per scenario run, with the
/// freeze wired into the ring's write path.
enum PanicAccess: @unchecked Sendable {
    case harness(panic_target)
    case swiftMutex(SwiftMutexRing)

    /// The access to `ring`, with `freeze` installed as its fault hook.
    init<Ring: LogRing>(_ ring: Ring, freeze: Freeze) {
        if let handle = ring.cHandle, let kind = Ring.kind.panicKind {
            let target = panic_target(kind: kind, ring: UnsafeMutableRawPointer(handle))
            panic_freeze_attach(freeze.handle, target)
            self = .harness(target)
        } else {
            let swiftMutex = ring as! SwiftMutexRing  // the one ring without a C side
            swiftMutex.setFaultHook { point, seq in freeze.reached(point, seq: seq) }
            self = .swiftMutex(swiftMutex)
        }
    }

    /// The harness's view of the ring, for code that runs in a signal handler; `nil` when its code
    /// cannot run there.
    var signalSafeTarget: panic_target? {
        guard case .harness(let target) = self, panic_target_signal_safe(target) else { return nil }
        return target
    }

    /// Unhooks the freeze; after every writer is done.
    func detachFreeze() {
        switch self {
        case .harness(let target): panic_freeze_detach(target)
        case .swiftMutex(let ring): ring.setFaultHook(nil)
        }
    }

    /// The frozen writer's write (record `WriterID.frozen`, index 0), in the form that passes
    /// `point`.
    func writeFrozen(at point: panic_point) -> WriteOutcome {
        switch self {
        case .harness(let target):
            var seq: UInt64 = 0
            let status = panic_write_frozen(target, point, WriterID.frozen.rawValue, 0, fixedLength, &seq)
            return WriteOutcome(committed: status == PANIC_WRITE_OK, seq: seq, gaveUp: status == PANIC_WRITE_GAVE_UP)
        case .swiftMutex(let ring):
            return ring.writeFrozen()
        }
    }

    /// The panic path's first half, on the calling thread: the panic messages.
    func writePanicMessages(_ request: PanicRequest) -> (messages: [WriteOutcome], busted: Bool) {
        switch self {
        case .harness(let target):
            var batch = HarnessPanic.batch(writer: .panic, count: request.messages, request)
            panic_write_batch(target, &batch)
            return (HarnessPanic.outcomes(of: batch), batch.busted)
        case .swiftMutex(let ring):
            return ring.writePanicMessages(request)
        }
    }

    /// The panic path's second half, on the calling thread: the dump.
    func dump(_ request: PanicRequest) -> DumpOutcome {
        switch self {
        case .harness(let target): HarnessPanic.run(request) { panic_dump_run(target, &$0.dump) }.dump
        case .swiftMutex(let ring): ring.dump(request)
        }
    }

    /// The try-once check: one attempt at the lock, released at once (panic_lock_was_free; for the
    /// Swift Mutex ring, one `withLockIfAvailable`). True when it was free.
    func lockWasFree() -> Bool {
        switch self {
        case .harness(let target): panic_lock_was_free(target)
        case .swiftMutex(let ring): ring.lockWasFree()
        }
    }

    /// Whether the dump takes the ring's lock, and so is skipped when the try-once check fails.
    var dumpNeedsLock: Bool {
        switch self {
        case .harness(let target): panic_dump_needs_lock(target)
        case .swiftMutex: true
        }
    }

    /// The whole panic path, on the calling thread: in try-once mode the check, then the panic
    /// messages, then the dump; `beforeDump` runs between the last two.
    func panic(_ request: PanicRequest, beforeDump: () -> Void = {}) -> PanicOutcome {
        if request.tryOnce && !lockWasFree() {
            beforeDump()
            return PanicOutcome(skipped: true, dump: dumpNeedsLock ? DumpOutcome(skipped: true) : dump(request))
        }
        let (messages, busted) = writePanicMessages(request)
        beforeDump()
        return PanicOutcome(messages: messages, messagesBusted: busted, dump: dump(request))
    }
}

extension LogRingKind {
    /// The harness's name for the implementation; `nil` for those it cannot drive.
    var panicKind: panic_kind? {
        switch self {
        case .lockless: PANIC_LOCKLESS
        case .spinlock: PANIC_SPINLOCK
        case .mutex: PANIC_MUTEX
        case .spinReserve: PANIC_SPIN_RESERVE
        case .swiftMutex, .fetchAdd: nil
        }
    }
}

/// Fills a panic_path from a request, has it run (on this thread or in a signal handler), and reads
/// the outcome back.
enum HarnessPanic {
    static func run(_ request: PanicRequest, _ body: (inout panic_path) -> Void) -> PanicOutcome {
        let records = UnsafeMutableBufferPointer<panic_dumped>.allocate(capacity: request.recordCapacity)
        defer { records.deallocate() }
        var panic = panic_path()
        panic.messages = batch(writer: .panic, count: request.messages, request)
        panic.dump.budget_ns = request.budgetNanoseconds
        panic.dump.bust = request.bust
        panic.dump.records = records.baseAddress
        panic.dump.capacity = records.count
        panic.try_once = request.tryOnce
        body(&panic)
        return PanicOutcome(
            messages: panic.skipped ? [] : outcomes(of: panic.messages), messagesBusted: panic.messages.busted,
            skipped: panic.skipped, dump: dumpOutcome(panic.dump, records))
    }

    static func batch(writer: WriterID, count: Int, _ request: PanicRequest) -> panic_batch {
        var batch = panic_batch()
        batch.writer = writer.rawValue
        batch.count = UInt32(min(count, Int(PANIC_BATCH_MAX)))
        batch.length = UInt32(fixedLength)
        batch.budget_ns = request.budgetNanoseconds
        batch.bust = request.bust
        return batch
    }

    static func outcomes(of batch: panic_batch) -> [WriteOutcome] {
        var batch = batch
        let statuses = withUnsafeBytes(of: &batch.status) { Array($0.bindMemory(to: panic_write_status.self)) }
        let seqs = withUnsafeBytes(of: &batch.seq) { Array($0.bindMemory(to: UInt64.self)) }
        return (0..<Int(batch.count)).map {
            WriteOutcome(
                committed: statuses[$0] == PANIC_WRITE_OK, seq: seqs[$0], gaveUp: statuses[$0] == PANIC_WRITE_GAVE_UP)
        }
    }

    static func dumpOutcome(_ dump: panic_dump, _ records: UnsafeMutableBufferPointer<panic_dumped>) -> DumpOutcome {
        DumpOutcome(
            records: Array(records.prefix(min(dump.count, records.count))), count: dump.count, torn: dump.torn,
            startSeq: dump.start_seq, endSeq: dump.end_seq, stopSeq: dump.stop_seq, nanoseconds: dump.elapsed_ns,
            gaveUp: dump.gave_up, busted: dump.busted, corrupt: dump.corrupt, skipped: dump.skipped)
    }
}

// MARK: - The Swift Mutex ring, driven from Swift

extension SwiftMutexRing {
    /// The frozen writer's write: an ordinary write, which passes both fault points.
    fileprivate func writeFrozen() -> WriteOutcome {
        withUnsafeTemporaryAllocation(byteCount: Int(PANIC_PAYLOAD_MAX), alignment: 8) { scratch in
            do throws(LogRingError) {
                let seq = try writeHarnessRecord(self, .frozen, 0, length: fixedLength, scratch: scratch)
                return WriteOutcome(committed: true, seq: seq, gaveUp: false)
            } catch {
                return WriteOutcome(committed: false, seq: 0, gaveUp: error == .lockUnavailable)
            }
        }
    }

    /// The same panic messages as panic_write_batch, in Swift: each write gives up at its deadline.
    fileprivate func writePanicMessages(_ request: PanicRequest) -> (messages: [WriteOutcome], busted: Bool) {
        withUnsafeTemporaryAllocation(byteCount: Int(PANIC_PAYLOAD_MAX), alignment: 8) { scratch in
            var messages: [WriteOutcome] = []
            for index in 0..<min(request.messages, Int(PANIC_BATCH_MAX)) {
                let bytes = scratch.baseAddress!.assumingMemoryBound(to: UInt8.self)
                let count = panic_payload(WriterID.panic.rawValue, UInt32(index), fixedLength, bytes)
                let deadline = monotonicNanoseconds() + request.budgetNanoseconds
                do throws(LogRingError) {
                    let seq = try write(
                        UnsafeRawBufferPointer(start: bytes, count: count), metadata: harnessMetadata(.panic, index),
                        giveUpAt: deadline)
                    messages.append(WriteOutcome(committed: true, seq: seq, gaveUp: false))
                } catch {
                    messages.append(WriteOutcome(committed: false, seq: 0, gaveUp: error == .lockUnavailable))
                }
            }
            return (messages, false)
        }
    }

    /// The same dump as panic_dump_run, in Swift: it takes the mutex per record with
    /// `withLockIfAvailable` until its deadline. No bust.
    fileprivate func dump(_ request: PanicRequest) -> DumpOutcome {
        withUnsafeTemporaryAllocation(byteCount: Int(PANIC_PAYLOAD_MAX) + 8, alignment: 8) { scratch in
            let start = monotonicNanoseconds()
            var dump = dump(request, deadline: start + request.budgetNanoseconds, scratch: scratch)
            dump.nanoseconds = monotonicNanoseconds() - start
            return dump
        }
    }

    private func dump(_ request: PanicRequest, deadline: UInt64, scratch: UnsafeMutableRawBufferPointer)
        -> DumpOutcome
    {
        var dump = DumpOutcome()
        let bounds: (first: UInt64, next: UInt64)
        do throws(LogRingError) {
            bounds = try seqBounds(giveUpAt: deadline)
        } catch {
            dump.gaveUp = true
            return dump
        }
        dump.startSeq = bounds.first
        dump.endSeq = bounds.next
        var cursor = LogCursor(seq: bounds.first)
        while cursor.seq < bounds.next {
            let info: LogRecordInfo?
            do {
                info = try read(from: &cursor, into: scratch, giveUpAt: deadline)
            } catch {
                dump.gaveUp = true
                break
            }
            guard let info else { break }
            if info.seq >= bounds.next {
                cursor.seq = bounds.next
                break
            }
            let payload = UnsafeRawBufferPointer(rebasing: scratch[..<info.copiedLength])
            var writer: UInt32 = 0
            var index: UInt32 = 0
            let content = panic_payload_identify(
                payload.baseAddress?.assumingMemoryBound(to: UInt8.self), payload.count, &writer, &index)
            let intact = content && info.isIntact(payload)
            if !intact { dump.torn += 1 }
            if dump.records.count < request.recordCapacity {
                dump.records.append(panic_dumped(seq: info.seq, writer: writer, index: index, intact: intact ? 1 : 0))
            }
            dump.count += 1
        }
        dump.stopSeq = min(cursor.seq, bounds.next)
        return dump
    }
}
