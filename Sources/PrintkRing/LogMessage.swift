#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension PrintkRing {
    /// A log message built by string interpolation without allocating, for
    /// ``PrintkRing/log(_:level:facility:callerID:)``:
    ///
    /// ```swift
    /// try ring.log("disk \(n) at \(celsius, precision: 1) °C", level: .warning)
    /// ```
    ///
    /// The literal pieces and each interpolated value are formatted straight into a fixed buffer of
    /// ``capacity`` bytes inside the value (on the stack): integers in decimal (or `hex:`), floating
    /// point with a fixed number of decimals, strings as UTF-8, booleans as `true`/`false`. A message
    /// longer than the buffer is cut at a character boundary and ``isTruncated`` says so. Nothing here
    /// allocates or takes a lock, so a message may be built in a signal handler (as long as the
    /// interpolated values are native strings or numbers).
    public struct LogMessage: ExpressibleByStringInterpolation, Sendable {
        /// The most bytes a message holds.
        public static let capacity = 256

        @usableFromInline
        var storage: InlineArray<256, UInt8> = InlineArray(repeating: 0)
        /// Bytes of UTF-8 text in the buffer.
        public private(set) var count = 0
        /// Some of the message did not fit in ``capacity`` bytes.
        public private(set) var isTruncated = false

        /// A message of literal text only.
        public init(stringLiteral literal: StaticString) {
            append(literal)
        }

        /// A message of one character.
        public init(unicodeScalarLiteral literal: StaticString) {
            append(literal)
        }

        /// A message of one character.
        public init(extendedGraphemeClusterLiteral literal: StaticString) {
            append(literal)
        }

        /// The message an interpolated literal built.
        public init(stringInterpolation: StringInterpolation) {
            self = stringInterpolation.message
        }

        init() {}

        /// The message's bytes, valid inside `body`.
        public func withUTF8<Result, Failure: Error>(
            _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
        ) throws(Failure) -> Result {
            var copy = storage
            let count = self.count
            return try withUnsafeBytes(of: &copy) { (bytes) throws(Failure) -> Result in
                try body(UnsafeRawBufferPointer(rebasing: bytes[..<count]))
            }
        }

        /// The message as a `String` (allocates; for display and tests).
        public var text: String { withUTF8 { String(decoding: $0, as: UTF8.self) } }

        mutating func append(_ literal: StaticString) {
            if literal.hasPointerRepresentation {
                append(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
            } else {
                // A literal of one Unicode scalar is stored as the scalar, not as bytes.
                UTF8.encode(literal.unicodeScalar) { append(byte: $0) }
            }
        }

        mutating func append(_ bytes: UnsafeRawBufferPointer) {
            guard !isTruncated else { return }
            var take = Swift.min(bytes.count, Self.capacity - count)
            if take < bytes.count {
                isTruncated = true
                // Cut before a UTF-8 continuation byte, never inside a character.
                while take > 0 && bytes[take] & 0xc0 == 0x80 { take -= 1 }
            }
            let start = count
            withUnsafeMutableBytes(of: &storage) { buffer in
                for index in 0..<take { buffer[start + index] = bytes[index] }
            }
            count += take
        }

        mutating func append(_ string: String) {
            var string = string
            string.withUTF8 { append(UnsafeRawBufferPointer($0)) }
        }

        mutating func append(byte: UInt8) {
            withUnsafeBytes(of: byte) { append($0) }
        }

        /// The digits of `value` in `radix` (at most 64 of them), most significant first.
        mutating func append(magnitude value: UInt64, negative: Bool, radix: UInt64 = 10) {
            var digits: InlineArray<65, UInt8> = InlineArray(repeating: 0)
            var index = 65
            var rest = value
            repeat {
                index -= 1
                let digit = UInt8(rest % radix)
                digits[index] = digit < 10 ? 0x30 + digit : 0x61 + digit - 10
                rest /= radix
            } while rest > 0
            if negative {
                index -= 1
                digits[index] = 0x2d
            }
            let first = index
            withUnsafeBytes(of: &digits) { append(UnsafeRawBufferPointer(rebasing: $0[first..<65])) }
        }

        /// The string-interpolation builder: each `\(…)` of a ``LogMessage`` literal is one of these
        /// `appendInterpolation` calls.
        public struct StringInterpolation: StringInterpolationProtocol, Sendable {
            public typealias StringLiteralType = StaticString

            var message = LogMessage()

            public init(literalCapacity: Int, interpolationCount: Int) {}

            public mutating func appendLiteral(_ literal: StaticString) {
                message.append(literal)
            }

            /// An integer, in decimal.
            public mutating func appendInterpolation<Value: BinaryInteger>(_ value: Value) {
                message.append(
                    magnitude: UInt64(truncatingIfNeeded: value.magnitude), negative: Value.isSigned && value < 0)
            }

            /// An integer, in hexadecimal with a `0x` prefix.
            public mutating func appendInterpolation<Value: BinaryInteger>(hex value: Value) {
                message.append("0x")
                message.append(magnitude: UInt64(truncatingIfNeeded: value), negative: false, radix: 16)
            }

            /// A floating-point number with `precision` decimals (0...9), rounded; very large or very
            /// small magnitudes in exponent form (`1.25e+21`).
            public mutating func appendInterpolation(_ value: Double, precision: Int = 2) {
                message.append(value, precision: Swift.max(0, Swift.min(precision, 9)))
            }

            /// A `Float`, as a `Double`.
            public mutating func appendInterpolation(_ value: Float, precision: Int = 2) {
                appendInterpolation(Double(value), precision: precision)
            }

            /// A string's UTF-8 bytes (a native string is copied from its own storage).
            public mutating func appendInterpolation(_ value: String) {
                message.append(value)
            }

            /// A static string's bytes.
            public mutating func appendInterpolation(_ value: StaticString) {
                message.append(value)
            }

            /// `true` or `false`.
            public mutating func appendInterpolation(_ value: Bool) {
                message.append(value ? "true" : "false")
            }
        }
    }
}

extension LogMessage {
    mutating func append(_ value: Double, precision: Int) {
        if value.isNaN { return append("nan") }
        if value.isInfinite { return append(value < 0 ? "-inf" : "inf") }
        let magnitude = Swift.abs(value)
        var scale: UInt64 = 1
        for _ in 0..<precision { scale *= 10 }
        // Fixed notation while the scaled value fits in 64 bits; exponent form beyond.
        if magnitude * Double(scale) < 9.0e18, magnitude >= 1e-4 || magnitude == 0 || precision > 4 {
            let scaled = (magnitude * Double(scale)).rounded()
            let whole = UInt64(scaled)
            append(magnitude: whole / scale, negative: value < 0 && scaled != 0)
            if precision > 0 {
                append(byte: 0x2e)
                appendPadded(whole % scale, digits: precision)
            }
            return
        }
        var exponent = Int(floor(log10(magnitude)))
        var mantissa = magnitude / pow(10, Double(exponent))
        if mantissa >= 10 {
            mantissa /= 10
            exponent += 1
        }
        append(mantissa * (value < 0 ? -1 : 1), precision: Swift.max(precision, 2))
        append(byte: 0x65)  // e
        append(byte: exponent < 0 ? 0x2d : 0x2b)
        if Swift.abs(exponent) < 10 { append(byte: 0x30) }
        append(magnitude: UInt64(Swift.abs(exponent)), negative: false)
    }

    /// `value` in decimal with leading zeros to `digits` digits.
    mutating func appendPadded(_ value: UInt64, digits: Int) {
        var width = 1
        var rest = value / 10
        while rest > 0 {
            width += 1
            rest /= 10
        }
        for _ in width..<Swift.max(width, digits) { append(byte: 0x30) }
        append(magnitude: value, negative: false)
    }
}

extension PrintkRing {
    /// Writes a message built by string interpolation, allocating nothing (see ``LogMessage``),
    /// and returns its sequence number.
    ///
    /// The corresponding C function is `prb_write`.
    @discardableResult
    public func log(
        _ message: LogMessage, level: LogLevel = .info, facility: UInt8 = 0, callerID: UInt32 = 0
    ) throws(PrintkRingError) -> UInt64 {
        try log(message, metadata: RecordMetadata(level: level, facility: facility, callerID: callerID))
    }

    /// ``log(_:level:facility:callerID:)`` with full metadata.
    @discardableResult
    public func log(_ message: LogMessage, metadata: RecordMetadata) throws(PrintkRingError) -> UInt64 {
        try message.withUTF8 { (bytes) throws(PrintkRingError) -> UInt64 in try write(bytes, metadata: metadata) }
    }
}
