import ArgumentParser
import BenchKit
import CCallgrind
import CComparators
import Comparators
import HarnessSupport
import PrintkRing

// The loops `prb-bench cost` counts: `prb-bench cost-loop` runs one of them, under callgrind,
// with collection on (cost_collect_start/stop) around the measured part only. Each loop is generic
// over LogRing and called once per concrete ring type, so that it is specialized.

/// Runs one implementation's write or read loop; prints `records N`, how many it measured.
struct CostLoop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost-loop",
        abstract: "One measured loop of `prb-bench cost` (run under valgrind by it).",
        shouldDisplay: false)

    @Option var impl: String
    @Option var api = "c"
    @Option var path = "write"
    @Option var records = 100_000
    @Option var recordSize = 64
    @Option var descBits = RingGeometry.kernelDefault.descBits
    @Option var dataBits = RingGeometry.kernelDefault.dataBits

    func run() throws {
        // glibc skips the lock prefix of its mutexes while a process has only ever had one
        // thread; every run of the benchmark has several. One thread, started and joined, makes
        // the counts those of a multi-threaded process.
        OSThread {}.join()
        let geometry = RingGeometry(descBits: descBits, dataBits: dataBits)
        var payload = [UInt8](repeating: 0, count: recordSize)
        for index in payload.indices { payload[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 0x20) }
        let measured = try payload.withUnsafeBytes { payload in
            let loop = CostLoopRun(payload: payload, records: records, geometry: geometry)
            switch (impl, api, path) {
            case (CostSubject.baseline, "c", "write"): return loop.baselineWrites(CChecksum.self)
            case (CostSubject.baseline, _, "write"): return loop.baselineWrites(SwiftChecksum.self)
            case (CostSubject.baseline, _, _): return loop.baselineReads()
            case ("lockless", "swift", "read"): return try loop.swiftAPIReads(locklessRing(geometry, node: 0))
            case ("lockless", "swift", _): return try loop.run(locklessRing(geometry, node: 0), path: path)
            case ("lockless", _, _):
                return try loop.run(LocklessRingThroughC(locklessRing(geometry, node: 0)), path: path)
            case ("spinlock", _, _): return try loop.run(makeRing(SpinlockRing.self, geometry).0, path: path)
            case ("mutex", _, _): return try loop.run(makeRing(MutexRing.self, geometry).0, path: path)
            case ("spin-reserve", _, _): return try loop.run(makeRing(SpinReserveRing.self, geometry).0, path: path)
            case ("fetch-add", _, _): return try loop.run(makeRing(FetchAddRing.self, geometry).0, path: path)
            case ("swift-mutex", _, _): return try loop.run(makeRing(SwiftMutexRing.self, geometry).0, path: path)
            default: throw ValidationError("no cost loop for \(impl)/\(api) \(path)")
            }
        }
        print("records \(measured)")
    }
}

/// The measured loops of one `cost-loop` run.
struct CostLoopRun {
    var payload: UnsafeRawBufferPointer
    var records: Int
    var geometry: RingGeometry

    /// Records written before anything is counted: enough to wrap both the text (8 bytes of
    /// checksum and a payload, at least 16 bytes a record) and the descriptors twice, so that every
    /// measured write makes room by dropping the oldest record (steady state).
    var warmUp: Int { 2 * max(1 << geometry.descBits, geometry.dataBytes / 16) }

    func run<Ring: LogRing>(_ ring: Ring, path: String) -> Int {
        _ = costWrites(ring, payload: payload, count: warmUp)
        if path == "write" {
            cost_collect_start()
            let written = costWrites(ring, payload: payload, count: records)
            cost_collect_stop()
            return written
        }
        // Read: drain the full ring, refill it (not counted), until enough records were read.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: payload.count, alignment: 8)
        defer { buffer.deallocate() }
        var read = 0
        while read < records {
            var cursor = LogCursor(seq: ring.firstSeq)
            cost_collect_start()
            let drained = costReads(ring, from: &cursor, into: buffer)
            cost_collect_stop()
            guard drained.read > 0, drained.intact == drained.read else { return 0 }
            read += drained.read
            _ = costWrites(ring, payload: payload, count: warmUp)
        }
        return read
    }

    /// The lockless ring's read path through the product's Swift API, which ``LogRing`` does not
    /// use: a `PrintkRing` reader attached to the ring's memory copies each record into a buffer
    /// of the caller's (`next(into:)`, which allocates nothing), and the checksum is checked.
    func swiftAPIReads(_ ring: LocklessRing) throws -> Int {
        let reading = try PrintkRing(attachingTo: ring.memory)
        let text = UnsafeMutableRawBufferPointer.allocate(byteCount: 8 + payload.count, alignment: 8)
        defer { text.deallocate() }
        _ = costWrites(ring, payload: payload, count: warmUp)
        var read = 0
        while read < records {
            let reader = reading.reader(from: ring.firstSeq)
            cost_collect_start()
            let drained = costSwiftAPIReads(reader, into: text)
            cost_collect_stop()
            guard drained.read > 0, drained.intact == drained.read else { return 0 }
            read += drained.read
            _ = costWrites(ring, payload: payload, count: warmUp)
        }
        return read
    }

    /// The no-ring baseline of the write path: the same per-record work as a write (clock,
    /// metadata, payload hash, seal, an 8-byte-aligned slot written with the header, checksum and
    /// payload), into a buffer as large as the rings'. The checksum is computed as the rings of
    /// that API compute it: in Swift (``LogChecksum``) or in C (`logring_checksum_*`).
    func baselineWrites<Checksum: BaselineChecksum>(_: Checksum.Type) -> Int {
        let slots = UnsafeMutableRawBufferPointer.allocate(byteCount: geometry.dataBytes, alignment: 64)
        defer { slots.deallocate() }
        _ = costBaselineWrites(Checksum.self, into: slots, payload: payload, count: warmUp)
        cost_collect_start()
        let written = costBaselineWrites(Checksum.self, into: slots, payload: payload, count: records)
        cost_collect_stop()
        return written
    }

    /// The no-ring baseline of the read path: the same per-record work as a read (header and
    /// checksum loaded, payload copied out, checksum checked in Swift as every reader here checks
    /// it), from slots the baseline wrote.
    func baselineReads() -> Int {
        let slots = UnsafeMutableRawBufferPointer.allocate(byteCount: geometry.dataBytes, alignment: 64)
        defer { slots.deallocate() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: payload.count, alignment: 8)
        defer { buffer.deallocate() }
        let perRing = costBaselineWrites(
            SwiftChecksum.self, into: slots, payload: payload, count: geometry.dataBytes / slotStride(payload))
        var read = 0
        while read < records {
            cost_collect_start()
            let intact = costBaselineReads(from: slots, count: perRing, into: buffer)
            cost_collect_stop()
            guard intact == perRing else { return 0 }
            read += perRing
        }
        return read
    }
}

/// The write loop: what `writerLoop` does per record (clock, metadata, write), without its
/// tallies, latency samples and stop flag.
@inline(never)
func costWrites<Ring: LogRing>(_ ring: Ring, payload: UnsafeRawBufferPointer, count: Int) -> Int {
    var written = 0
    for _ in 0..<count {
        let metadata = LogMetadata(timestampNanoseconds: monotonicNanoseconds(), callerID: 1, level: 6)
        do {
            _ = try ring.write(payload, metadata: metadata)
            written &+= 1
        } catch {}
    }
    return written
}

/// The read loop: what `readerLoop` does per record (read, check), until the ring has nothing more.
@inline(never)
func costReads<Ring: LogRing>(_ ring: Ring, from cursor: inout LogCursor, into buffer: UnsafeMutableRawBufferPointer)
    -> (read: Int, intact: Int)
{
    var read = 0
    var intact = 0
    while let record = try? ring.read(from: &cursor, into: buffer) {
        read &+= 1
        if record.isIntact(UnsafeRawBufferPointer(rebasing: buffer[..<record.copiedLength])) { intact &+= 1 }
    }
    return (read, intact)
}

/// The read loop through `PrintkRing`'s reader: each record's text is the checksum (8 bytes,
/// little-endian) and the payload (``LocklessRing``'s layout).
@inline(never)
func costSwiftAPIReads(_ reader: Reader, into text: UnsafeMutableRawBufferPointer) -> (read: Int, intact: Int) {
    var read = 0
    var intact = 0
    while let (info, copied) = reader.next(into: text) {
        read &+= 1
        guard copied == info.textLength, copied >= 8 else { continue }
        let checksum = UInt64(littleEndian: text.loadUnaligned(as: UInt64.self))
        let payload = UnsafeRawBufferPointer(rebasing: text[8..<copied])
        if LogChecksum.of(seq: info.seq, payload: payload) == checksum { intact &+= 1 }
    }
    return (read, intact)
}

/// A baseline slot: 16 bytes of header (timestamp, caller id, level), 8 of checksum, the payload,
/// padded to 8 bytes.
func slotStride(_ payload: UnsafeRawBufferPointer) -> Int { 24 + (payload.count + 7) & ~7 }

/// The record checksum as the writers of one API compute it.
protocol BaselineChecksum {
    static func of(_ payload: UnsafeRawBufferPointer, seq: UInt64) -> UInt64
}

/// ``LogChecksum``: the Swift writers' (lockless through the Swift API, swift-mutex).
enum SwiftChecksum: BaselineChecksum {
    @inline(__always)
    static func of(_ payload: UnsafeRawBufferPointer, seq: UInt64) -> UInt64 {
        LogChecksum.seal(LogChecksum.payloadHash(payload), seq: seq)
    }
}

/// `logring_checksum_payload` and `logring_checksum_seal` (inline C): the C writers' (the
/// comparators, lockless through the C API).
enum CChecksum: BaselineChecksum {
    @inline(__always)
    static func of(_ payload: UnsafeRawBufferPointer, seq: UInt64) -> UInt64 {
        logring_checksum_seal(logring_checksum_payload(payload.baseAddress, payload.count), seq)
    }
}

@inline(never)
func costBaselineWrites<Checksum: BaselineChecksum>(
    _: Checksum.Type, into slots: UnsafeMutableRawBufferPointer, payload: UnsafeRawBufferPointer, count: Int
) -> Int {
    let stride = slotStride(payload)
    var offset = 0
    var seq: UInt64 = 0
    for _ in 0..<count {
        let metadata = LogMetadata(timestampNanoseconds: monotonicNanoseconds(), callerID: 1, level: 6)
        let checksum = Checksum.of(payload, seq: seq)
        slots.storeBytes(of: metadata.timestampNanoseconds, toByteOffset: offset, as: UInt64.self)
        slots.storeBytes(of: metadata.callerID, toByteOffset: offset + 8, as: UInt32.self)
        slots.storeBytes(of: metadata.level, toByteOffset: offset + 12, as: UInt8.self)
        slots.storeBytes(of: checksum.littleEndian, toByteOffset: offset + 16, as: UInt64.self)
        (slots.baseAddress! + offset + 24).copyMemory(from: payload.baseAddress!, byteCount: payload.count)
        seq &+= 1
        offset += stride
        if offset + stride > slots.count { offset = 0 }
    }
    return count
}

/// Reads `count` slots from the start (their seqs are 0, 1, ...): header and checksum loaded,
/// payload copied into `buffer`, checksum checked. Returns how many were intact.
@inline(never)
func costBaselineReads(
    from slots: UnsafeMutableRawBufferPointer, count: Int, into buffer: UnsafeMutableRawBufferPointer
) -> Int {
    let stride = slotStride(UnsafeRawBufferPointer(buffer))
    var intact = 0
    var offset = 0
    for seq in 0..<UInt64(count) {
        let metadata = LogMetadata(
            timestampNanoseconds: slots.load(fromByteOffset: offset, as: UInt64.self),
            callerID: slots.load(fromByteOffset: offset + 8, as: UInt32.self),
            level: slots.load(fromByteOffset: offset + 12, as: UInt8.self))
        let checksum = UInt64(littleEndian: slots.load(fromByteOffset: offset + 16, as: UInt64.self))
        buffer.baseAddress!.copyMemory(from: slots.baseAddress! + offset + 24, byteCount: buffer.count)
        let record = LogRecordInfo(
            seq: seq, metadata: metadata, checksum: checksum, payloadLength: buffer.count, copiedLength: buffer.count)
        if record.isIntact(UnsafeRawBufferPointer(buffer)) { intact &+= 1 }
        offset += stride
    }
    return intact
}
