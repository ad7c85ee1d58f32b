import CPrintkRing
import Testing
import TestSupport

/// Where blocks land in the data ring: wrapping, the perfect fit, every start position, sizes.
@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct DataRingTests {
    @Test func blockThatDoesNotFitWrapsToIndexZero() throws {
        let r = CRing(descBits: 5, dataBits: 8)  // 256 bytes of text
        r.moveDataHead(toIndex: 200)
        let text = pattern(70, seed: 7)  // 80-byte block: 200 + 80 > 256
        let (status, seq) = r.write(text)
        #expect(status == PRB_OK)
        let block = try #require(r.block(seq))
        #expect(block.begin & (r.dataSize - 1) == 200)
        #expect(isWrapped(block, dataSize: r.dataSize))
        #expect(block.next & (r.dataSize - 1) == 80)
        #expect(r.read(seq).2 == text)
    }

    @Test func blockEndingExactlyAtTheEndDoesNotWrap() throws {
        let r = CRing(descBits: 5, dataBits: 8)
        r.moveDataHead(toIndex: 176)
        let text = pattern(72, seed: 9)  // 80-byte block: 176 + 80 == 256
        let (status, seq) = r.write(text)
        #expect(status == PRB_OK)
        let block = try #require(r.block(seq))
        #expect(block.begin & (r.dataSize - 1) == 176)
        #expect(block.next & (r.dataSize - 1) == 0)
        #expect(!isWrapped(block, dataSize: r.dataSize))
        #expect(r.read(seq).2 == text)
        // The next block starts at index 0, behind it.
        let (_, after) = r.write(pattern(5, seed: 1))
        #expect(try #require(r.block(after)).begin & (r.dataSize - 1) == 0)
        #expect(r.read(seq).2 == text)
    }

    @Test func perfectFitWhereNextOverflowsToZero() throws {
        // The 2025 kernel bug: a perfect fit whose `next` lpos is exactly 0 (the first wrap of the
        // 64-bit position). The data positions start at -dataSize, so the first block that ends
        // at the end of the array has next == 0.
        let r = CRing(descBits: 5, dataBits: 8)
        let text = pattern(120, seed: 3)  // 128-byte block
        let (_, s0) = r.write(text)
        let (_, s1) = r.write(text)
        #expect(try #require(r.block(s1)).next == 0)
        #expect(r.read(s0).2 == text)
        #expect(r.read(s1).2 == text)
        #expect(r.readAll().seqs == [s0, s1])
    }

    @Test(arguments: [6, 8, 9] as [UInt32])
    func everyStartPositionAndSize(dataBits: UInt32) throws {
        // For every reachable head position and every size, the record reads back intact, and the
        // block wraps exactly when it must.
        let r = CRing(descBits: 6, dataBits: dataBits)
        let size = r.dataSize
        let sizes = Array(Set([1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33] + [r.maxText - 1, r.maxText]))
            .filter { $0 >= 1 && $0 <= r.maxText }.sorted()
        for index in stride(from: UInt64(0), to: size, by: 8) where index != 8 {
            for textSize in sizes {
                r.moveDataHead(toIndex: index)
                let text = pattern(textSize, seed: index &* 31 &+ UInt64(textSize))
                let (status, seq) = r.write(text)
                #expect(status == PRB_OK)
                let block = try #require(r.block(seq))
                let blockSize = UInt64((textSize + 8 + 7) / 8 * 8)
                #expect(isWrapped(block, dataSize: size) == (index + blockSize > size))
                #expect(r.read(seq).2 == text, "index \(index) size \(textSize)")
            }
        }
    }

    @Test func sizeLimits() {
        let r = CRing(descBits: 4, dataBits: 10)  // 1 KiB: max text is 512 - 8
        #expect(r.maxText == 504)
        for size in [0, 1, r.maxText] {
            let text = pattern(size, seed: UInt64(size))
            let (status, seq) = r.write(text)
            #expect(status == PRB_OK)
            #expect(r.read(seq).2 == text)
        }
        let before = r.positions
        let beforeStats = r.stats
        #expect(r.write(pattern(r.maxText + 1, seed: 1)).0 == PRB_E_TOO_LARGE)
        #expect(r.write(pattern(100_000, seed: 1)).0 == PRB_E_TOO_LARGE)
        var entry = prb_entry()
        #expect(prb_reserve(r.ring, &entry, Int.max, nil) == PRB_E_TOO_LARGE)
        // Refused before anything was touched.
        let after = r.positions
        #expect(after.head_id == before.head_id && after.data_head_lpos == before.data_head_lpos)
        #expect(r.stats.failed_descriptor == beforeStats.failed_descriptor)
        #expect(r.stats.reserved == beforeStats.reserved)
    }

    @Test func sizesNearHalfTheRing() {
        // The kernel's 2025 bug: writers and readers disagreed about sizes within 16 bytes of half.
        // Here both use the same limit: every size up to the maximum reads back, none above is taken.
        let r = CRing(descBits: 4, dataBits: 10)
        let half = Int(r.dataSize / 2)
        for size in (half - 24)...(half + 16) {
            let text = pattern(size, seed: UInt64(size))
            let (status, seq) = r.write(text)
            if size <= r.maxText {
                #expect(status == PRB_OK, "size \(size)")
                #expect(r.read(seq).2 == text, "size \(size)")
                #expect(r.readAll(from: seq).seqs == [seq])
            } else {
                #expect(status == PRB_E_TOO_LARGE, "size \(size)")
            }
        }
    }

    @Test func maximumRecordsBackToBackKeepOnlyTheNewest() {
        let r = CRing(descBits: 4, dataBits: 8)
        for i in 0..<6 {
            let (status, seq) = r.write(pattern(r.maxText, seed: UInt64(i)))
            #expect(status == PRB_OK && seq == UInt64(i))
            // The previous maximum record may survive; anything older is overwritten.
            #expect(r.read(seq).2 == pattern(r.maxText, seed: UInt64(i)))
            if i >= 2 { #expect(r.read(UInt64(i - 2)).0 == PRB_READ_LOST) }
        }
    }

    @Test func truncatedReadReportsTheFullLength() {
        let r = CRing(descBits: 4, dataBits: 10)
        let text = pattern(100, seed: 5)
        r.write(text)
        let (status, info, copied) = r.read(0, bufferSize: 10)
        #expect(status == PRB_READ_OK)
        #expect(info.text_len == 100)
        #expect(copied == Array(text[..<10]))
    }
}
