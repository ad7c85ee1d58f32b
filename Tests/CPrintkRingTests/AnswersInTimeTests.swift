// Calls that must return at once, each under a deadline (returnsInTime): a core bug that makes one
// of them spin fails its test within seconds, naming the call, instead of hanging the whole run
// (issue 15; scripts/mutate.sh runs each suite in a process of its own when a run hangs, so that
// this suite reports even when other suites hang).

import CPrintkRing
import CPrintkRing.Testing
import Testing
import TestSupport

/// One thread at a time: the test thread only waits while the call runs on a thread of its own.
@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct AnswersInTimeTests {
    /// Writes and extensions that need the space of a record still being written fail (no space,
    /// then no descriptor); they never wait for that record.
    @Test func writesBlockedByAStuckRecordFailAtOnce() throws {
        let r = CRing(descBits: 4, dataBits: 8)  // 16 descriptors, 256 bytes: the text wraps first
        var (status, stuck) = r.reserve(pattern(40, seed: 1))
        try #require(status == PRB_OK)
        let outcomes = try #require(
            returnsInTime("writes that need the stuck record's space") {
                (0..<(2 * Int(r.descCount))).map { r.write(pattern(40, seed: UInt64($0))).0 }
            })
        #expect(outcomes.first == PRB_OK)
        #expect(outcomes.contains(PRB_E_NO_SPACE))
        #expect(outcomes.last == PRB_E_NO_DESCRIPTOR)

        // An extension of the newest record that needs the stuck record's space fails too: the
        // stuck record's block is [0, 48), the newest's [192, 240), and grown to 120 bytes of
        // text it wraps to [256, 384), which needs the data tail past 128.
        let r2 = CRing(descBits: 4, dataBits: 8)
        var (held, older) = r2.reserve(pattern(40, seed: 2))
        try #require(held == PRB_OK)
        for i in 0..<3 { try #require(r2.write(pattern(40, seed: 0x10 + UInt64(i))).0 == PRB_OK) }
        var (reserved, newest) = r2.reserve(pattern(40, seed: 3), caller: 7)
        try #require(reserved == PRB_OK)
        try #require(prb_commit(&newest) == PRB_OK)
        let grown = returnsInTime("an extension that needs the stuck record's space") { () -> prb_status in
            var more = prb_entry()
            let status = prb_reserve_in_last(r2.ring, &more, 7, 80, 120)
            if status == PRB_OK { _ = prb_commit(&more) }
            return status
        }
        #expect(grown == PRB_E_NO_SPACE)
        _ = prb_final_commit(&stuck)
        _ = prb_final_commit(&older)
    }

    /// Readers around a stuck record: a normal one stops there, a panic-mode one skips it; both
    /// return, also once the ring has wrapped up to the stuck record.
    @Test func readersAroundAStuckRecordReturn() throws {
        let r = CRing(descBits: 3, dataBits: 12)  // 8 descriptors, plenty of text
        for i in 0..<5 { r.write(pattern(16, seed: UInt64(i))) }
        var (status, stuck) = r.reserve(pattern(16, seed: 0x57))
        try #require(status == PRB_OK)
        for i in 0..<(2 * Int(r.descCount)) { r.write(pattern(16, seed: 0x100 + UInt64(i))) }
        let first = try #require(returnsInTime("prb_first_seq") { prb_first_seq(r.ring) })
        let normal = try #require(returnsInTime("a normal reader") { r.readAll(from: first).seqs })
        #expect(normal.allSatisfy { $0 < stuck.seq }, "the normal reader stops at the stuck record")
        let panic = try #require(returnsInTime("a panic-mode reader") { r.readAll(from: first, panic: true).seqs })
        #expect(!panic.contains(stuck.seq))
        #expect(panic.last.map { $0 > stuck.seq } == true, "the panic reader went past the stuck record")
        #expect(returnsInTime("prb_next_seq") { prb_next_seq(r.ring) } == stuck.seq)
        _ = prb_final_commit(&stuck)
    }
}
