// A Swift `Reservation` that is dropped must not become a stuck writer: its deinit commits it.
// (The C-level stuck-writer tests are CPrintkRingTests' StuckWriterTests.)

import PrintkRing
import Testing
import TestSupport

@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct DroppedReservationTests {
    /// A Swift `Reservation` dropped without commit is committed by its deinit, with what was
    /// appended: it becomes visible once the next record is reserved, and the ring wraps past it
    /// many times without a single failure.
    @Test func droppedReservationIsCommittedByDeinit() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 8)
        try ring.write("before")
        let droppedSeq = try reserveAndDrop(ring, text: "dropped")
        #expect(ring.nextReserveSeq == droppedSeq + 1)
        #expect(ring.record(at: droppedSeq) == nil, "committed, not final: not visible yet")
        #expect(ring.nextSeq == droppedSeq)

        try ring.write("next")
        let record = ring.record(at: droppedSeq)
        #expect(record?.text == "dropped")
        #expect(record?.info.callerID == 5)
        #expect(ring.nextSeq == droppedSeq + 2)

        let descriptors = 1 << ring.descriptorBits
        for i in 0..<(8 * descriptors) {
            try ring.write("filler \(i)")
        }
        #expect(ring.statistics.failed == 0)
        #expect(ring.firstSeq > droppedSeq, "the ring went past the dropped record")
        #expect(ring.nextSeq == ring.nextReserveSeq)
    }
}

/// Reserves a record, appends `text`, and drops the reservation uncommitted.
private func reserveAndDrop(_ ring: PrintkRing, text: String) throws(PrintkRingError) -> UInt64 {
    var reservation = try ring.reserve(capacity: 32, metadata: RecordMetadata(callerID: 5))
    reservation.append(text)
    return reservation.seq
}
