// The records the multi-process tests write: each says who wrote it and its place in that
// writer's sequence, and carries a checksum of both and of its payload, so that a torn record, a
// record from the wrong writer or a record out of its writer's order is detected from its text.

/// One self-checking line: `W:C:L:PAYLOAD:SUM`, where W is the writer id, C the writer's counter
/// (from 0), L the payload's length, PAYLOAD lowercase letters derived from (W, C), and SUM the
/// FNV-1a 64-bit hash of everything before the last colon, in 16 hex digits.
public struct SelfCheckingLine: Hashable, Sendable {
    public var writer: Int
    public var counter: Int

    public init(writer: Int, counter: Int) {
        self.writer = writer
        self.counter = counter
    }

    /// The payload length of this line: from 0 to `maxPayload`, varying from line to line so
    /// that blocks of every size meet the end of a small text ring.
    public func payloadLength(maxPayload: Int) -> Int {
        Int(Self.mix(UInt64(writer) &* 0x1_0000_0001 &+ UInt64(counter)) % UInt64(maxPayload + 1))
    }

    /// The line's text (no newline).
    public func text(maxPayload: Int) -> String {
        let length = payloadLength(maxPayload: maxPayload)
        let body = "\(writer):\(counter):\(length):" + payload(length: length)
        return body + ":" + Self.hex(Self.fnv1a(body.utf8))
    }

    /// The line a record's text holds, or nil if the text does not check (torn, damaged, or not
    /// a self-checking line at all).
    public init?(checking text: String) {
        guard let lastColon = text.lastIndex(of: ":") else { return nil }
        let body = text[..<lastColon]
        guard text[text.index(after: lastColon)...] == Self.hex(Self.fnv1a(body.utf8)) else { return nil }
        let fields = body.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 4, let writer = Int(fields[0]), let counter = Int(fields[1]), let length = Int(fields[2]),
            writer >= 0, counter >= 0
        else { return nil }
        self.init(writer: writer, counter: counter)
        guard fields[3] == payload(length: length) else { return nil }
    }

    private func payload(length: Int) -> String {
        var state = UInt64(writer) << 32 ^ UInt64(counter) ^ 0x5eed
        var letters = [UInt8]()
        letters.reserveCapacity(length)
        for _ in 0..<length {
            state = Self.mix(state)
            letters.append(UInt8(ascii: "a") + UInt8(state % 26))
        }
        return String(decoding: letters, as: UTF8.self)
    }

    /// SplitMix64's finalizer: a cheap, well-spread function of its input.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func fnv1a<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
