import CComparators

/// The log buffer Linux used up to 5.9, under a raw test-and-test-and-set spinlock (`spinlock_ring`):
/// every write and every read takes the lock for its whole duration.
///
/// A writer waits as long as any holder keeps the lock: one that never returns blocks everyone
/// forever. The panic-time escape hatches (deadlines, lock bust) are in `CComparators` and used
/// by the panic scenarios.
///
/// Sizes: `capacityBytes` is rounded down to a multiple of 8 (256 bytes to 2 GiB); a record may take
/// up to a quarter of it.
public final class SpinlockLogRing: LogRing, @unchecked Sendable {
    /// The C buffer (`spinlock_ring *`). Immutable after init.
    package let handle: OpaquePointer
    public let capacityBytes: Int
    public let maxPayloadLength: Int

    public static var kind: LogRingKind { .spinlock }

    public init(capacityBytes: Int) throws(LogRingError) {
        let capacity = try baselineCapacity(capacityBytes)
        guard let handle = spinlock_ring_create(capacity) else { throw .outOfMemory }
        self.handle = handle
        self.capacityBytes = capacity
        maxPayloadLength = logring_max_text_len(capacity)
    }

    deinit { spinlock_ring_destroy(handle) }

    public var nextSeq: UInt64 { spinlock_ring_next_seq(handle) }

    public func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata) throws(LogRingError) -> UInt64 {
        var meta = metadata.lb
        var seq: UInt64 = 0
        let status = spinlock_ring_write(handle, payload.baseAddress, payload.count, &meta, &seq)
        guard status == LOGRING_OK else { throw .from(status, size: payload.count, maximum: maxPayloadLength) }
        return seq
    }

    public func read(from cursor: inout LogCursor, into buffer: UnsafeMutableRawBufferPointer) throws(LogRingError)
        -> LogRecordInfo?
    {
        try baselineRead(&cursor, buffer) { spinlock_ring_read(handle, &$0, $1, $2, &$3) }
    }
}
