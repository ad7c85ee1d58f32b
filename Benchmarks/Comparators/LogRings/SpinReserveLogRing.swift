import CLogBaselines

/// Reserve under a short spinlock, copy outside it, commit with one release store (`lb_resv`):
/// the BPF ring buffer's scheme, overwriting the oldest records as a log must.
///
/// Readers take no lock and never return a torn record, but they stop at a record that is still
/// being written; a write fails (``LogRingError/ringFull``) once the ring has wrapped onto such a
/// record.
///
/// Sizes: as ``SpinlockLogRing``.
public final class SpinReserveLogRing: LogRing, @unchecked Sendable {
    /// The C buffer (`lb_resv *`). Immutable after init.
    package let handle: OpaquePointer
    public let capacityBytes: Int
    public let maxPayloadLength: Int

    public static var kind: LogRingKind { .spinReserve }

    public init(capacityBytes: Int) throws(LogRingError) {
        let capacity = try baselineCapacity(capacityBytes)
        guard let handle = lb_resv_create(capacity) else { throw .outOfMemory }
        self.handle = handle
        self.capacityBytes = capacity
        maxPayloadLength = lb_max_text_len(capacity)
    }

    deinit { lb_resv_destroy(handle) }

    public var nextSeq: UInt64 { lb_resv_next_seq(handle) }

    public func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata) throws(LogRingError) -> UInt64 {
        var meta = metadata.lb
        var seq: UInt64 = 0
        let status = lb_resv_write(handle, payload.baseAddress, payload.count, &meta, &seq)
        guard status == LB_OK else { throw .from(status, size: payload.count, maximum: maxPayloadLength) }
        return seq
    }

    public func read(from cursor: inout LogCursor, into buffer: UnsafeMutableRawBufferPointer) throws(LogRingError)
        -> LogRecordInfo?
    {
        try baselineRead(&cursor, buffer) { lb_resv_read(handle, &$0, $1, $2, &$3) }
    }
}
