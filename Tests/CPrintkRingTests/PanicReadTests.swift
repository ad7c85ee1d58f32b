// Panic-mode reads of committed records (issue 10), as the kernel's panic CPU does them since
// Linux 6.8: a committed record is consistent and may be the last hint at what went wrong, so a
// panic-mode reader returns it; one that its writer reopens while it is being copied is dropped,
// never returned torn.

import CPrintkRing
import CPrintkRing.Testing
import Testing
import TestSupport

extension FixedOrderTests {
    /// Reserve, append "last", commit (not final): an ordinary reader stops before the record, a
    /// panic-mode reader returns it whole, and reading it changes nothing.
    @Test func aCommittedRecordIsReadInPanicModeOnly() throws {
        let ring = CRing(descBits: 4, dataBits: 10)
        for n in 0..<3 { try #require(ring.write(Array("record \(n)".utf8)).0 == PRB_OK) }
        var (status, last) = ring.reserve(Array("last".utf8))
        try #require(status == PRB_OK)
        status = prb_commit(&last)
        try #require(status == PRB_OK)
        try #require(ring.state(last.seq) == PRB_DESC_COMMITTED)

        let ordinary = ring.readAll()
        #expect(ordinary.seqs == [0, 1, 2])
        let panic = ring.readAll(panic: true)
        #expect(panic.seqs == [0, 1, 2, last.seq])
        #expect(panic.texts.last == Array("last".utf8))
        #expect(panic.lost == 0)
        #expect(ring.read(last.seq).0 == PRB_READ_NOT_YET, "prb_read is an ordinary read")
        #expect(ring.state(last.seq) == PRB_DESC_COMMITTED)
        #expect(prb_next_seq(ring.ring) == last.seq, "the finalized prefix ends before it")
    }

    /// A writer that never committed is still skipped, and the committed record after it is read.
    @Test func aPanicReaderSkipsAReservedRecordAndReadsTheCommittedOneAfterIt() throws {
        let ring = CRing(descBits: 4, dataBits: 10)
        try #require(ring.write(Array("before".utf8)).0 == PRB_OK)
        let (stuckStatus, stuck) = ring.reserve(Array("stuck".utf8))  // never committed
        try #require(stuckStatus == PRB_OK)
        var (status, last) = ring.reserve(Array("last".utf8))
        try #require(status == PRB_OK)
        status = prb_commit(&last)
        try #require(status == PRB_OK)

        let panic = ring.readAll(panic: true)
        #expect(panic.seqs == [0, last.seq])
        #expect(panic.texts == [Array("before".utf8), Array("last".utf8)])
        #expect(panic.lost == 1, "the stuck record \(stuck.seq) is counted as skipped")
        #expect(ring.readAll().seqs == [0])
    }

    /// The race of the panic read: the writer reopens the record, extends it and commits it again
    /// while the reader copies it (held between its metadata copy and its text copy). The state
    /// word is the same before and after; the slot's reopen count is not, so the copy is dropped
    /// (the record reads as not there yet) instead of being trusted. Read again, the record is
    /// whole, with its extension.
    @Test(arguments: [false, true])
    func aRecordReopenedUnderAPanicCopyIsNotReturned(blockMoves: Bool) throws {
        let ring = CRing(descBits: 4, dataBits: 8)  // 256 bytes of text
        if blockMoves {
            // The record's 16-byte block ends at the end of the array; growing it wraps it to index 0.
            ring.moveDataHead(toIndex: 240)
        }
        let base = Array("cont".utf8)
        var (status, line) = ring.reserve(base, caller: 5)
        try #require(status == PRB_OK)
        status = prb_commit(&line)
        try #require(status == PRB_OK)
        let blockBefore = try #require(ring.block(line.seq))

        let tail = Array("inued line".utf8)
        let probe = Probe(ring: ring, at: PRB_FAULT_READ_INFO_COPIED) { ring in
            var more = prb_entry()
            let reopened = prb_reserve_in_last(ring.ring, &more, 5, tail.count, 64)
            guard reopened == PRB_OK else { return [reopened] }
            _ = tail.withUnsafeBytes { prb_entry_append(&more, $0.baseAddress, $0.count) }
            return [reopened, prb_commit(&more)]
        }
        var seq = line.seq
        var info = prb_record_info()
        var buffer = [UInt8](repeating: 0, count: 64)
        var found = true
        withProbe(probe) {
            found = buffer.withUnsafeMutableBytes {
                prb_read_valid(ring.ring, &seq, &info, $0.baseAddress, $0.count, true)
            }
        }
        #expect(probe.statuses == [PRB_OK, PRB_OK], "the reopen, extension and commit went in")
        #expect(ring.state(line.seq) == PRB_DESC_COMMITTED, "committed again: the same state word as before")
        let blockAfter = try #require(ring.block(line.seq))
        #expect(isWrapped(blockAfter, dataSize: ring.dataSize) == blockMoves)
        #expect(blockAfter.begin == blockBefore.begin)
        #expect(!found, "a copy made across a reopen was returned: \(info.text_len) bytes")
        #expect(seq == line.seq, "the walk stops at the record, to read it again")

        let again = ring.readAll(from: line.seq, panic: true)
        #expect(again.seqs == [line.seq])
        #expect(again.texts == [base + tail])
    }

    /// A record its writer has reopened and not yet committed again is reserved: a panic-mode
    /// reader does not return it (it is the newest, so the walk stops there).
    @Test func aReopenedRecordIsNotReadInPanicMode() throws {
        let ring = CRing(descBits: 4, dataBits: 10)
        var (status, line) = ring.reserve(Array("cont".utf8), caller: 5)
        try #require(status == PRB_OK)
        status = prb_commit(&line)
        try #require(status == PRB_OK)
        var more = prb_entry()
        try #require(prb_reserve_in_last(ring.ring, &more, 5, 8, 64) == PRB_OK)
        _ = Array("inued".utf8).withUnsafeBytes { prb_entry_append(&more, $0.baseAddress, $0.count) }

        #expect(ring.readAll(panic: true).seqs.isEmpty)
        status = prb_commit(&more)
        try #require(status == PRB_OK)
        #expect(ring.readAll(panic: true).texts == [Array("continued".utf8)])
    }
}
