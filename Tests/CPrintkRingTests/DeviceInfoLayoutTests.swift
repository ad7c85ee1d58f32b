// Rings without device-info storage (PRB_RING_NO_DEV_INFO, issue 10): the footprint, format and
// attach (the flag read from the region's header as hostile input), writes and reads with and
// without, and ring files that record the flag.

import CPrintkRing
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

@Suite(.serialized, .singleThreaded, .timeLimit(.minutes(1))) struct DeviceInfoLayoutTests {
    static let layouts: [UInt32] = [0, PRB_RING_NO_DEV_INFO]

    /// Header words: the layout flags, the recorded size.
    static let flagsWord = 5
    static let bytesWord = 4

    /// A NUL-terminated C string field (a tuple of CChar) as a String.
    static func string<Field>(_ field: Field) -> String {
        withUnsafeBytes(of: field) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
    }

    @Test func footprintWithAndWithoutDeviceInfo() {
        // Header, 16 descriptors of 4 + 4 (+ 8 device-info) words, 1 KiB of text.
        #expect(prb_ring_required_bytes_ex(4, 10, 0) == 512 + 16 * 128 + 1024)
        #expect(prb_ring_required_bytes_ex(4, 10, PRB_RING_NO_DEV_INFO) == 512 + 16 * 64 + 1024)
        #expect(prb_ring_required_bytes(4, 10) == prb_ring_required_bytes_ex(4, 10, 0))
        // The README's example ring, descriptorBits 12 and dataBits 17: 640.5 KiB, 384.5 KiB without.
        #expect(prb_ring_required_bytes_ex(12, 17, 0) * 2 == 1281 * 1024)
        #expect(prb_ring_required_bytes_ex(12, 17, PRB_RING_NO_DEV_INFO) * 2 == 769 * 1024)
        #expect(prb_ring_required_bytes_ex(4, 10, 0x2) == 0, "an unknown flag")
        #expect(prb_ring_required_bytes_ex(1, 10, PRB_RING_NO_DEV_INFO) == 0)
    }

    @Test func unknownFlagsAreRefused() {
        var status = PRB_OK
        #expect(prb_ring_create_ex(4, 10, 0x2, &status) == nil)
        #expect(status == PRB_E_INVALID_SIZE)
        let region = MemoryTests.Region(prb_ring_required_bytes(4, 10))
        status = PRB_OK
        #expect(prb_ring_format_ex(region.base, region.bytes.count, 4, 10, 0x80, &status) == nil)
        #expect(status == PRB_E_INVALID_SIZE)
    }

    /// Records with and without device info, written over more than one wrap of both rings, read
    /// back whole; on a ring without storage the device info reads empty and nothing else changes.
    @Test(arguments: layouts) func writesAndReads(flags: UInt32) throws {
        let need = prb_ring_required_bytes_ex(4, 10, flags)
        let region = MemoryTests.Region(need)  // exactly the size: a store past it is a bug
        var status = PRB_OK
        let ring = try #require(prb_ring_format_ex(region.base, need, 4, 10, flags, &status))
        defer { prb_ring_destroy(ring) }
        #expect(prb_ring_flags(ring) == flags)
        let stores = flags == 0
        var buffer = [UInt8](repeating: 0, count: 256)
        for n in 0..<40 {
            let text = Array("record \(n) ".utf8) + [UInt8](repeating: UInt8(n), count: n % 50)
            var entry = prb_entry()
            try #require(prb_reserve(ring, &entry, text.count, nil) == PRB_OK)
            _ = text.withUnsafeBytes { prb_entry_append(&entry, $0.baseAddress, $0.count) }
            if n % 3 == 0 { prb_entry_set_dev_info(&entry, "pci", "0000:00:1f.\(n)") }
            try #require(prb_final_commit(&entry) == PRB_OK)

            var info = prb_record_info()
            let read = buffer.withUnsafeMutableBytes { prb_read(ring, entry.seq, &info, $0.baseAddress, $0.count) }
            try #require(read == PRB_READ_OK)
            #expect(Array(buffer[..<Int(info.text_len)]) == text)
            let subsystem = Self.string(info.subsystem)
            let device = Self.string(info.device)
            if stores && n % 3 == 0 {
                #expect(subsystem == "pci" && device == "0000:00:1f.\(n)")
            } else {
                #expect(subsystem.isEmpty && device.isEmpty, "record \(n): \(subsystem) \(device)")
            }
        }
    }

    /// An attached handle takes the layout from the region's header, and reads what the other wrote.
    @Test(arguments: layouts) func attachTakesTheLayoutFromTheRegion(flags: UInt32) throws {
        let need = prb_ring_required_bytes_ex(4, 10, flags)
        let region = MemoryTests.Region(need)
        var status = PRB_OK
        let writer = try #require(prb_ring_format_ex(region.base, need, 4, 10, flags, &status))
        defer { prb_ring_destroy(writer) }
        #expect(prb_write(writer, "written before attach", 21, nil, nil) == PRB_OK)
        let reader = try #require(prb_ring_attach(region.base, need, &status))
        defer { prb_ring_destroy(reader) }
        #expect(prb_ring_flags(reader) == flags)
        #expect(prb_ring_memory_bytes(reader) == need)
        var buffer = [UInt8](repeating: 0, count: 64)
        var info = prb_record_info()
        let read = buffer.withUnsafeMutableBytes { prb_read(reader, 0, &info, $0.baseAddress, $0.count) }
        #expect(read == PRB_READ_OK)
        #expect(Array(buffer[..<Int(info.text_len)]) == Array("written before attach".utf8))
    }

    /// The flag is hostile input: unknown bits, or a flag that does not give the size the header
    /// records (flipped by damage either way), refuse the region.
    @Test func attachRefusesADamagedFlag() {
        func attach(formattedWith flags: UInt32, _ damage: (MemoryTests.Region) -> Void) -> prb_status {
            let need = prb_ring_required_bytes_ex(4, 10, flags)
            let region = MemoryTests.Region(need)
            var status = PRB_OK
            prb_ring_destroy(prb_ring_format_ex(region.base, need, 4, 10, flags, &status))
            damage(region)
            let handle = prb_ring_attach(region.base, need, &status)
            prb_ring_destroy(handle)
            return status
        }
        for flags in Self.layouts {
            #expect(attach(formattedWith: flags) { _ in } == PRB_OK)
            let flipped = attach(formattedWith: flags) { $0.word(Self.flagsWord).pointee ^= UInt64(PRB_RING_NO_DEV_INFO) }
            #expect(flipped == PRB_E_BAD_MEMORY)
            #expect(attach(formattedWith: flags) { $0.word(Self.flagsWord).pointee |= 0x2 } == PRB_E_BAD_MEMORY)
            #expect(attach(formattedWith: flags) { $0.word(Self.flagsWord).pointee |= 1 << 40 } == PRB_E_BAD_MEMORY)
        }
    }

    /// A region whose header lies consistently (a ring with device info relabelled as one without,
    /// and its size with it) attaches, but reading and writing it stays inside the region: damage
    /// gives lost or garbled records, never an access outside.
    @Test func aConsistentLieAboutTheLayoutStaysInsideTheRegion() throws {
        let need = prb_ring_required_bytes_ex(4, 10, 0)
        let region = MemoryTests.Region(need)
        var status = PRB_OK
        let writer = try #require(prb_ring_format_ex(region.base, need, 4, 10, 0, &status))
        for n in 0..<20 { _ = prb_write(writer, "record \(n)", 9, nil, nil) }
        prb_ring_destroy(writer)
        region.word(Self.flagsWord).pointee = UInt64(PRB_RING_NO_DEV_INFO)
        region.word(Self.bytesWord).pointee = UInt64(prb_ring_required_bytes_ex(4, 10, PRB_RING_NO_DEV_INFO))
        let liar = try #require(prb_ring_attach(region.base, need, &status))
        defer { prb_ring_destroy(liar) }
        var reader = prb_reader()
        prb_reader_init(&reader, liar, 0, true)
        var buffer = [UInt8](repeating: 0, count: 64)
        var info = prb_record_info()
        var reads = 0
        while buffer.withUnsafeMutableBytes({ prb_reader_next(&reader, &info, $0.baseAddress, $0.count) }) {
            reads += 1
            guard reads <= 16 else { break }  // at most one ring's worth of records
        }
        #expect(reads <= 16)
        for _ in 0..<40 { _ = prb_write(liar, "after", 5, nil, nil) }
    }

    /// A damaged level word that claims device info on a ring without storage: the read returns
    /// empty strings (it must not look for an array that is not there).
    @Test func aLevelWordClaimingDeviceInfoReadsEmpty() throws {
        let need = prb_ring_required_bytes_ex(4, 10, PRB_RING_NO_DEV_INFO)
        let region = MemoryTests.Region(need)
        var status = PRB_OK
        let ring = try #require(prb_ring_format_ex(region.base, need, 4, 10, PRB_RING_NO_DEV_INFO, &status))
        defer { prb_ring_destroy(ring) }
        var seq: UInt64 = 0
        #expect(prb_write(ring, "plain", 5, nil, &seq) == PRB_OK)
        // Infos follow the 64 header words and 16 descriptors of 4 words; level is word 3 of 4.
        let levelWord = 64 + 16 * 4 + Int(seq & 15) * 4 + 3
        region.word(levelWord).pointee |= 1 << 32
        var info = prb_record_info()
        var buffer = [UInt8](repeating: 0, count: 16)
        let read = buffer.withUnsafeMutableBytes { prb_read(ring, seq, &info, $0.baseAddress, $0.count) }
        #expect(read == PRB_READ_OK)
        #expect(info.subsystem.0 == 0 && info.device.0 == 0)
        #expect(Array(buffer[..<Int(info.text_len)]) == Array("plain".utf8))
    }

    // MARK: Ring files

    @Test(arguments: layouts) func aRingFileRecordsTheLayout(flags: UInt32) throws {
        let dir = try ScratchDirectory()
        let path = dir.file("ring")
        var status = PRB_OK
        let created = try #require(prb_file_create_ex(path, 4, 10, flags, 0, &status))
        var info = prb_file_info()
        prb_file_get_info(created, &info)
        #expect(info.ring_flags == flags)
        #expect(info.ring_bytes == UInt64(prb_ring_required_bytes_ex(4, 10, flags)))
        #expect(info.file_bytes == ringFileRingOffset + info.ring_bytes)
        var entry = prb_entry()
        try #require(prb_reserve(prb_file_ring(created), &entry, 4, nil) == PRB_OK)
        _ = prb_entry_append(&entry, "disk", 4)
        prb_entry_set_dev_info(&entry, "block", "sda")
        try #require(prb_final_commit(&entry) == PRB_OK)
        prb_file_close(created)

        let opened = try #require(prb_file_open(path, 0, &status))
        defer { prb_file_close(opened) }
        prb_file_get_info(opened, &info)
        #expect(info.ring_flags == flags)
        #expect(prb_ring_flags(prb_file_ring(opened)) == flags)
        var record = prb_record_info()
        var buffer = [UInt8](repeating: 0, count: 16)
        let read = buffer.withUnsafeMutableBytes {
            prb_read(prb_file_ring(opened), 0, &record, $0.baseAddress, $0.count)
        }
        #expect(read == PRB_READ_OK)
        let subsystem = Self.string(record.subsystem)
        #expect(subsystem == (flags == 0 ? "block" : ""))
    }

    /// The file header's flag and the region's must agree with each other and with the sizes.
    @Test func aRingFileRefusesFlagsThatDisagree() throws {
        let dir = try ScratchDirectory()
        let path = dir.file("ring")
        var status = PRB_OK
        let created = try #require(prb_file_create_ex(path, 4, 10, PRB_RING_NO_DEV_INFO, 0, &status))
        prb_file_close(created)
        let good = try fileBytes(path, count: 120)
        #expect(FileOutcome.open(path).status == PRB_OK)

        // The file header's flag cleared (checksum right): its ring size no longer agrees.
        try rewriteFileHeader(path, at: 88, [0, 0, 0, 0])
        #expect(FileOutcome.open(path).status == PRB_E_FILE_HEADER)
        // An unknown flag.
        try rewriteFileHeader(path, at: 88, [3, 0, 0, 0])
        #expect(FileOutcome.open(path).status == PRB_E_FILE_HEADER)
        try patchFile(path, at: 0, good)
        // The region's own flag damaged: the region's header refuses itself.
        let regionFlags = Int(ringFileRingOffset) + Self.flagsWord * 8
        try patchFile(path, at: regionFlags, [0])
        #expect(FileOutcome.open(path).status == PRB_E_BAD_MEMORY)
        #expect(FileOutcome.open(path, flags: PRB_FILE_WRITE).status == PRB_E_BAD_MEMORY)
        try patchFile(path, at: regionFlags, [1])
        #expect(FileOutcome.open(path).status == PRB_OK)
    }
}

// MARK: - File helpers of this suite

private func patchFile(_ path: String, at offset: Int, _ bytes: [UInt8]) throws {
    let fd = Glibc.open(path, O_WRONLY)
    try #require(fd >= 0)
    defer { close(fd) }
    let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
    try #require(written == bytes.count)
}

private func fileBytes(_ path: String, count: Int) throws -> [UInt8] {
    let fd = Glibc.open(path, O_RDONLY)
    try #require(fd >= 0)
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: count)
    let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, 0) }
    try #require(got == count)
    return bytes
}

/// Rewrites header bytes at `offset`, then a checksum that matches (FNV-1a of bytes 0..111, as
/// prb_file.c computes it), to reach the checks behind the checksum.
private func rewriteFileHeader(_ path: String, at offset: Int, _ bytes: [UInt8]) throws {
    var header = try fileBytes(path, count: 120)
    header.replaceSubrange(offset..<offset + bytes.count, with: bytes)
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in header[..<112] {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    header.replaceSubrange(112..<120, with: withUnsafeBytes(of: hash.littleEndian) { Array($0) })
    try patchFile(path, at: 0, header)
}
