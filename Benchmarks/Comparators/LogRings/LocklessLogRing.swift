import CPrintkRing

/// The lockless printk-style ring (`CPrintkRing`) as a ``LogRing``.
///
/// Writers never wait and readers never block them: see `prb.h`. A write fails only when the ring
/// has wrapped onto a record that is still being written (``LogRingError/ringFull``).
///
/// Record layout. The ring has no checksum field, and it assigns the seq only at reservation, so a
/// record is written in two phases: reserve room for 8 + n bytes, append the checksum over seq and
/// payload (little-endian), append the payload, final-commit (readers see the record at once).
/// `CPanicHarness` (`panic_write.c`) writes the same layout from C, for signal handlers, which cannot
/// run Swift.
///
/// It calls the C ring directly rather than going through `PrintkRing.reserve`: a `Reservation`
/// retains its ring, and a shared reference count would add an atomic read-modify-write on one
/// cache line to every write, which is exactly what a lockless writer avoids.
///
/// Sizes: `capacityBytes` is rounded down to a power of two (the text ring), at least 256; the
/// descriptor ring gets one descriptor per 32 bytes of text, the kernel's default ratio.
public final class LocklessLogRing: LogRing, @unchecked Sendable {
    /// The C ring (`prb_ring *`). Immutable after init.
    package let handle: OpaquePointer
    public let capacityBytes: Int
    public let maxPayloadLength: Int

    /// Bytes of checksum in front of the payload in every record's text.
    static let checksumBytes = 8

    public static var kind: LogRingKind { .lockless }

    public init(capacityBytes: Int) throws(LogRingError) {
        guard capacityBytes >= 256 else { throw .invalidCapacity(capacityBytes) }
        let dataBits = min(Int(PRB_DATA_BITS_MAX), Int.bitWidth - 1 - capacityBytes.leadingZeroBitCount)
        let descBits = max(Int(PRB_DESC_BITS_MIN), dataBits - 5)
        var status = PRB_OK
        guard let ring = prb_ring_create(UInt32(descBits), UInt32(dataBits), &status) else {
            throw status == PRB_E_NO_MEMORY ? .outOfMemory : .invalidCapacity(capacityBytes)
        }
        handle = ring
        self.capacityBytes = 1 << dataBits
        maxPayloadLength = prb_max_text_size(ring) - Self.checksumBytes
    }

    deinit { prb_ring_destroy(handle) }

    public var nextSeq: UInt64 { prb_next_reserve_seq(handle) }

    public func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata) throws(LogRingError) -> UInt64 {
        guard payload.count <= maxPayloadLength else {
            throw .recordTooLarge(size: payload.count, maximum: maxPayloadLength)
        }
        let payloadHash = LogChecksum.payloadHash(payload)
        var meta = prb_meta(
            timestamp_ns: metadata.timestampNanoseconds, caller_id: metadata.callerID, level: metadata.level,
            facility: metadata.facility, flags: metadata.flags)
        var entry = prb_entry()
        let status = prb_reserve(handle, &entry, Self.checksumBytes + payload.count, &meta)
        guard status == PRB_OK else { throw .ringFull }
        var checksum = LogChecksum.seal(payloadHash, seq: entry.seq).littleEndian
        _ = withUnsafeBytes(of: &checksum) { prb_entry_append(&entry, $0.baseAddress, $0.count) }
        _ = prb_entry_append(&entry, payload.baseAddress, payload.count)
        _ = prb_final_commit(&entry)
        return entry.seq
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
            guard prb_read_valid(handle, &seq, &info, text.baseAddress, text.count, false) else { return nil }
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
