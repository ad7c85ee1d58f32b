/// A ring under test: the lockless printk-style ring and each of the rings it is compared with,
/// behind the one interface that the benchmark, the panic scenarios and the tests all drive.
///
/// Every implementation stores the same thing for a write: a record with a sequence number
/// assigned by the ring, the same ``LogMetadata``, the payload, and a checksum over the seq and
/// the payload (``LogChecksum``). When the ring is full, writing overwrites the oldest records; a
/// reader that falls behind sees a jump in seq. A reader can tell a torn record from an intact one
/// with ``LogRecordInfo/isIntact(_:)``.
///
/// Writes are allocation-free, take no closure and no existential: drive a ring through a generic
/// parameter (`func run<R: LogRing>(_ ring: R)`), which is specialized per implementation, never
/// through `any LogRing` in a hot loop. ``LogRingKind/ringType`` opens to such a parameter. The
/// conformances' hot calls are `@inlinable`, so that a specialized loop in another module calls the
/// C functions (or the inlined Swift API) directly.
///
/// Conforming types are classes whose every operation may be called from any thread.
public protocol LogRing: AnyObject, Sendable {
    /// Which implementation this is.
    static var kind: LogRingKind { get }

    /// Creates an empty ring of about `capacityBytes` bytes (each implementation documents how it
    /// rounds; ``capacityBytes`` says what it got).
    init(capacityBytes: Int) throws(LogRingError)

    /// The bytes of record storage the ring has.
    var capacityBytes: Int { get }

    /// The longest payload one record may carry.
    var maxPayloadLength: Int { get }

    /// The oldest seq the ring still holds (equal to ``nextSeq`` when it is empty; fetch-add: 0).
    var firstSeq: UInt64 { get }

    /// The seq the next record will get: the number of records written so far (fetch-add: the
    /// next byte position, since it has no seq).
    var nextSeq: UInt64 { get }

    /// Appends a record and returns its seq (fetch-add: its byte position).
    ///
    /// - Throws: ``LogRingError/recordTooLarge(size:maximum:)`` (nothing changed), or
    ///   ``LogRingError/ringFull`` when the ring cannot make room because its oldest record is
    ///   still being written (lockless, spin-reserve).
    func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata) throws(LogRingError) -> UInt64

    /// Reads the record at `cursor.seq` or, if that one was overwritten, the oldest one after it,
    /// copying up to `buffer.count` bytes of its payload into `buffer`; moves the cursor past it.
    ///
    /// - Returns: the record's description (its `seq` is past the cursor's when records were
    ///   lost), or `nil` when there is nothing to read yet (or the next record is still being
    ///   written).
    /// - Throws: ``LogRingError/unsupported`` (fetch-add has no reader),
    ///   ``LogRingError/corrupt`` (a header that makes no sense; never expected).
    func read(from cursor: inout LogCursor, into buffer: UnsafeMutableRawBufferPointer) throws(LogRingError)
        -> LogRecordInfo?

    /// The C ring this is (`prb_ring *`, `spinlock_ring *`, ...), for C code that drives it where
    /// Swift cannot run: the panic harness's `panic_target`. `nil` for the Swift Mutex ring.
    var cHandle: OpaquePointer? { get }
}

/// The implementations, by the names used in tables, tests and on the command line.
public enum LogRingKind: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// The lockless printk-style ring (CPrintkRing).
    case lockless
    /// The pre-5.10 printk buffer under a raw spinlock (spinlock_ring).
    case spinlock
    /// The same buffer under a pthread mutex (mutex_ring).
    case mutex
    /// A Swift byte ring guarded by `Synchronization.Mutex`: what a Swift programmer writes first.
    case swiftMutex = "swift-mutex"
    /// Reserve under a spinlock, copy outside it (BPF ring buffer style; spin_reserve_ring).
    case spinReserve = "spin-reserve"
    /// One fetch-add and a copy: the physical limit, with no reader (fetch_add_ring).
    case fetchAdd = "fetch-add"

    public var description: String { rawValue }

    /// The conforming type. Pass it to a generic function to drive the ring without existentials:
    /// `func run<R: LogRing>(_: R.Type)` called as `run(kind.ringType)`.
    public var ringType: any LogRing.Type {
        switch self {
        case .lockless: LocklessRing.self
        case .spinlock: SpinlockRing.self
        case .mutex: MutexRing.self
        case .swiftMutex: SwiftMutexRing.self
        case .spinReserve: SpinReserveRing.self
        case .fetchAdd: FetchAddRing.self
        }
    }

    /// Whether the implementation has a reader (all but fetch-add).
    public var hasReader: Bool { self != .fetchAdd }

    /// A new ring of this kind, as an existential: for tests and tools, not hot loops.
    public func makeRing(capacityBytes: Int) throws(LogRingError) -> any LogRing {
        try ringType.init(capacityBytes: capacityBytes)
    }
}

/// Metadata every record carries, the same for every implementation (logring_meta, prb_meta).
public struct LogMetadata: Sendable, Hashable {
    /// Nanoseconds, as the caller chooses; every ring stores it as given, 0 included.
    public var timestampNanoseconds: UInt64
    /// Identifies the writer.
    public var callerID: UInt32
    /// Syslog level 0...7 (the comparators keep 3 bits).
    public var level: UInt8
    public var facility: UInt8
    public var flags: UInt8

    @inlinable
    public init(
        timestampNanoseconds: UInt64 = 0, callerID: UInt32 = 0, level: UInt8 = 6, facility: UInt8 = 0,
        flags: UInt8 = 0
    ) {
        self.timestampNanoseconds = timestampNanoseconds
        self.callerID = callerID
        self.level = level
        self.facility = facility
        self.flags = flags
    }
}

/// A reader's position: the seq it wants next, and a hint to where that record is.
public struct LogCursor: Sendable, Hashable {
    /// The seq to read next. A read moves it to one past the record read.
    public var seq: UInt64
    /// Implementation-private: where record `seq` is expected, or `UInt64.max`.
    public var hint: UInt64

    /// A cursor that reads `seq` next (or, if it has been overwritten, the oldest record after it).
    @inlinable
    public init(seq: UInt64 = 0) {
        self.seq = seq
        self.hint = .max
    }
}

/// What a read found.
public struct LogRecordInfo: Sendable, Hashable {
    /// The record's seq: larger than the cursor's when records were overwritten before the read.
    public var seq: UInt64
    public var metadata: LogMetadata
    /// The checksum its writer stored (``LogChecksum/of(seq:payload:)``).
    public var checksum: UInt64
    /// The length of the record's whole payload.
    public var payloadLength: Int
    /// Bytes copied into the reader's buffer: the smaller of `payloadLength` and the buffer size.
    public var copiedLength: Int

    @inlinable
    public init(seq: UInt64, metadata: LogMetadata, checksum: UInt64, payloadLength: Int, copiedLength: Int) {
        self.seq = seq
        self.metadata = metadata
        self.checksum = checksum
        self.payloadLength = payloadLength
        self.copiedLength = copiedLength
    }

    /// The buffer was shorter than the payload.
    public var isTruncated: Bool { copiedLength < payloadLength }

    /// Whether `payload` (the bytes the read copied) is what the writer wrote: its checksum over
    /// this seq matches. A truncated copy cannot be checked and is not intact. The one check of a
    /// record in Swift; the corresponding C function is `logring_record_checksum`.
    @inlinable
    public func isIntact(_ payload: UnsafeRawBufferPointer) -> Bool {
        !isTruncated && payload.count == payloadLength && LogChecksum.of(seq: seq, payload: payload) == checksum
    }
}

/// Why a ring operation failed. None of them leaves the ring worse off than before the call.
public enum LogRingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The capacity is out of the implementation's range. Nothing was allocated.
    case invalidCapacity(Int)
    /// Out of memory while creating the ring.
    case outOfMemory
    /// The payload is longer than ``LogRing/maxPayloadLength``. Nothing changed.
    case recordTooLarge(size: Int, maximum: Int)
    /// The ring cannot make room: its oldest record is still being written. (Lockless: the
    /// write may have used up a seq, which readers see as lost.)
    case ringFull
    /// A deadline passed before the lock could be had. Nothing changed.
    case lockUnavailable
    /// A header that makes no sense (only after a spinlock was busted; never otherwise).
    case corrupt
    /// The implementation has no such operation (fetch-add has no reader).
    case unsupported

    public var description: String {
        switch self {
        case .invalidCapacity(let bytes): "invalid capacity: \(bytes) bytes"
        case .outOfMemory: "out of memory"
        case .recordTooLarge(let size, let maximum): "payload of \(size) bytes exceeds the maximum of \(maximum)"
        case .ringFull: "no room: the oldest record is still being written"
        case .lockUnavailable: "the lock was not available before the deadline"
        case .corrupt: "a record header is damaged"
        case .unsupported: "not supported by this implementation"
        }
    }
}
