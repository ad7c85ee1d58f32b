import CPrintkRing

/// A lockless, multi-writer ring buffer of log records, modeled on the Linux kernel's printk
/// ringbuffer.
///
/// Any number of threads may write and read at once. Writers never block and never wait: a
/// write either succeeds or fails at once with a ``PrintkRingError``. When the ring is full the
/// oldest records are overwritten. Readers never block writers and never see a torn record; a
/// record overwritten before a reader got to it shows up as a gap in the sequence numbers, which
/// ``Reader`` counts. A writer stuck forever in the middle of a record stops nobody: a reader in
/// panic mode skips it and reads everything committed after it.
///
/// Writing allocates nothing, takes no lock and makes no system call other than reading
/// `CLOCK_MONOTONIC`, so it may be done from a signal handler.
///
/// ```swift
/// let ring = try PrintkRing(descriptorBits: 12, dataBits: 17)
/// try ring.write("disk 3 is on fire", level: .critical)
/// var reader = ring.reader()
/// while let record = reader.next() { print(record.seq, record.text) }
/// ```
///
/// `PrintkRing` is `Sendable`: all of its operations are safe from any thread (that is the point
/// of the data structure), and its stored properties never change after initialization.
public final class PrintkRing: @unchecked Sendable {
    /// The C ring. Immutable after init.
    @usableFromInline
    let handle: OpaquePointer

    /// The ring file (`prb_file *`) the ring lives in, if it was created or opened from one: it
    /// owns the mapping, and is closed instead of the handle being destroyed.
    private let file: OpaquePointer?

    /// The largest text a record may hold: half the text ring, less an 8-byte block header.
    /// Larger records are refused before anything is touched. (Stored: the write path checks it.)
    public let maxRecordSize: Int

    /// Valid values of `descriptorBits`: 4 to 16M descriptors.
    public static let descriptorBitsRange = Int(PRB_DESC_BITS_MIN)...Int(PRB_DESC_BITS_MAX)
    /// Valid values of `dataBits`: 64 bytes to 4 GiB of text.
    public static let dataBitsRange = Int(PRB_DATA_BITS_MIN)...Int(PRB_DATA_BITS_MAX)

    /// The number of bytes of memory a ring of these sizes occupies, or `nil` if they are out of range:
    /// 512 + 128 × 2^descriptorBits + 2^dataBits (a header; per descriptor 32 bytes of state and
    /// position, 32 of metadata and 64 for the device-info strings; the text), or, without
    /// device-info storage, 512 + 64 × 2^descriptorBits + 2^dataBits. All of it is written when the
    /// ring is created.
    ///
    /// The corresponding C function is `prb_ring_required_bytes_ex` (`PRB_RING_NO_DEV_INFO`).
    public static func requiredBytes(descriptorBits: Int, dataBits: Int, storesDeviceInfo: Bool = true) -> Int? {
        guard descriptorBitsRange.contains(descriptorBits), dataBitsRange.contains(dataBits) else { return nil }
        return prb_ring_required_bytes_ex(UInt32(descriptorBits), UInt32(dataBits), layoutFlags(storesDeviceInfo))
    }

    /// The C layout flags for a ring with or without device-info storage.
    static func layoutFlags(_ storesDeviceInfo: Bool) -> UInt32 { storesDeviceInfo ? 0 : PRB_RING_NO_DEV_INFO }

    /// Creates an empty ring of 2^`descriptorBits` records and 2^`dataBits` bytes of text.
    ///
    /// The kernel's default is `descriptorBits: 12, dataBits: 17` (4096 records, 128 KiB of text,
    /// 32 bytes per record on average), which takes 640.5 KiB in all, or 384.5 KiB without
    /// device-info storage: see ``requiredBytes(descriptorBits:dataBits:storesDeviceInfo:)``.
    ///
    /// - Parameter storesDeviceInfo: `false` leaves out the device-info strings (64 bytes per
    ///   descriptor): ``RecordWriter/setDeviceInfo(subsystem:device:)`` and
    ///   ``Reservation/setDeviceInfo(subsystem:device:)`` then do nothing, and every record reads
    ///   with empty ``RecordInfo/subsystem`` and ``RecordInfo/device``.
    /// - Throws: ``PrintkRingError/invalidSize(descriptorBits:dataBits:)`` for sizes outside
    ///   ``descriptorBitsRange`` and ``dataBitsRange``; ``PrintkRingError/outOfMemory``.
    ///
    /// The corresponding C function is `prb_ring_create_ex`.
    public init(descriptorBits: Int, dataBits: Int, storesDeviceInfo: Bool = true) throws(PrintkRingError) {
        guard Self.descriptorBitsRange.contains(descriptorBits), Self.dataBitsRange.contains(dataBits) else {
            throw .invalidSize(descriptorBits: descriptorBits, dataBits: dataBits)
        }
        var status = PRB_OK
        guard
            let ring = prb_ring_create_ex(
                UInt32(descriptorBits), UInt32(dataBits), Self.layoutFlags(storesDeviceInfo), &status)
        else {
            throw PrintkRingError.from(status, descriptorBits: descriptorBits, dataBits: dataBits)
        }
        handle = ring
        file = nil
        maxRecordSize = prb_max_text_size(ring)
    }

    /// Formats caller-owned memory (for example a shared mapping) as an empty ring.
    ///
    /// The memory must be 64-byte aligned, at least
    /// ``requiredBytes(descriptorBits:dataBits:storesDeviceInfo:)`` long, and must outlive the ring.
    /// `storesDeviceInfo` as in ``init(descriptorBits:dataBits:storesDeviceInfo:)``.
    ///
    /// The corresponding C function is `prb_ring_format_ex`.
    public init(
        formatting memory: UnsafeMutableRawBufferPointer, descriptorBits: Int, dataBits: Int,
        storesDeviceInfo: Bool = true
    ) throws(PrintkRingError) {
        guard Self.descriptorBitsRange.contains(descriptorBits), Self.dataBitsRange.contains(dataBits) else {
            throw .invalidSize(descriptorBits: descriptorBits, dataBits: dataBits)
        }
        // What prb_ring_format would refuse as PRB_E_BAD_MEMORY, told apart.
        guard let base = memory.baseAddress, Int(bitPattern: base) % 64 == 0 else { throw .misalignedRegion }
        let flags = Self.layoutFlags(storesDeviceInfo)
        let required = prb_ring_required_bytes_ex(UInt32(descriptorBits), UInt32(dataBits), flags)
        guard memory.count >= required else { throw .regionTooSmall(required: required, available: memory.count) }
        var status = PRB_OK
        guard
            let ring = prb_ring_format_ex(base, memory.count, UInt32(descriptorBits), UInt32(dataBits), flags, &status)
        else {
            throw PrintkRingError.from(status, descriptorBits: descriptorBits, dataBits: dataBits)
        }
        handle = ring
        file = nil
        maxRecordSize = prb_max_text_size(ring)
    }

    /// Attaches to memory that already holds a ring (formatted by this or another process).
    ///
    /// The layout, sizes and positions are checked before anything is trusted: memory that does
    /// not hold a ring gives ``PrintkRingError/badMemory``; ``PrintkRingError/outOfMemory`` when the
    /// handle cannot be allocated. The memory must outlive the ring.
    public init(attachingTo memory: UnsafeMutableRawBufferPointer) throws(PrintkRingError) {
        guard let base = memory.baseAddress, Int(bitPattern: base) % 64 == 0 else { throw .misalignedRegion }
        var status = PRB_OK
        guard let ring = prb_ring_attach(base, memory.count, &status) else { throw PrintkRingError.from(status) }
        handle = ring
        file = nil
        maxRecordSize = prb_max_text_size(ring)
    }

    /// Takes ownership of an open ring file (see PrintkRing+File.swift).
    init(adopting file: OpaquePointer) {
        self.file = file
        handle = prb_file_ring(file)
        maxRecordSize = prb_max_text_size(handle)
    }

    deinit {
        if let file {
            prb_file_close(file)
        } else {
            prb_ring_destroy(handle)
        }
    }

    /// Whether writes through this ring are refused with ``PrintkRingError/readOnly`` (a ring file
    /// opened with ``FileAccess/readOnly``).
    ///
    /// The corresponding C function is `prb_ring_is_read_only`.
    public var isReadOnly: Bool { prb_ring_is_read_only(handle) }

    /// The open ring file, for PrintkRing+File.swift.
    var ringFile: OpaquePointer? { file }

    /// 2^descriptorBits records fit in the ring at most.
    public var descriptorBits: Int { Int(prb_ring_desc_bits(handle)) }
    /// The ring holds 2^dataBits bytes of text.
    public var dataBits: Int { Int(prb_ring_data_bits(handle)) }
    /// Whether the ring keeps device-info strings (see
    /// ``init(descriptorBits:dataBits:storesDeviceInfo:)``); for an attached ring or a ring file,
    /// what its region's header says.
    ///
    /// The corresponding C function is `prb_ring_flags` (`PRB_RING_NO_DEV_INFO`).
    public var storesDeviceInfo: Bool { prb_ring_flags(handle) & PRB_RING_NO_DEV_INFO == 0 }
    /// The largest text one record may hold: half the text ring minus an 8-byte block header.

    // MARK: Writing

    /// Writes one complete record and returns its sequence number.
    ///
    /// Never blocks, allocates nothing. The record is final: readers see it at once.
    ///
    /// - Throws: ``PrintkRingError/recordTooLarge(size:maximum:)`` (nothing touched),
    ///   ``PrintkRingError/noDescriptor``, ``PrintkRingError/noSpace(lostSeq:)``,
    ///   ``PrintkRingError/readOnly`` (nothing touched).
    ///
    /// The corresponding C function is `prb_write`.
    @inlinable
    @discardableResult
    public func write(_ bytes: UnsafeRawBufferPointer, metadata: RecordMetadata = RecordMetadata())
        throws(PrintkRingError) -> UInt64
    {
        var seq: UInt64 = 0
        var meta = metadata.c
        let status = prb_write(handle, bytes.baseAddress, bytes.count, &meta, &seq)
        guard status == PRB_OK else {
            throw .from(status, size: bytes.count, maximum: maxRecordSize, seq: seq)
        }
        return seq
    }

    /// Writes one complete record of UTF-8 text and returns its sequence number.
    ///
    /// A native Swift string is written straight from its own storage: nothing is allocated.
    ///
    /// The corresponding C function is `prb_write`.
    @inlinable
    @discardableResult
    public func write(
        _ text: String, level: LogLevel = .info, facility: UInt8 = 0, flags: UInt8 = 0, callerID: UInt32 = 0
    ) throws(PrintkRingError) -> UInt64 {
        try write(text, metadata: RecordMetadata(level: level, facility: facility, flags: flags, callerID: callerID))
    }

    /// Writes one complete record of UTF-8 text with the given metadata (a timestamp of the
    /// caller's, say) and returns its sequence number. Allocates nothing for a native string.
    ///
    /// The corresponding C function is `prb_write`.
    @inlinable
    @discardableResult
    public func write(_ text: String, metadata: RecordMetadata) throws(PrintkRingError) -> UInt64 {
        let result: Result<UInt64, PrintkRingError>? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            do throws(PrintkRingError) {
                return .success(try write(UnsafeRawBufferPointer(utf8), metadata: metadata))
            } catch {
                return .failure(error)
            }
        }
        if let result { return try result.get() }
        // A bridged or lazily decoded string: copy it once (this path allocates).
        let copied: Result<UInt64, PrintkRingError> = Array(text.utf8).withUnsafeBytes { bytes in
            do throws(PrintkRingError) {
                return .success(try write(bytes, metadata: metadata))
            } catch {
                return .failure(error)
            }
        }
        return try copied.get()
    }

    /// Reserves a record with room for `capacity` bytes of text, to be filled in place and then
    /// committed: the two-phase write.
    ///
    /// The ``Reservation`` is noncopyable: committing consumes it, so it cannot be committed twice.
    /// A reservation that is dropped without being committed is finalized by its `deinit` with
    /// whatever was appended, so that no record is left reserved forever.
    ///
    /// The corresponding C function is `prb_reserve`.
    @inlinable
    public func reserve(capacity: Int, metadata: RecordMetadata = RecordMetadata()) throws(PrintkRingError)
        -> Reservation
    {
        guard UInt(bitPattern: capacity) <= UInt(maxRecordSize) else {
            throw capacity < 0 ? .negativeSize(capacity) : .recordTooLarge(size: capacity, maximum: maxRecordSize)
        }
        return try Reservation(reservingIn: self, capacity: capacity, metadata: metadata.c)
    }

    /// Reopens the newest record for `additionalCapacity` more bytes of text, if it was written by
    /// `callerID` and only committed (not finalized): printk's continuation lines.
    ///
    /// Appends continue after the text already there. The record may move to the start of the text
    /// ring to make room; its text moves with it.
    ///
    /// - Parameter maxTotalSize: the record's text may not grow beyond this many bytes in all.
    /// A ring in a file opened for writing never reopens a record (its dead-writer take-over could
    /// not tell a reopened record from a first reservation; docs/RECOVERY.md): there this always
    /// throws ``PrintkRingError/cannotExtend``. Write the whole line, or use a ``RecordWriter``.
    ///
    /// - Throws: ``PrintkRingError/cannotExtend`` when the newest record is not this caller's
    ///   committed record, when the text ring has no room for it to grow, or on a ring file;
    ///   ``PrintkRingError/extensionTooLarge(additional:maximumTotal:)``. The record is unchanged.
    ///
    /// The corresponding C function is `prb_reserve_in_last`.
    public func extendLast(callerID: UInt32, additionalCapacity: Int, maxTotalSize: Int? = nil)
        throws(PrintkRingError) -> Reservation
    {
        guard additionalCapacity >= 0 else { throw .negativeSize(additionalCapacity) }
        if let maxTotalSize, maxTotalSize < 0 { throw .negativeSize(maxTotalSize) }
        guard additionalCapacity <= maxRecordSize else {
            throw .recordTooLarge(size: additionalCapacity, maximum: maxRecordSize)
        }
        let limit = min(maxTotalSize ?? maxRecordSize, maxRecordSize)
        var entry = prb_entry()
        let status = prb_reserve_in_last(handle, &entry, callerID, additionalCapacity, max(limit, 0))
        guard status == PRB_OK else {
            throw .extending(status, additional: additionalCapacity, maximumTotal: limit)
        }
        return Reservation(entry: entry, ring: self)
    }

    // MARK: Reading

    /// A reader starting at `seq` (by default the oldest record still in the ring).
    ///
    /// - Parameter panicMode: read committed records as if they were finalized (as the kernel's
    ///   panic CPU does: a committed record is consistent and may be the last hint at what went
    ///   wrong; a copy whose record was reopened meanwhile is dropped, never returned torn), and
    ///   skip records that a stuck writer never committed, as long as later records exist. Meant
    ///   for a dump after a crash, when the writer will never come back.
    public func reader(from seq: UInt64? = nil, panicMode: Bool = false) -> Reader {
        Reader(ring: self, from: seq ?? firstSeq, panicMode: panicMode)
    }

    /// Reads exactly the record `seq`.
    ///
    /// Allocates exactly the record's text (at most `maxTextLength` bytes: a longer text is
    /// truncated, which ``Record/isTruncated`` shows; a negative limit counts as 0).
    ///
    /// - Returns: the record; `nil` if it is not readable (not yet written or finalized, or lost).
    ///
    /// The corresponding C function is `prb_read`.
    public func record(at seq: UInt64, maxTextLength: Int? = nil) -> Record? {
        let limit = Swift.max(0, Swift.min(maxTextLength ?? maxRecordSize, maxRecordSize))
        // First the metadata alone, to learn the length; then the text. A finalized record does
        // not change, so the second read sees the same record or none (overwritten meanwhile).
        var info = prb_record_info()
        guard prb_read(handle, seq, &info, nil, 0) == PRB_READ_OK else { return nil }
        var bytes = [UInt8](repeating: 0, count: Swift.min(Int(info.text_len), limit))
        let status = bytes.withUnsafeMutableBytes { buffer in
            prb_read(handle, seq, &info, buffer.baseAddress, buffer.count)
        }
        guard status == PRB_READ_OK else { return nil }
        bytes.removeLast(bytes.count - Swift.min(bytes.count, Int(info.text_len)))
        return Record(info: RecordInfo(info), bytes: bytes)
    }

    /// Seq of the oldest record still in the ring (it may be lost, i.e. without text).
    public var firstSeq: UInt64 { prb_first_seq(handle) }
    /// Seq of the oldest readable record, or 0 when there is none.
    public var firstValidSeq: UInt64 { prb_first_valid_seq(handle) }
    /// One past the newest record such that every record before it is finalized or lost: a reader
    /// that has read up to here has read everything there is to read.
    public var nextSeq: UInt64 { prb_next_seq(handle) }
    /// The seq the next reservation will get: the number of seqs ever handed out.
    public var nextReserveSeq: UInt64 { prb_next_reserve_seq(handle) }

    // MARK: Statistics

    /// Counters of a ring. They cost nothing on the write path: they are derived from the ring's
    /// positions or counted only on failure.
    public struct Statistics: Sendable, Hashable {
        /// Seqs handed out (records reserved, including lost ones).
        public var reserved: UInt64
        /// Seqs up to which every record is finalized (readable) or lost.
        public var finalized: UInt64
        /// Reservations refused because no descriptor was free.
        public var failedReservations: UInt64
        /// Records that got a seq but no text space; readers see them as lost.
        public var failedDataAllocations: UInt64
        /// Bytes of the text ring in use: from the oldest block not yet reclaimed to the newest,
        /// wasted ends of wrapped blocks included; between 0 and 2^``PrintkRing/dataBits``.
        public var textBytesInUse: UInt64
        /// Records taken over from writers that died in the middle of them (ring files only):
        /// readers count each as lost.
        public var takenOver: UInt64
        /// All failed writes.
        public var failed: UInt64 { failedReservations + failedDataAllocations }
    }

    /// A snapshot of the ring's counters.
    public var statistics: Statistics {
        var stats = prb_stats()
        prb_get_stats(handle, &stats)
        return Statistics(
            reserved: stats.reserved, finalized: stats.finalized, failedReservations: stats.failed_descriptor,
            failedDataAllocations: stats.failed_data, textBytesInUse: stats.text_bytes_used,
            takenOver: stats.taken_over)
    }
}

extension PrintkRing {
    /// Why a record that readers report lost is gone.
    public enum LostReason: Sendable, Hashable {
        /// The ring wrapped past it before it was read.
        case overwritten
        /// It got a seq but no text space (``Statistics/failedDataAllocations``).
        case noSpace
        /// Its writer died before committing it, and another writer took it over (ring files).
        /// Only the last few take-overs (``recentTakeOverLimit``) are remembered.
        case writerDied
        /// Not known any more (an older take-over, a record being overwritten right now, damaged
        /// memory), or the record is not lost.
        case unknown
    }

    /// How many take-overs a ring remembers for ``lostReason(ofSeq:)`` and ``recentTakeOvers``.
    public static let recentTakeOverLimit = Int(PRB_RECENT_TAKE_OVERS)

    /// Why record `seq` is lost, as far as the ring can still tell: a reader that finds a gap
    /// (``Reader/lostCount`` grew) asks for each seq in it.
    ///
    /// The corresponding C function is `prb_lost_reason_of`.
    public func lostReason(ofSeq seq: UInt64) -> LostReason {
        switch prb_lost_reason_of(handle, seq) {
        case PRB_LOST_OVERWRITTEN: .overwritten
        case PRB_LOST_NO_SPACE: .noSpace
        case PRB_LOST_WRITER_DIED: .writerDied
        default: .unknown
        }
    }

    /// The seqs of the last records taken over from dead writers (at most
    /// ``recentTakeOverLimit``), in increasing order.
    ///
    /// The corresponding C function is `prb_recent_take_overs`.
    public var recentTakeOvers: [UInt64] {
        var seqs = [UInt64](repeating: 0, count: Self.recentTakeOverLimit)
        let count = prb_recent_take_overs(handle, &seqs, seqs.count)
        return Array(seqs[..<count]).sorted()
    }
}

extension PrintkRing {
    /// Now on the clock records are stamped with (`CLOCK_MONOTONIC`, in nanoseconds): for callers
    /// that stamp records themselves (``RecordMetadata/timestampNanoseconds``) or compare a
    /// record's time with the present. Async-signal-safe.
    ///
    /// The corresponding C function is `prb_clock_ns`.
    @inlinable
    public static var now: UInt64 { prb_clock_ns() }
}
