import CComparators

// What the four C comparators (CComparators) share on the Swift side: metadata and record
// conversion, and the mapping of their status codes.

extension LogMetadata {
    @usableFromInline
    var lb: logring_meta {
        logring_meta(
            ts_nsec: timestampNanoseconds, caller_id: callerID, level: level, facility: facility, flags: flags)
    }
}

extension LogRecordInfo {
    init(_ info: logring_record_info) {
        self.init(
            seq: info.seq,
            metadata: LogMetadata(
                timestampNanoseconds: info.ts_nsec, callerID: info.caller_id, level: info.level,
                facility: info.facility, flags: info.flags),
            checksum: info.checksum, payloadLength: Int(info.text_len), copiedLength: Int(info.copied_len))
    }
}

extension LogRingError {
    /// The error for a failed logring_* write or read.
    static func from(_ status: logring_status, size: Int, maximum: Int) -> LogRingError {
        switch status {
        case LOGRING_E_TOO_LARGE: .recordTooLarge(size: size, maximum: maximum)
        case LOGRING_E_NO_SPACE: .ringFull
        case LOGRING_E_LOCK_UNAVAILABLE: .lockUnavailable
        default: .corrupt
        }
    }
}

/// Validates a capacity for the logring_* comparators: what logring_*_create accepts.
func baselineCapacity(_ capacityBytes: Int) throws(LogRingError) -> Int {
    let rounded = capacityBytes & ~7
    guard rounded >= Int(LOGRING_CAPACITY_MIN), rounded <= Int(LOGRING_CAPACITY_MAX) else {
        throw .invalidCapacity(capacityBytes)
    }
    return rounded
}

/// One logring_*_read call into a Swift buffer.
@inline(__always)
func baselineRead(
    _ cursor: inout LogCursor, _ buffer: UnsafeMutableRawBufferPointer,
    _ read: (inout logring_cursor, UnsafeMutableRawPointer?, Int, inout logring_record_info) -> logring_status
) throws(LogRingError) -> LogRecordInfo? {
    var c = logring_cursor(seq: cursor.seq, hint: cursor.hint)
    var info = logring_record_info()
    let status = read(&c, buffer.baseAddress, buffer.count, &info)
    switch status {
    case LOGRING_OK:
        cursor = LogCursor(seq: c.seq)
        cursor.hint = c.hint
        return LogRecordInfo(info)
    case LOGRING_E_NO_RECORD:
        return nil
    default:
        throw .corrupt
    }
}
