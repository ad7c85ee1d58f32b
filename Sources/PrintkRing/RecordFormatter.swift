extension PrintkRing {
    /// Renders records the way `dmesg` shows the kernel log, or as JSON lines: what `prb-dump`
    /// prints, for programs that want the same.
    ///
    /// The text form is `[seconds.micros] text`, the seconds right-aligned in five columns as dmesg
    /// does, optionally preceded by the level, caller id and seq:
    ///
    /// ```
    /// [    5.123456] eth0: link up
    /// <6>[    5.123456] [C4711] #17 eth0: link up        (showLevel, showCaller, showSeq)
    /// ```
    ///
    /// Bytes that are not printable UTF-8 (control characters, invalid sequences) are shown as
    /// `\xNN`, in both forms, so that binary records cannot disturb a terminal or a JSON parser.
    public struct RecordFormatter: Sendable, Hashable {
        /// Prefix each line with the level as `<N>` (like `dmesg --raw` does).
        public var showLevel: Bool
        /// Show the caller id as `[C<id>]`.
        public var showCaller: Bool
        /// Show the sequence number as `#<seq>`.
        public var showSeq: Bool

        /// A formatter; by default it shows the timestamp and the text only, as `dmesg` does.
        public init(showLevel: Bool = false, showCaller: Bool = false, showSeq: Bool = false) {
            self.showLevel = showLevel
            self.showCaller = showCaller
            self.showSeq = showSeq
        }

        /// The dmesg-style line for a record (no trailing newline).
        public func line(for record: Record) -> String {
            var line = ""
            if showLevel { line += "<\(record.info.level.rawValue)>" }
            line += Self.timestamp(record.info.timestampNanoseconds)
            if showCaller { line += " [C\(record.info.callerID)]" }
            if showSeq { line += " #\(record.seq)" }
            line += " "
            line += Self.escaped(record.bytes, forJSON: false)
            return line
        }

        /// One JSON object for a record: `seq`, `ts_nsec`, `level`, `facility`, `caller_id`, `text`,
        /// and `subsystem`, `device` when the record has device info.
        public static func json(for record: Record) -> String {
            let info = record.info
            var object =
                "{\"seq\":\(info.seq),\"ts_nsec\":\(info.timestampNanoseconds),\"level\":\(info.level.rawValue),"
                + "\"facility\":\(info.facility),\"caller_id\":\(info.callerID),\"text\":\"\(escaped(record.bytes, forJSON: true))\""
            if !info.subsystem.isEmpty { object += ",\"subsystem\":\"\(escaped(Array(info.subsystem.utf8), forJSON: true))\"" }
            if !info.device.isEmpty { object += ",\"device\":\"\(escaped(Array(info.device.utf8), forJSON: true))\"" }
            if record.isTruncated { object += ",\"text_len\":\(info.textLength)" }
            return object + "}"
        }

        /// The JSON line that reports a gap: `count` records from `fromSeq` on were lost (overwritten
        /// before they could be read, or never finished by their writer); `writerDied` names those
        /// known to have been taken over from a dead writer (``PrintkRing/lostReason(ofSeq:)``),
        /// as `"writer_died":[seqs]` when there are any.
        public static func json(lost count: UInt64, fromSeq: UInt64, writerDied: [UInt64] = []) -> String {
            let died = writerDied.isEmpty ? "" : ",\"writer_died\":[" + writerDied.map(String.init).joined(separator: ",") + "]"
            return "{\"lost\":\(count),\"from_seq\":\(fromSeq)\(died)}"
        }

        /// `[sssss.uuuuuu]`: seconds and microseconds, as dmesg prints them.
        public static func timestamp(_ nanoseconds: UInt64) -> String {
            let seconds = String(nanoseconds / 1_000_000_000)
            let micros = String((nanoseconds % 1_000_000_000) / 1_000)
            return "[" + String(repeating: " ", count: max(0, 5 - seconds.count)) + seconds + "."
                + String(repeating: "0", count: 6 - micros.count) + micros + "]"
        }

        /// The text with every byte that is not printable UTF-8 written as `\xNN`; for JSON also
        /// quotes and backslashes escaped.
        public static func escaped(_ bytes: [UInt8], forJSON: Bool) -> String {
            var out = ""
            out.reserveCapacity(bytes.count)
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte < 0x80 {
                    switch byte {
                    case 0x22 where forJSON: out += "\\\""
                    case 0x5c: out += forJSON ? "\\\\" : "\\"
                    case 0x09 where !forJSON: out += "\t"
                    case 0x20...0x7e: out.unicodeScalars.append(Unicode.Scalar(byte))
                    default: out += forJSON ? "\\\\x" + hex(byte) : "\\x" + hex(byte)
                    }
                    index += 1
                    continue
                }
                // A multi-byte sequence: kept if it is valid UTF-8 and printable, else byte by byte.
                let length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
                if length > 1, index + length <= bytes.count {
                    var decoder = UTF8()
                    var iterator = bytes[index..<index + length].makeIterator()
                    if case .scalarValue(let scalar) = decoder.decode(&iterator), scalar.value >= 0xa0,
                        scalar.utf8.count == length
                    {
                        out.unicodeScalars.append(scalar)
                        index += length
                        continue
                    }
                }
                out += forJSON ? "\\\\x" + hex(byte) : "\\x" + hex(byte)
                index += 1
            }
            return out
        }

        private static func hex(_ byte: UInt8) -> String {
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
        }
    }
}

extension Record: CustomStringConvertible {
    /// The dmesg-style line (``RecordFormatter/line(for:)`` with the default options).
    public var description: String { RecordFormatter().line(for: self) }
}
