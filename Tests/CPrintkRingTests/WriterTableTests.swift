// The writer table of a ring file (prb_file.h): each writing handle holds a process slot through
// an open-file-description lock, and (slot, generation) says alive, dead or replaced from the
// kernel's lock state, never from pids. Handles of one process have separate open file
// descriptions, so they see each other as separate writers, as processes do; the cross-process
// test (a writer killed with SIGKILL) is in ToolsTests.

import CPrintkRing
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Opens `path` for writing; the test fails if it cannot.
private func openWriter(_ path: String) throws -> OpaquePointer {
    var status = PRB_OK
    return try #require(prb_file_open(path, PRB_FILE_WRITE, &status), "\(String(cString: prb_status_string(status)))")
}

private func slotOf(_ file: OpaquePointer) throws -> (slot: UInt32, generation: UInt64) {
    var slot: UInt32 = 0
    var generation: UInt64 = 0
    try #require(prb_file_writer_slot(file, &slot, &generation))
    return (slot, generation)
}

/// Waits (bounded) until `observer` sees the writer (slot, generation) gone. A close releases the
/// lock at once, unless another test of this process is spawning a child at that moment: between
/// its fork and its exec the child holds a copy of every descriptor (ours are close-on-exec), and
/// with it the open file description and its lock.
private func expectGone(_ observer: OpaquePointer, _ writer: (slot: UInt32, generation: UInt64)) throws {
    let gone = waitUntil(timeoutNanoseconds: 30_000_000_000, sleeping: true) {
        prb_file_writer_state(observer, writer.slot, writer.generation) == PRB_WRITER_DEAD
    }
    try #require(gone, "slot \(writer.slot) generation \(writer.generation) still held")
}

private func writers(_ file: OpaquePointer) -> [prb_file_writer] {
    let count = prb_file_list_writers(file, nil, 0)
    var list = [prb_file_writer](repeating: prb_file_writer(), count: count)
    let listed = prb_file_list_writers(file, &list, count)
    return Array(list.prefix(min(count, listed)))
}

@Suite(.serialized, .singleThreaded, .timeLimit(.minutes(1))) struct WriterTableTests {
    @Test func aWriterHoldsItsSlotUntilItCloses() throws {
        let dir = try ScratchDirectory()
        let path = dir.file("ring")
        var status = PRB_OK
        let creator = try #require(prb_file_create(path, 4, 10, 0, &status))
        let (slot, generation) = try slotOf(creator)
        #expect(slot == 0 && generation == 1)
        #expect(prb_file_writer_state(creator, slot, generation) == PRB_WRITER_ALIVE)

        // A reader claims nothing, and sees the creator alive, with its pid.
        let reader = try #require(prb_file_open(path, 0, &status))
        defer { prb_file_close(reader) }
        var unused: UInt32 = 0
        var unusedGeneration: UInt64 = 0
        #expect(!prb_file_writer_slot(reader, &unused, &unusedGeneration))
        #expect(prb_file_writer_state(reader, slot, generation) == PRB_WRITER_ALIVE)
        let listed = writers(reader)
        try #require(listed.count == 1)
        #expect(listed[0].slot == 0 && listed[0].generation == 1 && listed[0].pid == Int64(getpid()))
        #expect(listed[0].state == PRB_WRITER_ALIVE && !listed[0].closed)

        // Closed: the lock is gone and the slot says it was a clean close.
        prb_file_close(creator)
        try expectGone(reader, (slot, generation))
        let after = writers(reader)
        #expect(after.count == 1 && after[0].state == PRB_WRITER_DEAD && after[0].closed)
    }

    @Test func aSlotLeftByOneWriterIsClaimedByTheNextWithANewGeneration() throws {
        let dir = try ScratchDirectory()
        let path = dir.file("ring")
        var status = PRB_OK
        let first = try #require(prb_file_create(path, 4, 10, 0, &status))
        let second = try openWriter(path)
        defer { prb_file_close(second) }
        let a = try slotOf(first)
        let b = try slotOf(second)
        #expect(a.slot != b.slot)
        // Each sees the other alive: separate open file descriptions, as in separate processes.
        #expect(prb_file_writer_state(second, a.slot, a.generation) == PRB_WRITER_ALIVE)
        #expect(prb_file_writer_state(first, b.slot, b.generation) == PRB_WRITER_ALIVE)

        prb_file_close(first)
        try expectGone(second, a)
        let third = try openWriter(path)
        defer { prb_file_close(third) }
        let c = try slotOf(third)
        // The free slot is reused, under a new generation: the old writer reads as replaced, never
        // as the new one's live self.
        #expect(c.slot == a.slot && c.generation == a.generation + 1)
        #expect(prb_file_writer_state(second, a.slot, a.generation) == PRB_WRITER_REPLACED)
        #expect(prb_file_writer_state(second, c.slot, c.generation) == PRB_WRITER_ALIVE)
        #expect(prb_file_writer_state(third, b.slot, b.generation) == PRB_WRITER_ALIVE)
    }

    @Test func aFullTableRefusesAWriterUntilOneCloses() throws {
        let dir = try ScratchDirectory()
        let path = dir.file("ring")
        var status = PRB_OK
        var handles = [try #require(prb_file_create(path, 4, 10, 0, &status))]
        defer { handles.forEach { prb_file_close($0) } }
        var info = prb_file_info()
        prb_file_get_info(handles[0], &info)
        while handles.count < Int(info.process_slots) { handles.append(try openWriter(path)) }
        // Every slot is held by a live handle: a writer is refused, a reader is not.
        errno = 0
        #expect(prb_file_open(path, PRB_FILE_WRITE, &status) == nil && status == PRB_E_NO_WRITER_SLOT)
        #expect(FileOutcome.open(path).status == PRB_OK)
        #expect(Set(try handles.map { try slotOf($0).slot }).count == handles.count)
        #expect(writers(handles[0]).allSatisfy { $0.state == PRB_WRITER_ALIVE })

        // One closes: its slot (and only it) is free again.
        let freed = try slotOf(handles[7])
        prb_file_close(handles.remove(at: 7))
        try expectGone(handles[0], freed)
        let newcomer = try openWriter(path)
        handles.append(newcomer)
        #expect(try slotOf(newcomer) == (freed.slot, freed.generation + 1))
    }

    @Test func damagedSlotWordsAreNotBelieved() throws {
        let dir = try ScratchDirectory()
        let path = dir.file("ring")
        var status = PRB_OK
        let writer = try #require(prb_file_create(path, 4, 10, 0, &status))
        defer { prb_file_close(writer) }
        let me = try slotOf(writer)
        var info = prb_file_info()
        prb_file_get_info(writer, &info)
        // Out of range, or a generation never given: no answer, which callers treat as alive.
        #expect(prb_file_writer_state(writer, info.process_slots, 1) == PRB_WRITER_UNKNOWN)
        #expect(prb_file_writer_state(writer, UInt32.max, 1) == PRB_WRITER_UNKNOWN)
        #expect(prb_file_writer_state(writer, 1, 0) == PRB_WRITER_UNKNOWN)

        // Slot 1 never claimed, but its generation word damaged to the largest value: a writer
        // that claims it later gets generation 1 (0 would mean "never claimed"), and asking about
        // a generation beyond the one stored is no answer.
        let slot1Generation = Int(PRB_FILE_HEADER_BYTES) + Int(PRB_FILE_SLOT_BYTES) * 2
        let fd = open(path, O_RDWR)
        try #require(fd >= 0)
        defer { close(fd) }
        var damaged = UInt64.max
        try #require(pwrite(fd, &damaged, 8, off_t(slot1Generation)) == 8)
        #expect(prb_file_writer_state(writer, 1, 5) == PRB_WRITER_REPLACED)
        let listed = writers(writer)
        #expect(listed.count == 2 && listed[1].generation == UInt64.max && listed[1].state == PRB_WRITER_DEAD)
        let next = try openWriter(path)
        defer { prb_file_close(next) }
        #expect(try slotOf(next) == (1, 1))
        #expect(prb_file_writer_state(writer, 1, 1) == PRB_WRITER_ALIVE)
        // Our own slot stays ours whatever its words say.
        #expect(prb_file_writer_state(writer, me.slot, me.generation) == PRB_WRITER_ALIVE)
    }
}
