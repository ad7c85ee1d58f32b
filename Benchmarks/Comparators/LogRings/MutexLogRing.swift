import CComparators

/// The same buffer as ``SpinlockLogRing`` under a pthread mutex (`mutex_ring`): what a userspace
/// logger usually does. A waiter sleeps in the kernel instead of spinning; only the lock differs.
///
/// Sizes: as ``SpinlockLogRing``.
public final class MutexLogRing: LogRing, @unchecked Sendable {
    /// The C buffer (`mutex_ring *`). Immutable after init.
    package let handle: OpaquePointer
    public let capacityBytes: Int
    public let maxPayloadLength: Int

    public static var kind: LogRingKind { .mutex }

    public init(capacityBytes: Int) throws(LogRingError) {
        let capacity = try baselineCapacity(capacityBytes)
        guard let handle = mutex_ring_create(capacity) else { throw .outOfMemory }
        self.handle = handle
        self.capacityBytes = capacity
        maxPayloadLength = logring_max_text_len(capacity)
    }

    deinit { mutex_ring_destroy(handle) }

    public var nextSeq: UInt64 { mutex_ring_next_seq(handle) }

    public func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata) throws(LogRingError) -> UInt64 {
        var meta = metadata.lb
        var seq: UInt64 = 0
        let status = mutex_ring_write(handle, payload.baseAddress, payload.count, &meta, &seq)
        guard status == LOGRING_OK else { throw .from(status, size: payload.count, maximum: maxPayloadLength) }
        return seq
    }

    public func read(from cursor: inout LogCursor, into buffer: UnsafeMutableRawBufferPointer) throws(LogRingError)
        -> LogRecordInfo?
    {
        try baselineRead(&cursor, buffer) { mutex_ring_read(handle, &$0, $1, $2, &$3) }
    }
}
