// lb_resv with a writer stopped between reserve and commit, played with the split API: readers
// stop at the BUSY record, and once the ring has wrapped onto it every reservation fails.

import CLogBaselines
import Testing

@Suite("Reserve-under-spinlock")
struct ReserveTests {
    @Test("A stopped writer blocks readers at its record, then reservations; its commit frees both")
    func stoppedWriter() {
        let resv = lb_resv_create(1024)!
        defer { lb_resv_destroy(resv) }
        let stuckText = filler(length: 40, seed: 0)
        var meta = makeMeta(caller: 1, ts: 0)
        var stuck = lb_resv_entry()
        #expect(lb_resv_reserve(resv, stuckText.count, &meta, &stuck) == LB_OK)
        #expect(stuck.seq == 0)

        // Later writers go on until the ring wraps onto the stuck record.
        var written: UInt64 = 0
        var status = LB_OK
        while status == LB_OK {
            var meta = makeMeta(caller: 2, ts: written + 1)
            let text = filler(length: 40, seed: written + 1)
            status = text.withUnsafeBytes {
                lb_resv_write(resv, $0.baseAddress, $0.count, &meta, nil)
            }
            if status == LB_OK { written += 1 }
        }
        #expect(status == LB_E_NO_SPACE)
        #expect(written > 0)
        #expect(lb_resv_next_seq(resv) == written + 1)  // the refused write took no seq
        #expect(lb_resv_first_seq(resv) == 0)

        // A reader stops at the BUSY record although newer ones are committed.
        var cursor = lb_cursor_at(0)
        var info = lb_record_info()
        var buf = [UInt8](repeating: 0, count: 256)
        func read() -> lb_status {
            buf.withUnsafeMutableBytes {
                lb_resv_read(resv, &cursor, $0.baseAddress, $0.count, &info)
            }
        }
        #expect(read() == LB_E_NO_RECORD)
        #expect(cursor.seq == 0)

        stuckText.withUnsafeBytes { lb_resv_commit(resv, &stuck, $0.baseAddress) }

        // Now everything is readable, in order, with no gap, and writing works again.
        for seq in 0...written {
            #expect(read() == LB_OK)
            #expect(info.seq == seq)
            let text = Array(buf.prefix(Int(info.copied_len)))
            #expect(text == filler(length: 40, seed: seq))
            #expect(checksumMatches(info, text))
        }
        #expect(read() == LB_E_NO_RECORD)
        var seq: UInt64 = 0
        #expect(
            stuckText.withUnsafeBytes { lb_resv_write(resv, $0.baseAddress, $0.count, &meta, &seq) }
                == LB_OK)
        #expect(seq == written + 1)
        #expect(lb_resv_first_seq(resv) == 1)
    }
}
