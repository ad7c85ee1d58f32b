/// The checksum every record carries: 64-bit FNV-1a over the payload bytes, then over the 8 bytes
/// of the seq, least significant first. The same function as the C comparators'
/// `lb_record_checksum`, so a record written by any implementation checks out the same way.
///
/// It is split in two so that a writer can hash its payload before it knows its seq (the
/// expensive part, outside any lock or reservation) and seal the hash once it has one.
public enum LogChecksum {
    @usableFromInline static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    @usableFromInline static let prime: UInt64 = 0x100_0000_01b3

    /// FNV-1a over the payload: the first half.
    @inlinable
    public static func payloadHash(_ payload: UnsafeRawBufferPointer) -> UInt64 {
        var hash = offsetBasis
        for byte in payload {
            hash = (hash ^ UInt64(byte)) &* prime
        }
        return hash
    }

    /// Continues `payloadHash` over the 8 bytes of `seq`: the checksum.
    @inlinable
    public static func seal(_ payloadHash: UInt64, seq: UInt64) -> UInt64 {
        var hash = payloadHash
        for shift in stride(from: 0, to: 64, by: 8) {
            hash = (hash ^ ((seq >> UInt64(shift)) & 0xff)) &* prime
        }
        return hash
    }

    /// The checksum of a record.
    @inlinable
    public static func of(seq: UInt64, payload: UnsafeRawBufferPointer) -> UInt64 {
        seal(payloadHash(payload), seq: seq)
    }
}
