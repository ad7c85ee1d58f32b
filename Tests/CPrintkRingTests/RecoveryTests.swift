// Dead-writer recovery in a ring file (docs/RECOVERY.md), within one process: each handle opened
// for writing is a writer of its own (its own process slot and lock), so closing a handle with a
// record still reserved leaves that record exactly as a writer killed in the middle of it would.
// The survivors must go on writing through every wrap of the ring, readers must see the dead
// record as lost and every other record whole; a record of a writer that is still there is never
// taken. (Killed processes, at each fault point: ToolsTests.)

import CPrintkRing
import CPrintkRing.Testing
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

private let descBits: UInt32 = 4  // 16 records
private let dataBits: UInt32 = 10  // 1 KiB of text

/// Writes "s<n>" padded to a size that varies with n, so that blocks straddle the wrap.
private func survivorText(_ n: Int) -> [UInt8] {
    Array("s\(n)".utf8) + [UInt8](repeating: UInt8(ascii: "a") + UInt8(n % 26), count: n % 37)
}

/// A new ring file in `dir` ("ring") and a writer handle on it (the survivor), which writes
/// survivorText(0..<records).
private func createSurvivor(in dir: ScratchDirectory, writing records: Int = 0) throws -> (path: String, survivor: OpaquePointer) {
    let path = dir.file("ring")
    var status = PRB_OK
    let survivor = try #require(prb_file_create(path, descBits, dataBits, 0, &status))
    for n in 0..<records { #expect(prb_write(prb_file_ring(survivor), survivorText(n), survivorText(n).count, nil, nil) == PRB_OK) }
    return (path, survivor)
}

private func openWriter(_ path: String) throws -> OpaquePointer {
    var status = PRB_OK
    return try #require(prb_file_open(path, PRB_FILE_WRITE, &status), "\(String(cString: prb_status_string(status)))")
}

/// Opens another writer on `path`, reserves a record of `capacity` bytes through it, writes
/// `written` bytes of it, and closes the handle with the record still reserved: exactly what a
/// writer killed in the middle of its record leaves. Returns the record's seq.
private func leaveARecordReserved(_ path: String, capacity: Int, written: Int = 0) throws -> UInt64 {
    let dead = try openWriter(path)
    var entry = prb_entry()
    try #require(prb_reserve(prb_file_ring(dead), &entry, capacity, nil) == PRB_OK)
    let text = [UInt8](repeating: UInt8(ascii: "x"), count: written)
    #expect(prb_entry_append(&entry, text, text.count) == written)
    try closeAndWaitUntilGone(dead, path)  // the entry is never used again
    return entry.seq
}

/// A writer stopped for good at a fault point of its allocation, on a thread of its own parked
/// there (in pause(), costing nothing) for the rest of the process: the handle is then closed
/// under it, which releases its lock as the kernel does when a process dies. Where closing a
/// handle between two calls (leaveARecordReserved) cannot reach: between the descriptor head move
/// and the reserved store, between the data-head move and the block's positions, between those
/// and the block's header.
private final class StoppedWriter: @unchecked Sendable {
    // @unchecked: `seq` is written by the parked thread before it advances `reached`, and read
    // only after waiting for that.
    let point: prb_fault_point
    let reached = Handshake()
    /// At PRB_FAULT_COMMITTED: 1 once the record is reserved and written, 2 to let it commit.
    let beforeCommit = Handshake()
    var seq: UInt64 = 0

    init(point: prb_fault_point) { self.point = point }

    /// Opens a writer on `path`, reserves `capacity` bytes through it on a new thread that stops
    /// at the point, closes the handle. Returns the record's seq. At PRB_FAULT_COMMITTED the
    /// thread fills the record with "d" and commits it, after `whileReserved` has run.
    static func leave(
        _ path: String, at point: prb_fault_point, capacity: Int, whileReserved: () -> Void = {}
    ) throws -> UInt64 {
        let dead = try openWriter(path)
        let stopped = StoppedWriter(point: point)
        let context = Unmanaged.passRetained(stopped).toOpaque()  // the parked thread keeps it
        prb_ring_set_fault_hook(
            prb_file_ring(dead),
            { context, point, entry in
                let stopped = Unmanaged<StoppedWriter>.fromOpaque(context!).takeUnretainedValue()
                guard point == stopped.point, let entry else { return }
                stopped.seq = entry.pointee.seq
                stopped.reached.advance(to: 1)
                while true { pause() }  // stopped for good, like a killed process's thread
            }, context)
        let ring = UncheckedRing(prb_file_ring(dead))
        let thread = OSThread {
            var entry = prb_entry()
            guard prb_reserve(ring.ring, &entry, capacity, nil) == PRB_OK, point == PRB_FAULT_COMMITTED else { return }
            let text = [UInt8](repeating: UInt8(ascii: "d"), count: capacity)
            _ = prb_entry_append(&entry, text, text.count)
            stopped.beforeCommit.advance(to: 1)
            stopped.beforeCommit.wait(for: 2)
            _ = prb_commit(&entry)
        }
        _ = Unmanaged.passRetained(thread)  // never joined: it never ends
        if point == PRB_FAULT_COMMITTED {
            try #require(stopped.beforeCommit.wait(for: 1, timeoutNanoseconds: 30_000_000_000), "the writer never reserved")
            whileReserved()
            stopped.beforeCommit.advance(to: 2)
        }
        try #require(stopped.reached.wait(for: 1, timeoutNanoseconds: 30_000_000_000), "the writer never reached \(point)")
        try closeAndWaitUntilGone(dead, path)
        return stopped.seq
    }
}

/// A ring pointer handed to another thread (the C core is made for that).
private struct UncheckedRing: @unchecked Sendable {
    let ring: OpaquePointer
    init(_ ring: OpaquePointer) { self.ring = ring }
}

/// Reads record `seq`'s text (up to 1 KiB).
private func readText(_ ring: OpaquePointer, _ seq: UInt64) -> (prb_read_status, [UInt8]) {
    var info = prb_record_info()
    var buffer = [UInt8](repeating: 0, count: 1024)
    let status = buffer.withUnsafeMutableBytes { prb_read(ring, seq, &info, $0.baseAddress, $0.count) }
    return (status, Array(buffer[..<Int(min(info.text_len, 1024))]))
}

/// Closes a writer handle, the way its process's death would release it, and waits (bounded)
/// until the writer table says it is gone. Not always at once: a child process that another test
/// of this process forks meanwhile holds every descriptor of ours until it execs, the lock's
/// among them (docs/RECOVERY.md), and the writer then still reads alive.
private func closeAndWaitUntilGone(_ dead: OpaquePointer, _ path: String) throws {
    var slot: UInt32 = 0
    var generation: UInt64 = 0
    try #require(prb_file_writer_slot(dead, &slot, &generation))
    prb_file_close(dead)
    var status = PRB_OK
    let observer = try #require(prb_file_open(path, 0, &status))
    defer { prb_file_close(observer) }
    let gone = waitUntil(timeoutNanoseconds: 30_000_000_000, sleeping: true) {
        prb_file_writer_state(observer, slot, generation) == PRB_WRITER_DEAD
    }
    try #require(gone, "slot \(slot) generation \(generation) still held")
}

private func stats(_ file: OpaquePointer) -> prb_stats {
    var s = prb_stats()
    prb_get_stats(prb_file_ring(file), &s)
    return s
}

/// Every record a fresh read-only handle reads, and how many it counted lost.
private func readBack(_ path: String) throws -> (records: [(seq: UInt64, text: [UInt8])], lost: UInt64, first: UInt64) {
    var status = PRB_OK
    let file = try #require(prb_file_open(path, 0, &status))
    defer { prb_file_close(file) }
    let ring = prb_file_ring(file)
    var reader = prb_reader()
    let first = prb_first_seq(ring)
    prb_reader_init(&reader, ring, 0, false)
    var records: [(UInt64, [UInt8])] = []
    var buffer = [UInt8](repeating: 0, count: 1024)
    var info = prb_record_info()
    while buffer.withUnsafeMutableBytes({ prb_reader_next(&reader, &info, $0.baseAddress, $0.count) }) {
        records.append((info.seq, Array(buffer[..<Int(info.text_len)])))
    }
    return (records, reader.lost, first)
}

/// After a writer died with record `deadSeq` in flight (the survivor having written
/// survivorText(0..<3) before it): the survivor writes three times around the descriptor ring and
/// every write succeeds; the dead record is taken over once; readers get every other record
/// whole, in order, and the dead one never (overwritten by now, or counted lost).
private func expectTheSurvivorWrapsPast(
    _ deadSeq: UInt64, _ survivor: OpaquePointer, _ path: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    for n in 3..<(3 + 3 * 16) {
        let text = survivorText(n)
        #expect(prb_write(prb_file_ring(survivor), text, text.count, nil, nil) == PRB_OK, "write \(n)", sourceLocation: sourceLocation)
    }
    let s = stats(survivor)
    #expect(s.taken_over == 1, sourceLocation: sourceLocation)
    #expect(s.failed_descriptor == 0 && s.failed_data == 0, sourceLocation: sourceLocation)
    let back = try readBack(path)
    #expect(back.records.allSatisfy { $0.seq != deadSeq }, sourceLocation: sourceLocation)
    for record in back.records {
        let n = Int(record.seq) - (record.seq > deadSeq ? 1 : 0)
        #expect(record.text == survivorText(n), "seq \(record.seq)", sourceLocation: sourceLocation)
    }
    #expect(deadSeq < back.first || back.lost >= 1, sourceLocation: sourceLocation)
}

@Suite(.serialized, .singleThreaded, .timeLimit(.minutes(1))) struct RecoveryTests {
    /// A writer gone with its record reserved: with no text space yet (capacity 0 is a record
    /// without a block), with its block allocated and nothing written, or half written.
    @Test(arguments: [(0, 0), (40, 0), (40, 17)])
    func aRecordLeftReservedByAGoneWriterIsTakenOver(capacity: Int, written: Int) throws {
        let dir = try ScratchDirectory()
        let (path, survivor) = try createSurvivor(in: dir, writing: 3)
        defer { prb_file_close(survivor) }

        let deadSeq = try leaveARecordReserved(path, capacity: capacity, written: written)
        try expectTheSurvivorWrapsPast(deadSeq, survivor, path)
    }

    /// A writer stopped for good inside its reservation, at each window between two of its stores
    /// (where no call boundary is), then gone: its record is taken over and the ring wraps past it
    /// again and again. Between the data-head move and the store of the block's positions nothing
    /// but the writer's data intent names the block (recover_unnamed_block).
    @Test(arguments: [
        PRB_FAULT_DESC_HEAD_MOVED, PRB_FAULT_DESC_RESERVED, PRB_FAULT_DATA_HEAD_MOVED, PRB_FAULT_DATA_POSITIONS,
        PRB_FAULT_DATA_ALLOCATED,
    ])
    func aWriterStoppedInsideItsReservationIsTakenOver(at point: prb_fault_point) throws {
        let dir = try ScratchDirectory()
        let (path, survivor) = try createSurvivor(in: dir, writing: 3)
        defer { prb_file_close(survivor) }

        let deadSeq = try StoppedWriter.leave(path, at: point, capacity: 40)
        try expectTheSurvivorWrapsPast(deadSeq, survivor, path)
    }

    /// Thread slots are memory we did not write: fill every one the two handles here do not use
    /// with random words (owners, intents naming the dead record or not, data intents naming the
    /// blocked position or not, any size), then let the survivor write past a dead record. Damage
    /// may keep the record from being taken over (a slot that names it with an owner nobody can
    /// vouch for is treated as alive), never more: no crash, no hang, no wrong pass (every record
    /// read back is whole, the dead one never), at most one take-over.
    @Test(arguments: 0..<12)
    func damagedThreadSlotsGiveAWedgeAtWorstNeverAWrongPass(seed: UInt64) throws {
        let dir = try ScratchDirectory()
        let (path, survivor) = try createSurvivor(in: dir, writing: 3)
        defer { prb_file_close(survivor) }
        let deadSeq = try leaveARecordReserved(path, capacity: 40, written: 9)
        var positions = prb_positions()
        prb_get_positions(prb_file_ring(survivor), &positions)
        var info = prb_file_info()
        prb_file_get_info(survivor, &info)

        var random = SplitMix64(seed: seed &+ 0x5eed)
        let fd = open(path, O_RDWR)
        try #require(fd >= 0)
        defer { close(fd) }
        let firstThreadSlot = Int(PRB_FILE_HEADER_BYTES) + Int(PRB_FILE_SLOT_BYTES) * (1 + Int(info.process_slots))
        // Slots 0 and 1: the survivor's thread and the dead writer's. A few others: damage.
        for _ in 0..<(1 + random.below(8)) {
            let t = 2 + random.below(Int(info.thread_slots) - 2)
            var words = (0..<8).map { _ in random.next() }
            switch random.below(6) {
            case 0: words[1] = (positions.head_id & ((1 << 62) - 1)) | (1 << 63)  // names the dead record
            case 1: words[2] = positions.data_tail_lpos &+ UInt64(random.below(4)) * 8  // a data intent near the tail
            case 2: words[0] = 0  // "free", with whatever intent
            default: break
            }
            try #require(pwrite(fd, &words, 64, off_t(firstThreadSlot + t * Int(PRB_FILE_SLOT_BYTES))) == 64)
        }

        var refused = 0
        for n in 3..<(3 + 3 * 16) where prb_write(prb_file_ring(survivor), survivorText(n), survivorText(n).count, nil, nil) != PRB_OK {
            refused += 1
        }
        #expect(stats(survivor).taken_over <= 1)
        let back = try readBack(path)
        #expect(back.records.allSatisfy { $0.seq != deadSeq })
        // Whole and in order; the seqs of refused writes are lost, so match texts, not seqs.
        let expected = Set((0..<(3 + 3 * 16)).map(survivorText))
        #expect(back.records.allSatisfy { expected.contains($0.text) })
        #expect(back.records.map(\.seq) == back.records.map(\.seq).sorted())
        if refused == 0 { #expect(stats(survivor).taken_over == 1) }
    }

    /// A committer gone between its commit and its own newer-record check, with a newer record
    /// reserved before its commit (whose reserver could not finalize it yet): the record stays
    /// committed behind newer ones, and nothing else would finalize it. A survivor does
    /// (finish_superseded): the record is whole, readers get it, and the ring wraps past it.
    @Test func aCommitterGoneBeforeItsCheckLeavesAWholeRecord() throws {
        let dir = try ScratchDirectory()
        let (path, survivor) = try createSurvivor(in: dir)
        defer { prb_file_close(survivor) }
        let ring = try #require(prb_file_ring(survivor))
        for n in 0..<3 { #expect(prb_write(ring, survivorText(n), survivorText(n).count, nil, nil) == PRB_OK) }

        let deadSeq = try StoppedWriter.leave(path, at: PRB_FAULT_COMMITTED, capacity: 40) {
            #expect(prb_write(ring, survivorText(3), survivorText(3).count, nil, nil) == PRB_OK)
        }
        #expect(prb_state_of_seq(ring, deadSeq) == PRB_DESC_COMMITTED)
        // Readers stop at it until it is finalized; one more record's reservation cannot (it is
        // not the newest's predecessor), so only the take-over's finishing does it.
        let text = [UInt8](repeating: UInt8(ascii: "d"), count: 40)
        for n in 4..<(4 + 3 * 16) {
            #expect(prb_write(ring, survivorText(n), survivorText(n).count, nil, nil) == PRB_OK, "write \(n)")
            if prb_state_of_seq(ring, deadSeq) == PRB_DESC_FINALIZED {
                let (readStatus, copy) = readText(ring, deadSeq)
                #expect(readStatus == PRB_READ_OK && copy == text, "the finished record reads whole")
            }
        }
        #expect(stats(survivor).taken_over == 0)  // finished, not taken over
        #expect(prb_next_seq(ring) == prb_next_reserve_seq(ring))  // nothing left unfinalized
    }

    /// Taken over by the data ring (large records wrap the text long before the descriptors):
    /// the dead record is still in the descriptor ring, and readers count it as a gap.
    @Test func theTakenOverRecordIsAGapForReaders() throws {
        let dir = try ScratchDirectory()
        let (path, survivor) = try createSurvivor(in: dir)
        defer { prb_file_close(survivor) }
        #expect(try leaveARecordReserved(path, capacity: 100) == 0)

        let big = (1...10).map { n in [UInt8](repeating: UInt8(n), count: 300) }
        for text in big { #expect(prb_write(prb_file_ring(survivor), text, text.count, nil, nil) == PRB_OK) }
        #expect(stats(survivor).taken_over == 1)
        let back = try readBack(path)
        #expect(back.first == 0)  // the descriptor ring has not wrapped: seq 0 is there, reusable
        #expect(!back.records.contains { $0.seq == 0 })
        #expect(back.lost >= 1)
        // The newest records, whose text the ring still holds, read back whole.
        #expect(back.records.suffix(2).map(\.text) == Array(big.suffix(2)))
        #expect(back.records.map(\.seq) == Array(back.records.map(\.seq).sorted()))
        // The gap has its reason; the survivor's first records, whose text went, another.
        let ring = prb_file_ring(survivor)
        #expect(prb_lost_reason_of(ring, 0) == PRB_LOST_WRITER_DIED)
        var seqs = [UInt64](repeating: 99, count: Int(PRB_RECENT_TAKE_OVERS))
        #expect(prb_recent_take_overs(ring, &seqs, seqs.count) == 1 && seqs[0] == 0)
        #expect(prb_lost_reason_of(ring, 1) != PRB_LOST_WRITER_DIED)
    }

    /// A gap's reason, for each kind of gap: a dead writer's record, a record that got no text
    /// space, records the ring wrapped past; a record that is not lost has none. Only the last
    /// PRB_RECENT_TAKE_OVERS take-overs are remembered.
    @Test func aGapSaysWhyItIsThere() throws {
        let dir = try ScratchDirectory()
        let (path, survivor) = try createSurvivor(in: dir)
        defer { prb_file_close(survivor) }
        let ring = prb_file_ring(survivor)
        var deadSeqs: [UInt64] = []
        for n in 0..<(Int(PRB_RECENT_TAKE_OVERS) + 2) {
            deadSeqs.append(try leaveARecordReserved(path, capacity: 8))
            let text = survivorText(n)
            // Enough writes to wrap the descriptor ring past the dead record, taking it over.
            for _ in 0..<16 { #expect(prb_write(ring, text, text.count, nil, nil) == PRB_OK) }
        }
        #expect(stats(survivor).taken_over == UInt64(deadSeqs.count))
        let remembered = deadSeqs.suffix(Int(PRB_RECENT_TAKE_OVERS))
        for seq in remembered { #expect(prb_lost_reason_of(ring, seq) == PRB_LOST_WRITER_DIED, "seq \(seq)") }
        for seq in deadSeqs.prefix(2) { #expect(prb_lost_reason_of(ring, seq) == PRB_LOST_OVERWRITTEN, "seq \(seq)") }
        var seqs = [UInt64](repeating: 0, count: 16)
        let count = prb_recent_take_overs(ring, &seqs, seqs.count)
        #expect(Set(seqs[..<count]) == Set(remembered))
        #expect(prb_recent_take_overs(ring, &seqs, 2) == 2)

        // No text space: a record larger than what the tail can free while a live writer's
        // record (reserved, not committed) holds the text ring.
        var held = prb_entry()
        try #require(prb_reserve(ring, &held, 200, nil) == PRB_OK)
        var failedSeq: UInt64 = 0
        var result = PRB_OK
        for _ in 0..<8 {
            let text = [UInt8](repeating: 7, count: 300)
            result = prb_write(ring, text, text.count, nil, &failedSeq)
            if result != PRB_OK { break }
        }
        try #require(result == PRB_E_NO_SPACE)
        #expect(prb_lost_reason_of(ring, failedSeq) == PRB_LOST_NO_SPACE)
        let heldSeq = held.seq
        #expect(prb_commit(&held) == PRB_OK)
        #expect(prb_read(ring, heldSeq, nil, nil, 0) == PRB_READ_OK)
        #expect(prb_lost_reason_of(ring, heldSeq) == PRB_LOST_UNKNOWN)
    }

    @Test func aLiveWritersRecordIsNeverTakenOver() throws {
        let dir = try ScratchDirectory()
        let (path, survivor) = try createSurvivor(in: dir)
        defer { prb_file_close(survivor) }
        let slow = try openWriter(path)
        defer { prb_file_close(slow) }
        var entry = prb_entry()
        try #require(prb_reserve(prb_file_ring(slow), &entry, 8, nil) == PRB_OK)

        // The slow writer is alive (its handle holds its lock): the ring waits for it, as the
        // kernel's does for a stuck writer; nothing is taken over.
        var refused = 0
        for n in 0..<32 where prb_write(prb_file_ring(survivor), survivorText(n), survivorText(n).count, nil, nil) != PRB_OK {
            refused += 1
        }
        #expect(refused > 0)
        #expect(stats(survivor).taken_over == 0)

        // It finishes: its record is whole, and the ring moves on.
        #expect(prb_entry_append(&entry, "slow one", 8) == 8)
        #expect(prb_final_commit(&entry) == PRB_OK)
        for n in 0..<32 { #expect(prb_write(prb_file_ring(survivor), survivorText(n), survivorText(n).count, nil, nil) == PRB_OK) }
        #expect(stats(survivor).taken_over == 0)
    }

    /// The dead writer's process slot is claimed again by a new writer before anyone takes its
    /// record over: the record is still found (its thread slot kept naming it), the newcomer's
    /// own records are never touched.
    @Test func aNewWriterInTheDeadOnesSlotDoesNotHideOrExposeAnything() throws {
        let dir = try ScratchDirectory()
        let (path, survivor) = try createSurvivor(in: dir)
        defer { prb_file_close(survivor) }
        let dead = try openWriter(path)
        var deadSlot: UInt32 = 0
        var deadGeneration: UInt64 = 0
        try #require(prb_file_writer_slot(dead, &deadSlot, &deadGeneration))
        var entry = prb_entry()
        try #require(prb_reserve(prb_file_ring(dead), &entry, 8, nil) == PRB_OK)
        try closeAndWaitUntilGone(dead, path)

        let newcomer = try openWriter(path)
        defer { prb_file_close(newcomer) }
        var slot: UInt32 = 0
        var generation: UInt64 = 0
        try #require(prb_file_writer_slot(newcomer, &slot, &generation))
        #expect(slot == deadSlot && generation == deadGeneration + 1)

        var open = prb_entry()
        try #require(prb_reserve(prb_file_ring(newcomer), &open, 8, nil) == PRB_OK)
        #expect(prb_entry_append(&open, "newcomer", 8) == 8)
        // The survivor fills the ring: the dead record goes, the newcomer's open one stops it.
        var written = 0
        for n in 0..<16 where prb_write(prb_file_ring(survivor), survivorText(n), survivorText(n).count, nil, nil) == PRB_OK {
            written += 1
        }
        #expect(stats(survivor).taken_over == 1)
        #expect(written < 16)
        #expect(prb_final_commit(&open) == PRB_OK)
        let back = try readBack(path)
        #expect(back.records.contains { $0.text == Array("newcomer".utf8) })
    }
}
