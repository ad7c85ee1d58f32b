import BenchKit
import CBenchSupport
import CComparators
import CPrintkRing
import LogRings
import PrintkRing

// Every implementation as the benchmark drives it: a ring (created fresh for each run), a writer
// per thread and an optional reader. The hot loop is generic over these protocols and specialized
// per implementation: no existential, no closure, no allocation per write.

/// One thread's way of writing records.
protocol RingWriter: Sendable {
    /// Writes one self-verifying record (same metadata, timestamp and checksum for every
    /// implementation). Returns false when the ring refused it (full of records still being
    /// written); nothing else can fail here.
    mutating func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata) -> Bool
}

/// What a read found.
struct ReadRecord {
    var seq: UInt64
    /// The checksum over seq and payload matched.
    var intact: Bool
}

/// One thread's way of reading records in order.
protocol RingReader: Sendable {
    /// The next record, or nil when the reader has caught up (or the next record is still being
    /// written).
    mutating func next(into buffer: UnsafeMutableRawBufferPointer) -> ReadRecord?
}

/// A ring under test, alive for one run.
protocol BenchRing: AnyObject, Sendable {
    associatedtype Writer: RingWriter
    associatedtype Reader: RingReader
    func makeWriter() -> Writer
    /// nil when the implementation has no reader (fetch-add).
    func makeReader() -> Reader?
    /// Where the ring's memory is, for the report.
    var memoryDescription: String { get }
}

extension LogMetadata {
    @inline(__always) var lb: logring_meta {
        logring_meta(ts_nsec: timestampNanoseconds, caller_id: callerID, level: level, facility: facility, flags: flags)
    }

    @inline(__always) var prb: prb_meta {
        prb_meta(timestamp_ns: timestampNanoseconds, caller_id: callerID, level: level, facility: facility, flags: flags)
    }
}

// MARK: - Lockless ring memory

/// The lockless ring's region, allocated with libnuma where the run asked, formatted once per run.
/// The reader attaches its own handle to the same region (as another process would).
final class LocklessRegion: @unchecked Sendable {
    let memory: UnsafeMutableRawPointer
    let bytes: Int

    init(_ geometry: RingGeometry, node: Int) throws(BenchRunError) {
        bytes = prb_ring_required_bytes(UInt32(geometry.descBits), UInt32(geometry.dataBits))
        guard bytes > 0, let memory = bench_numa_alloc(bytes, Int32(node)) else {
            throw .ringCreation("lockless: cannot allocate \(bytes) bytes on node \(node)")
        }
        self.memory = memory
    }

    deinit { bench_numa_free(memory, bytes) }

    var description: String {
        let node = bench_numa_node_of_address(memory)
        return "lockless region, \(bytes) bytes, on node \(node >= 0 ? String(node) : "?")"
    }

    func attach() -> OpaquePointer? { prb_ring_attach(memory, bytes, nil) }
}

/// Reads the lockless ring through the C reader (`prb_read_valid`, normal mode) on an attached
/// handle: text is checksum (8 bytes, little-endian) + payload.
struct LocklessReader: @unchecked Sendable, RingReader {
    let handle: OpaquePointer
    var seq: UInt64 = 0

    mutating func next(into buffer: UnsafeMutableRawBufferPointer) -> ReadRecord? {
        var info = prb_record_info()
        var found = seq
        guard prb_read_valid(handle, &found, &info, buffer.baseAddress, buffer.count, false) else { return nil }
        seq = found + 1
        let length = Int(info.text_len)
        guard length >= 8, length <= buffer.count else { return ReadRecord(seq: found, intact: false) }
        let stored = UInt64(littleEndian: buffer.loadUnaligned(as: UInt64.self))
        let payload = UnsafeRawBufferPointer(rebasing: buffer[8..<length])
        return ReadRecord(seq: found, intact: LogChecksum.of(seq: found, payload: payload) == stored)
    }
}

// MARK: - Lockless through the Swift API

/// The lockless ring through the public Swift API of `PrintkRing`: the scoped in-place write
/// (`write(capacity: 8 + n) { append checksum; append payload }`, final when the closure returns).
final class LocklessSwiftRing: BenchRing, @unchecked Sendable {
    let region: LocklessRegion
    private(set) var ring: PrintkRing?
    let readerHandle: OpaquePointer

    init(_ geometry: RingGeometry, node: Int) throws(BenchRunError) {
        region = try LocklessRegion(geometry, node: node)
        do {
            ring = try PrintkRing(
                formatting: UnsafeMutableRawBufferPointer(start: region.memory, count: region.bytes),
                descriptorBits: geometry.descBits, dataBits: geometry.dataBits)
        } catch {
            throw .ringCreation("lockless: \(error)")
        }
        guard let handle = region.attach() else { throw .ringCreation("lockless: cannot attach a reader") }
        readerHandle = handle
    }

    deinit {
        prb_ring_destroy(readerHandle)
        ring = nil  // before the region goes
    }

    struct Writer: @unchecked Sendable, RingWriter {
        let ring: PrintkRing

        @inline(__always)
        mutating func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata) -> Bool {
            let payloadHash = LogChecksum.payloadHash(payload)
            let recordMetadata = RecordMetadata(
                level: LogLevel(rawValue: metadata.level), facility: metadata.facility, flags: metadata.flags,
                callerID: metadata.callerID, timestampNanoseconds: metadata.timestampNanoseconds)
            do {
                try ring.write(capacity: 8 + payload.count, metadata: recordMetadata) { record in
                    record.append(bytesOf: LogChecksum.seal(payloadHash, seq: record.seq).littleEndian)
                    record.append(payload)
                }
                return true
            } catch {
                return false
            }
        }
    }

    func makeWriter() -> Writer { Writer(ring: ring!) }
    func makeReader() -> LocklessReader? { LocklessReader(handle: readerHandle) }
    var memoryDescription: String { region.description }
}

// MARK: - Lockless through the C API

/// The lockless ring through its C API: each record is written by `bench_prb_write` (C:
/// `prb_reserve`, `prb_entry_append` x2, `prb_final_commit`, checksum inline in C), called from the
/// same Swift loop as every other implementation.
final class LocklessCRing: BenchRing, @unchecked Sendable {
    let region: LocklessRegion
    let handle: OpaquePointer
    let readerHandle: OpaquePointer

    init(_ geometry: RingGeometry, node: Int) throws(BenchRunError) {
        region = try LocklessRegion(geometry, node: node)
        var status = PRB_OK
        guard
            let ring = prb_ring_format(
                region.memory, region.bytes, UInt32(geometry.descBits), UInt32(geometry.dataBits), &status)
        else { throw .ringCreation("lockless: prb_ring_format: \(String(cString: prb_status_string(status)))") }
        handle = ring
        guard let reader = region.attach() else { throw .ringCreation("lockless: cannot attach a reader") }
        readerHandle = reader
    }

    deinit {
        prb_ring_destroy(readerHandle)
        prb_ring_destroy(handle)
    }

    struct Writer: @unchecked Sendable, RingWriter {
        let handle: OpaquePointer

        @inline(__always)
        mutating func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata) -> Bool {
            var meta = metadata.prb
            return bench_prb_write(handle, payload.baseAddress, payload.count, &meta) == 0
        }
    }

    func makeWriter() -> Writer { Writer(handle: handle) }
    func makeReader() -> LocklessReader? { LocklessReader(handle: readerHandle) }
    var memoryDescription: String { region.description }
}

// MARK: - The C comparators

/// The C functions of one logring_* comparator. Static requirements, so that `BaselineRing<Ops>` is
/// specialized per comparator and its writes are direct C calls.
protocol BaselineOps {
    static var kind: LogRingKind { get }
    static func create(_ capacity: Int) -> OpaquePointer?
    static func destroy(_ handle: OpaquePointer)
    static func write(
        _ handle: OpaquePointer, _ text: UnsafeRawPointer?, _ length: Int, _ meta: UnsafePointer<logring_meta>
    ) -> logring_status
    /// nil: no reader (fetch-add).
    static func read(
        _ handle: OpaquePointer, _ cursor: inout logring_cursor, _ buffer: UnsafeMutableRawBufferPointer,
        _ info: inout logring_record_info
    ) -> logring_status?
}

enum SpinlockOps: BaselineOps {
    static var kind: LogRingKind { .spinlock }
    static func create(_ capacity: Int) -> OpaquePointer? { spinlock_ring_create(capacity) }
    static func destroy(_ handle: OpaquePointer) { spinlock_ring_destroy(handle) }
    @inline(__always)
    static func write(_ h: OpaquePointer, _ t: UnsafeRawPointer?, _ n: Int, _ m: UnsafePointer<logring_meta>) -> logring_status {
        spinlock_ring_write(h, t, n, m, nil)
    }
    static func read(
        _ h: OpaquePointer, _ c: inout logring_cursor, _ b: UnsafeMutableRawBufferPointer, _ i: inout logring_record_info
    ) -> logring_status? { spinlock_ring_read(h, &c, b.baseAddress, b.count, &i) }
}

enum MutexOps: BaselineOps {
    static var kind: LogRingKind { .mutex }
    static func create(_ capacity: Int) -> OpaquePointer? { mutex_ring_create(capacity) }
    static func destroy(_ handle: OpaquePointer) { mutex_ring_destroy(handle) }
    @inline(__always)
    static func write(_ h: OpaquePointer, _ t: UnsafeRawPointer?, _ n: Int, _ m: UnsafePointer<logring_meta>) -> logring_status {
        mutex_ring_write(h, t, n, m, nil)
    }
    static func read(
        _ h: OpaquePointer, _ c: inout logring_cursor, _ b: UnsafeMutableRawBufferPointer, _ i: inout logring_record_info
    ) -> logring_status? { mutex_ring_read(h, &c, b.baseAddress, b.count, &i) }
}

enum SpinReserveOps: BaselineOps {
    static var kind: LogRingKind { .spinReserve }
    static func create(_ capacity: Int) -> OpaquePointer? { spin_reserve_ring_create(capacity) }
    static func destroy(_ handle: OpaquePointer) { spin_reserve_ring_destroy(handle) }
    @inline(__always)
    static func write(_ h: OpaquePointer, _ t: UnsafeRawPointer?, _ n: Int, _ m: UnsafePointer<logring_meta>) -> logring_status {
        spin_reserve_ring_write(h, t, n, m, nil)
    }
    static func read(
        _ h: OpaquePointer, _ c: inout logring_cursor, _ b: UnsafeMutableRawBufferPointer, _ i: inout logring_record_info
    ) -> logring_status? { spin_reserve_ring_read(h, &c, b.baseAddress, b.count, &i) }
}

enum FetchAddOps: BaselineOps {
    static var kind: LogRingKind { .fetchAdd }
    static func create(_ capacity: Int) -> OpaquePointer? { fetch_add_ring_create(capacity) }
    static func destroy(_ handle: OpaquePointer) { fetch_add_ring_destroy(handle) }
    @inline(__always)
    static func write(_ h: OpaquePointer, _ t: UnsafeRawPointer?, _ n: Int, _ m: UnsafePointer<logring_meta>) -> logring_status {
        fetch_add_ring_write(h, t, n, m, nil)
    }
    static func read(
        _ h: OpaquePointer, _ c: inout logring_cursor, _ b: UnsafeMutableRawBufferPointer, _ i: inout logring_record_info
    ) -> logring_status? { nil }
}

/// An logring_* comparator, driven through its C API (a direct call to `logring_*_write`, which hashes the
/// payload, takes its lock or reservation, and stores header, checksum and text).
final class BaselineRing<Ops: BaselineOps>: BenchRing, @unchecked Sendable {
    let handle: OpaquePointer

    init(_ geometry: RingGeometry) throws(BenchRunError) {
        guard let made = Ops.create(geometry.dataBytes) else {
            throw .ringCreation("\(Ops.kind): cannot create a \(geometry.dataBytes)-byte buffer")
        }
        handle = made
    }

    deinit { Ops.destroy(handle) }

    struct Writer: @unchecked Sendable, RingWriter {
        let handle: OpaquePointer

        @inline(__always)
        mutating func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata) -> Bool {
            var meta = metadata.lb
            return Ops.write(handle, payload.baseAddress, payload.count, &meta) == LOGRING_OK
        }
    }

    /// Reads with the comparator's own read function; the checksum is checked in Swift (bit for
    /// bit `logring_record_checksum`).
    struct Reader: @unchecked Sendable, RingReader {
        let handle: OpaquePointer
        var cursor = logring_cursor_at(0)

        mutating func next(into buffer: UnsafeMutableRawBufferPointer) -> ReadRecord? {
            var info = logring_record_info()
            guard Ops.read(handle, &cursor, buffer, &info) == LOGRING_OK else { return nil }
            let copied = UnsafeRawBufferPointer(rebasing: buffer[..<Int(info.copied_len)])
            let intact = !info.truncated && LogChecksum.of(seq: info.seq, payload: copied) == info.checksum
            return ReadRecord(seq: info.seq, intact: intact)
        }
    }

    func makeWriter() -> Writer { Writer(handle: handle) }
    func makeReader() -> Reader? { Ops.kind.hasReader ? Reader(handle: handle) : nil }
    var memoryDescription: String { "\(Ops.kind) buffer (logring_*_create), placed by the memory policy" }
}

// MARK: - The Swift Mutex ring

/// `SwiftMutexLogRing`, through its Swift API (`LogRing.write`, called on the concrete type).
final class SwiftMutexRing: BenchRing, @unchecked Sendable {
    let ring: SwiftMutexLogRing

    init(_ geometry: RingGeometry) throws(BenchRunError) {
        do {
            ring = try SwiftMutexLogRing(capacityBytes: geometry.dataBytes)
        } catch {
            throw .ringCreation("swift-mutex: \(error)")
        }
    }

    struct Writer: @unchecked Sendable, RingWriter {
        let ring: SwiftMutexLogRing

        @inline(__always)
        mutating func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata) -> Bool {
            (try? ring.write(payload, metadata: metadata)) != nil
        }
    }

    struct Reader: @unchecked Sendable, RingReader {
        let ring: SwiftMutexLogRing
        var cursor = LogCursor(seq: 0)

        mutating func next(into buffer: UnsafeMutableRawBufferPointer) -> ReadRecord? {
            guard let info = try? ring.read(from: &cursor, into: buffer) else { return nil }
            let copied = UnsafeRawBufferPointer(rebasing: buffer[..<info.copiedLength])
            return ReadRecord(seq: info.seq, intact: info.isIntact(copied))
        }
    }

    func makeWriter() -> Writer { Writer(ring: ring) }
    func makeReader() -> Reader? { Reader(ring: ring) }
    var memoryDescription: String { "swift-mutex [UInt8], placed by the memory policy" }
}

/// Why a run could not be made.
enum BenchRunError: Error, CustomStringConvertible {
    case ringCreation(String)
    case pinning(String)

    var description: String {
        switch self {
        case .ringCreation(let why): "cannot create the ring: \(why)"
        case .pinning(let why): "cannot pin a thread: \(why)"
        }
    }
}
