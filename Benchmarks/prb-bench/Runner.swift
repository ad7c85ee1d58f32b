import BenchKit
import CAllocationCounter
import CBenchSupport
import HarnessSupport
import Histogram
import Comparators
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// An implementation as one column of results: which ring, through which API.
struct Variant: Hashable, Sendable, CustomStringConvertible {
    var kind: LogRingKind
    /// "swift" or "c".
    var api: String

    /// The variants of the given implementations: lockless twice (Swift API, C API), the C
    /// comparators through C, swift-mutex through Swift.
    static func of(_ kinds: [LogRingKind]) -> [Variant] {
        kinds.flatMap { kind -> [Variant] in
            switch kind {
            case .lockless: [Variant(kind: kind, api: "swift"), Variant(kind: kind, api: "c")]
            case .swiftMutex: [Variant(kind: kind, api: "swift")]
            default: [Variant(kind: kind, api: "c")]
            }
        }
    }

    var description: String { "\(kind)/\(api)" }
}

/// One point of a sweep.
struct Point: Hashable, Sendable {
    var writers: Int
    var readers: Int
    var recordSize: RecordSize
    var geometry: RingGeometry
}

/// What one run of one variant at one point measured.
struct RunResult {
    var seconds: Double
    var records: UInt64 = 0
    var attempts: UInt64 = 0
    var failed: UInt64 = 0
    var bytes: UInt64 = 0
    var readerRecords: UInt64 = 0
    var readerLost: UInt64 = 0
    var readerTorn: UInt64 = 0
    /// Allocations counted in writer 0's thread, and its attempts.
    var allocations: UInt64 = 0
    var allocationWindow: UInt64 = 0
    var histogram: Histogram<UInt64>
    /// "thread -> CPU (node)" for the report; mismatches found by sched_getcpu.
    var placement: [String] = []
    var misplaced: Int = 0
    var memory: String = ""
}

/// The start barrier and the stop flag of one run.
final class RunControl: Sendable {
    let ready = Atomic<Int>(0)
    let go = Atomic<Bool>(false)
    let stop = Atomic<Bool>(false)
}

/// Latency samples: one write in `sampleEvery` (chosen by the writer's random generator, so not in step
/// with anything periodic in the ring) is timed; the clock read that stamps the record is its
/// start, one more clock read after the write its end.
let sampleEvery: UInt64 = 64

/// Histograms cover 1 ns ... 100 s with 3 significant digits.
func makeHistogram() -> Histogram<UInt64> {
    Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 100_000_000_000, numberOfSignificantValueDigits: .three)
}

/// What one writer thread counted.
struct WriterTally {
    var records: UInt64 = 0
    var attempts: UInt64 = 0
    var failed: UInt64 = 0
    var bytes: UInt64 = 0
    var allocations: UInt64 = 0
    var cpu: Int32 = -1
    var histogram = makeHistogram()
}

/// The writer's hot loop, specialized per implementation. Every write: a timestamp from
/// `monotonicNanoseconds()`, the same metadata, the write (which hashes the payload and seals it
/// with the seq); a refused write is counted and followed by `sched_yield()` (the same policy for
/// every implementation: a writer that found the ring full lets the thread that holds the oldest
/// record run).
@inline(never)
func writerLoop<Ring: LogRing>(
    _ ring: Ring, id: Int, recordSize: RecordSize, control: RunControl, countAllocations: Bool
) -> WriterTally {
    var tally = WriterTally()
    var payload = [UInt8](repeating: 0, count: max(recordSize.maxBytes, 1))
    for index in payload.indices { payload[index] = UInt8(truncatingIfNeeded: index &* 31 &+ id &* 7 &+ 0x20) }
    var random = SplitMix64(seed: UInt64(id + 1) &* 0x2545_f491_4f6c_dd1d)
    let fixedSize: Int? = if case .fixed(let bytes) = recordSize { bytes } else { nil }
    let callerID = UInt32(id)

    control.ready.add(1, ordering: .releasing)
    while !control.go.load(ordering: .acquiring) { sched_yield() }
    if countAllocations { allocation_counter_start() }

    payload.withUnsafeBytes { bytes in
        while !control.stop.load(ordering: .relaxed) {
            let draw = random.next()
            let size = fixedSize ?? (RecordSize.randomRange.lowerBound + Int(draw % 127))
            let start = monotonicNanoseconds()
            let metadata = LogMetadata(timestampNanoseconds: start, callerID: callerID, level: 6)
            let written: Bool
            do {
                _ = try ring.write(UnsafeRawBufferPointer(rebasing: bytes[..<size]), metadata: metadata)
                written = true
            } catch {
                written = false
            }
            tally.attempts &+= 1
            if written {
                if (draw >> 40) % sampleEvery == 0 {
                    _ = tally.histogram.record(monotonicNanoseconds() &- start)
                }
                tally.records &+= 1
                tally.bytes &+= UInt64(size)
            } else {
                tally.failed &+= 1
                sched_yield()
            }
        }
    }
    if countAllocations { tally.allocations = allocation_counter_stop() }
    tally.cpu = bench_current_cpu()
    return tally
}

/// What the reader counted.
struct ReaderTally {
    var records: UInt64 = 0
    var lost: UInt64 = 0
    var torn: UInt64 = 0
    var cpu: Int32 = -1
}

/// The reader: reads continuously, counts records, gaps in seq (lost) and torn records. When it
/// has caught up it sleeps (never spins on the record a writer is filling), and it sleeps long
/// enough to wake up well behind the writers: it then reads lines they are done with, instead of
/// the lines they are writing, whose every read takes them away from a writer. 5 ms for a ring of
/// 2^16 descriptors or more (which holds at least 5 ms of writes even at 13 M records/s), less in
/// proportion for smaller rings. Measured here with one writer on the default ring: a 1 ms sleep
/// cost the writer 35-50% of its rate, 5 ms none; the reader kept up in both (0 lost).
@inline(never)
func readerLoop<Ring: LogRing>(
    _ ring: Ring, bufferBytes: Int, caughtUpPauseNanoseconds: Int, control: RunControl
) -> ReaderTally {
    var tally = ReaderTally()
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferBytes, alignment: 8)
    defer { buffer.deallocate() }
    var expected: UInt64 = 0
    var cursor = LogCursor()
    control.ready.add(1, ordering: .releasing)
    while !control.go.load(ordering: .acquiring) { sched_yield() }
    while !control.stop.load(ordering: .relaxed) {
        // An error (a header that makes no sense; never expected) reads as nothing new.
        if let record = try? ring.read(from: &cursor, into: buffer) {
            if record.seq > expected { tally.lost &+= record.seq - expected }
            expected = record.seq + 1
            tally.records &+= 1
            if !record.isIntact(UnsafeRawBufferPointer(rebasing: buffer[..<record.copiedLength])) { tally.torn &+= 1 }
        } else {
            var pause = timespec(tv_sec: 0, tv_nsec: caughtUpPauseNanoseconds)
            nanosleep(&pause, nil)
        }
    }
    tally.cpu = bench_current_cpu()
    return tally
}

/// Runs one variant at one point for `seconds`: threads pinned round-robin over `cpus` (writers
/// first, then the reader), all released together by the start barrier.
func runOnce<Ring: LogRing>(
    _ ring: Ring, memory: String, point: Point, cpus: [Int], seconds: Double, topology: Topology
) throws(BenchRunError) -> RunResult {
    let control = RunControl()
    let threads = point.writers + (point.readers > 0 ? 1 : 0)
    let placement = topology.placement(threads: threads, on: CPUList(cpus))
    let pinned = Atomic<Int>(0)
    var writerSlots: [JoinedValue<WriterTally>] = []
    var joinables: [OSThread] = []
    for id in 0..<point.writers {
        let slot = JoinedValue<WriterTally>()
        writerSlots.append(slot)
        let cpu = placement[id]
        let recordSize = point.recordSize
        joinables.append(
            OSThread {
                if pinCurrentThread(to: cpu) { pinned.add(1, ordering: .relaxed) }
                slot.value = writerLoop(
                    ring, id: id, recordSize: recordSize, control: control, countAllocations: id == 0)
            })
    }
    let readerSlot = JoinedValue<ReaderTally>()
    // 5 ms at 2^16 descriptors and more, in proportion below (at least 20 us): see readerLoop.
    let readerPause = max(20_000, 5_000_000 >> max(0, 16 - point.geometry.descBits))
    if point.readers > 0, Ring.kind.hasReader {
        let cpu = placement[point.writers]
        joinables.append(
            OSThread {
                if pinCurrentThread(to: cpu) { pinned.add(1, ordering: .relaxed) }
                readerSlot.value = readerLoop(
                    ring, bufferBytes: 8 + 8192, caughtUpPauseNanoseconds: readerPause, control: control)
            })
    }
    let started = joinables.count
    while control.ready.load(ordering: .acquiring) < started { sched_yield() }
    let begin = monotonicNanoseconds()
    control.go.store(true, ordering: .releasing)
    var pause = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
    var remaining = timespec()
    while nanosleep(&pause, &remaining) != 0 { pause = remaining }
    control.stop.store(true, ordering: .relaxed)
    let end = monotonicNanoseconds()
    for thread in joinables { thread.join() }

    var result = RunResult(seconds: Double(end - begin) / 1e9, histogram: makeHistogram())
    for (id, slot) in writerSlots.enumerated() {
        guard let tally = slot.value else { continue }
        result.records += tally.records
        result.attempts += tally.attempts
        result.failed += tally.failed
        result.bytes += tally.bytes
        result.histogram.add(tally.histogram)
        if id == 0 {
            result.allocations = tally.allocations
            result.allocationWindow = tally.attempts
        }
        if Int(tally.cpu) != placement[id] { result.misplaced += 1 }
        result.placement.append("writer \(id) -> CPU \(tally.cpu) (node \(topology.nodeOfCPU[Int(tally.cpu)] ?? 0))")
    }
    if let tally = readerSlot.value {
        result.readerRecords = tally.records
        result.readerLost = tally.lost
        result.readerTorn = tally.torn
        if Int(tally.cpu) != placement[point.writers] { result.misplaced += 1 }
        result.placement.append("reader -> CPU \(tally.cpu) (node \(topology.nodeOfCPU[Int(tally.cpu)] ?? 0))")
    }
    if pinned.load(ordering: .relaxed) < started {
        throw .pinning("\(started - pinned.load(ordering: .relaxed)) thread(s) could not be pinned to \(placement)")
    }
    result.memory = memory
    return result
}

/// Creates a fresh ring of `variant` and runs it once. One call of `runOnce` per concrete ring
/// type, so that each is specialized (a ring opened from an existential would be driven through
/// its witness table).
func runVariant(
    _ variant: Variant, point: Point, cpus: [Int], seconds: Double, topology: Topology, node: Int
) throws(BenchRunError) -> RunResult {
    let geometry = point.geometry
    switch (variant.kind, variant.api) {
    case (.lockless, "swift"):
        let ring = try locklessRing(geometry, node: node)
        return try runOnce(
            ring, memory: locklessMemoryDescription(ring), point: point, cpus: cpus, seconds: seconds,
            topology: topology)
    case (.lockless, _):
        let ring = try locklessRing(geometry, node: node)
        return try runOnce(
            LocklessRingThroughC(ring), memory: locklessMemoryDescription(ring), point: point, cpus: cpus,
            seconds: seconds, topology: topology)
    case (.spinlock, _):
        let (ring, memory) = try makeRing(SpinlockRing.self, geometry)
        return try runOnce(ring, memory: memory, point: point, cpus: cpus, seconds: seconds, topology: topology)
    case (.mutex, _):
        let (ring, memory) = try makeRing(MutexRing.self, geometry)
        return try runOnce(ring, memory: memory, point: point, cpus: cpus, seconds: seconds, topology: topology)
    case (.spinReserve, _):
        let (ring, memory) = try makeRing(SpinReserveRing.self, geometry)
        return try runOnce(ring, memory: memory, point: point, cpus: cpus, seconds: seconds, topology: topology)
    case (.fetchAdd, _):
        let (ring, memory) = try makeRing(FetchAddRing.self, geometry)
        return try runOnce(ring, memory: memory, point: point, cpus: cpus, seconds: seconds, topology: topology)
    case (.swiftMutex, _):
        let (ring, memory) = try makeRing(SwiftMutexRing.self, geometry)
        return try runOnce(ring, memory: memory, point: point, cpus: cpus, seconds: seconds, topology: topology)
    }
}
