import CPrintkRing
import CPrintkRing.Testing
import Testing
import TestSupport

/// prb_reserve_in_last: printk's continuation lines.
@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct ExtendLastTests {
    /// Reserves `text` for `caller` and commits it without finalizing.
    func committed(_ r: CRing, _ text: String, caller: UInt32) -> UInt64 {
        var (status, entry) = r.reserve(Array(text.utf8), caller: caller)
        #expect(status == PRB_OK)
        #expect(prb_commit(&entry) == PRB_OK)
        return entry.seq
    }

    func extend(_ r: CRing, caller: UInt32, with text: String, max: Int = 10_000) -> prb_status {
        var entry = prb_entry()
        let bytes = Array(text.utf8)
        let status = prb_reserve_in_last(r.ring, &entry, caller, bytes.count, max)
        guard status == PRB_OK else { return status }
        #expect(bytes.withUnsafeBytes { prb_entry_append(&entry, $0.baseAddress, $0.count) } == bytes.count)
        #expect(prb_commit(&entry) == PRB_OK)
        return status
    }

    /// Reserving another record finalizes the extended one so that readers see it.
    func finalizeByNextRecord(_ r: CRing) {
        #expect(r.write(Array("next".utf8)).0 == PRB_OK)
    }

    @Test func sameCallerAppends() {
        let r = CRing(descBits: 4, dataBits: 10)
        let seq = committed(r, "Hello, ", caller: 7)
        var entry = prb_entry()
        #expect(prb_reserve_in_last(r.ring, &entry, 7, 6, 100) == PRB_OK)
        #expect(entry.seq == seq)
        #expect(entry.text_len == 7)
        #expect(entry.capacity == 13)
        #expect(r.state(seq) == PRB_DESC_RESERVED)
        #expect(prb_entry_append(&entry, "world!", 6) == 6)
        #expect(prb_commit(&entry) == PRB_OK)
        #expect(extend(r, caller: 7, with: " Again.") == PRB_OK)
        finalizeByNextRecord(r)
        #expect(r.read(seq).2 == Array("Hello, world! Again.".utf8))
    }

    @Test func otherCallerIsRefusedAndNothingChanges() {
        let r = CRing(descBits: 4, dataBits: 10)
        let seq = committed(r, "mine", caller: 1)
        let before = r.positions
        #expect(extend(r, caller: 2, with: "theirs") == PRB_E_CANNOT_EXTEND)
        #expect(r.state(seq) == PRB_DESC_COMMITTED)
        #expect(r.positions.data_head_lpos == before.data_head_lpos)
        finalizeByNextRecord(r)
        #expect(r.read(seq).2 == Array("mine".utf8))
    }

    @Test func finalizedRecordCannotBeExtended() {
        let r = CRing(descBits: 4, dataBits: 10)
        let (_, seq) = r.write(Array("done".utf8), caller: 3)
        #expect(extend(r, caller: 3, with: "more") == PRB_E_CANNOT_EXTEND)
        #expect(r.read(seq).2 == Array("done".utf8))
    }

    @Test func recordFinalizedByTheNextReservationCannotBeExtended() {
        let r = CRing(descBits: 4, dataBits: 10)
        let seq = committed(r, "line", caller: 3)
        var (_, other) = r.reserve(Array("other".utf8), caller: 4)
        #expect(r.state(seq) == PRB_DESC_FINALIZED)
        #expect(extend(r, caller: 3, with: "more") == PRB_E_CANNOT_EXTEND)
        #expect(prb_final_commit(&other) == PRB_OK)
        #expect(r.read(seq).2 == Array("line".utf8))
    }

    @Test func growthIntoAWrapMovesTheText() throws {
        let r = CRing(descBits: 5, dataBits: 8)  // 256 bytes
        r.moveDataHead(toIndex: 192)
        let first = String(repeating: "a", count: 40)  // 48-byte block, ends at 240
        let seq = committed(r, first, caller: 9)
        let before = try #require(r.block(seq))
        #expect(!isWrapped(before, dataSize: r.dataSize))
        let more = String(repeating: "b", count: 40)  // 88 bytes from 192: must wrap
        #expect(extend(r, caller: 9, with: more) == PRB_OK)
        let after = try #require(r.block(seq))
        #expect(after.begin == before.begin)
        #expect(isWrapped(after, dataSize: r.dataSize))
        #expect(after.next & (r.dataSize - 1) == 88)
        finalizeByNextRecord(r)
        #expect(r.read(seq).2 == Array((first + more).utf8))
    }

    @Test func growthThatStaysInPlace() throws {
        let r = CRing(descBits: 5, dataBits: 8)
        let seq = committed(r, "abc", caller: 1)  // 16-byte block with room for 8 bytes of text
        let before = try #require(r.block(seq))
        #expect(extend(r, caller: 1, with: "defg") == PRB_OK)  // 7 bytes: same block
        #expect(try #require(r.block(seq)).next == before.next)
        #expect(extend(r, caller: 1, with: "hijklmnop") == PRB_OK)  // 16 bytes: a 24-byte block
        #expect(try #require(r.block(seq)).next == before.next + 8)
        finalizeByNextRecord(r)
        #expect(r.read(seq).2 == Array("abcdefghijklmnop".utf8))
    }

    @Test func emptyRecordGetsABlock() {
        let r = CRing(descBits: 4, dataBits: 10)
        let seq = committed(r, "", caller: 5)
        #expect(extend(r, caller: 5, with: "now with text") == PRB_OK)
        finalizeByNextRecord(r)
        #expect(r.read(seq).2 == Array("now with text".utf8))
    }

    @Test func growthBeyondTheLimitIsRefusedAndTheRecordStaysExtendable() {
        let r = CRing(descBits: 4, dataBits: 10)
        let seq = committed(r, "12345", caller: 5)
        #expect(extend(r, caller: 5, with: "678", max: 6) == PRB_E_TOO_LARGE)
        #expect(r.state(seq) == PRB_DESC_COMMITTED)
        var entry = prb_entry()
        #expect(prb_reserve_in_last(r.ring, &entry, 5, r.maxText, 100_000) == PRB_E_TOO_LARGE)
        #expect(extend(r, caller: 5, with: "6", max: 6) == PRB_OK)
        finalizeByNextRecord(r)
        #expect(r.read(seq).2 == Array("123456".utf8))
    }

    @Test func growthBlockedByAStuckOlderRecordFailsCleanly() throws {
        let r = CRing(descBits: 4, dataBits: 8)
        // Data ring, 256 bytes: [0,48) a stuck writer's block, [48,144) a finalized filler,
        // [144,256) the newest record, ending exactly at the end of the array.
        var (_, stuck) = r.reserve(pattern(40, seed: 1), caller: 1)
        #expect(r.write(pattern(88, seed: 2)).0 == PRB_OK)
        let x = String(repeating: "x", count: 100)
        let seq = committed(r, x, caller: 2)
        #expect(try #require(r.block(seq)).next & (r.dataSize - 1) == 0)
        // Growing it makes it wrap to index 0, over the stuck writer's block: refused.
        #expect(extend(r, caller: 2, with: "yyyyyyyyyy") == PRB_E_NO_SPACE)
        #expect(r.state(seq) == PRB_DESC_COMMITTED)  // re-committed, unchanged, still the newest
        #expect(!isWrapped(try #require(r.block(seq)), dataSize: r.dataSize))
        // Once the stuck writer finishes, the same extension works and moves the text.
        #expect(prb_final_commit(&stuck) == PRB_OK)
        #expect(extend(r, caller: 2, with: "yyyyyyyyyy") == PRB_OK)
        #expect(isWrapped(try #require(r.block(seq)), dataSize: r.dataSize))
        finalizeByNextRecord(r)
        #expect(r.read(seq).2 == Array((x + "yyyyyyyyyy").utf8))
        #expect(r.read(0).0 == PRB_READ_LOST)  // the grown block took its place
    }

    @Test func extendingAnEmptyRingIsRefused() {
        let r = CRing(descBits: 4, dataBits: 10)
        #expect(extend(r, caller: 0, with: "x") == PRB_E_CANNOT_EXTEND)
        #expect(prb_next_reserve_seq(r.ring) == 0)
    }
}
