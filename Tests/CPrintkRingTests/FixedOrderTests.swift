// Orders that stress tests reach only by luck, forced here one step at a time with the fault
// hooks, so that the bugs they expose fail the same way on every run (issue 15).

import CPrintkRing
import CPrintkRing.Testing
import Testing
import TestSupport

@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct FixedOrderTests {
    /// What the hook does: the writes it made while the record under test was held at a point.
    final class Probe {
        let ring: CRing
        let point: prb_fault_point
        let action: (CRing) -> [prb_status]
        var statuses: [prb_status] = []
        var points: [prb_fault_point] = []
        private var inside = false

        init(ring: CRing, at point: prb_fault_point, _ action: @escaping (CRing) -> [prb_status]) {
            self.ring = ring
            self.point = point
            self.action = action
        }

        func reached(_ point: prb_fault_point) {
            points.append(point)
            guard point == self.point, !inside else { return }
            inside = true  // the action's own writes pass fault points too
            statuses = action(ring)
            inside = false
        }
    }

    func withProbe(_ probe: Probe, _ body: () -> Void) {
        let context = Unmanaged.passUnretained(probe).toOpaque()
        prb_ring_set_fault_hook(
            probe.ring.ring,
            { context, point, _ in Unmanaged<Probe>.fromOpaque(context!).takeUnretainedValue().reached(point) },
            context)
        body()
        prb_ring_set_fault_hook(probe.ring.ring, nil, nil)
        withExtendedLifetime(probe) {}
    }

    /// A record that is committed but no longer the newest is not finalized yet: its data block
    /// must not be reclaimed. Held at PRB_FAULT_COMMITTED (committed, a newer record exists, the
    /// newer-record check not yet made), other writes fill the text ring until it would wrap onto
    /// the record: they must get PRB_E_NO_SPACE, and the record must read back whole.
    @Test func aCommittedRecordThatIsNotTheNewestIsNeverOverwritten() throws {
        let ring = CRing(descBits: 6, dataBits: 8)  // 64 descriptors, 256 bytes: the text wraps first
        let text = [UInt8](repeating: UInt8(ascii: "A"), count: 40)
        var (reserved, held) = ring.reserve(text)
        try #require(reserved == PRB_OK)
        let heldSeq = held.seq
        var (newerStatus, newer) = ring.reserve(Array("newer".utf8))
        try #require(newerStatus == PRB_OK)
        newerStatus = prb_final_commit(&newer)
        try #require(newerStatus == PRB_OK)

        let probe = Probe(ring: ring, at: PRB_FAULT_COMMITTED) { ring in
            var statuses: [prb_status] = []
            for _ in 0..<16 {  // far more than one text ring's worth of 48-byte blocks
                let (status, _) = ring.write([UInt8](repeating: UInt8(ascii: "x"), count: 40))
                statuses.append(status)
                if status != PRB_OK { break }
            }
            return statuses
        }
        withProbe(probe) { #expect(prb_commit(&held) == PRB_OK) }

        #expect(probe.statuses.count >= 2, "some writes fit before the ring came round: \(probe.statuses)")
        #expect(probe.statuses.dropLast().allSatisfy { $0 == PRB_OK })
        #expect(probe.statuses.last == PRB_E_NO_SPACE, "the ring wrapped onto the held record")
        // The commit went on past the point: a newer record exists, so the record is final now.
        let (status, _, readBack) = ring.read(heldSeq)
        #expect(status == PRB_READ_OK)
        #expect(readBack == text, "the held record's text was overwritten")
    }

    /// A descriptor is recycled only after the data tail has passed its block. Here the record at
    /// the descriptor tail (T) got its block after a later record (U) that is still being
    /// written, so the data tail cannot pass T's block yet: a reservation that needs T's slot must
    /// fail, not recycle it (its block, left ahead of the data tail, would stop every later data
    /// walk for good). Held at PRB_FAULT_DESC_RESERVED: T has its descriptor, no block yet.
    @Test func aDescriptorIsNotRecycledBeforeItsBlockIsPassed() throws {
        let ring = CRing(descBits: 3, dataBits: 10)  // 8 descriptors, 1024 bytes: 24-byte blocks
        var stuck = prb_entry()
        let probe = Probe(ring: ring, at: PRB_FAULT_DESC_RESERVED) { ring in
            let written = ring.write(pattern(16, seed: 1)).0  // S: seq 1, its block first
            let (reserved, entry) = ring.reserve(pattern(16, seed: 2))  // U: seq 2, block second, stuck
            stuck = entry
            return [written, reserved]
        }
        var held = prb_entry()
        withProbe(probe) { held = ring.reserve(pattern(16, seed: 0)).1 }  // T: seq 0, block third
        try #require(probe.statuses == [PRB_OK, PRB_OK])
        try #require(prb_final_commit(&held) == PRB_OK)
        for n in 3..<8 { try #require(ring.write(pattern(16, seed: UInt64(n))).0 == PRB_OK) }
        // Seq 8 needs T's slot; T's block lies behind U's, which is still reserved.
        #expect(ring.write(pattern(16, seed: 8)).0 == PRB_E_NO_DESCRIPTOR)
        #expect(prb_first_seq(ring.ring) == 0)
        // U done: the ring goes on, through several wraps of both rings.
        try #require(prb_final_commit(&stuck) == PRB_OK)
        let statuses = (0..<100).map { ring.write(pattern(16, seed: 0x100 + UInt64($0))).0 }
        #expect(statuses == Array(repeating: PRB_OK, count: 100))
    }

    /// prb_reserve_in_last refuses another caller's record before touching it: the record stays
    /// committed and extendable by its owner, and no fault point fires (a reopen that is undone
    /// afterwards would pass PRB_FAULT_COMMITTED when it commits the record again).
    @Test func aRefusedExtensionChangesNothingAndFiresNoHook() throws {
        let ring = CRing(descBits: 4, dataBits: 10)
        var (reserved, entry) = ring.reserve(Array("owner's".utf8), caller: 1)
        try #require(reserved == PRB_OK)
        let seq = entry.seq
        try #require(prb_commit(&entry) == PRB_OK)
        let before = ring.positions

        let probe = Probe(ring: ring, at: PRB_FAULT_COMMITTED) { _ in [] }
        withProbe(probe) {
            var other = prb_entry()
            #expect(prb_reserve_in_last(ring.ring, &other, 2, 4, 64) == PRB_E_CANNOT_EXTEND)
        }
        #expect(probe.points.isEmpty, "a refused caller passed \(probe.points)")
        #expect(prb_state_of_seq(ring.ring, seq) == PRB_DESC_COMMITTED)
        let after = ring.positions
        #expect(after.head_id == before.head_id && after.data_head_lpos == before.data_head_lpos)

        // The owner can still extend it.
        var more = prb_entry()
        try #require(prb_reserve_in_last(ring.ring, &more, 1, 6, 64) == PRB_OK)
        #expect(more.seq == seq)
        _ = Array(" line".utf8).withUnsafeBytes { prb_entry_append(&more, $0.baseAddress, $0.count) }
        #expect(prb_final_commit(&more) == PRB_OK)
        #expect(ring.read(seq).2 == Array("owner's line".utf8))
    }

    /// A record recycled while a reader copies it (its metadata copied, its text not yet) is
    /// reported lost by the read's re-check, never returned with another record's text.
    @Test func aRecordRecycledInTheMiddleOfACopyIsLost() throws {
        let ring = CRing(descBits: 2, dataBits: 8)  // 4 descriptors: a few writes recycle a slot
        let original = Array("the original record".utf8)
        let (status, seq) = ring.write(original)
        try #require(status == PRB_OK)
        let probe = Probe(ring: ring, at: PRB_FAULT_READ_INFO_COPIED) { ring in
            (0..<8).map { n in ring.write(Array("overwriting record \(n)".utf8)).0 }
        }
        var read: (prb_read_status, prb_record_info, [UInt8]) = (PRB_READ_OK, prb_record_info(), [])
        withProbe(probe) { read = ring.read(seq) }
        #expect(probe.statuses.allSatisfy { $0 == PRB_OK }, "the overwrites went in: \(probe.statuses)")
        #expect(read.0 == PRB_READ_LOST, "a record recycled under the copy was returned: \(String(decoding: read.2, as: UTF8.self))")
        // Without a hook the same read reports it lost at once.
        #expect(ring.read(seq).0 == PRB_READ_LOST)
    }
}
