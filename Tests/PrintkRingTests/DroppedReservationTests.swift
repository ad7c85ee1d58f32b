// A Swift `Reservation` that is dropped must not become a stuck writer: its deinit finalizes it.
// (The C-level stuck-writer tests are CPrintkRingTests' StuckWriterTests.)

import PrintkRing
import Testing
import TestSupport

@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct DroppedReservationTests {
    /// A Swift `Reservation` dropped without commit is finalized by its deinit, with what was
    /// appended: readers see it at once, nobody can extend it (its owner is gone), and the ring
    /// wraps past it many times without a single failure.
    @Test func droppedReservationIsFinalizedByDeinit() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 8)
        try ring.write("before")
        let droppedSeq = try reserveAndDrop(ring, text: "dropped")
        #expect(ring.nextReserveSeq == droppedSeq + 1)
        let record = ring.record(at: droppedSeq)
        #expect(record?.text == "dropped", "final: visible at once")
        #expect(record?.info.callerID == 5)
        #expect(ring.nextSeq == droppedSeq + 1)
        #expect(throws: PrintkRingError.cannotExtend) {
            _ = try ring.extendLast(callerID: 5, additionalCapacity: 4)
        }

        try ring.write("next")
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
