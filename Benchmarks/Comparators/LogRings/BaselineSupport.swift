import CLogBaselines

// What the four C comparators (CLogBaselines) share on the Swift side: metadata and record
// conversion, and the mapping of their status codes.

extension LogMetadata {
    @usableFromInline
    var lb: lb_meta {
        lb_meta(
            ts_nsec: timestampNanoseconds, caller_id: callerID, level: level, facility: facility, flags: flags)
    }
}

extension LogRecordInfo {
    init(_ info: lb_record_info) {
        self.init(
            seq: info.seq,
            metadata: LogMetadata(
                timestampNanoseconds: info.ts_nsec, callerID: info.caller_id, level: info.level,
                facility: info.facility, flags: info.flags),
            checksum: info.checksum, payloadLength: Int(info.text_len), copiedLength: Int(info.copied_len))
    }
}

extension LogRingError {
    /// The error for a failed lb_* write or read.
    static func from(_ status: lb_status, size: Int, maximum: Int) -> LogRingError {
        switch status {
        case LB_E_TOO_LARGE: .recordTooLarge(size: size, maximum: maximum)
        case LB_E_NO_SPACE: .ringFull
        case LB_E_LOCK_UNAVAILABLE: .lockUnavailable
        default: .corrupt
        }
    }
}

/// Validates a capacity for the lb_* comparators: what lb_*_create accepts.
func baselineCapacity(_ capacityBytes: Int) throws(LogRingError) -> Int {
    let rounded = capacityBytes & ~7
    guard rounded >= Int(LB_CAPACITY_MIN), rounded <= Int(LB_CAPACITY_MAX) else {
        throw .invalidCapacity(capacityBytes)
    }
    return rounded
}

/// One lb_*_read call into a Swift buffer.
@inline(__always)
func baselineRead(
    _ cursor: inout LogCursor, _ buffer: UnsafeMutableRawBufferPointer,
    _ read: (inout lb_cursor, UnsafeMutableRawPointer?, Int, inout lb_record_info) -> lb_status
) throws(LogRingError) -> LogRecordInfo? {
    var c = lb_cursor(seq: cursor.seq, hint: cursor.hint)
    var info = lb_record_info()
    let status = read(&c, buffer.baseAddress, buffer.count, &info)
    switch status {
    case LB_OK:
        cursor = LogCursor(seq: c.seq)
        cursor.hint = c.hint
        return LogRecordInfo(info)
    case LB_E_NO_RECORD:
        return nil
    default:
        throw .corrupt
    }
}
