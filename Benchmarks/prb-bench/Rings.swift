import BenchKit
import CBenchSupport
import CComparators
import CPrintkRing
import Comparators

// The rings as the benchmark makes them: every implementation is a `LogRing` (Comparators), created
// fresh for each run and driven by the generic loops in Runner.swift. What is particular to the
// benchmark is where the lockless ring's memory goes (libnuma), and the api=c rows.

/// A comparator or the Swift Mutex ring for one run (its memory comes from the thread's memory
/// policy), and how the report describes where it is.
func makeRing<Ring: LogRing>(_: Ring.Type, _ geometry: RingGeometry) throws(BenchRunError) -> (Ring, memory: String) {
    do {
        let ring = try Ring(capacityBytes: geometry.dataBytes)
        let memory =
            Ring.kind == .swiftMutex
            ? "swift-mutex [UInt8], placed by the memory policy"
            : "\(Ring.kind) buffer (logring_*_create), placed by the memory policy"
        return (ring, memory)
    } catch {
        throw .ringCreation("\(Ring.kind): \(error)")
    }
}

/// The lockless ring in memory that libnuma allocates on `node` (interleaved when negative).
func locklessRing(_ geometry: RingGeometry, node: Int) throws(BenchRunError) -> LocklessRing {
    do {
        return try LocklessRing(
            descriptorBits: geometry.descBits, dataBits: geometry.dataBits,
            allocate: { bytes in
                bench_numa_alloc(bytes, Int32(node)).map { UnsafeMutableRawBufferPointer(start: $0, count: bytes) }
            },
            deallocate: { bench_numa_free($0.baseAddress, $0.count) })
    } catch {
        throw .ringCreation("lockless: \(error) (\(geometry.descBits) descriptor bits, \(geometry.dataBits) data bits, node \(node))")
    }
}

func locklessMemoryDescription(_ ring: LocklessRing) -> String {
    let node = bench_numa_node_of_address(ring.memory.baseAddress)
    return "lockless region, \(ring.memory.count) bytes, on node \(node >= 0 ? String(node) : "?")"
}

/// The lockless ring written through its C API: the benchmark's api=c rows, and the one place the
/// benchmark writes around the Swift API. Each write is `lockless_record_write` (C, inlined: the
/// payload hash, `prb_reserve`, the checksum and payload appended, `prb_final_commit`) on the
/// ring's C handle; everything else is the ``LocklessRing``'s.
final class LocklessRingThroughC: LogRing, @unchecked Sendable {
    let ring: LocklessRing
    let handle: OpaquePointer

    init(_ ring: LocklessRing) {
        self.ring = ring
        handle = ring.cHandle!
    }

    convenience init(capacityBytes: Int) throws(LogRingError) {
        self.init(try LocklessRing(capacityBytes: capacityBytes))
    }

    static var kind: LogRingKind { .lockless }
    var capacityBytes: Int { ring.capacityBytes }
    var maxPayloadLength: Int { ring.maxPayloadLength }
    var firstSeq: UInt64 { ring.firstSeq }
    var nextSeq: UInt64 { ring.nextSeq }
    var cHandle: OpaquePointer? { handle }

    @inline(__always)
    func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata) throws(LogRingError) -> UInt64 {
        var meta = prb_meta(
            timestamp_ns: metadata.timestampNanoseconds, caller_id: metadata.callerID, level: metadata.level,
            facility: metadata.facility, flags: metadata.flags, has_timestamp: 0)
        var seq: UInt64 = 0
        guard lockless_record_write(handle, payload.baseAddress, payload.count, &meta, true, &seq) == PRB_OK else {
            throw .ringFull
        }
        return seq
    }

    func read(from cursor: inout LogCursor, into buffer: UnsafeMutableRawBufferPointer) throws(LogRingError)
        -> LogRecordInfo?
    {
        try ring.read(from: &cursor, into: buffer)
    }
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
