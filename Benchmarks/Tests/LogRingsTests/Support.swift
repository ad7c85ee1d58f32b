// Helpers shared by the LogRing tests: generic dispatch over the implementations, payloads that
// can be checked by content, and real threads.

import CPanicHarness
import Comparators
import Synchronization
import HarnessSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension LogRingKind: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}

/// The implementations that have a reader.
let readableKinds = LogRingKind.allCases.filter(\.hasReader)

/// On Linux, Synchronization.Mutex locks in the uninstrumented Swift runtime: ThreadSanitizer sees
/// none of its ordering and reports every access it protects, even in a two-thread counter. Tests
/// that share the Swift Mutex ring between threads are disabled under TSan (see
/// panic_built_with_thread_sanitizer).
let swiftMutexUnderTSan = panic_built_with_thread_sanitizer()
let swiftMutexTSanReason: Comment = "Synchronization.Mutex is invisible to ThreadSanitizer on Linux"

/// The payload panic_payload makes for (writer, index), `length` bytes long (8...240).
func payload(writer: UInt32, index: UInt32, length: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: Int(PANIC_PAYLOAD_MAX))
    let count = bytes.withUnsafeMutableBufferPointer { panic_payload(writer, index, length, $0.baseAddress) }
    return Array(bytes.prefix(count))
}

/// Metadata that differs from record to record (level within 3 bits: the comparators keep 3).
func metadata(_ n: Int) -> LogMetadata {
    LogMetadata(
        timestampNanoseconds: UInt64(1000 + n), callerID: UInt32(7 + n % 5), level: UInt8(n % 8),
        facility: UInt8(n % 24), flags: UInt8(n % 32))
}

/// Writes `bytes` and returns the seq.
@discardableResult
func write<R: LogRing>(_ ring: R, _ bytes: [UInt8], _ meta: LogMetadata = LogMetadata(timestampNanoseconds: 1))
    throws -> UInt64
{
    try bytes.withUnsafeBytes { try ring.write($0, metadata: meta) }
}

/// One read into a buffer of `bufferSize` bytes: the description and the bytes copied.
func read<R: LogRing>(_ ring: R, _ cursor: inout LogCursor, bufferSize: Int = 512) throws
    -> (info: LogRecordInfo, payload: [UInt8])?
{
    var buffer = [UInt8](repeating: 0, count: bufferSize)
    let info = try buffer.withUnsafeMutableBytes { try ring.read(from: &cursor, into: $0) }
    guard let info else { return nil }
    return (info, Array(buffer.prefix(info.copiedLength)))
}

/// Whether a record read back is intact.
func isIntact(_ info: LogRecordInfo, _ payload: [UInt8]) -> Bool {
    payload.withUnsafeBytes { info.isIntact($0) }
}

// Threads: startThread, join, StartLine (TestThreads).

