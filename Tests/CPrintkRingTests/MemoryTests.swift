import CPrintkRing
import Testing
import TestSupport

/// Sizing, formatting caller memory, and attaching to memory that may not hold a ring.
@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct MemoryTests {
    /// 64-byte aligned scratch memory, freed at the end of the test.
    final class Region {
        let bytes: UnsafeMutableRawBufferPointer
        init(_ count: Int) {
            bytes = .allocate(byteCount: count, alignment: 64)
            bytes.initializeMemory(as: UInt8.self, repeating: 0)
        }
        deinit { bytes.deallocate() }
        var base: UnsafeMutableRawPointer { bytes.baseAddress! }
        func word(_ index: Int) -> UnsafeMutablePointer<UInt64> {
            base.assumingMemoryBound(to: UInt64.self) + index
        }
    }

    @Test func requiredBytes() {
        #expect(prb_ring_required_bytes(1, 10) == 0)
        #expect(prb_ring_required_bytes(25, 10) == 0)
        #expect(prb_ring_required_bytes(4, 5) == 0)
        #expect(prb_ring_required_bytes(4, 33) == 0)
        // Header, 16 descriptors of 4 + 12 words, 1 KiB of text.
        #expect(prb_ring_required_bytes(4, 10) == 512 + 16 * 128 + 1024)
    }

    @Test func invalidSizesAreRefused() {
        var status = PRB_OK
        #expect(prb_ring_create(1, 10, &status) == nil)
        #expect(status == PRB_E_INVALID_SIZE)
        #expect(prb_ring_create(4, 40, &status) == nil)
        #expect(status == PRB_E_INVALID_SIZE)
    }

    @Test func formatAndAttachShareOneRing() throws {
        let region = Region(prb_ring_required_bytes(4, 10))
        var status = PRB_OK
        let writer = try #require(prb_ring_format(region.base, region.bytes.count, 4, 10, &status))
        defer { prb_ring_destroy(writer) }
        #expect(prb_write(writer, "from the writer", 15, nil, nil) == PRB_OK)

        let reader = try #require(prb_ring_attach(region.base, region.bytes.count, &status))
        defer { prb_ring_destroy(reader) }
        #expect(status == PRB_OK)
        #expect(prb_ring_desc_bits(reader) == 4 && prb_ring_data_bits(reader) == 10)
        var buffer = [UInt8](repeating: 0, count: 64)
        var info = prb_record_info()
        let readStatus = buffer.withUnsafeMutableBytes { prb_read(reader, 0, &info, $0.baseAddress, $0.count) }
        #expect(readStatus == PRB_READ_OK)
        #expect(Array(buffer[..<Int(info.text_len)]) == Array("from the writer".utf8))
        // Writes through either handle land in the same ring.
        #expect(prb_write(reader, "second", 6, nil, nil) == PRB_OK)
        #expect(prb_next_seq(writer) == 2)
    }

    @Test func formatRefusesSmallOrMisalignedMemory() {
        let need = prb_ring_required_bytes(4, 10)
        let region = Region(need + 64)
        var status = PRB_OK
        #expect(prb_ring_format(region.base, need - 1, 4, 10, &status) == nil)
        #expect(status == PRB_E_BAD_MEMORY)
        #expect(prb_ring_format(region.base + 8, need, 4, 10, &status) == nil)
        #expect(status == PRB_E_BAD_MEMORY)
        #expect(prb_ring_format(region.base, need, 40, 10, &status) == nil)
        #expect(status == PRB_E_INVALID_SIZE)
    }

    @Test func attachRefusesWhatIsNotARing() {
        let need = prb_ring_required_bytes(4, 10)
        var status = PRB_OK

        let zeros = Region(need)
        #expect(prb_ring_attach(zeros.base, need, &status) == nil)
        #expect(status == PRB_E_BAD_MEMORY)

        let garbage = Region(need)
        for i in 0..<(need / 8) { garbage.word(i).pointee = 0x0123_4567_89AB_CDEF &* UInt64(i + 1) }
        #expect(prb_ring_attach(garbage.base, need, &status) == nil)

        /// A good ring, damaged in one place at a time.
        func damaged(_ damage: (Region) -> Void, bytes: Int = need) -> prb_status {
            let region = Region(need)
            var s = PRB_OK
            prb_ring_destroy(prb_ring_format(region.base, need, 4, 10, &s))
            damage(region)
            let handle = prb_ring_attach(region.base, bytes, &s)
            prb_ring_destroy(handle)
            return s
        }
        #expect(damaged({ _ in }) == PRB_OK)
        #expect(damaged({ _ in }, bytes: need - 8) == PRB_E_BAD_MEMORY)  // truncated file
        #expect(damaged { $0.word(0).pointee ^= 1 } == PRB_E_BAD_MEMORY)  // magic
        #expect(damaged { $0.word(1).pointee = 99 } == PRB_E_BAD_MEMORY)  // layout version
        #expect(damaged { $0.word(2).pointee = 30 } == PRB_E_BAD_MEMORY)  // desc bits
        #expect(damaged { $0.word(3).pointee = 12 } == PRB_E_BAD_MEMORY)  // data bits vs size
        #expect(damaged { $0.word(8).pointee &+= 100 } == PRB_E_BAD_MEMORY)  // head far from tail
        // The edge: a full ring has its head 15 ids past its tail (16 descriptors in use), never 16.
        #expect(damaged { $0.word(8).pointee = ($0.word(16).pointee &+ 15) & ((1 << 62) - 1) } == PRB_OK)
        #expect(damaged { $0.word(8).pointee = ($0.word(16).pointee &+ 16) & ((1 << 62) - 1) } == PRB_E_BAD_MEMORY)
        #expect(damaged { $0.word(24).pointee &+= 4096 } == PRB_E_BAD_MEMORY)  // data head
        #expect(damaged { $0.word(24).pointee &+= 3 } == PRB_E_BAD_MEMORY)  // misaligned lpos

        #expect(prb_ring_attach(zeros.base + 8, need - 8, &status) == nil)  // misaligned
        #expect(prb_ring_attach(nil, need, &status) == nil)
    }
}
