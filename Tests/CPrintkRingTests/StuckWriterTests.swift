// Fault injection for stuck writers (reference section 6): a record reserved and never committed,
// or committed only at the end, must stop nobody. Other writers go on until the ring wraps onto
// it and then fail cleanly; a normal reader stops at it; a panic-mode reader skips it and reads
// everything finalized after it. Built on the C API, where a reservation can be held open at will.
//
// Threads only where a test needs a real second writer (the frozen-writer test), with explicit
// semaphore handshakes: nothing here waits for time to pass. Every wait for a thread is bounded
// (a minute), so a core bug that makes a thread spin fails the test, naming what it waited for.

import CPrintkRing
import CPrintkRing.Testing
import Synchronization
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct StuckWriterTests {
    /// (a) A reservation that is never committed: a single thread writes until the ring wraps onto
    /// it. From then on every write fails, with PRB_E_NO_SPACE (the data ring wraps first) and then
    /// PRB_E_NO_DESCRIPTOR; the ring counts each failure, the stuck record keeps its slot, and every
    /// record already finalized reads back intact or as lost, never as something else. Committing
    /// the stuck record unblocks the ring.
    @Test func uncommittedReservationMakesOtherWritersFailCleanly() {
        // 16 descriptors, 256 bytes of text: 48-byte blocks, so the data ring wraps first.
        let ring = StuckTestRing(descBits: 4, dataBits: 8)
        var written: [UInt64: [UInt8]] = [:]
        for i in 0..<20 {
            let text = stuckTestText(tag: UInt64(i), count: 40)
            let (status, seq) = ring.write(text)
            #expect(status == PRB_OK)
            written[seq] = text
        }

        let stuckText = stuckTestText(tag: 0x57, count: 40)
        var stuck = prb_entry()
        #expect(prb_reserve(ring.handle, &stuck, stuckText.count, nil) == PRB_OK)
        #expect(stuckText.withUnsafeBytes { prb_entry_append(&stuck, $0.baseAddress, 20) } == 20)

        var noDescriptor: UInt64 = 0
        var noSpaceSeqs: [UInt64] = []
        var phases: [prb_status] = []  // the outcomes, consecutive repeats collapsed
        for attempt in 0..<(4 * Int(ring.descCount)) {
            let text = stuckTestText(tag: 0x1000 + UInt64(attempt), count: 40)
            let (status, seq) = ring.write(text)
            switch status {
            case PRB_OK: written[seq] = text
            case PRB_E_NO_DESCRIPTOR: noDescriptor += 1
            case PRB_E_NO_SPACE: noSpaceSeqs.append(seq)
            default: Issue.record("write \(attempt): unexpected status \(String(cString: prb_status_string(status)))")
            }
            if phases.last != status { phases.append(status) }
        }

        // The writes succeeded until the data ring wrapped onto the stuck record, then got a seq
        // but no text until the descriptor ring wrapped onto it too, then got nothing; no write
        // succeeded again while the record was stuck.
        #expect(phases == [PRB_OK, PRB_E_NO_SPACE, PRB_E_NO_DESCRIPTOR])
        #expect(noDescriptor > 0)
        #expect(!noSpaceSeqs.isEmpty)
        let stats = ring.stats
        #expect(stats.failed_descriptor == noDescriptor)
        #expect(stats.failed_data == UInt64(noSpaceSeqs.count))
        #expect(stats.reserved == prb_next_reserve_seq(ring.handle))
        // The ring never went a whole wrap past the stuck record, which still holds its slot.
        #expect(prb_next_reserve_seq(ring.handle) - stuck.seq <= ring.descCount)
        #expect(ring.state(stuck.seq) == PRB_DESC_RESERVED)

        // Nothing finalized was corrupted: every seq still in the ring reads back exactly as written,
        // or as lost. Records after the stuck one cannot have been overwritten.
        let nextReserve = prb_next_reserve_seq(ring.handle)
        for seq in prb_first_seq(ring.handle)..<nextReserve {
            let (status, text) = ring.read(seq)
            if seq == stuck.seq {
                #expect(status == PRB_READ_NOT_YET, "the stuck record \(seq) must not be readable")
            } else if let expected = written[seq] {
                if seq > stuck.seq { #expect(status == PRB_READ_OK, "record \(seq) after the stuck one") }
                if status == PRB_READ_OK {
                    #expect(text == expected, "record \(seq) changed")
                } else {
                    #expect(status == PRB_READ_LOST, "record \(seq)")
                }
            } else {
                #expect(noSpaceSeqs.contains(seq), "seq \(seq) was neither written nor failed")
                #expect(status == PRB_READ_LOST, "no-space record \(seq)")
            }
        }

        // The writer comes back: its record is complete and the ring takes writes again.
        #expect(stuckText[20...].withUnsafeBytes { prb_entry_append(&stuck, $0.baseAddress, $0.count) } == 20)
        #expect(prb_final_commit(&stuck) == PRB_OK)
        #expect(ring.read(stuck.seq) == (PRB_READ_OK, stuckText))
        for i in 0..<(2 * Int(ring.descCount)) {
            #expect(ring.write(stuckTestText(tag: 0x2000 + UInt64(i), count: 40)).0 == PRB_OK)
        }
    }

    /// (b) A normal reader reads every record before the stuck one and then stops there, although
    /// the records after it are finalized; it goes on once the record is committed.
    @Test func normalReaderStopsAtStuckRecord() {
        // 64 descriptors, 4 KiB: nothing wraps.
        let ring = StuckTestRing(descBits: 6, dataBits: 12)
        let before = ring.writeAll((0..<10).map { stuckTestText(tag: $0, count: 40) })
        let stuckText = stuckTestText(tag: 0x57, count: 40)
        var stuck = prb_entry()
        #expect(prb_reserve(ring.handle, &stuck, stuckText.count, nil) == PRB_OK)
        let after = ring.writeAll((100..<110).map { stuckTestText(tag: $0, count: 40) })
        #expect(before.count == 10 && after.count == 10)

        var reader = prb_reader()
        prb_reader_init(&reader, ring.handle, 0, false)
        #expect(ring.drain(&reader) == before)
        #expect(reader.next_seq == stuck.seq)
        #expect(reader.lost == 0)
        #expect(ring.drain(&reader).isEmpty, "the reader must stay at the stuck record")
        #expect(prb_next_seq(ring.handle) == stuck.seq)
        var seq = stuck.seq
        #expect(!prb_read_valid(ring.handle, &seq, nil, nil, 0, false))
        // Yet the later records are finalized: each can be read by its seq.
        for record in after {
            #expect(ring.read(record.seq) == (PRB_READ_OK, record.text))
        }

        #expect(stuckText.withUnsafeBytes { prb_entry_append(&stuck, $0.baseAddress, $0.count) } == stuckText.count)
        #expect(prb_commit(&stuck) == PRB_OK)
        #expect(ring.drain(&reader) == [StuckTestRecord(seq: stuck.seq, text: stuckText)] + after)
        #expect(reader.lost == 0)
    }

    /// (c) A panic-mode reader skips the stuck record, counting it lost, and reads exactly the
    /// records written after it that are in the ring: with the ring wrapped onto the stuck record,
    /// all successful writes after it. Empty records (which need no text space) keep succeeding
    /// after the data ring is full, so no-space records lie between readable ones and must be
    /// counted lost too.
    @Test func panicReaderSkipsStuckRecord() {
        let ring = StuckTestRing(descBits: 4, dataBits: 8)
        let before = ring.writeAll((0..<10).map { stuckTestText(tag: $0, count: 40) })
        var stuck = prb_entry()
        #expect(prb_reserve(ring.handle, &stuck, 40, nil) == PRB_OK)

        var after: [StuckTestRecord] = []
        var noSpaceSeqs: [UInt64] = []
        for i in 0..<(3 * ring.descCount) {
            let text = stuckTestText(tag: 0x1000 + i, count: i % 2 == 0 ? 40 : 0)
            let (status, seq) = ring.write(text)
            if status == PRB_OK { after.append(StuckTestRecord(seq: seq, text: text)) }
            if status == PRB_E_NO_SPACE { noSpaceSeqs.append(seq) }
        }
        guard let lastAfter = after.last?.seq else {
            Issue.record("no write after the stuck record succeeded")
            return
        }
        // A reader counts every record it passes, no-space records at the very end too: it stops
        // after them.
        let noSpaceBetween = UInt64(noSpaceSeqs.filter { $0 < lastAfter }.count)
        #expect(noSpaceBetween > 0, "the data ring should have wrapped onto the stuck record")
        let end = max(lastAfter, noSpaceSeqs.max() ?? 0) + 1

        var panicReader = prb_reader()
        prb_reader_init(&panicReader, ring.handle, stuck.seq, true)
        #expect(ring.drain(&panicReader) == after)
        #expect(
            panicReader.lost == 1 + UInt64(noSpaceSeqs.count), "the stuck record and the no-space records are lost")
        #expect(panicReader.next_seq == end)

        // From the oldest record: what is left of the earlier records, exact, then the same.
        var fromOldest = prb_reader()
        prb_reader_init(&fromOldest, ring.handle, prb_first_seq(ring.handle), true)
        let all = ring.drain(&fromOldest)
        #expect(all.filter { $0.seq > stuck.seq } == after)
        #expect(!all.contains { $0.seq == stuck.seq })
        #expect(all.filter { $0.seq < stuck.seq }.allSatisfy { before.contains($0) })

        // A normal reader at the same place reads nothing.
        var normalReader = prb_reader()
        prb_reader_init(&normalReader, ring.handle, stuck.seq, false)
        #expect(ring.drain(&normalReader).isEmpty)
        #expect(normalReader.lost == 0)
        #expect(normalReader.next_seq == stuck.seq)
        #expect(prb_final_commit(&stuck) == PRB_OK)
    }
}

/// The stuck-writer test with real threads; the others in ``StuckWriterTests`` run on one thread.
@Suite(.concurrent, .timeLimit(.minutes(1))) struct FrozenWriterThreadTests {
    /// (d) A writer thread frozen in the middle of its record (reserved, half its text appended)
    /// while two other threads write: they wrap onto it and fail cleanly; a normal reader stops at
    /// it; a panic reader reads exactly what the others wrote. Released, the frozen writer appends
    /// the rest and commits (not final); its commit sees the newer records and finalizes the record
    /// itself, and the normal reader gets past it.
    @Test func frozenWriterThreadIsSkippedOnlyInPanicMode() {
        // 32 descriptors, 1 KiB of text.
        let ring = StuckTestRing(descBits: 5, dataBits: 10)
        let before = ring.writeAll((0..<4).map { stuckTestText(tag: $0, count: 40) })
        let shared = FrozenWriterShared(ring: ring)
        let stuckText = stuckTestText(tag: 0x57, count: 64)

        let frozenThread = OSThread {
            var entry = prb_entry()
            let status = prb_reserve(shared.ring.handle, &entry, stuckText.count, nil)
            if status == PRB_OK {
                _ = stuckText[..<32].withUnsafeBytes { prb_entry_append(&entry, $0.baseAddress, $0.count) }
                shared.frozenSeq.store(entry.seq, ordering: .relaxed)
            }
            shared.reserveStatus.store(status.rawValue, ordering: .relaxed)
            shared.reserved.post()
            // Bounded: if the test gave up on the others, this thread ends instead of waiting.
            let released = shared.release.wait(waitingFor: "the test to release the frozen writer")
            if status == PRB_OK && released {
                _ = stuckText[32...].withUnsafeBytes { prb_entry_append(&entry, $0.baseAddress, $0.count) }
                shared.commitStatus.store(prb_commit(&entry).rawValue, ordering: .relaxed)
            }
        }
        guard shared.reserved.wait(waitingFor: "the frozen writer to reserve its record") else {
            shared.release.post()
            return
        }
        guard shared.reserveStatus.load(ordering: .relaxed) == PRB_OK.rawValue else {
            Issue.record("the frozen writer could not reserve")
            shared.release.post()
            frozenThread.join(waitingFor: "the frozen writer to end")
            return
        }
        let frozenSeq = shared.frozenSeq.load(ordering: .relaxed)

        let attemptsPerWriter = 3 * Int(ring.descCount)
        let writerThreads = (0..<2).map { writer in
            OSThread {
                var outcome = FrozenWriterShared.WriterOutcome()
                for i in 0..<attemptsPerWriter {
                    let text = stuckTestText(tag: UInt64(writer + 1) << 32 | UInt64(i), count: 40)
                    let (status, seq) = shared.ring.write(text)
                    switch status {
                    case PRB_OK: outcome.written.append(StuckTestRecord(seq: seq, text: text))
                    case PRB_E_NO_DESCRIPTOR: outcome.noDescriptor += 1
                    case PRB_E_NO_SPACE: outcome.noSpaceSeqs.append(seq)
                    default: outcome.unexpected.append(status.rawValue)
                    }
                }
                shared.outcomes.store(outcome, at: writer)
            }
        }
        var writersJoined = true
        for (writer, thread) in writerThreads.enumerated() {
            writersJoined = thread.join(waitingFor: "writer \(writer) to make its attempts") && writersJoined
        }
        guard writersJoined else {
            shared.release.post()
            frozenThread.join(waitingFor: "the frozen writer to end")
            return
        }

        let outcomes = shared.outcomes.values
        let after = outcomes.flatMap(\.written).sorted { $0.seq < $1.seq }
        let noSpaceSeqs = outcomes.flatMap(\.noSpaceSeqs)
        let noDescriptor = outcomes.reduce(0) { $0 + $1.noDescriptor }
        #expect(outcomes.count == 2)
        #expect(outcomes.allSatisfy { $0.unexpected.isEmpty })
        #expect(!noSpaceSeqs.isEmpty || noDescriptor > 0, "the writers should have wrapped onto the frozen record")
        #expect(ring.stats.failed_descriptor == noDescriptor)
        #expect(ring.stats.failed_data == UInt64(noSpaceSeqs.count))
        #expect(after.allSatisfy { $0.seq > frozenSeq })
        #expect(ring.state(frozenSeq) == PRB_DESC_RESERVED)
        guard let lastAfter = after.last?.seq else {
            Issue.record("no write after the frozen record succeeded")
            shared.release.post()
            frozenThread.join(waitingFor: "the frozen writer to end")
            return
        }
        // Lost records after the last written one count too: a reader passes them and stops after
        // them.
        let lostAfter = UInt64(noSpaceSeqs.count)
        let end = max(lastAfter, noSpaceSeqs.max() ?? 0) + 1

        // A normal reader reads what is left of the records before the frozen one, then stops:
        // the finalized prefix ends at the frozen record.
        #expect(prb_next_seq(ring.handle) == frozenSeq)
        var reader = prb_reader()
        prb_reader_init(&reader, ring.handle, 0, false)
        let early = ring.drain(&reader)
        #expect(early.allSatisfy { $0.seq < frozenSeq && before.contains($0) })
        #expect(reader.next_seq <= frozenSeq)

        // A panic reader skips it and reads exactly what the other threads wrote.
        var panicReader = prb_reader()
        prb_reader_init(&panicReader, ring.handle, frozenSeq, true)
        #expect(ring.drain(&panicReader) == after)
        #expect(panicReader.lost == 1 + lostAfter)
        #expect(panicReader.next_seq == end)

        // Release the frozen writer and wait for it to finish its record.
        shared.release.post()
        guard frozenThread.join(waitingFor: "the frozen writer to finish its record") else { return }
        #expect(shared.commitStatus.load(ordering: .relaxed) == PRB_OK.rawValue)
        #expect(ring.state(frozenSeq) == PRB_DESC_FINALIZED, "prb_commit must finalize a record that is not the newest")
        #expect(prb_next_seq(ring.handle) == prb_next_reserve_seq(ring.handle))
        let rest = ring.drain(&reader)
        #expect(rest == [StuckTestRecord(seq: frozenSeq, text: stuckText)] + after)
        #expect(reader.next_seq == end)
        #expect(UInt64(early.count + rest.count) + reader.lost == reader.next_seq)
    }
}

extension StuckWriterTests {
    /// (e) A record committed (not final) as the newest record is not visible to ordinary readers
    /// until another record is reserved (that reservation finalizes it). A panic-mode reader reads
    /// it at once, as the kernel's panic CPU does: it is consistent and may be the last hint.
    @Test func committedNewestRecordIsVisibleOnlyAfterNextReservation() {
        let ring = StuckTestRing(descBits: 4, dataBits: 10)
        let before = ring.writeAll((0..<3).map { stuckTestText(tag: $0, count: 24) })
        let lineText = stuckTestText(tag: 0xC0, count: 24)
        var line = prb_entry()
        #expect(prb_reserve(ring.handle, &line, lineText.count, nil) == PRB_OK)
        #expect(lineText.withUnsafeBytes { prb_entry_append(&line, $0.baseAddress, $0.count) } == lineText.count)
        #expect(prb_commit(&line) == PRB_OK)

        #expect(ring.state(line.seq) == PRB_DESC_COMMITTED)
        #expect(ring.read(line.seq).0 == PRB_READ_NOT_YET)
        var reader = prb_reader()
        prb_reader_init(&reader, ring.handle, 0, false)
        #expect(ring.drain(&reader) == before)
        #expect(reader.next_seq == line.seq)
        #expect(prb_next_seq(ring.handle) == line.seq)
        var seq = line.seq
        var panicInfo = prb_record_info()
        var panicText = [UInt8](repeating: 0, count: 64)
        #expect(
            panicText.withUnsafeMutableBytes {
                prb_read_valid(ring.handle, &seq, &panicInfo, $0.baseAddress, $0.count, true)
            }, "panic mode reads the committed record")
        #expect(seq == line.seq && Int(panicInfo.text_len) == lineText.count)
        #expect(Array(panicText.prefix(lineText.count)) == lineText)
        #expect(ring.state(line.seq) == PRB_DESC_COMMITTED, "reading it changed nothing")

        var next = prb_entry()
        #expect(prb_reserve(ring.handle, &next, 8, nil) == PRB_OK)
        #expect(ring.state(line.seq) == PRB_DESC_FINALIZED)
        #expect(ring.read(line.seq) == (PRB_READ_OK, lineText))
        #expect(ring.drain(&reader) == [StuckTestRecord(seq: line.seq, text: lineText)])
        #expect(reader.next_seq == next.seq, "the new reservation itself is not visible")
        let nextText = stuckTestText(tag: 0xC1, count: 8)
        #expect(nextText.withUnsafeBytes { prb_entry_append(&next, $0.baseAddress, $0.count) } == nextText.count)
        #expect(prb_final_commit(&next) == PRB_OK)
        #expect(ring.drain(&reader) == [StuckTestRecord(seq: next.seq, text: nextText)])
        #expect(reader.lost == 0)
    }
}

// MARK: - Helpers

/// A record as written or read: its seq and text.
private struct StuckTestRecord: Equatable, Sendable, CustomStringConvertible {
    var seq: UInt64
    var text: [UInt8]

    /// Short enough for an expectation's failure message.
    var description: String {
        "seq \(seq): \(text.count) bytes \(text.prefix(4).map { String($0, radix: 16) }.joined(separator: " "))"
    }
}

/// Distinct, deterministic text for each tag.
private func stuckTestText(tag: UInt64, count: Int) -> [UInt8] {
    var x = tag &* 0x9e37_79b9_7f4a_7c15 ^ UInt64(count)
    return (0..<count).map { _ in
        x = (x ^ (x >> 29)) &* 0xbf58_476d_1ce4_e5b9
        return UInt8(truncatingIfNeeded: x >> 32)
    }
}

/// A C ring for one test.
///
/// `@unchecked Sendable`: the handle never changes after init, and every prb_* function used here
/// may be called from any thread at any time; that is what the ring is for.
private final class StuckTestRing: @unchecked Sendable {
    let handle: OpaquePointer

    init(descBits: UInt32, dataBits: UInt32) {
        var status = PRB_OK
        guard let ring = prb_ring_create(descBits, dataBits, &status) else {
            fatalError("prb_ring_create: \(String(cString: prb_status_string(status)))")
        }
        handle = ring
    }

    deinit { prb_ring_destroy(handle) }

    var descCount: UInt64 { 1 << UInt64(prb_ring_desc_bits(handle)) }
    var maxText: Int { prb_max_text_size(handle) }

    var stats: prb_stats {
        var stats = prb_stats()
        prb_get_stats(handle, &stats)
        return stats
    }

    func state(_ seq: UInt64) -> prb_desc_state { prb_state_of_seq(handle, seq) }

    /// One complete record with prb_write: (status, seq).
    func write(_ text: [UInt8]) -> (prb_status, UInt64) {
        var seq = UInt64.max
        let status = text.withUnsafeBytes { prb_write(handle, $0.baseAddress, $0.count, nil, &seq) }
        return (status, seq)
    }

    /// Writes each text, expecting success; returns what was written.
    func writeAll(_ texts: [[UInt8]]) -> [StuckTestRecord] {
        texts.compactMap { text in
            let (status, seq) = write(text)
            #expect(status == PRB_OK)
            return status == PRB_OK ? StuckTestRecord(seq: seq, text: text) : nil
        }
    }

    /// Reads exactly `seq`; the text is empty unless the status is PRB_READ_OK.
    func read(_ seq: UInt64) -> (prb_read_status, [UInt8]) {
        var info = prb_record_info()
        var buffer = [UInt8](repeating: 0, count: maxText)
        let status = buffer.withUnsafeMutableBytes { prb_read(handle, seq, &info, $0.baseAddress, $0.count) }
        guard status == PRB_READ_OK else { return (status, []) }
        #expect(info.seq == seq)
        return (status, Array(buffer[..<Int(info.text_len)]))
    }

    /// Everything `reader` returns until it is caught up. A reader that returns more records than
    /// the ring can hold is stopped there, with an issue.
    func drain(_ reader: inout prb_reader) -> [StuckTestRecord] {
        var records: [StuckTestRecord] = []
        var info = prb_record_info()
        var buffer = [UInt8](repeating: 0, count: maxText)
        while buffer.withUnsafeMutableBytes({ prb_reader_next(&reader, &info, $0.baseAddress, $0.count) }) {
            guard UInt64(records.count) < descCount else {
                Issue.record("the reader returned more than the \(descCount) records the ring holds: it does not stop")
                break
            }
            records.append(StuckTestRecord(seq: info.seq, text: Array(buffer[..<Int(info.text_len)])))
        }
        return records
    }
}

/// A POSIX semaphore at a fixed address.
///
/// `@unchecked Sendable`: sem_post and sem_wait are thread-safe; the pointer never changes.
private final class StuckTestSemaphore: @unchecked Sendable {
    private let semaphore: UnsafeMutablePointer<sem_t>

    init() {
        semaphore = .allocate(capacity: 1)
        sem_init(semaphore, 0, 0)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    func post() { sem_post(semaphore) }

    /// Waits for a post, at most `limit`; false, with an issue naming `what`, if none came.
    func wait(
        within limit: Duration = defaultWaitLimit, waitingFor what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let (seconds, attoseconds) = limit.components
        let nanoseconds = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
        var end = timespec(
            tv_sec: now.tv_sec + Int(seconds) + nanoseconds / 1_000_000_000, tv_nsec: nanoseconds % 1_000_000_000)
        while sem_timedwait(semaphore, &end) != 0 {
            if errno == ETIMEDOUT {
                Issue.record("timed out after \(limit) waiting for \(what)", sourceLocation: sourceLocation)
                return false
            }
            // EINTR: wait again, for what is left.
        }
        return true
    }
}

/// What the frozen-writer test shares with its threads.
private final class FrozenWriterShared: Sendable {
    struct WriterOutcome: Sendable {
        var written: [StuckTestRecord] = []
        var noDescriptor: UInt64 = 0
        var noSpaceSeqs: [UInt64] = []
        var unexpected: [UInt32] = []
    }

    let ring: StuckTestRing
    /// Posted by the frozen writer once it holds its reservation.
    let reserved = StuckTestSemaphore()
    /// Posted by the test when the frozen writer may finish.
    let release = StuckTestSemaphore()
    // Relaxed: each is read only after the semaphore or the join that follows its store.
    let reserveStatus = Atomic<UInt32>(UInt32.max)
    let frozenSeq = Atomic<UInt64>(UInt64.max)
    let commitStatus = Atomic<UInt32>(UInt32.max)
    /// Slot i: writer i's outcome, read after joining writer i.
    let outcomes = ThreadResults<WriterOutcome>(count: 2)

    init(ring: StuckTestRing) { self.ring = ring }
}
