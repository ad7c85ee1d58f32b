import Synchronization

/// A byte ring guarded by `Synchronization.Mutex`: the log a Swift programmer writes first, and so
/// the baseline that shows Swift users what the lockless ring buys them.
///
/// It is linearizable in the simplest way there is: every write and every read holds the mutex
/// for its whole duration. The cost is that too: writers queue behind each other and behind
/// readers, and a thread that stops while holding the mutex stops every other thread that logs.
///
/// Layout. Records lie end to end in one `[UInt8]` and go round its end (a record may straddle it;
/// copies are split in two). A record is a 40-byte header (seq, timestamp, checksum, caller id and
/// payload length, level, facility and flags) and the payload, padded to a multiple of 8. Positions
/// only grow; a record at position p lives at offset p % capacity. To make room, a writer drops the
/// oldest records. A record may take at most a quarter of the ring, like the C comparators'.
///
/// Fault injection: an optional hook (``setFaultHook(_:)``, as the C comparators'
/// `*_set_fault_hook`), called with the mutex held right after it is taken (``FaultPoint/locked``)
/// and half-way through the payload copy (``FaultPoint/textPartial``); none costs one branch per
/// point.
public final class SwiftMutexRing: LogRing, Sendable {
    /// Where the fault hook is called, with the mutex held.
    public enum FaultPoint: Sendable, Hashable {
        /// The mutex is held; nothing is stored yet.
        case locked
        /// The header and half the payload are stored; head and next seq are not moved yet.
        case textPartial
    }

    /// Called at each fault point with the seq the record has (or, at `locked`, is about to get).
    /// It may block for as long as it likes: the writer holds the mutex meanwhile.
    public typealias FaultHook = @Sendable (FaultPoint, UInt64) -> Void

    static let headerBytes = 40

    let state: Mutex<State>
    public let capacityBytes: Int
    public let maxPayloadLength: Int

    public static var kind: LogRingKind { .swiftMutex }

    /// A ring of `capacityBytes` rounded down to a multiple of 8 (at least 256).
    public init(capacityBytes: Int) throws(LogRingError) {
        let capacity = capacityBytes & ~7
        guard capacity >= 256, capacity <= Int(UInt32.max) else { throw .invalidCapacity(capacityBytes) }
        state = Mutex(State(bytes: [UInt8](repeating: 0, count: capacity)))
        self.capacityBytes = capacity
        maxPayloadLength = (capacity / 4 - Self.headerBytes) & ~7
    }

    public var firstSeq: UInt64 { state.withLock { $0.firstSeq } }
    public var nextSeq: UInt64 { state.withLock { $0.nextSeq } }
    /// Swift code cannot run in a signal handler: the panic harness's C code has no way in.
    public var cHandle: OpaquePointer? { nil }

    public func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata) throws(LogRingError) -> UInt64 {
        guard payload.count <= maxPayloadLength else {
            throw .recordTooLarge(size: payload.count, maximum: maxPayloadLength)
        }
        let payloadHash = LogChecksum.payloadHash(payload)  // outside the lock
        return state.withLock { $0.append(payload, payloadHash: payloadHash, metadata: metadata) }
    }

    /// Installs (or, with `nil`, removes) the fault hook. Writers see the change from their next
    /// write: the hook is kept under the mutex.
    public func setFaultHook(_ hook: FaultHook?) {
        state.withLock { $0.faultHook = hook }
    }

    public func read(from cursor: inout LogCursor, into buffer: UnsafeMutableRawBufferPointer) throws(LogRingError)
        -> LogRecordInfo?
    {
        state.withLock { $0.read(&cursor, into: buffer) }
    }

    static func recordSize(_ payloadLength: Int) -> UInt64 {
        UInt64(headerBytes + ((payloadLength + 7) & ~7))
    }
}

extension SwiftMutexRing {
    /// Everything the mutex guards.
    struct State {
        var bytes: [UInt8]
        /// Position of the oldest record.
        var tail: UInt64 = 0
        /// Position where the next record goes.
        var head: UInt64 = 0
        var firstSeq: UInt64 = 0
        var nextSeq: UInt64 = 0
        var faultHook: SwiftMutexRing.FaultHook?

        /// The header words: seq, timestamp, checksum, caller id | payload length << 32,
        /// level | facility << 8 | flags << 16.
        typealias Header = (UInt64, UInt64, UInt64, UInt64, UInt64)

        mutating func append(
            _ payload: UnsafeRawBufferPointer, payloadHash: UInt64, metadata: LogMetadata
        ) -> UInt64 {
            faultHook?(.locked, nextSeq)
            let size = SwiftMutexRing.recordSize(payload.count)
            while UInt64(bytes.count) - (head - tail) < size {
                tail += SwiftMutexRing.recordSize(payloadLength(at: tail))
                firstSeq += 1
            }
            let seq = nextSeq
            var header: Header = (
                seq, metadata.timestampNanoseconds, LogChecksum.seal(payloadHash, seq: seq),
                UInt64(metadata.callerID) | UInt64(payload.count) << 32,
                UInt64(metadata.level) | UInt64(metadata.facility) << 8 | UInt64(metadata.flags) << 16
            )
            withUnsafeBytes(of: &header) { copyIn($0, at: head) }
            let text = head + UInt64(SwiftMutexRing.headerBytes)
            let half = payload.count / 2
            copyIn(UnsafeRawBufferPointer(rebasing: payload[..<half]), at: text)
            faultHook?(.textPartial, seq)
            copyIn(UnsafeRawBufferPointer(rebasing: payload[half...]), at: text + UInt64(half))
            head += size
            nextSeq = seq + 1
            return seq
        }

        func read(_ cursor: inout LogCursor, into buffer: UnsafeMutableRawBufferPointer) -> LogRecordInfo? {
            guard cursor.seq < nextSeq else { return nil }
            var seq = firstSeq
            var position = tail
            if cursor.seq > firstSeq {
                if cursor.hint != .max {
                    // The hint is where record cursor.seq was found; it is still held, so still there.
                    seq = cursor.seq
                    position = cursor.hint
                } else {
                    while seq < cursor.seq {
                        position += SwiftMutexRing.recordSize(payloadLength(at: position))
                        seq += 1
                    }
                }
            }
            var header: Header = (0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &header) { copyOut($0, from: position) }
            let payloadLength = Int(header.3 >> 32)
            let copied = min(payloadLength, buffer.count)
            copyOut(
                UnsafeMutableRawBufferPointer(rebasing: buffer[..<copied]),
                from: position + UInt64(SwiftMutexRing.headerBytes))
            cursor.seq = seq + 1
            cursor.hint = position + SwiftMutexRing.recordSize(payloadLength)
            return LogRecordInfo(
                seq: header.0,
                metadata: LogMetadata(
                    timestampNanoseconds: header.1, callerID: UInt32(truncatingIfNeeded: header.3),
                    level: UInt8(truncatingIfNeeded: header.4), facility: UInt8(truncatingIfNeeded: header.4 >> 8),
                    flags: UInt8(truncatingIfNeeded: header.4 >> 16)),
                checksum: header.2, payloadLength: payloadLength, copiedLength: copied)
        }

        private func payloadLength(at position: UInt64) -> Int {
            var word: UInt64 = 0
            withUnsafeMutableBytes(of: &word) { copyOut($0, from: position + 24) }
            return Int(word >> 32)
        }

        /// Copies `source` to `position`, going round the end of the ring.
        private mutating func copyIn(_ source: UnsafeRawBufferPointer, at position: UInt64) {
            guard let from = source.baseAddress, !source.isEmpty else { return }
            let offset = Int(position % UInt64(bytes.count))
            let first = min(source.count, bytes.count - offset)
            bytes.withUnsafeMutableBytes { ring in
                (ring.baseAddress! + offset).copyMemory(from: from, byteCount: first)
                if first < source.count {
                    ring.baseAddress!.copyMemory(from: from + first, byteCount: source.count - first)
                }
            }
        }

        /// Fills `destination` from `position`, going round the end of the ring.
        private func copyOut(_ destination: UnsafeMutableRawBufferPointer, from position: UInt64) {
            guard let to = destination.baseAddress, !destination.isEmpty else { return }
            let offset = Int(position % UInt64(bytes.count))
            let first = min(destination.count, bytes.count - offset)
            bytes.withUnsafeBytes { ring in
                to.copyMemory(from: ring.baseAddress! + offset, byteCount: first)
                if first < destination.count {
                    (to + first).copyMemory(from: ring.baseAddress!, byteCount: destination.count - first)
                }
            }
        }
    }
}
