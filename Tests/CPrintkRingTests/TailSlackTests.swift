import CPrintkRing
import Testing
import TestSupport

/// The tails' slack (prb.c, PRB_TAIL_SLACK_SHIFT): once a reservation has to push a tail, the push
/// goes on a little past what the record needs, so that the next reservations leave the shared
/// tail alone. What it may free early is bounded, and it never passes what it must not. The
/// model-based test checks the exact positions; these check the two bounds on their own.
@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct TailSlackTests {
    /// The descriptor tail's slack passes only records whose blocks the data tail has passed. A
    /// ring whose descriptors run out first (many small records, much text) has its data tail far
    /// behind: a descriptor slack that passed a record still in the data ring would let its slot be
    /// recycled, and the data tail, arriving at that block later, could never pass it (its header
    /// names an id the slot no longer holds): every write from then on would fail.
    @Test func descriptorSlackWaitsForTheDataTail() {
        let r = CRing(descBits: 6, dataBits: 12)  // 64 descriptors (slack 1), 4 KiB of text
        let records = 20 * Int(r.dataSize) / 24  // 16-byte texts in 24-byte blocks: 20 data wraps
        for i in 0..<records {
            let (status, seq) = r.write(pattern(16, seed: UInt64(i)))
            guard status == PRB_OK else {
                Issue.record("write \(i) (seq \(seq)) failed: \(String(cString: prb_status_string(status)))")
                return
            }
        }
        // Everything the descriptor ring still holds reads back.
        let first = prb_first_seq(r.ring)
        let all = r.readAll()
        #expect(all.seqs == Array(first..<UInt64(records)))
    }

    /// The data tail's slack frees at most a 64th of the text ring beyond what each new block
    /// needs: the ring keeps all but that much (or, without the slack, all but part of one block)
    /// of its text in use. Without a slack the tail stops inside the block that straddles the push
    /// target, so at least `dataSize - block` bytes stay in use; the slack frees only blocks that
    /// end within it, so at least `dataSize - max(block, slack)` do.
    @Test(arguments: [100, 40, 8])
    func dataSlackFreesAtMostASixtyFourthEarly(textSize: Int) {
        let r = CRing(descBits: 12, dataBits: 14)  // descriptors to spare: the text runs out first
        let block = UInt64((textSize + 8 + 7) / 8 * 8)
        let slack = r.dataSize / 64
        var freedEarly = false
        for i in 0..<(20 * Int(r.dataSize / block)) {
            #expect(r.write(pattern(textSize, seed: UInt64(i))).0 == PRB_OK)
            guard i > Int(r.dataSize / block) + 1 else { continue }  // the ring is full from here
            let p = r.positions
            let used = p.data_head_lpos &- p.data_tail_lpos
            #expect(used + max(block, slack) >= r.dataSize, "write \(i): \(used) bytes of \(r.dataSize) in use")
            freedEarly = freedEarly || used + block <= r.dataSize
        }
        // The slack is there at all: without it, more than dataSize - block bytes stay in use.
        #expect(freedEarly)
    }
}
