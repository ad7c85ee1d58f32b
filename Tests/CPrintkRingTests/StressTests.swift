// Multi-writer stress tests in the spirit of the kernel's KUnit test
// (kernel/printk/printk_ringbuffer_kunit_test.c): one writer thread per CPU writes as fast as it
// can while one reader thread checks every record it gets.
//
// Every record verifies itself. Its text is one or more chunks; each chunk carries the record's
// seq (as the reservation returned it), the writer index, the writer's counter, its own index and
// length, a fill pattern, and a 64-bit FNV-1a checksum over all of that. A reader can therefore
// tell a torn, stale or mixed record from a good one without knowing what was written, and the
// per-writer counters tell it whether records came back out of order or twice.
//
// The test fails on any torn, duplicated or out-of-order record, and on accounting that does not
// add up once the writers have stopped: every seq below nextSeq was read or counted lost, and every
// seq handed out belongs to a successful write or a no-space failure.
//
// Each variant runs for about 2 seconds; PRB_STRESS_SECONDS=<seconds> makes it run longer, and
// PRB_STRESS_SEED=<n> replays a variant's random choices (thread interleavings differ anyway).
// A thread that does not finish within a minute of the run's end fails the test, naming it.

import Foundation
import PrintkRing
import Synchronization
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite(.serialized, .concurrent, .timeLimit(StressEnvironment.timeLimit)) struct StressTests {
    /// (a) The KUnit geometry, 256 descriptors and 8 KiB of text, with records of up to 128 bytes
    /// reserved, filled in pieces and randomly committed or finalized.
    @Test func kunitGeometry() {
        runStress(
            StressVariant(name: "kunit-geometry", descriptorBits: 8, dataBits: 13, api: .twoPhase, sizes: .upTo128))
    }

    /// (b) A small ring (64 descriptors, 4 KiB of text) with records of any size up to the largest,
    /// exactly the largest included: one record may fill half the text ring, and blocks wrap at
    /// ever-changing positions.
    @Test func largeRecordsOnASmallRing() {
        runStress(
            StressVariant(name: "large-records", descriptorBits: 6, dataBits: 12, api: .twoPhase, sizes: .upToMax))
    }

    /// (c) The one-call write API. The seq cannot be embedded before the record is written, so the
    /// reader checks seq order from the record info only.
    @Test func oneCallWrite() {
        runStress(
            StressVariant(name: "one-call-write", descriptorBits: 8, dataBits: 13, api: .oneCall, sizes: .upTo128))
    }

    /// (d) Continuation lines: a writer commits (not final) and then extends its record with
    /// `extendLast`, chunk by chunk, racing the other writers whose reservations end its chance.
    @Test func continuationLines() {
        runStress(
            StressVariant(name: "continuation", descriptorBits: 8, dataBits: 13, api: .continuation, sizes: .upTo128))
    }
}

// MARK: - Variants

private struct StressVariant: Sendable {
    enum API: Sendable {
        /// `reserve`, `append` in pieces, then `commit()` or `finalize()`.
        case twoPhase
        /// `write(_:metadata:)`.
        case oneCall
        /// `reserve`, `commit()`, then up to three `extendLast` of one chunk each.
        case continuation
    }

    enum Sizes: Sendable {
        /// Uniform in header size ... 128 bytes (the KUnit test uses 2 ... 128).
        case upTo128
        /// Half small (header ... 128), three eighths anything up to the maximum, one eighth exactly
        /// the maximum.
        case upToMax
    }

    var name: String
    var descriptorBits: Int
    var dataBits: Int
    var api: API
    var sizes: Sizes

    /// Chunks of a continuation record (the first plus up to three extensions).
    static let maxChunks = 4
    /// Size range of one continuation chunk; maxChunks of them stay far below the record limit.
    static let continuationChunkSizes = RecordChunk.headerSize...96
}

private enum StressEnvironment {
    static var seconds: Double {
        ProcessInfo.processInfo.environment["PRB_STRESS_SECONDS"].flatMap(Double.init) ?? 2
    }

    /// How long the test waits for its threads after the run's deadline.
    static let grace: Duration = .seconds(45)

    /// The run, the grace period, and slack, in whole minutes (one for the default run).
    static var timeLimit: TimeLimitTrait.Duration {
        .minutes(Int(((seconds + 60) / 60).rounded(.up)))
    }

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["PRB_STRESS_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0...UInt64.max)
    }
}

// MARK: - The self-checking record format

/// One self-checking chunk. A record is one chunk, or several for continuation lines.
///
///     offset  size  field
///          0     8  FNV-1a 64 over bytes 8 ..< length (seq, header fields and fill)
///          8     8  seq from the reservation, or `RecordChunk.noSeq` for the one-call API
///         16     4  writer index
///         20     2  chunk index within the record
///         22     2  chunk length, header included
///         24     8  the writer's counter: 0, 1, 2, ... over its successful writes
///         32     -  fill bytes, a function of counter, writer and offset
///
/// All fields are little-endian.
private enum RecordChunk {
    static let headerSize = 32
    static let noSeq = UInt64.max

    struct Header: Equatable {
        var seq: UInt64
        var writer: UInt32
        var index: UInt16
        var length: Int
        var counter: UInt64
    }

    /// Fills `chunk` (its whole length) as chunk `index` of the record.
    static func encode(
        _ chunk: UnsafeMutableRawBufferPointer, seq: UInt64, writer: UInt32, counter: UInt64, index: UInt16
    ) {
        precondition(chunk.count >= headerSize && chunk.count <= Int(UInt16.max))
        chunk.storeBytes(of: seq.littleEndian, toByteOffset: 8, as: UInt64.self)
        chunk.storeBytes(of: writer.littleEndian, toByteOffset: 16, as: UInt32.self)
        chunk.storeBytes(of: index.littleEndian, toByteOffset: 20, as: UInt16.self)
        chunk.storeBytes(of: UInt16(chunk.count).littleEndian, toByteOffset: 22, as: UInt16.self)
        chunk.storeBytes(of: counter.littleEndian, toByteOffset: 24, as: UInt64.self)
        for offset in headerSize..<chunk.count {
            chunk[offset] = fill(offset: offset, writer: writer, counter: counter)
        }
        chunk.storeBytes(of: checksum(UnsafeRawBufferPointer(chunk)).littleEndian, toByteOffset: 0, as: UInt64.self)
    }

    static func fill(offset: Int, writer: UInt32, counter: UInt64) -> UInt8 {
        UInt8(truncatingIfNeeded: counter &* 131 &+ UInt64(offset) &* 7 &+ UInt64(writer) &* 0x35)
    }

    /// FNV-1a 64 over everything but the checksum field.
    static func checksum(_ chunk: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in chunk[8...] {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// Decodes and verifies the chunk at the start of `bytes`; nil with a reason if it is torn.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> (Header?, String) {
        guard bytes.count >= headerSize else {
            return (nil, "only \(bytes.count) bytes left, a chunk header needs \(headerSize)")
        }
        let header = Header(
            seq: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            writer: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt32.self)),
            index: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 20, as: UInt16.self)),
            length: Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 22, as: UInt16.self))),
            counter: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
        guard header.length >= headerSize, header.length <= bytes.count else {
            return (nil, "chunk length \(header.length) with \(bytes.count) bytes left")
        }
        let chunk = UnsafeRawBufferPointer(rebasing: bytes[..<header.length])
        let stored = UInt64(littleEndian: chunk.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard stored == checksum(chunk) else { return (nil, "bad checksum in chunk \(header.index)") }
        return (header, "")
    }
}

// MARK: - Random sizes (drawn with TestSupport's SplitMix64)

extension StressVariant.Sizes {
    fileprivate func next(maximum: Int, using rng: inout SplitMix64) -> Int {
        let smallest = RecordChunk.headerSize
        switch self {
        case .upTo128:
            return Int.random(in: smallest...128, using: &rng)
        case .upToMax:
            switch rng.next() % 8 {
            case 0: return maximum
            case 1, 2, 3: return Int.random(in: smallest...maximum, using: &rng)
            default: return Int.random(in: smallest...128, using: &rng)
            }
        }
    }
}

// MARK: - Threads

// Writers run on POSIX threads (TestSupport's OSThread): they must really run in parallel, and
// each leaves its tally in its own ThreadResults slot, read after the join: pthread_join gives
// ThreadSanitizer the happens-before edge for the results a thread leaves behind.

// MARK: - Writers

/// What one writer did. Failures of the test's own expectations go to `problems`.
private struct WriterTally: Sendable {
    var writer = 0
    /// Successful reservations (or one-call writes): records with content.
    var written: UInt64 = 0
    var noDescriptor: UInt64 = 0
    var noSpace: UInt64 = 0
    /// Continuation variant: extensions that succeeded, and those refused because another
    /// record followed ours (cannotExtend) or the data ring was full (noSpace, record unchanged).
    var extended: UInt64 = 0
    var cannotExtend: UInt64 = 0
    var extendNoSpace: UInt64 = 0
    /// Records of exactly the largest size written.
    var largest: UInt64 = 0
    var problemCount = 0
    var problems: [String] = []

    mutating func problem(_ text: @autoclosure () -> String) {
        problemCount += 1
        if problems.count < 8 { problems.append("writer \(writer): \(text())") }
    }

    mutating func add(_ other: WriterTally) {
        written += other.written
        noDescriptor += other.noDescriptor
        noSpace += other.noSpace
        extended += other.extended
        cannotExtend += other.cannotExtend
        extendNoSpace += other.extendNoSpace
        largest += other.largest
        problemCount += other.problemCount
        problems += other.problems
    }
}

/// One writer's loop: writes until `deadline`.
private struct StressWriter {
    let ring: PrintkRing
    let variant: StressVariant
    let index: Int
    var rng: SplitMix64
    var tally = WriterTally()
    /// Where records are built: as large as the largest record. Freed when run(until:) returns.
    let scratch: UnsafeMutableRawBufferPointer
    var lastSeq: UInt64?

    init(ring: PrintkRing, variant: StressVariant, index: Int, seed: UInt64) {
        self.ring = ring
        self.variant = variant
        self.index = index
        rng = SplitMix64(seed: seed ^ (UInt64(index + 1) &* 0xd1b5_4a32_d192_ed03))
        tally.writer = index
        scratch = .allocate(byteCount: ring.maxRecordSize, alignment: 8)
    }

    var callerID: UInt32 { UInt32(index + 1) }

    /// The metadata of the record with this counter: the level is checked by the reader too.
    func metadata(counter: UInt64) -> RecordMetadata {
        RecordMetadata(level: LogLevel(rawValue: UInt8(counter % 8)), callerID: callerID)
    }

    mutating func run(until deadline: ContinuousClock.Instant) {
        defer { scratch.deallocate() }
        var iteration = 0
        while iteration % 16 != 0 || ContinuousClock.now < deadline {
            iteration &+= 1
            switch variant.api {
            case .twoPhase: writeTwoPhase()
            case .oneCall: writeOneCall()
            case .continuation: writeContinuation()
            }
        }
    }

    /// Every seq a writer gets must be larger than its previous one.
    mutating func noteSeq(_ seq: UInt64) {
        if let lastSeq, seq <= lastSeq { tally.problem("seq \(seq) handed out after \(lastSeq)") }
        lastSeq = seq
    }

    mutating func noteFailure(_ error: PrintkRingError) {
        switch error {
        case .noDescriptor: tally.noDescriptor += 1
        case .noSpace(let lostSeq):
            tally.noSpace += 1
            noteSeq(lostSeq)
        default: tally.problem("unexpected error: \(error)")
        }
        // The oldest record is still being written, most likely by a writer that was preempted
        // mid-record; let it run instead of failing again until it is.
        sched_yield()
    }

    mutating func writeTwoPhase() {
        let size = variant.sizes.next(maximum: ring.maxRecordSize, using: &rng)
        let counter = tally.written
        do throws(PrintkRingError) {
            var reservation = try ring.reserve(capacity: size, metadata: metadata(counter: counter))
            tally.written += 1
            if size == ring.maxRecordSize { tally.largest += 1 }
            noteSeq(reservation.seq)
            let record = UnsafeMutableRawBufferPointer(rebasing: scratch[..<size])
            RecordChunk.encode(record, seq: reservation.seq, writer: UInt32(index), counter: counter, index: 0)
            appendInPieces(&reservation, UnsafeRawBufferPointer(record))
            if reservation.count != size {
                tally.problem("record \(reservation.seq) holds \(reservation.count) of \(size) bytes")
            }
            if rng.next() % 2 == 0 { reservation.commit() } else { reservation.finalize() }
        } catch {
            noteFailure(error)
        }
    }

    mutating func writeOneCall() {
        let size = variant.sizes.next(maximum: ring.maxRecordSize, using: &rng)
        let counter = tally.written
        let record = UnsafeMutableRawBufferPointer(rebasing: scratch[..<size])
        RecordChunk.encode(record, seq: RecordChunk.noSeq, writer: UInt32(index), counter: counter, index: 0)
        do throws(PrintkRingError) {
            let seq = try ring.write(UnsafeRawBufferPointer(record), metadata: metadata(counter: counter))
            tally.written += 1
            noteSeq(seq)
        } catch {
            noteFailure(error)
        }
    }

    mutating func writeContinuation() {
        let size = Int.random(in: StressVariant.continuationChunkSizes, using: &rng)
        let counter = tally.written
        let seq: UInt64
        var length = size
        do throws(PrintkRingError) {
            var reservation = try ring.reserve(capacity: size, metadata: metadata(counter: counter))
            tally.written += 1
            seq = reservation.seq
            noteSeq(seq)
            let chunk = UnsafeMutableRawBufferPointer(rebasing: scratch[..<size])
            RecordChunk.encode(chunk, seq: seq, writer: UInt32(index), counter: counter, index: 0)
            appendInPieces(&reservation, UnsafeRawBufferPointer(chunk))
            if rng.next() % 4 == 0 {
                // A finalized record can never be reopened, whoever comes next.
                reservation.finalize()
                expectNoExtension(of: seq)
                return
            }
            reservation.commit()
        } catch {
            noteFailure(error)
            return
        }

        for chunkIndex in 1..<StressVariant.maxChunks {
            let extra = Int.random(in: StressVariant.continuationChunkSizes, using: &rng)
            do throws(PrintkRingError) {
                var reservation = try ring.extendLast(
                    callerID: callerID, additionalCapacity: extra,
                    maxTotalSize: StressVariant.maxChunks * StressVariant.continuationChunkSizes.upperBound)
                tally.extended += 1
                if reservation.seq != seq || reservation.count != length {
                    tally.problem(
                        "extendLast reopened seq \(reservation.seq) holding \(reservation.count) bytes, "
                            + "not seq \(seq) holding \(length)")
                }
                let chunk = UnsafeMutableRawBufferPointer(rebasing: scratch[..<extra])
                RecordChunk.encode(chunk, seq: seq, writer: UInt32(index), counter: counter, index: UInt16(chunkIndex))
                appendInPieces(&reservation, UnsafeRawBufferPointer(chunk))
                length += extra
                if reservation.count != length {
                    tally.problem("extended record \(seq) holds \(reservation.count) of \(length) bytes")
                }
                if chunkIndex == StressVariant.maxChunks - 1 || rng.next() % 4 == 0 {
                    reservation.finalize()
                    expectNoExtension(of: seq)
                    return
                }
                reservation.commit()
            } catch {
                switch error {
                case .cannotExtend: tally.cannotExtend += 1
                case .noSpace: tally.extendNoSpace += 1
                default: tally.problem("extendLast of \(seq): unexpected error \(error)")
                }
                return
            }
        }
    }

    /// After a final commit, extendLast by the same caller must be refused.
    mutating func expectNoExtension(of seq: UInt64) {
        do throws(PrintkRingError) {
            let reservation = try ring.extendLast(callerID: callerID, additionalCapacity: RecordChunk.headerSize)
            tally.problem("extendLast reopened seq \(reservation.seq) after record \(seq) was finalized")
            reservation.commit()
        } catch {
            if error != .cannotExtend {
                tally.problem("extendLast after finalizing \(seq): \(error), expected cannotExtend")
            }
        }
    }

    /// Appends `bytes` in one to three pieces, so that appends start and end mid-word.
    mutating func appendInPieces(_ reservation: inout Reservation, _ bytes: UnsafeRawBufferPointer) {
        var start = 0
        let pieces = Int.random(in: 1...3, using: &rng)
        for piece in 1...pieces {
            let end = piece == pieces ? bytes.count : Int.random(in: start...bytes.count, using: &rng)
            let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            let appended = reservation.append(slice)
            if appended != slice.count { tally.problem("append took \(appended) of \(slice.count) bytes") }
            start = end
        }
    }
}

// MARK: - The reader

/// What the reader saw. `torn` and `disordered` must stay 0.
private struct ReaderTally: Sendable {
    /// Records `Reader.next()` returned.
    var read: UInt64 = 0
    /// Records whose content was verified.
    var checked: UInt64 = 0
    /// Records overwritten while the reader grew its buffer to copy them: `Reader.next()` returns
    /// them without text. Not torn (no wrong byte was returned); counted and reported.
    var overwrittenWhileCopying: UInt64 = 0
    /// Records made of more than one chunk (continuation variant).
    var extendedRecords: UInt64 = 0
    /// Bad checksum, bad length, wrong metadata: must be 0.
    var torn: UInt64 = 0
    /// Seq not strictly increasing, or a writer's counter not strictly increasing: must be 0.
    var disordered: UInt64 = 0
    /// The reader's gap count.
    var lost: UInt64 = 0
    /// Where the reader stopped, and the last record it read.
    var nextSeq: UInt64 = 0
    var lastSeq: UInt64?
    var lastWriter: Int?
    var problems: [String] = []

    mutating func problem(_ text: @autoclosure () -> String) {
        if problems.count < 8 { problems.append(text()) }
    }
}

private struct StressReader {
    let ring: PrintkRing
    let variant: StressVariant
    /// Writer indices 0 ..< writers, plus one for the record the test writes after them.
    let writerSlots: Int
    var tally = ReaderTally()
    var lastCounter: [UInt64?]

    init(ring: PrintkRing, variant: StressVariant, writerSlots: Int) {
        self.ring = ring
        self.variant = variant
        self.writerSlots = writerSlots
        lastCounter = Array(repeating: nil, count: writerSlots)
    }

    mutating func run(writersDone: borrowing Atomic<Bool>) {
        let reader = ring.reader(from: 0)
        while true {
            // Acquire: once the writers are done, one more pass reads everything there is.
            let finished = writersDone.load(ordering: .acquiring)
            while let record = reader.next() {
                check(record)
            }
            if finished { break }
            sched_yield()
        }
        tally.lost = reader.lostCount
        tally.nextSeq = reader.nextSeq
    }

    mutating func torn(_ record: Record, _ why: String) {
        tally.torn += 1
        tally.problem("TORN seq \(record.seq) (\(record.info.textLength) bytes): \(why)")
    }

    mutating func check(_ record: Record) {
        tally.read += 1
        let seq = record.seq
        if let last = tally.lastSeq, seq <= last {
            tally.disordered += 1
            tally.problem("seq \(seq) read after \(last)")
        }
        tally.lastSeq = seq
        if record.isTruncated {
            // Reader.next() copies a record too large for its buffer a second time, and returns it
            // without text if it was overwritten in between. Then it must really be gone for good.
            tally.overwrittenWhileCopying += 1
            if ring.record(at: seq) != nil { torn(record, "returned without text, but still readable") }
            return
        }
        guard record.bytes.count == record.info.textLength else {
            return torn(record, "\(record.bytes.count) bytes copied, text length \(record.info.textLength)")
        }
        record.bytes.withUnsafeBytes { bytes in checkContent(record, bytes) }
    }

    mutating func checkContent(_ record: Record, _ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        var first: RecordChunk.Header?
        var chunks = 0
        while offset < bytes.count || chunks == 0 {
            let (decoded, why) = RecordChunk.decode(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            guard let header = decoded else { return torn(record, why) }
            guard Int(header.index) == chunks else {
                return torn(record, "chunk \(chunks) says it is chunk \(header.index)")
            }
            if let first {
                guard header.seq == first.seq, header.writer == first.writer, header.counter == first.counter else {
                    return torn(record, "chunk \(chunks) belongs to another record: \(header) vs \(first)")
                }
            } else {
                first = header
            }
            offset += header.length
            chunks += 1
        }
        guard let header = first else { return }
        let maxChunks = variant.api == .continuation ? StressVariant.maxChunks : 1
        guard chunks <= maxChunks else { return torn(record, "\(chunks) chunks") }
        let expectedSeq = variant.api == .oneCall ? RecordChunk.noSeq : record.seq
        guard header.seq == expectedSeq else {
            return torn(record, "embedded seq \(header.seq), info seq \(record.seq)")
        }
        guard Int(header.writer) < writerSlots else { return torn(record, "writer index \(header.writer)") }
        guard record.info.callerID == header.writer + 1 else {
            return torn(record, "caller id \(record.info.callerID) for writer \(header.writer)")
        }
        guard record.info.level.rawValue == UInt8(header.counter % 8) else {
            return torn(record, "level \(record.info.level.rawValue) for counter \(header.counter)")
        }
        tally.checked += 1
        if chunks > 1 { tally.extendedRecords += 1 }
        let writer = Int(header.writer)
        if let last = lastCounter[writer], header.counter <= last {
            tally.disordered += 1
            tally.problem("writer \(writer): counter \(header.counter) (seq \(record.seq)) after \(last)")
        }
        lastCounter[writer] = header.counter
        tally.lastWriter = writer
    }
}

// MARK: - Running a variant

/// State the test thread shares with the writer and reader threads.
private final class StressShared: Sendable {
    let ring: PrintkRing
    let writersDone = Atomic<Bool>(false)
    /// Slot i: writer i's tally, read after joining writer i.
    let writerTallies: ThreadResults<WriterTally>
    /// Slot 0: the reader's tally, read after joining the reader.
    let readerTally = ThreadResults<ReaderTally>(count: 1)

    init(ring: PrintkRing, writers: Int) {
        self.ring = ring
        writerTallies = ThreadResults(count: writers)
    }
}

private func runStress(_ variant: StressVariant) {
    let ring: PrintkRing
    do {
        ring = try PrintkRing(descriptorBits: variant.descriptorBits, dataBits: variant.dataBits)
    } catch {
        Issue.record("cannot create the ring: \(error)")
        return
    }
    let writers = max(2, ProcessInfo.processInfo.activeProcessorCount)
    let seconds = StressEnvironment.seconds
    let seed = StressEnvironment.seed
    let shared = StressShared(ring: ring, writers: writers)
    let started = ContinuousClock.now
    let deadline = started + .milliseconds(Int(seconds * 1000))

    let readerThread = OSThread {
        var reader = StressReader(ring: shared.ring, variant: variant, writerSlots: writers + 1)
        reader.run(writersDone: shared.writersDone)
        shared.readerTally.store(reader.tally, at: 0)
    }
    let writerThreads = (0..<writers).map { index in
        OSThread {
            var writer = StressWriter(ring: shared.ring, variant: variant, index: index, seed: seed)
            writer.run(until: deadline)
            shared.writerTallies.store(writer.tally, at: index)
        }
    }
    let limit = .seconds(seconds) + StressEnvironment.grace
    var writersJoined = true
    for (index, thread) in writerThreads.enumerated() {
        // Each wait is bounded from the start: a writer stuck in the core fails the test.
        let left = max(.zero, started + limit - ContinuousClock.now)
        writersJoined = thread.join(within: left, waitingFor: "stress writer \(index) to stop") && writersJoined
    }
    guard writersJoined else {
        // Let the reader go; what the writers left is not to be read while they may still run.
        shared.writersDone.store(true, ordering: .releasing)
        readerThread.join(within: StressEnvironment.grace, waitingFor: "the stress reader to stop")
        return
    }

    // The newest record may still be merely committed. One final record from the test thread
    // (writer slot `writers`) finalizes it, so that in the end every seq handed out is readable or
    // lost: nextSeq == nextReserveSeq.
    var flushSeq: UInt64?
    do throws(PrintkRingError) {
        var flush = try ring.reserve(
            capacity: RecordChunk.headerSize,
            metadata: RecordMetadata(level: LogLevel(rawValue: 0), callerID: UInt32(writers + 1)))
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: RecordChunk.headerSize, alignment: 8)
        defer { scratch.deallocate() }
        let seq = variant.api == .oneCall ? RecordChunk.noSeq : flush.seq
        RecordChunk.encode(scratch, seq: seq, writer: UInt32(writers), counter: 0, index: 0)
        #expect(flush.append(UnsafeRawBufferPointer(scratch)) == scratch.count)
        flushSeq = flush.seq
        flush.finalize()
    } catch {
        Issue.record("the final record after the writers stopped failed: \(error)")
    }

    // Release: the reader's acquire load then sees every record written above.
    shared.writersDone.store(true, ordering: .releasing)
    guard readerThread.join(within: StressEnvironment.grace, waitingFor: "the stress reader to read everything")
    else { return }
    let elapsed = ContinuousClock.now - started

    let writerTallies = shared.writerTallies.values
    var total = WriterTally()
    for tally in writerTallies { total.add(tally) }
    if flushSeq != nil { total.written += 1 }
    guard let reader = shared.readerTally[0] else {
        Issue.record("the reader left no tally")
        return
    }
    let stats = ring.statistics

    let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    var summary =
        "stress \(variant.name): \(String(format: "%.2f", elapsedSeconds)) s, \(writers) writers, "
        + "records written \(total.written), checked \(reader.checked), lost \(reader.lost), "
        + "failed reservations \(total.noDescriptor + total.noSpace) "
        + "(noDescriptor \(total.noDescriptor), noSpace \(total.noSpace))"
    if variant.sizes == .upToMax {
        summary += ", largest-size records written \(total.largest)"
    }
    if variant.api == .continuation {
        summary +=
            ", extensions \(total.extended) (refused: cannotExtend \(total.cannotExtend), "
            + "noSpace \(total.extendNoSpace)), multi-chunk records checked \(reader.extendedRecords)"
    }
    if reader.overwrittenWhileCopying > 0 {
        summary += ", overwritten while copying \(reader.overwrittenWhileCopying)"
    }
    summary += ", seed \(seed)"
    print(summary)

    // Nothing torn, duplicated or out of order; the writers saw nothing unexpected.
    #expect(reader.torn == 0, "torn records: \(reader.problems)")
    #expect(reader.disordered == 0, "duplicated or out-of-order records: \(reader.problems)")
    #expect(total.problemCount == 0, "writer problems: \(total.problems)")
    #expect(writerTallies.count == writers)
    #expect(reader.checked > 0)

    // Every seq below nextSeq was read or counted lost, and (after the final record) that is every
    // seq handed out.
    #expect(reader.read + reader.lost == ring.nextSeq)
    #expect(reader.nextSeq == ring.nextSeq)
    #expect(ring.nextSeq == ring.nextReserveSeq)
    #expect(reader.lastSeq == flushSeq, "the reader must end with the final record")
    #expect(reader.lastWriter == writers)
    #expect(reader.read <= total.written)
    // No-space records got a seq but no text: readers always see them as lost.
    #expect(reader.lost >= total.noSpace)

    // Every seq handed out is a successful write or a no-space failure; the ring counted the
    // failures the writers saw.
    #expect(total.written + total.noSpace == ring.nextReserveSeq)
    #expect(stats.reserved == ring.nextReserveSeq)
    #expect(stats.failedReservations == total.noDescriptor)
    #expect(stats.failedDataAllocations == total.noSpace)

    if variant.sizes == .upToMax {
        #expect(total.largest > 0, "no record of the largest size was written")
    }
    if variant.api == .continuation {
        #expect(total.extended > 0, "no extendLast succeeded: the continuation path was not exercised")
    }
}
