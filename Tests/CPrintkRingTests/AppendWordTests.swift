import CPrintkRing
import Testing
import TestSupport

/// prb_entry_append_word is prb_entry_append(&word, 8) with a shortcut for text that is whole words
/// so far: whatever precedes it and however much room is left, both give the same text and return
/// the same count.
@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct AppendWordTests {
    /// A record of `capacity` bytes: `before` bytes of pattern, then one word appended by `append`,
    /// then a last byte if room is left; returns the appended count and the record's text.
    private func record(capacity: Int, before: Int, append: (inout prb_entry, UInt64) -> Int) -> (Int, [UInt8]) {
        let r = CRing(descBits: 4, dataBits: 10)
        var entry = prb_entry()
        #expect(prb_reserve(r.ring, &entry, capacity, nil) == PRB_OK)
        let head = pattern(before, seed: UInt64(capacity))
        #expect(head.withUnsafeBytes { prb_entry_append(&entry, $0.baseAddress, $0.count) } == before)
        let appended = append(&entry, 0x1122_3344_5566_7788)
        var last: UInt8 = 0xee
        _ = prb_entry_append(&entry, &last, 1)
        let seq = entry.seq
        #expect(prb_final_commit(&entry) == PRB_OK)
        return (appended, r.read(seq).2)
    }

    @Test(arguments: [8, 9, 12, 15, 16, 17, 23, 24, 40])
    func agreesWithTheByteAppend(capacity: Int) {
        for before in 0...min(capacity, 17) {
            let viaWord = record(capacity: capacity, before: before) { entry, word in
                prb_entry_append_word(&entry, word)
            }
            let viaBytes = record(capacity: capacity, before: before) { entry, word in
                var word = word
                return prb_entry_append(&entry, &word, 8)
            }
            #expect(viaWord.0 == viaBytes.0, "capacity \(capacity), \(before) bytes before")
            #expect(viaWord.1 == viaBytes.1, "capacity \(capacity), \(before) bytes before")
            #expect(viaWord.0 == min(8, capacity - before))
        }
    }

    @Test func anEntryWithoutAReservationTakesNothing() {
        var entry = prb_entry()
        #expect(prb_entry_append_word(&entry, 42) == 0)
        let r = CRing(descBits: 4, dataBits: 10)
        #expect(prb_reserve(r.ring, &entry, 16, nil) == PRB_OK)
        #expect(prb_final_commit(&entry) == PRB_OK)
        #expect(prb_entry_append_word(&entry, 42) == 0)  // committed: no longer active
    }
}
