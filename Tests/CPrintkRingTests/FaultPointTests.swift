import CPrintkRing
import CPrintkRing.Testing
import Testing
import TestSupport

/// Where each fault point (prb_testing.h) fires, and what a writer stopped there has left in the
/// ring. The panic scenarios freeze writers at these points; these tests pin the points down.
@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct FaultPointTests {
    /// What a hook saw: the point, and the entry's seq and text length at that moment.
    final class Log {
        var calls: [(point: prb_fault_point, seq: UInt64, textLength: UInt32)] = []
        /// Called at PRB_FAULT_TEXT_PARTIAL, while the writer is stopped there.
        var atTextPartial: ((UnsafePointer<prb_entry>) -> Void)?
        var points: [prb_fault_point] { calls.map(\.point) }
    }

    /// Runs `body` with a hook that logs every fault point passed on `ring`'s handle.
    func withHook(on ring: CRing, _ body: (Log) -> Void) -> Log {
        let log = Log()
        let context = Unmanaged.passUnretained(log).toOpaque()
        prb_ring_set_fault_hook(
            ring.ring,
            { context, point, entry in
                let log = Unmanaged<Log>.fromOpaque(context!).takeUnretainedValue()
                guard let entry else { return }  // a read's point: these tests log writers only
                log.calls.append((point, entry.pointee.seq, entry.pointee.text_len))
                if point == PRB_FAULT_TEXT_PARTIAL { log.atTextPartial?(entry) }
            }, context)
        body(log)
        prb_ring_set_fault_hook(ring.ring, nil, nil)
        return withExtendedLifetime(log) { log }
    }

    @Test func oneCallWritePassesNoTextPoint() {
        let r = CRing(descBits: 4, dataBits: 8)
        let log = withHook(on: r) { _ in r.write(Array("whole record".utf8)) }
        // prb_write copies its text in one append: no partly written record to stop at.
        #expect(log.points == [PRB_FAULT_DESC_RESERVED, PRB_FAULT_DATA_ALLOCATED])
    }

    @Test func appendThatLeavesRoomPassesTextPartial() {
        let r = CRing(descBits: 4, dataBits: 8)
        let log = withHook(on: r) { log in
            var entry = prb_entry()
            #expect(prb_reserve(r.ring, &entry, 10, nil) == PRB_OK)
            log.calls.removeAll()
            #expect(prb_entry_append(&entry, "", 0) == 0)  // nothing stored: not partly written
            #expect(prb_entry_append(&entry, "abcd", 4) == 4)
            #expect(prb_entry_append(&entry, "efghij", 6) == 6)  // fills it: no second stop
            #expect(prb_entry_append(&entry, "k", 1) == 0)
            #expect(prb_final_commit(&entry) == PRB_OK)
        }
        #expect(log.points == [PRB_FAULT_TEXT_PARTIAL])
        #expect(log.calls.first?.textLength == 4)
    }

    /// The one-word append stops at the same point as the byte append: after a word that leaves
    /// room, not after one that fills the record.
    @Test func wordAppendThatLeavesRoomPassesTextPartial() {
        let r = CRing(descBits: 4, dataBits: 8)
        let log = withHook(on: r) { log in
            var entry = prb_entry()
            #expect(prb_reserve(r.ring, &entry, 16, nil) == PRB_OK)
            log.calls.removeAll()
            #expect(prb_entry_append_word(&entry, 1) == 8)
            #expect(prb_entry_append_word(&entry, 2) == 8)  // fills it: no second stop
            #expect(prb_final_commit(&entry) == PRB_OK)
        }
        #expect(log.points == [PRB_FAULT_TEXT_PARTIAL])
        #expect(log.calls.first?.textLength == 8)
    }

    @Test func appendTruncatedToCapacityFillsTheRecord() {
        let r = CRing(descBits: 4, dataBits: 8)
        let log = withHook(on: r) { log in
            var entry = prb_entry()
            #expect(prb_reserve(r.ring, &entry, 4, nil) == PRB_OK)
            log.calls.removeAll()
            #expect(prb_entry_append(&entry, "abcdefgh", 8) == 4)
            #expect(prb_final_commit(&entry) == PRB_OK)
        }
        #expect(log.points.isEmpty)
    }

    @Test func writerStoppedMidTextHoldsAReservedRecord() {
        let r = CRing(descBits: 4, dataBits: 8)
        r.write(Array("before".utf8))
        let log = withHook(on: r) { log in
            log.atTextPartial = { entry in
                // The writer is stopped between its two appends: the record is reserved and
                // readers stop before it.
                let seq = entry.pointee.seq
                #expect(r.state(seq) == PRB_DESC_RESERVED)
                #expect(r.read(seq).0 == PRB_READ_NOT_YET)
                #expect(prb_next_seq(r.ring) == seq)
            }
            var entry = prb_entry()
            #expect(prb_reserve(r.ring, &entry, 8, nil) == PRB_OK)
            prb_entry_append(&entry, "half", 4)
            prb_entry_append(&entry, "done", 4)
            #expect(prb_final_commit(&entry) == PRB_OK)
        }
        #expect(log.points == [PRB_FAULT_DESC_RESERVED, PRB_FAULT_DATA_ALLOCATED, PRB_FAULT_TEXT_PARTIAL])
        #expect(r.read(1).2 == Array("halfdone".utf8))
    }

    @Test func onlyANonFinalCommitPassesCommitted() {
        let r = CRing(descBits: 4, dataBits: 8)
        let log = withHook(on: r) { log in
            var (_, final) = r.reserve(Array("final".utf8))
            log.calls.removeAll()
            #expect(prb_final_commit(&final) == PRB_OK)
            #expect(log.points.isEmpty)
            var (_, committed) = r.reserve(Array("committed".utf8))
            log.calls.removeAll()
            #expect(prb_commit(&committed) == PRB_OK)
        }
        #expect(log.points == [PRB_FAULT_COMMITTED])
    }
}
