/// The checksum every record carries: a word-at-a-time 64-bit hash of the payload, sealed with the
/// record's seq. Bit for bit the C comparators' `logring_record_checksum` (`logring_checksum_payload` and
/// `logring_checksum_seal` in `comparators.h`, where the definition is written out), so a record
/// written by any implementation checks out the same way.
///
/// It is split in two so that a writer can hash its payload before it knows its seq (the
/// expensive part, outside any lock or reservation) and seal the hash once it has one. It costs
/// about 5 cycles per 8 bytes: a checksum against torn and misplaced records, not a cryptographic
/// hash.
public enum LogChecksum {
    @usableFromInline static let seed: UInt64 = 0x243f_6a88_85a3_08d3
    @usableFromInline static let k1: UInt64 = 0x9e37_79b1_85eb_ca87
    @usableFromInline static let k2: UInt64 = 0xc2b2_ae3d_27d4_eb4f
    @usableFromInline static let k3: UInt64 = 0x1656_67b1_9e37_79f9
    @usableFromInline static let f1: UInt64 = 0xff51_afd7_ed55_8ccd
    @usableFromInline static let f2: UInt64 = 0xc4ce_b9fe_1a85_ec53

    /// One round: `rotl(hash + word * k2, 31) * k1` (`logring_checksum_round`).
    @inlinable @inline(__always)
    static func round(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        let mixed = hash &+ word &* k2
        return ((mixed << 31) | (mixed >> 33)) &* k1
    }

    /// The first phase: the payload's hash, over its length and its 8-byte little-endian words (the
    /// last one zero-filled). The corresponding C function is `logring_checksum_payload`.
    @inlinable
    public static func payloadHash(_ payload: UnsafeRawBufferPointer) -> UInt64 {
        let count = payload.count
        var hash = seed ^ (UInt64(truncatingIfNeeded: count) &* k3)
        var offset = 0
        while offset + 8 <= count {
            let word = UInt64(littleEndian: payload.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            hash = round(hash, word)
            offset += 8
        }
        if offset < count {
            var word: UInt64 = 0
            for index in 0..<(count - offset) {
                word |= UInt64(payload[offset + index]) << UInt64(8 * index)
            }
            hash = round(hash, word)
        }
        return hash
    }

    /// The second phase: one more round with `seq`, then an avalanche; the result is the checksum.
    /// The corresponding C function is `logring_checksum_seal`.
    @inlinable
    public static func seal(_ payloadHash: UInt64, seq: UInt64) -> UInt64 {
        var hash = round(payloadHash, seq)
        hash ^= hash >> 33
        hash = hash &* f1
        hash ^= hash >> 33
        hash = hash &* f2
        hash ^= hash >> 33
        return hash
    }

    /// The checksum of a record.
    @inlinable
    public static func of(seq: UInt64, payload: UnsafeRawBufferPointer) -> UInt64 {
        seal(payloadHash(payload), seq: seq)
    }
}
