// Shared helpers: a uniform wrapper over the three readable baselines, record payloads that can
// be checked by content, real threads, and a handshake for them.

import CComparators
import Synchronization
import HarnessSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The baselines that have a reader.
enum Kind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case spin, mutex, resv

    var testDescription: String { rawValue }
}

/// One buffer of any readable kind. Each method maps to one C call.
final class Buffer: @unchecked Sendable {
    let kind: Kind
    let handle: OpaquePointer
    let capacity: Int

    init(_ kind: Kind, capacity: Int) {
        let handle: OpaquePointer? =
            switch kind {
            case .spin: spinlock_ring_create(capacity)
            case .mutex: mutex_ring_create(capacity)
            case .resv: spin_reserve_ring_create(capacity)
            }
        self.kind = kind
        self.handle = handle!
        self.capacity = capacity
    }

    deinit {
        switch kind {
        case .spin: spinlock_ring_destroy(handle)
        case .mutex: mutex_ring_destroy(handle)
        case .resv: spin_reserve_ring_destroy(handle)
        }
    }

    var maxTextLen: Int { logring_max_text_len(capacity) }

    func write(_ text: [UInt8], _ meta: logring_meta) -> (status: logring_status, seq: UInt64) {
        var meta = meta
        var seq: UInt64 = .max
        let status = text.withUnsafeBytes { bytes in
            switch kind {
            case .spin: spinlock_ring_write(handle, bytes.baseAddress, bytes.count, &meta, &seq)
            case .mutex: mutex_ring_write(handle, bytes.baseAddress, bytes.count, &meta, &seq)
            case .resv: spin_reserve_ring_write(handle, bytes.baseAddress, bytes.count, &meta, &seq)
            }
        }
        return (status, seq)
    }

    /// Reads into a buffer of `bufferSize` bytes; `text` is the part copied.
    func read(_ cursor: inout logring_cursor, bufferSize: Int = 1024)
        -> (status: logring_status, info: logring_record_info, text: [UInt8])
    {
        var info = logring_record_info()
        var buf = [UInt8](repeating: 0, count: bufferSize)
        let status = buf.withUnsafeMutableBytes { bytes in
            switch kind {
            case .spin: spinlock_ring_read(handle, &cursor, bytes.baseAddress, bytes.count, &info)
            case .mutex: mutex_ring_read(handle, &cursor, bytes.baseAddress, bytes.count, &info)
            case .resv: spin_reserve_ring_read(handle, &cursor, bytes.baseAddress, bytes.count, &info)
            }
        }
        let copied = status == LOGRING_OK ? Int(info.copied_len) : 0
        return (status, info, Array(buf.prefix(copied)))
    }

    var firstSeq: UInt64 {
        switch kind {
        case .spin: spinlock_ring_first_seq(handle)
        case .mutex: mutex_ring_first_seq(handle)
        case .resv: spin_reserve_ring_first_seq(handle)
        }
    }

    var nextSeq: UInt64 {
        switch kind {
        case .spin: spinlock_ring_next_seq(handle)
        case .mutex: mutex_ring_next_seq(handle)
        case .resv: spin_reserve_ring_next_seq(handle)
        }
    }
}

func makeMeta(caller: UInt32, ts: UInt64, level: UInt8 = 6, facility: UInt8 = 1, flags: UInt8 = 0)
    -> logring_meta
{
    logring_meta(ts_nsec: ts, caller_id: caller, level: level, facility: facility, flags: flags)
}

/// The text writer `writer` gives its record number `n`: self-describing, of varied length, at
/// most `maxLen` bytes. A reader rebuilds it from (caller id, timestamp) to check content.
func payload(writer: UInt32, n: UInt64, maxLen: Int) -> [UInt8] {
    var bytes = Array("w\(writer)#\(n):".utf8)
    let extra = Int((n &* 7 &+ UInt64(writer) &* 13) % 97)
    for i in 0..<extra {
        bytes.append(UInt8(ascii: "a") + UInt8((i + Int(n % 26)) % 26))
    }
    return Array(bytes.prefix(maxLen))
}

/// A text of exactly `length` bytes that depends on `seed`.
func filler(length: Int, seed: UInt64) -> [UInt8] {
    (0..<length).map { UInt8(truncatingIfNeeded: (UInt64($0) &* 31 &+ seed &* 17) % 251) }
}

/// The checksum recomputed over a copied text.
func checksumMatches(_ info: logring_record_info, _ text: [UInt8]) -> Bool {
    text.withUnsafeBytes { logring_record_checksum(info.seq, $0.baseAddress, $0.count) } == info.checksum
}

/// Stress size: short by default, long with LOGRING_STRESS_RECORDS=<records per writer>.
let stressRecordsPerWriter: Int = {
    if let value = getenv("LOGRING_STRESS_RECORDS"), let n = Int(String(cString: value)), n > 0 {
        return n
    }
    return 5_000
}()

/// Lets a raw pointer cross into a thread; the tests keep the pointee alive until join.
struct SendablePointer: @unchecked Sendable {
    let raw: OpaquePointer
}
