import CPrintkRing
import PrintkRing

/// The lockless printk-style ring (`PrintkRing`) as a ``LogRing``.
///
/// Writers never wait and readers never block them: see `PrintkRing`. A write fails only when the
/// ring has wrapped onto a record that is still being written (``LogRingError/ringFull``).
///
/// Writes go through the product's public Swift API: the scoped in-place write
/// `PrintkRing.write(capacity:metadata:_:)`, which neither allocates nor retains anything.
/// Reads, and the C code of the panic harness, use a C handle attached to the same memory
/// (``cHandle``), as another process would.
///
/// Record layout (the one checksummed record of the benchmark package, written here once in Swift
/// and once in C, in `lockless_record.h`): the ring has no checksum field and assigns the seq only
/// at reservation, so the payload is hashed first, room for 8 + n bytes is reserved, and the record's
/// text is the checksum sealed with its seq (8 bytes, little-endian), then the payload.
///
/// Sizes: `init(capacityBytes:)` rounds down to a power of two (the text ring), at least 256, and
/// gives the descriptor ring one descriptor per 32 bytes of text, the kernel's default ratio.
public final class LocklessRing: LogRing, @unchecked Sendable {
    /// The ring, through the product's Swift API: the write path. Immutable after init.
    @usableFromInline let ring: PrintkRing
    /// A C handle attached to the same memory: the read path and the panic harness.
    public let cHandle: OpaquePointer?
    /// The memory the ring lives in, and how to give it back.
    public let memory: UnsafeMutableRawBufferPointer
    private let deallocate: @Sendable (UnsafeMutableRawBufferPointer) -> Void
    public let capacityBytes: Int
    public let maxPayloadLength: Int

    /// Bytes of checksum in front of the payload in every record's text.
    @usableFromInline static let checksumBytes = 8

    public static var kind: LogRingKind { .lockless }

    public convenience init(capacityBytes: Int) throws(LogRingError) {
        guard capacityBytes >= 256 else { throw .invalidCapacity(capacityBytes) }
        let dataBits = min(Int(PRB_DATA_BITS_MAX), Int.bitWidth - 1 - capacityBytes.leadingZeroBitCount)
        try self.init(
            descriptorBits: max(Int(PRB_DESC_BITS_MIN), dataBits - 5), dataBits: dataBits,
            allocate: { UnsafeMutableRawBufferPointer.allocate(byteCount: $0, alignment: 64) },
            deallocate: { $0.deallocate() })
    }

    /// A ring of 2^`descriptorBits` descriptors and 2^`dataBits` bytes of text, formatted
    /// (`PrintkRing(formatting:descriptorBits:dataBits:)`) in memory that `allocate` returns for a
    /// byte count (64-byte aligned; the benchmark places it with libnuma). `deallocate` gets it
    /// back when the ring goes.
    public init(
        descriptorBits: Int, dataBits: Int, allocate: (Int) -> UnsafeMutableRawBufferPointer?,
        deallocate: @escaping @Sendable (UnsafeMutableRawBufferPointer) -> Void
    ) throws(LogRingError) {
        guard let bytes = PrintkRing.requiredBytes(descriptorBits: descriptorBits, dataBits: dataBits) else {
            throw .invalidCapacity(1 << min(dataBits, 62))
        }
        guard let memory = allocate(bytes) else { throw .outOfMemory }
        do {
            ring = try PrintkRing(formatting: memory, descriptorBits: descriptorBits, dataBits: dataBits)
        } catch {
            deallocate(memory)
            throw error == .outOfMemory ? .outOfMemory : .invalidCapacity(1 << dataBits)
        }
        guard let handle = prb_ring_attach(memory.baseAddress, memory.count, nil) else {
            deallocate(memory)
            throw .outOfMemory
        }
        cHandle = handle
        self.memory = memory
        self.deallocate = deallocate
        capacityBytes = 1 << dataBits
        maxPayloadLength = ring.maxRecordSize - Self.checksumBytes
    }

    // Destroying a handle (this one, and the PrintkRing's after this body) never touches the
    // ring's memory.
    deinit {
        prb_ring_destroy(cHandle)
        deallocate(memory)
    }

    public var firstSeq: UInt64 { ring.firstSeq }
    public var nextSeq: UInt64 { ring.nextReserveSeq }

    @inlinable
    public func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata) throws(LogRingError) -> UInt64 {
        guard payload.count <= maxPayloadLength else {
            throw .recordTooLarge(size: payload.count, maximum: maxPayloadLength)
        }
        let payloadHash = LogChecksum.payloadHash(payload)
        let recordMetadata = RecordMetadata(
            level: LogLevel(rawValue: metadata.level), facility: metadata.facility, flags: metadata.flags,
            callerID: metadata.callerID, timestampNanoseconds: metadata.timestampNanoseconds)
        do {
            return try ring.write(capacity: Self.checksumBytes + payload.count, metadata: recordMetadata) { record in
                record.append(bytesOf: LogChecksum.seal(payloadHash, seq: record.seq).littleEndian)
                record.append(payload)
            }
        } catch {
            throw .ringFull  // noDescriptor or noSpace: the size was checked above
        }
    }

    /// Reads with a normal (not panic-mode) reader: it stops at the first record that is not
    /// finalized yet. The corresponding C function is `prb_read_valid`.
    public func read(from cursor: inout LogCursor, into buffer: UnsafeMutableRawBufferPointer) throws(LogRingError)
        -> LogRecordInfo?
    {
        // The text is checksum + payload: read it whole into a scratch buffer 8 bytes longer.
        let found: (seq: UInt64, info: prb_record_info, checksum: UInt64)? = withUnsafeTemporaryAllocation(
            byteCount: buffer.count + Self.checksumBytes, alignment: 8
        ) { text in
            var seq = cursor.seq
            var info = prb_record_info()
            guard prb_read_valid(cHandle, &seq, &info, text.baseAddress, text.count, false) else { return nil }
            let copied = min(Int(info.text_len), text.count) - Self.checksumBytes
            guard copied >= 0 else { return (seq, info, 0) }
            if copied > 0 {
                buffer.baseAddress!.copyMemory(from: text.baseAddress! + Self.checksumBytes, byteCount: copied)
            }
            return (seq, info, UInt64(littleEndian: text.loadUnaligned(as: UInt64.self)))
        }
        guard let found else { return nil }
        cursor.seq = found.seq + 1
        let textLength = Int(found.info.text_len)
        // Shorter than a checksum: not a record written through LogRing.
        guard textLength >= Self.checksumBytes else { throw .corrupt }
        let payloadLength = textLength - Self.checksumBytes
        let info = found.info
        return LogRecordInfo(
            seq: found.seq,
            metadata: LogMetadata(
                timestampNanoseconds: info.timestamp_ns, callerID: info.caller_id, level: info.level,
                facility: info.facility, flags: info.flags),
            checksum: found.checksum, payloadLength: payloadLength, copiedLength: min(payloadLength, buffer.count))
    }
}
