import CPrintkRing

extension PrintkRing {
    /// A record's metadata, as a reader saw it.
    public struct RecordInfo: Sendable, Hashable {
        /// The record's sequence number: 0 for the first record ever written, then one per record.
        public var seq: UInt64
        /// When the record was reserved, in nanoseconds on `CLOCK_MONOTONIC`.
        public var timestampNanoseconds: UInt64
        /// The record's severity.
        public var level: LogLevel
        /// The syslog facility its writer gave (0...255; the ring does not interpret it).
        public var facility: UInt8
        /// Eight bits of the writer's own (the ring does not interpret them).
        public var flags: UInt8
        /// Identifies the writer (a thread, a process, a CPU: the writer's choice).
        public var callerID: UInt32
        /// The length of the record's whole text (the copy may have been truncated).
        public var textLength: Int
        /// Device-info subsystem (at most 15 bytes), empty if none was set.
        public var subsystem: String
        /// Device-info device name (at most 47 bytes), empty if none was set.
        public var device: String

        init(_ info: prb_record_info) {
            seq = info.seq
            timestampNanoseconds = info.timestamp_ns
            level = LogLevel(rawValue: info.level)
            facility = info.facility
            flags = info.flags
            callerID = info.caller_id
            textLength = Int(info.text_len)
            // Most records carry no device info: their empty strings cost nothing to make or drop
            // (String(cString:) of an empty C string costs hundreds of instructions a record).
            var copy = info
            subsystem =
                info.subsystem.0 == 0
                ? "" : withUnsafeBytes(of: &copy.subsystem) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            device =
                info.device.0 == 0
                ? "" : withUnsafeBytes(of: &copy.device) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        }
    }
}

extension PrintkRing {
    /// A record as a reader copied it: its metadata and its text.
    public struct Record: Sendable, Hashable {
        /// The record's sequence number, metadata and whole text length.
        public var info: RecordInfo
        /// The text bytes (all of them unless ``isTruncated``).
        public var bytes: [UInt8]

        /// The record's sequence number.
        public var seq: UInt64 { info.seq }
        /// The text decoded as UTF-8 (invalid sequences replaced).
        public var text: String { String(decoding: bytes, as: UTF8.self) }
        /// True when the reader's buffer was smaller than the record's text.
        public var isTruncated: Bool { bytes.count < info.textLength }
    }
}

extension PrintkRing {
    /// Metadata a writer attaches to a record.
    public struct RecordMetadata: Sendable, Hashable {
        /// The record's severity.
        public var level: LogLevel
        /// A syslog facility (0...255; stored, not interpreted).
        public var facility: UInt8
        /// Eight bits of the writer's own (stored, not interpreted).
        public var flags: UInt8
        /// Identifies the writer; ``PrintkRing/extendLast(callerID:additionalCapacity:maxTotalSize:)``
        /// reopens only a record with the same caller id.
        public var callerID: UInt32
        /// Nanoseconds on `CLOCK_MONOTONIC` (``PrintkRing/now``), stored as given, 0 included; `nil`
        /// reads the clock at reservation.
        public var timestampNanoseconds: UInt64?

        /// Metadata for a record: by default an `info` record, stamped with the clock when it is
        /// reserved.
        @inlinable
        public init(
            level: LogLevel = .info, facility: UInt8 = 0, flags: UInt8 = 0, callerID: UInt32 = 0,
            timestampNanoseconds: UInt64? = nil
        ) {
            self.level = level
            self.facility = facility
            self.flags = flags
            self.callerID = callerID
            self.timestampNanoseconds = timestampNanoseconds
        }

        @inlinable
        var c: prb_meta {
            prb_meta(
                timestamp_ns: timestampNanoseconds ?? 0, caller_id: callerID, level: level.rawValue, facility: facility,
                flags: flags, has_timestamp: timestampNanoseconds == nil ? 0 : 1)
        }
    }
}
