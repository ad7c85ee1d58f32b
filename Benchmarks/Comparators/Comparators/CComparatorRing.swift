import CComparators

/// One of the C comparators (`CComparators`) as a ``LogRing``: ``SpinlockRing``, ``MutexRing``,
/// ``SpinReserveRing`` or ``FetchAddRing``. Each call is one call of the comparator's C function,
/// which hashes the payload, takes its lock or reservation, and stores header, checksum and text.
///
/// Sizes: `capacityBytes` is rounded down to a multiple of 8 (256 bytes to 2 GiB); a record may take
/// up to a quarter of it.
public final class CComparatorRing<Functions: CComparatorFunctions>: LogRing, @unchecked Sendable {
    /// The C ring. Immutable after init.
    @usableFromInline let handle: OpaquePointer
    public let capacityBytes: Int
    public let maxPayloadLength: Int

    public static var kind: LogRingKind { Functions.kind }

    public init(capacityBytes: Int) throws(LogRingError) {
        let capacity = capacityBytes & ~7
        guard capacity >= Int(LOGRING_CAPACITY_MIN), capacity <= Int(LOGRING_CAPACITY_MAX) else {
            throw .invalidCapacity(capacityBytes)
        }
        guard let handle = Functions.create(capacity) else { throw .outOfMemory }
        self.handle = handle
        self.capacityBytes = capacity
        maxPayloadLength = logring_max_text_len(capacity)
    }

    deinit { Functions.destroy(handle) }

    public var cHandle: OpaquePointer? { handle }
    public var firstSeq: UInt64 { Functions.firstSeq(handle) }
    public var nextSeq: UInt64 { Functions.nextSeq(handle) }

    @inlinable
    public func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata) throws(LogRingError) -> UInt64 {
        var meta = logring_meta(
            ts_nsec: metadata.timestampNanoseconds, caller_id: metadata.callerID, level: metadata.level,
            facility: metadata.facility, flags: metadata.flags)
        var seq: UInt64 = 0
        let status = Functions.write(handle, payload.baseAddress, payload.count, &meta, &seq)
        switch status {
        case LOGRING_OK: return seq
        case LOGRING_E_TOO_LARGE: throw .recordTooLarge(size: payload.count, maximum: maxPayloadLength)
        case LOGRING_E_NO_SPACE: throw .ringFull
        default: throw .corrupt
        }
    }

    public func read(from cursor: inout LogCursor, into buffer: UnsafeMutableRawBufferPointer) throws(LogRingError)
        -> LogRecordInfo?
    {
        var c = logring_cursor(seq: cursor.seq, hint: cursor.hint)
        var info = logring_record_info()
        guard let status = Functions.read(handle, &c, buffer.baseAddress, buffer.count, &info) else {
            throw .unsupported
        }
        switch status {
        case LOGRING_OK:
            cursor.seq = c.seq
            cursor.hint = c.hint
            return LogRecordInfo(
                seq: info.seq,
                metadata: LogMetadata(
                    timestampNanoseconds: info.ts_nsec, callerID: info.caller_id, level: info.level,
                    facility: info.facility, flags: info.flags),
                checksum: info.checksum, payloadLength: Int(info.text_len), copiedLength: Int(info.copied_len))
        case LOGRING_E_NO_RECORD:
            return nil
        default:
            throw .corrupt
        }
    }
}

/// The C functions of one comparator. Static requirements, so that ``CComparatorRing`` is
/// specialized per comparator and its writes are direct C calls.
public protocol CComparatorFunctions {
    static var kind: LogRingKind { get }
    static func create(_ capacity: Int) -> OpaquePointer?
    static func destroy(_ ring: OpaquePointer)
    static func write(
        _ ring: OpaquePointer, _ text: UnsafeRawPointer?, _ length: Int, _ meta: UnsafePointer<logring_meta>,
        _ seq: UnsafeMutablePointer<UInt64>
    ) -> logring_status
    /// `nil`: the comparator has no reader (fetch-add).
    static func read(
        _ ring: OpaquePointer, _ cursor: UnsafeMutablePointer<logring_cursor>, _ buffer: UnsafeMutableRawPointer?,
        _ size: Int, _ info: UnsafeMutablePointer<logring_record_info>
    ) -> logring_status?
    static func firstSeq(_ ring: OpaquePointer) -> UInt64
    static func nextSeq(_ ring: OpaquePointer) -> UInt64
}

/// The log buffer Linux used up to 5.9, under a raw test-and-test-and-set spinlock (`spinlock_ring`):
/// every write and every read takes the lock for its whole duration.
///
/// A writer waits as long as any holder keeps the lock: one that never returns blocks everyone
/// forever. The panic-time escape hatches (deadlines, lock bust) are in `CComparators` and used
/// by the panic scenarios.
public typealias SpinlockRing = CComparatorRing<SpinlockRingFunctions>

public enum SpinlockRingFunctions: CComparatorFunctions {
    public static var kind: LogRingKind { .spinlock }
    public static func create(_ capacity: Int) -> OpaquePointer? { spinlock_ring_create(capacity) }
    public static func destroy(_ ring: OpaquePointer) { spinlock_ring_destroy(ring) }
    @inlinable
    public static func write(
        _ ring: OpaquePointer, _ text: UnsafeRawPointer?, _ length: Int, _ meta: UnsafePointer<logring_meta>,
        _ seq: UnsafeMutablePointer<UInt64>
    ) -> logring_status { spinlock_ring_write(ring, text, length, meta, seq) }
    public static func read(
        _ ring: OpaquePointer, _ cursor: UnsafeMutablePointer<logring_cursor>, _ buffer: UnsafeMutableRawPointer?,
        _ size: Int, _ info: UnsafeMutablePointer<logring_record_info>
    ) -> logring_status? { spinlock_ring_read(ring, cursor, buffer, size, info) }
    public static func firstSeq(_ ring: OpaquePointer) -> UInt64 { spinlock_ring_first_seq(ring) }
    public static func nextSeq(_ ring: OpaquePointer) -> UInt64 { spinlock_ring_next_seq(ring) }
}

/// The same buffer as ``SpinlockRing`` under a pthread mutex (`mutex_ring`): what a userspace
/// logger usually does. A waiter sleeps in the kernel instead of spinning; only the lock differs.
public typealias MutexRing = CComparatorRing<MutexRingFunctions>

public enum MutexRingFunctions: CComparatorFunctions {
    public static var kind: LogRingKind { .mutex }
    public static func create(_ capacity: Int) -> OpaquePointer? { mutex_ring_create(capacity) }
    public static func destroy(_ ring: OpaquePointer) { mutex_ring_destroy(ring) }
    @inlinable
    public static func write(
        _ ring: OpaquePointer, _ text: UnsafeRawPointer?, _ length: Int, _ meta: UnsafePointer<logring_meta>,
        _ seq: UnsafeMutablePointer<UInt64>
    ) -> logring_status { mutex_ring_write(ring, text, length, meta, seq) }
    public static func read(
        _ ring: OpaquePointer, _ cursor: UnsafeMutablePointer<logring_cursor>, _ buffer: UnsafeMutableRawPointer?,
        _ size: Int, _ info: UnsafeMutablePointer<logring_record_info>
    ) -> logring_status? { mutex_ring_read(ring, cursor, buffer, size, info) }
    public static func firstSeq(_ ring: OpaquePointer) -> UInt64 { mutex_ring_first_seq(ring) }
    public static func nextSeq(_ ring: OpaquePointer) -> UInt64 { mutex_ring_next_seq(ring) }
}

/// Reserve under a short spinlock, copy outside it, commit with one release store
/// (`spin_reserve_ring`): the BPF ring buffer's scheme, overwriting the oldest records as a log must.
///
/// Readers take no lock and never return a torn record, but they stop at a record that is still
/// being written; a write fails (``LogRingError/ringFull``) once the ring has wrapped onto such a
/// record.
public typealias SpinReserveRing = CComparatorRing<SpinReserveRingFunctions>

public enum SpinReserveRingFunctions: CComparatorFunctions {
    public static var kind: LogRingKind { .spinReserve }
    public static func create(_ capacity: Int) -> OpaquePointer? { spin_reserve_ring_create(capacity) }
    public static func destroy(_ ring: OpaquePointer) { spin_reserve_ring_destroy(ring) }
    @inlinable
    public static func write(
        _ ring: OpaquePointer, _ text: UnsafeRawPointer?, _ length: Int, _ meta: UnsafePointer<logring_meta>,
        _ seq: UnsafeMutablePointer<UInt64>
    ) -> logring_status { spin_reserve_ring_write(ring, text, length, meta, seq) }
    public static func read(
        _ ring: OpaquePointer, _ cursor: UnsafeMutablePointer<logring_cursor>, _ buffer: UnsafeMutableRawPointer?,
        _ size: Int, _ info: UnsafeMutablePointer<logring_record_info>
    ) -> logring_status? { spin_reserve_ring_read(ring, cursor, buffer, size, info) }
    public static func firstSeq(_ ring: OpaquePointer) -> UInt64 { spin_reserve_ring_first_seq(ring) }
    public static func nextSeq(_ ring: OpaquePointer) -> UInt64 { spin_reserve_ring_next_seq(ring) }
}

/// One relaxed fetch-add on a byte counter, then a copy (`fetch_add_ring`): the physical limit of a
/// multi-writer append, and nothing more.
///
/// Nothing orders or protects anything: a writer a lap ahead may overwrite a record still being
/// copied, and nobody can tell. So there is **no reader** (`read(from:into:)` throws
/// ``LogRingError/unsupported``) and no seq: `write(_:metadata:)` returns the record's byte
/// position, the checksum is sealed with that position, and ``LogRing/nextSeq`` is the next byte
/// position (``LogRing/firstSeq`` is 0).
public typealias FetchAddRing = CComparatorRing<FetchAddRingFunctions>

public enum FetchAddRingFunctions: CComparatorFunctions {
    public static var kind: LogRingKind { .fetchAdd }
    public static func create(_ capacity: Int) -> OpaquePointer? { fetch_add_ring_create(capacity) }
    public static func destroy(_ ring: OpaquePointer) { fetch_add_ring_destroy(ring) }
    @inlinable
    public static func write(
        _ ring: OpaquePointer, _ text: UnsafeRawPointer?, _ length: Int, _ meta: UnsafePointer<logring_meta>,
        _ seq: UnsafeMutablePointer<UInt64>
    ) -> logring_status { fetch_add_ring_write(ring, text, length, meta, seq) }
    public static func read(
        _ ring: OpaquePointer, _ cursor: UnsafeMutablePointer<logring_cursor>, _ buffer: UnsafeMutableRawPointer?,
        _ size: Int, _ info: UnsafeMutablePointer<logring_record_info>
    ) -> logring_status? { nil }
    public static func firstSeq(_ ring: OpaquePointer) -> UInt64 { 0 }
    public static func nextSeq(_ ring: OpaquePointer) -> UInt64 { fetch_add_ring_head(ring) }
}
