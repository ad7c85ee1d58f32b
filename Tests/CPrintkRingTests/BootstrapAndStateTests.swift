import CPrintkRing
import CPrintkRing.Testing
import Testing
import TestSupport

/// The life of a record, one transition at a time, and the empty ring.
@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct BootstrapAndStateTests {
    @Test func freshRingReadsEmpty() {
        let r = CRing(descBits: 4, dataBits: 8)
        #expect(prb_first_seq(r.ring) == 0)
        #expect(prb_first_valid_seq(r.ring) == 0)
        #expect(prb_next_seq(r.ring) == 0)
        #expect(prb_next_reserve_seq(r.ring) == 0)
        #expect(r.read(0).0 == PRB_READ_NOT_YET)
        #expect(r.readAll().seqs.isEmpty)
        #expect(r.stats.reserved == 0 && r.stats.finalized == 0)
        // A panic-mode reader has nothing to skip on an empty ring: it returns at once.
        #expect(returnsInTime("a panic-mode reader on the empty ring") { r.readAll(panic: true).seqs } == [])
        var seq: UInt64 = 0
        #expect(returnsInTime("prb_read_valid in panic mode on the empty ring") {
            prb_read_valid(r.ring, &seq, nil, nil, 0, true)
        } == false)
        #expect(seq == 0)
    }

    @Test func idsAndPositionsStartJustBelowOverflow() {
        let r = CRing(descBits: 4, dataBits: 8)
        let p = r.positions
        let idMask: UInt64 = (1 << 62) - 1
        // DESC0_ID: the last slot, one wrap and one id below overflow; lpos one wrap below 0.
        #expect(p.head_id == (0 &- (r.descCount + 1)) & idMask)
        #expect(p.tail_id == p.head_id)
        #expect(p.data_head_lpos == 0 &- r.dataSize)
        #expect(p.data_tail_lpos == p.data_head_lpos)
    }

    @Test func firstRecordGetsSeqZero() {
        let r = CRing(descBits: 4, dataBits: 8)
        let (status, seq) = r.write(Array("hello".utf8))
        #expect(status == PRB_OK)
        #expect(seq == 0)
        let (readStatus, info, text) = r.read(0)
        #expect(readStatus == PRB_READ_OK)
        #expect(info.seq == 0)
        #expect(text == Array("hello".utf8))
        #expect(prb_next_seq(r.ring) == 1)
        #expect(prb_next_reserve_seq(r.ring) == 1)
    }

    @Test func reserveCommitFinalizeTransitions() {
        let r = CRing(descBits: 4, dataBits: 8)
        var (status, a) = r.reserve(Array("a".utf8))
        #expect(status == PRB_OK)
        #expect(r.state(0) == PRB_DESC_RESERVED)
        #expect(r.read(0).0 == PRB_READ_NOT_YET)

        // reserved -> committed: still invisible, the newest record may yet be extended.
        #expect(prb_commit(&a) == PRB_OK)
        #expect(r.state(0) == PRB_DESC_COMMITTED)
        #expect(r.read(0).0 == PRB_READ_NOT_YET)
        #expect(prb_next_seq(r.ring) == 0)

        // committed -> finalized by the next reservation.
        var b: prb_entry
        (status, b) = r.reserve(Array("b".utf8))
        #expect(status == PRB_OK)
        #expect(r.state(0) == PRB_DESC_FINALIZED)
        #expect(r.read(0).2 == Array("a".utf8))
        #expect(prb_next_seq(r.ring) == 1)

        // reserved -> finalized directly.
        #expect(prb_final_commit(&b) == PRB_OK)
        #expect(r.state(1) == PRB_DESC_FINALIZED)
        #expect(r.read(1).2 == Array("b".utf8))
        #expect(prb_next_seq(r.ring) == 2)
    }

    @Test func commitFinalizesItselfWhenANewerRecordExists() {
        let r = CRing(descBits: 4, dataBits: 8)
        var (_, a) = r.reserve(Array("first".utf8))
        var (_, b) = r.reserve(Array("second".utf8))
        // b's reservation could not finalize a (still reserved); a's commit sees b and does it.
        #expect(r.state(0) == PRB_DESC_RESERVED)
        #expect(prb_commit(&a) == PRB_OK)
        #expect(r.state(0) == PRB_DESC_FINALIZED)
        #expect(prb_commit(&b) == PRB_OK)
        #expect(r.state(1) == PRB_DESC_COMMITTED)
        #expect(r.readAll().seqs == [0])
    }

    @Test func committingTwiceIsRefused() {
        let r = CRing(descBits: 4, dataBits: 8)
        var (_, a) = r.reserve(Array("x".utf8))
        #expect(prb_final_commit(&a) == PRB_OK)
        #expect(prb_final_commit(&a) == PRB_E_BAD_ENTRY)
        #expect(prb_commit(&a) == PRB_E_BAD_ENTRY)
        #expect(prb_entry_append(&a, "y", 1) == 0)
        #expect(r.read(0).2 == Array("x".utf8))

        // A copy of an entry taken before its commit is stale after it: it can neither commit
        // nor finalize the record (the state must still be reserved by that entry).
        var (_, b) = r.reserve(Array("z".utf8))
        var stale = b
        #expect(prb_commit(&b) == PRB_OK)
        #expect(prb_final_commit(&stale) == PRB_E_BAD_ENTRY)
        #expect(r.state(1) == PRB_DESC_COMMITTED)

        // A committed entry is spent even with room left: appends and device info after the
        // commit change nothing.
        var c = prb_entry()
        #expect(prb_reserve(r.ring, &c, 10, nil) == PRB_OK)
        #expect(prb_entry_append(&c, "w", 1) == 1)
        #expect(prb_final_commit(&c) == PRB_OK)
        #expect(prb_entry_append(&c, "v", 1) == 0)
        prb_entry_set_dev_info(&c, "sub", "dev")
        let (status, info, text) = r.read(c.seq)
        #expect(status == PRB_READ_OK && text == Array("w".utf8))
        #expect(info.subsystem.0 == 0, "no device info after the commit")
    }

    /// The first wrap of the descriptor ring, each step under a deadline: a walk over the ring that
    /// does not stop (the finalized-prefix walk of every finalization, prb_next_seq's, a reader's)
    /// fails this test, named, instead of hanging the run. It comes before the other tests that
    /// wrap the ring, so that, run one at a time, it fails before they hang.
    @Test func aWrappedDescriptorRingAnswersInTime() throws {
        let r = CRing(descBits: 2, dataBits: 10)  // 4 descriptors
        let statuses = returnsInTime("10 writes to a 4-descriptor ring") {
            (0..<10).map { r.write(pattern(20, seed: UInt64($0))).0 }
        }
        #expect(try #require(statuses) == Array(repeating: PRB_OK, count: 10))
        #expect(returnsInTime("prb_next_seq after the wrap") { prb_next_seq(r.ring) } == 10)
        let first = try #require(returnsInTime("prb_first_seq after the wrap") { prb_first_seq(r.ring) })
        for panic in [false, true] {
            let seqs = returnsInTime("a reader (panic mode: \(panic)) draining the ring") {
                r.readAll(panic: panic).seqs
            }
            #expect(seqs == Array(first..<10))
        }
    }

    @Test func overwrittenRecordsBecomeReusableAndReadAsLost() {
        let r = CRing(descBits: 2, dataBits: 10)  // 4 descriptors
        for i in 0..<10 { #expect(r.write(pattern(20, seed: UInt64(i))).0 == PRB_OK) }
        // The ring holds at most 4 descriptors, one of which is the oldest kept (tail).
        let first = prb_first_seq(r.ring)
        #expect(first >= 6)
        #expect(r.read(0).0 == PRB_READ_LOST)
        // Slot of seq 2 now holds seq 6 or later: the old record is gone (miss).
        #expect(r.state(2) == PRB_DESC_MISS)
        for seq in first..<10 { #expect(r.read(seq).2 == pattern(20, seed: seq)) }
        let all = r.readAll()
        #expect(all.seqs == Array(first..<10))
        #expect(all.lost == first)
    }

    @Test func dataTailPushMakesRecordsReusable() {
        // Many descriptors, little text: the data ring wraps first, and the records whose blocks the
        // data tail passes become reusable while their descriptors stay in the ring.
        let r = CRing(descBits: 4, dataBits: 8)
        for i in 0..<3 { #expect(r.write(pattern(100, seed: UInt64(i))).0 == PRB_OK) }
        #expect(r.state(0) == PRB_DESC_REUSABLE)
        #expect(r.read(0).0 == PRB_READ_LOST)
        #expect(r.state(1) == PRB_DESC_FINALIZED)
        let all = r.readAll()
        #expect(all.seqs == [1, 2])
        #expect(all.lost == 1)
    }

    @Test func descriptorTailPushRecyclesTheSlot() {
        // Much text, few descriptors: the descriptor ring wraps first.
        let r = CRing(descBits: 2, dataBits: 12)
        for i in 0..<4 { r.write(pattern(8, seed: UInt64(i))) }
        // Four reservations: the fourth recycled the bootstrap descriptor (the first tail); the tail
        // is now seq 0's descriptor.
        #expect(prb_first_seq(r.ring) == 0)
        r.write(pattern(8, seed: 4))
        // Seq 0 was made reusable, the tail moved past it, and its slot now holds seq 4.
        #expect(prb_first_seq(r.ring) == 1)
        #expect(r.state(0) == PRB_DESC_MISS)
        #expect(r.state(4) == PRB_DESC_FINALIZED)
        #expect(r.read(0).0 == PRB_READ_LOST)
    }

    /// A descriptor is recycled only once the data tail has passed its block: otherwise, when the
    /// text wraps later, the data-tail walk meets a block whose descriptor holds another record
    /// and every write fails. Both rings wrap many times here, the descriptor ring faster.
    @Test func descriptorsRecycledFasterThanTextKeepTheDataTailMoving() {
        let r = CRing(descBits: 2, dataBits: 8)  // 4 descriptors, 256 bytes: 24-byte blocks
        let statuses = (0..<64).map { r.write(pattern(16, seed: UInt64($0))).0 }
        #expect(statuses == Array(repeating: PRB_OK, count: 64))
        #expect(r.stats.failed_data == 0)
        let first = prb_first_seq(r.ring)
        #expect(r.readAll().seqs == Array(first..<64))
        #expect(r.read(63).2 == pattern(16, seed: 63))
    }

    @Test func idOverflowIsCrossedWithoutLosingRecords() {
        let r = CRing(descBits: 2, dataBits: 10)
        let start = r.positions.head_id
        var sawOverflow = false
        for i in 0..<40 {
            let (status, seq) = r.write(pattern(12, seed: UInt64(i)))
            #expect(status == PRB_OK && seq == UInt64(i))
            if r.positions.head_id < start { sawOverflow = true }
            #expect(r.read(seq).2 == pattern(12, seed: UInt64(i)))
        }
        #expect(sawOverflow)
    }

    @Test func dataPositionOverflowIsCrossed() {
        let r = CRing(descBits: 6, dataBits: 8)
        #expect(r.positions.data_head_lpos > UInt64.max / 2)
        for i in 0..<50 { #expect(r.write(pattern(30, seed: UInt64(i))).0 == PRB_OK) }
        #expect(r.positions.data_head_lpos < UInt64.max / 2)
        let all = r.readAll()
        #expect(!all.seqs.isEmpty)
        for (seq, text) in zip(all.seqs, all.texts) { #expect(text == pattern(30, seed: seq)) }
    }

    @Test func emptyRecordReadsAsEmptyText() {
        let r = CRing(descBits: 4, dataBits: 8)
        let (status, seq) = r.write([])
        #expect(status == PRB_OK)
        let (readStatus, info, text) = r.read(seq)
        #expect(readStatus == PRB_READ_OK)
        #expect(info.text_len == 0 && text.isEmpty)
        #expect(r.block(seq).map { $0.begin & 1 == 1 && $0.next & 1 == 1 } == true)
        // An empty record uses no data space.
        #expect(r.positions.data_head_lpos == 0 &- r.dataSize)
    }
}
