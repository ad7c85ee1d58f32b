// spin_reserve_ring with a writer stopped between reserve and commit, played with the split API: readers
// stop at the BUSY record, and once the ring has wrapped onto it every reservation fails.

import CComparators
import TestSupport
import Testing

@Suite("Spin-reserve split reserve/commit", .singleThreaded)
struct SpinReserveRingTests {
    @Test("A stopped writer blocks readers at its record, then reservations; its commit frees both")
    func stoppedWriter() {
        let resv = spin_reserve_ring_create(1024)!
        defer { spin_reserve_ring_destroy(resv) }
        let stuckText = filler(length: 40, seed: 0)
        var meta = makeMeta(caller: 1, ts: 0)
        var stuck = spin_reserve_ring_entry()
        #expect(spin_reserve_ring_reserve(resv, stuckText.count, &meta, &stuck) == LOGRING_OK)
        #expect(stuck.seq == 0)

        // Later writers go on until the ring wraps onto the stuck record.
        var written: UInt64 = 0
        var status = LOGRING_OK
        while status == LOGRING_OK {
            var meta = makeMeta(caller: 2, ts: written + 1)
            let text = filler(length: 40, seed: written + 1)
            status = text.withUnsafeBytes {
                spin_reserve_ring_write(resv, $0.baseAddress, $0.count, &meta, nil)
            }
            if status == LOGRING_OK { written += 1 }
        }
        #expect(status == LOGRING_E_NO_SPACE)
        #expect(written > 0)
        #expect(spin_reserve_ring_next_seq(resv) == written + 1)  // the refused write took no seq
        #expect(spin_reserve_ring_first_seq(resv) == 0)

        // A reader stops at the BUSY record although newer ones are committed.
        var cursor = logring_cursor_at(0)
        var info = logring_record_info()
        var buf = [UInt8](repeating: 0, count: 256)
        func read() -> logring_status {
            buf.withUnsafeMutableBytes {
                spin_reserve_ring_read(resv, &cursor, $0.baseAddress, $0.count, &info)
            }
        }
        #expect(read() == LOGRING_E_NO_RECORD)
        #expect(cursor.seq == 0)

        stuckText.withUnsafeBytes { spin_reserve_ring_commit(resv, &stuck, $0.baseAddress) }

        // Now everything is readable, in order, with no gap, and writing works again.
        for seq in 0...written {
            #expect(read() == LOGRING_OK)
            #expect(info.seq == seq)
            let text = Array(buf.prefix(Int(info.copied_len)))
            #expect(text == filler(length: 40, seed: seq))
            #expect(checksumMatches(info, text))
        }
        #expect(read() == LOGRING_E_NO_RECORD)
        var seq: UInt64 = 0
        #expect(
            stuckText.withUnsafeBytes { spin_reserve_ring_write(resv, $0.baseAddress, $0.count, &meta, &seq) }
                == LOGRING_OK)
        #expect(seq == written + 1)
        #expect(spin_reserve_ring_first_seq(resv) == 1)
    }
}
