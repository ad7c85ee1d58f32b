import CComparators

/// Reserve under a short spinlock, copy outside it, commit with one release store (`spin_reserve_ring`):
/// the BPF ring buffer's scheme, overwriting the oldest records as a log must.
///
/// Readers take no lock and never return a torn record, but they stop at a record that is still
/// being written; a write fails (``LogRingError/ringFull``) once the ring has wrapped onto such a
/// record.
///
/// Sizes: as ``SpinlockLogRing``.
public final class SpinReserveLogRing: LogRing, @unchecked Sendable {
    /// The C buffer (`spin_reserve_ring *`). Immutable after init.
    package let handle: OpaquePointer
    public let capacityBytes: Int
    public let maxPayloadLength: Int

    public static var kind: LogRingKind { .spinReserve }

    public init(capacityBytes: Int) throws(LogRingError) {
        let capacity = try baselineCapacity(capacityBytes)
        guard let handle = spin_reserve_ring_create(capacity) else { throw .outOfMemory }
        self.handle = handle
        self.capacityBytes = capacity
        maxPayloadLength = logring_max_text_len(capacity)
    }

    deinit { spin_reserve_ring_destroy(handle) }

    public var nextSeq: UInt64 { spin_reserve_ring_next_seq(handle) }

    public func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata) throws(LogRingError) -> UInt64 {
        var meta = metadata.lb
        var seq: UInt64 = 0
        let status = spin_reserve_ring_write(handle, payload.baseAddress, payload.count, &meta, &seq)
        guard status == LOGRING_OK else { throw .from(status, size: payload.count, maximum: maxPayloadLength) }
        return seq
    }

    public func read(from cursor: inout LogCursor, into buffer: UnsafeMutableRawBufferPointer) throws(LogRingError)
        -> LogRecordInfo?
    {
        try baselineRead(&cursor, buffer) { spin_reserve_ring_read(handle, &$0, $1, $2, &$3) }
    }
}
