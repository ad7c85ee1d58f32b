import CComparators

/// One relaxed fetch-add on a byte counter, then a copy (`fetch_add_ring`): the physical limit of a
/// multi-writer append, and nothing more.
///
/// Nothing orders or protects anything: a writer a lap ahead may overwrite a record still being
/// copied, and nobody can tell. So there is **no reader** (``read(from:into:)`` throws
/// ``LogRingError/unsupported``) and no seq: ``write(_:metadata:)`` returns the record's byte
/// position, and the checksum is sealed with that position.
///
/// Sizes: as ``SpinlockLogRing``.
public final class FetchAddLogRing: LogRing, @unchecked Sendable {
    /// The C buffer (`fetch_add_ring *`). Immutable after init.
    package let handle: OpaquePointer
    public let capacityBytes: Int
    public let maxPayloadLength: Int

    public static var kind: LogRingKind { .fetchAdd }

    public init(capacityBytes: Int) throws(LogRingError) {
        let capacity = try baselineCapacity(capacityBytes)
        guard let handle = fetch_add_ring_create(capacity) else { throw .outOfMemory }
        self.handle = handle
        self.capacityBytes = capacity
        maxPayloadLength = logring_max_text_len(capacity)
    }

    deinit { fetch_add_ring_destroy(handle) }

    /// The byte position the next record will start at (or after, past a wrap).
    public var nextSeq: UInt64 { fetch_add_ring_head(handle) }

    public func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata) throws(LogRingError) -> UInt64 {
        var meta = metadata.lb
        var position: UInt64 = 0
        let status = fetch_add_ring_write(handle, payload.baseAddress, payload.count, &meta, &position)
        guard status == LOGRING_OK else { throw .from(status, size: payload.count, maximum: maxPayloadLength) }
        return position
    }

    /// Always throws ``LogRingError/unsupported``: nothing this buffer holds can be trusted.
    public func read(from cursor: inout LogCursor, into buffer: UnsafeMutableRawBufferPointer) throws(LogRingError)
        -> LogRecordInfo?
    {
        throw .unsupported
    }
}
