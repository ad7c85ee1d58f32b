// What the ring tests write and read: self-checking payloads, metadata that varies, and one write
// and one read through LogRing, driven generically.

import CPanicHarness
import Comparators
import Testing

extension LogRingKind: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}

/// The implementations that have a reader.
public let readableKinds = LogRingKind.allCases.filter(\.hasReader)

/// On Linux, Synchronization.Mutex locks in the uninstrumented Swift runtime: ThreadSanitizer sees
/// none of its ordering and reports every access it protects, even in a two-thread counter. Tests
/// that share the Swift Mutex ring between threads are disabled under TSan (see
/// panic_built_with_thread_sanitizer).
public let swiftMutexUnderTSan = panic_built_with_thread_sanitizer()
public let swiftMutexTSanReason: Comment = "Synchronization.Mutex is invisible to ThreadSanitizer on Linux"

/// The payload panic_payload makes for (writer, index): it names both, and its content can be
/// checked (panic_payload_identify). `length` is clamped to 8...240.
public func payload(writer: UInt32, index: UInt32, length: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: Int(PANIC_PAYLOAD_MAX))
    let count = bytes.withUnsafeMutableBufferPointer { panic_payload(writer, index, length, $0.baseAddress) }
    return Array(bytes.prefix(count))
}

/// The writer and index a payload names, if it is exactly what ``payload(writer:index:length:)``
/// makes for them.
public func identify(_ payload: [UInt8]) -> (writer: UInt32, index: UInt32)? {
    var writer: UInt32 = 0
    var index: UInt32 = 0
    let known = payload.withUnsafeBufferPointer { panic_payload_identify($0.baseAddress, $0.count, &writer, &index) }
    return known ? (writer, index) : nil
}

/// A payload of exactly `length` bytes (any length, 0 included) that depends on `seed`.
public func filler(length: Int, seed: UInt64) -> [UInt8] {
    (0..<length).map { UInt8(truncatingIfNeeded: (UInt64($0) &* 31 &+ seed &* 17) % 251) }
}

/// Metadata that differs from record to record (level within 3 bits: the C comparators keep 3).
public func metadata(_ n: Int) -> LogMetadata {
    LogMetadata(
        timestampNanoseconds: UInt64(1000 + n), callerID: UInt32(7 + n % 5), level: UInt8(n % 8),
        facility: UInt8(n % 24), flags: UInt8(n % 32))
}

/// Writes `bytes` and returns the seq.
@discardableResult
public func write<R: LogRing>(_ ring: R, _ bytes: [UInt8], _ meta: LogMetadata = LogMetadata(timestampNanoseconds: 1))
    throws -> UInt64
{
    try bytes.withUnsafeBytes { try ring.write($0, metadata: meta) }
}

/// One read into a buffer of `bufferSize` bytes: the description and the bytes copied.
public func read<R: LogRing>(_ ring: R, _ cursor: inout LogCursor, bufferSize: Int = 512) throws
    -> (info: LogRecordInfo, payload: [UInt8])?
{
    var buffer = [UInt8](repeating: 0, count: bufferSize)
    let info = try buffer.withUnsafeMutableBytes { try ring.read(from: &cursor, into: $0) }
    guard let info else { return nil }
    return (info, Array(buffer.prefix(info.copiedLength)))
}

/// Whether a record read back is intact (``LogRecordInfo/isIntact(_:)``).
public func isIntact(_ info: LogRecordInfo, _ payload: [UInt8]) -> Bool {
    payload.withUnsafeBytes { info.isIntact($0) }
}
