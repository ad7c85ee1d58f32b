// Ring files (prb_file.h): creation, validation of everything read from the file before it is
// trusted, the planted-file cases, and reading through a read-only mapping.

import CPrintkRing
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A fresh directory for one test, removed with everything in it when the test ends.
final class ScratchDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/prb-file-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = String(cString: try #require(made))
    }

    deinit {
        for name in entries() { unlink(path + "/" + name) }
        rmdir(path)
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// The names in the directory (but `.` and `..`).
    func entries() -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}

/// The status (and errno) of one prb_file_open / prb_file_create call; closes what it opened.
struct FileOutcome: Equatable, CustomStringConvertible {
    var status: prb_status
    var errorNumber: Int32

    var description: String { "\(String(cString: prb_status_string(status))) (errno \(errorNumber))" }

    static func open(_ path: String, flags: UInt32 = 0) -> FileOutcome {
        var status = PRB_OK
        errno = 0
        let file = prb_file_open(path, flags, &status)
        let outcome = FileOutcome(status: status, errorNumber: file == nil ? errno : 0)
        prb_file_close(file)
        return outcome
    }
}

private let descBits: UInt32 = 4
private let dataBits: UInt32 = 10

/// Creates a ring file with `records` records "record N" in it.
@discardableResult
private func makeRingFile(_ path: String, records: Int = 5, mode: UInt32 = 0) throws -> prb_file_info {
    var status = PRB_E_IO
    let file = try #require(prb_file_create(path, descBits, dataBits, mode, &status), "\(status)")
    defer { prb_file_close(file) }
    let ring = prb_file_ring(file)
    for n in 0..<records {
        let text = Array("record \(n)".utf8)
        var meta = prb_meta(timestamp_ns: UInt64(n + 1), caller_id: 7, level: 6, facility: 1, flags: 0, has_timestamp: 0)
        #expect(prb_write(ring, text, text.count, &meta, nil) == PRB_OK)
    }
    var info = prb_file_info()
    prb_file_get_info(file, &info)
    return info
}

/// Reads every record of a ring file (opened read-only) as text.
private func readAll(_ path: String) throws -> [String] {
    var status = PRB_OK
    let file = try #require(prb_file_open(path, 0, &status), "\(String(cString: prb_status_string(status)))")
    defer { prb_file_close(file) }
    var reader = prb_reader()
    prb_reader_init(&reader, prb_file_ring(file), 0, false)
    var texts: [String] = []
    var buffer = [UInt8](repeating: 0, count: 256)
    var info = prb_record_info()
    while buffer.withUnsafeMutableBytes({ prb_reader_next(&reader, &info, $0.baseAddress, $0.count) }) {
        texts.append(String(decoding: buffer[..<Int(info.text_len)], as: UTF8.self))
    }
    return texts
}

/// Where the ring region starts in a file of this build's format: after the header page and the
/// writer table (prb_file.h).
let ringFileTableBytes = UInt64(
    (Int(PRB_FILE_SLOT_BYTES) * (1 + Int(PRB_FILE_PROCESS_SLOTS) + Int(PRB_FILE_THREAD_SLOTS))
        + Int(PRB_FILE_HEADER_BYTES) - 1) / Int(PRB_FILE_HEADER_BYTES) * Int(PRB_FILE_HEADER_BYTES))
let ringFileRingOffset = UInt64(PRB_FILE_HEADER_BYTES) + ringFileTableBytes
private let tableBytes = ringFileTableBytes
private let ringOffset = ringFileRingOffset

private func fileSize(_ path: String) -> Int {
    var st = stat()
    return stat(path, &st) == 0 ? Int(st.st_size) : -1
}

/// Overwrites `bytes` at `offset` of the file.
func patch(_ path: String, at offset: Int, _ bytes: [UInt8]) throws {
    let fd = Glibc.open(path, O_WRONLY)
    try #require(fd >= 0)
    defer { close(fd) }
    let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
    try #require(written == bytes.count)
}

func readBytes(_ path: String, count: Int, at offset: Int = 0) throws -> [UInt8] {
    let fd = Glibc.open(path, O_RDONLY)
    try #require(fd >= 0)
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: count)
    let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
    try #require(got == count)
    return bytes
}

/// FNV-1a over the first 112 header bytes, as prb_file.c computes it: lets a test write a header
/// whose checksum is right, to reach the checks behind the checksum.
func headerChecksum(_ header: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in header[..<112] {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    return hash
}

func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// Rewrites header fields (offset, bytes) and then a checksum that matches.
func rewriteHeader(_ path: String, _ fields: [(Int, [UInt8])]) throws {
    var header = try readBytes(path, count: 120)
    for (offset, bytes) in fields { header.replaceSubrange(offset..<offset + bytes.count, with: bytes) }
    header.replaceSubrange(112..<120, with: littleEndianBytes(headerChecksum(header)))
    try patch(path, at: 0, header)
}

@Suite(.serialized, .singleThreaded, .timeLimit(.minutes(1))) struct RingFileTests {
    @Test func createWriteCloseReopenRead() throws {
        let dir = try ScratchDirectory()
        let path = dir.file("log.ring")
        let info = try makeRingFile(path, records: 5)
        #expect(info.version == UInt32(PRB_FILE_VERSION))
        #expect(info.desc_bits == descBits && info.data_bits == dataBits)
        #expect(info.writable)
        #expect(info.file_bytes == ringOffset + UInt64(prb_ring_required_bytes(descBits, dataBits)))
        #expect(info.process_slots == PRB_FILE_PROCESS_SLOTS && info.thread_slots == PRB_FILE_THREAD_SLOTS)
        #expect(fileSize(path) == Int(info.file_bytes))
        #expect(info.created_realtime_ns > 1_600_000_000 * 1_000_000_000)
        // The records outlive the handle that wrote them.
        #expect(try readAll(path) == (0..<5).map { "record \($0)" })
        // Only the ring file is left: no temporary name.
        #expect(dir.entries() == ["log.ring"])
    }

    @Test func aNewFileIsPrivateWhateverTheUmask() throws {
        let dir = try ScratchDirectory()
        let old = umask(0)
        defer { umask(old) }
        try makeRingFile(dir.file("private.ring"))
        var st = stat()
        try #require(stat(dir.file("private.ring"), &st) == 0)
        #expect(st.st_mode & 0o7777 == 0o600)
        umask(0o077)
        try makeRingFile(dir.file("group.ring"), mode: 0o640)
        try #require(stat(dir.file("group.ring"), &st) == 0)
        #expect(st.st_mode & 0o7777 == 0o640)
    }

    @Test func creationRefusesWhatIsAlreadyThere() throws {
        let dir = try ScratchDirectory()
        // A plain file planted at the path is neither reused nor truncated.
        let planted = dir.file("planted")
        let fd = creat(planted, 0o644)
        try #require(fd >= 0)
        close(fd)
        var status = PRB_OK
        errno = 0
        #expect(prb_file_create(planted, descBits, dataBits, 0, &status) == nil)
        #expect(status == PRB_E_IO && errno == EEXIST)
        #expect(fileSize(planted) == 0)
        // A symlink is not followed: its target is not created.
        let target = dir.file("target")
        let link = dir.file("link")
        try #require(symlink(target, link) == 0)
        errno = 0
        #expect(prb_file_create(link, descBits, dataBits, 0, &status) == nil)
        #expect(status == PRB_E_IO && errno == EEXIST)
        #expect(fileSize(target) == -1)
        // An existing ring file is not formatted over.
        try makeRingFile(dir.file("ring"), records: 3)
        #expect(prb_file_create(dir.file("ring"), descBits, dataBits, 0, &status) == nil)
        #expect(try readAll(dir.file("ring")).count == 3)
        // Nothing was left behind by the refusals.
        #expect(dir.entries() == ["link", "planted", "ring"])
    }

    @Test func creationRefusesBadSizes() throws {
        let dir = try ScratchDirectory()
        var status = PRB_OK
        #expect(prb_file_create(dir.file("a"), 1, dataBits, 0, &status) == nil)
        #expect(status == PRB_E_INVALID_SIZE)
        #expect(prb_file_create(dir.file("a"), descBits, 99, 0, &status) == nil)
        #expect(status == PRB_E_INVALID_SIZE)
        #expect(dir.entries().isEmpty)
    }

    @Test func openRefusesWhatIsNotARegularFile() throws {
        let dir = try ScratchDirectory()
        try makeRingFile(dir.file("ring"))
        try #require(symlink(dir.file("ring"), dir.file("link")) == 0)
        #expect(FileOutcome.open(dir.file("link")).status == PRB_E_FILE_UNSAFE)
        #expect(FileOutcome.open(dir.file("link"), flags: PRB_FILE_WRITE).status == PRB_E_FILE_UNSAFE)
        // A FIFO: refused at once, not waited on.
        try #require(mkfifo(dir.file("fifo"), 0o600) == 0)
        #expect(FileOutcome.open(dir.file("fifo")).status == PRB_E_FILE_UNSAFE)
        try #require(mkdir(dir.file("directory"), 0o700) == 0)
        defer { rmdir(dir.file("directory")) }
        #expect(FileOutcome.open(dir.file("directory")).status == PRB_E_FILE_UNSAFE)
        #expect(FileOutcome.open(dir.file("missing")) == FileOutcome(status: PRB_E_IO, errorNumber: ENOENT))
        #expect(FileOutcome.open("").status == PRB_E_IO)
    }

    @Test(.enabled(if: geteuid() == 0, "changing a file's owner needs root"))
    func anotherUsersFileIsNotOpenedForWriting() throws {
        let dir = try ScratchDirectory()
        let path = dir.file("theirs.ring")
        try makeRingFile(path, records: 2)
        // A uid nobody on this machine has: no account is needed to own a file.
        try #require(chown(path, 54_321, 54_321) == 0)
        #expect(FileOutcome.open(path, flags: PRB_FILE_WRITE).status == PRB_E_FILE_UNSAFE)
        #expect(FileOutcome.open(path, flags: PRB_FILE_WRITE | PRB_FILE_ALLOW_OTHER_OWNER).status == PRB_OK)
        #expect(FileOutcome.open(path).status == PRB_OK)
        #expect(try readAll(path).count == 2)
    }

    @Test func eachHeaderFieldIsChecked() throws {
        let dir = try ScratchDirectory()
        let path = dir.file("ring")
        let good = try { () throws -> [UInt8] in
            try makeRingFile(path)
            return try readBytes(path, count: 120)
        }()
        func reset() throws { try patch(path, at: 0, good) }

        // Foreign byte order: the mark reads swapped (and the checksum is right for that file).
        try rewriteHeader(path, [(16, [0x01, 0x02, 0x03, 0x04])])
        #expect(FileOutcome.open(path).status == PRB_E_FILE_BYTE_ORDER)
        try reset()
        try rewriteHeader(path, [(20, littleEndianBytes(UInt32(4)))])
        #expect(FileOutcome.open(path).status == PRB_E_FILE_WORD_SIZE)
        try reset()
        try rewriteHeader(path, [(8, littleEndianBytes(UInt32(PRB_FILE_VERSION) + 1))])
        #expect(FileOutcome.open(path).status == PRB_E_FILE_VERSION)
        try reset()
        // Sizes that agree with each other but point past the end of the file.
        let bigger = UInt64(prb_ring_required_bytes(descBits, dataBits + 1))
        try rewriteHeader(path, [
            (28, littleEndianBytes(dataBits + 1)), (40, littleEndianBytes(bigger)),
            (48, littleEndianBytes(ringOffset + bigger)),
        ])
        #expect(FileOutcome.open(path).status == PRB_E_FILE_TRUNCATED)
        try reset()
        // Sizes that disagree, under a good checksum.
        try rewriteHeader(path, [(48, littleEndianBytes(UInt64(fileSize(path)) + 8))])
        #expect(FileOutcome.open(path).status == PRB_E_FILE_HEADER)
        try reset()
        try rewriteHeader(path, [(32, littleEndianBytes(UInt64(0)))])
        #expect(FileOutcome.open(path).status == PRB_E_FILE_HEADER)
        try reset()
        try rewriteHeader(path, [(24, littleEndianBytes(UInt32(99)))])
        #expect(FileOutcome.open(path).status == PRB_E_FILE_HEADER)
        try reset()
        // The writer table: slot counts out of range or disagreeing with its size, a table that
        // is not right after the header, a ring that is not right after the table.
        let tableDamage: [[(Int, [UInt8])]] = [
            [(80, littleEndianBytes(UInt32(0)))],
            [(80, littleEndianBytes(UInt32(PRB_FILE_SLOTS_MAX) + 1))],
            [(84, littleEndianBytes(UInt32(PRB_FILE_SLOTS_MAX) + 1))],
            [(80, littleEndianBytes(PRB_FILE_PROCESS_SLOTS + 64))],
            [(72, littleEndianBytes(tableBytes + 4096))],
            [(64, littleEndianBytes(UInt64(0)))],
            [(32, littleEndianBytes(UInt64(PRB_FILE_HEADER_BYTES)))],
        ]
        for fields in tableDamage {
            try rewriteHeader(path, fields)
            #expect(FileOutcome.open(path).status == PRB_E_FILE_HEADER, "\(fields)")
            #expect(FileOutcome.open(path, flags: PRB_FILE_WRITE).status == PRB_E_FILE_HEADER, "\(fields)")
            try reset()
        }
        #expect(FileOutcome.open(path).status == PRB_OK)

        // Every bit of the header flipped, one at a time: each is refused, and none crashes.
        for offset in 0..<120 {
            for bit in 0..<8 {
                var damaged = good
                damaged[offset] ^= UInt8(1 << bit)
                try patch(path, at: 0, damaged)
                let outcome = FileOutcome.open(path)
                #expect(outcome.status != PRB_OK, "bit \(bit) of byte \(offset) flipped: \(outcome)")
            }
        }
        try reset()
        #expect(try readAll(path).count == 5)
    }

    @Test func truncatedOrExtendedFilesAreRefused() throws {
        let dir = try ScratchDirectory()
        let path = dir.file("ring")
        let info = try makeRingFile(path)
        let full = Int(info.file_bytes)
        let ringHeader = Int(ringOffset) + 64
        let cases: [(Int, prb_status)] = [
            (0, PRB_E_NOT_A_RING_FILE), (7, PRB_E_NOT_A_RING_FILE), (8, PRB_E_FILE_TRUNCATED),
            (119, PRB_E_FILE_TRUNCATED), (120, PRB_E_FILE_TRUNCATED), (Int(PRB_FILE_HEADER_BYTES), PRB_E_FILE_TRUNCATED),
            (Int(PRB_FILE_HEADER_BYTES) + 64, PRB_E_FILE_TRUNCATED), (Int(ringOffset), PRB_E_FILE_TRUNCATED),
            (ringHeader, PRB_E_FILE_TRUNCATED), (full - 1, PRB_E_FILE_TRUNCATED), (full + 1, PRB_E_FILE_SIZE),
            (full + 4096, PRB_E_FILE_SIZE),
        ]
        let original = try readBytes(path, count: full)
        for (size, expected) in cases {
            try #require(truncate(path, off_t(size)) == 0)
            #expect(FileOutcome.open(path).status == expected, "file cut to \(size) of \(full) bytes")
            #expect(FileOutcome.open(path, flags: PRB_FILE_WRITE).status == expected)
            // Put it back as it was.
            try #require(truncate(path, off_t(full)) == 0)
            try patch(path, at: 0, original)
        }
        #expect(try readAll(path).count == 5)
    }

    @Test func notARingFile() throws {
        let dir = try ScratchDirectory()
        let path = dir.file("text")
        let fd = creat(path, 0o600)
        try #require(fd >= 0)
        let text = Array(String(repeating: "not a ring file at all\n", count: 400).utf8)
        _ = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #expect(FileOutcome.open(path).status == PRB_E_NOT_A_RING_FILE)
    }

    @Test func aDamagedRingRegionIsRefused() throws {
        let dir = try ScratchDirectory()
        let path = dir.file("ring")
        try makeRingFile(path)
        // The region's own magic (its first word).
        try patch(path, at: Int(ringOffset), [0x00])
        #expect(FileOutcome.open(path).status == PRB_E_BAD_MEMORY)
    }

    /// A region whose own sizes are not the file header's, although they give the same number of
    /// bytes (8 descriptors and 2 KiB of text take as much room as 16 and 1 KiB): refused.
    @Test func aRegionOfOtherSizesInTheSameBytesIsRefused() throws {
        let dir = try ScratchDirectory()
        let path = dir.file("ring")
        try makeRingFile(path)
        try patch(path, at: Int(ringOffset) + 16, littleEndianBytes(UInt64(descBits - 1)))
        try patch(path, at: Int(ringOffset) + 24, littleEndianBytes(UInt64(dataBits + 1)))
        #expect(FileOutcome.open(path).status == PRB_E_BAD_MEMORY)
    }

    @Test func everyReadEntryPointWorksOnAReadOnlyMapping() throws {
        let dir = try ScratchDirectory()
        let path = dir.file("ring")
        // More records than descriptors: the ring has wrapped, so the readers meet lost records.
        try makeRingFile(path, records: 40)
        var status = PRB_OK
        let file = try #require(prb_file_open(path, 0, &status))
        defer { prb_file_close(file) }
        var info = prb_file_info()
        prb_file_get_info(file, &info)
        #expect(!info.writable)
        let ring = prb_file_ring(file)
        // A write through this mapping would fault (PROT_READ): every call below is a pure read.
        let first = prb_first_seq(ring)
        #expect(first == 40 - (1 << descBits) || first == 40 - (1 << descBits) + 1)
        #expect(prb_first_valid_seq(ring) >= first)
        #expect(prb_next_seq(ring) == 40)
        #expect(prb_next_reserve_seq(ring) == 40)
        var buffer = [UInt8](repeating: 0, count: 64)
        var record = prb_record_info()
        let readStatus = buffer.withUnsafeMutableBytes { prb_read(ring, 39, &record, $0.baseAddress, $0.count) }
        #expect(readStatus == PRB_READ_OK)
        #expect(String(decoding: buffer[..<Int(record.text_len)], as: UTF8.self) == "record 39")
        #expect(buffer.withUnsafeMutableBytes { prb_read(ring, 0, &record, $0.baseAddress, $0.count) } == PRB_READ_LOST)
        var seq: UInt64 = 0
        #expect(buffer.withUnsafeMutableBytes { prb_read_valid(ring, &seq, &record, $0.baseAddress, $0.count, true) })
        #expect(seq >= first)
        var reader = prb_reader()
        prb_reader_init(&reader, ring, 0, true)
        var count = 0
        while buffer.withUnsafeMutableBytes({ prb_reader_next(&reader, &record, $0.baseAddress, $0.count) }) {
            count += 1
        }
        #expect(count + Int(reader.lost) == 40)
        var stats = prb_stats()
        prb_get_stats(ring, &stats)
        #expect(stats.finalized >= 40 - (1 << descBits))
    }

    /// Writes through a read-only file are refused at once with PRB_E_READ_ONLY, touching nothing
    /// (the mapping is PROT_READ: a store would fault).
    @Test func writesThroughAReadOnlyFileAreRefused() throws {
        let dir = try ScratchDirectory()
        let path = dir.file("ring")
        try makeRingFile(path, records: 40)
        let before = try readBytes(path, count: fileSize(path))
        var status = PRB_OK
        let file = try #require(prb_file_open(path, 0, &status))
        defer { prb_file_close(file) }
        let ring = prb_file_ring(file)
        #expect(prb_ring_is_read_only(ring))
        var entry = prb_entry()
        #expect(prb_reserve(ring, &entry, 8, nil) == PRB_E_READ_ONLY)
        #expect(entry.active == 0)
        #expect(prb_reserve(ring, &entry, 0, nil) == PRB_E_READ_ONLY)
        #expect(prb_reserve(ring, &entry, 1 << 20, nil) == PRB_E_READ_ONLY)
        #expect(prb_reserve_in_last(ring, &entry, 0, 8, 64) == PRB_E_READ_ONLY)
        var seq: UInt64 = 12345
        let text = Array("refused".utf8)
        #expect(text.withUnsafeBytes { prb_write(ring, $0.baseAddress, $0.count, nil, &seq) } == PRB_E_READ_ONLY)
        #expect(seq == 12345)
        // An inactive entry changes nothing either.
        #expect(prb_commit(&entry) == PRB_E_BAD_ENTRY)
        #expect(prb_entry_append(&entry, "x", 1) == 0)
        #expect(String(cString: prb_status_string(PRB_E_READ_ONLY)).contains("read-only"))
        #expect(try readBytes(path, count: fileSize(path)) == before)
        // The same file opened for writing writes.
        let writable = try #require(prb_file_open(path, PRB_FILE_WRITE, &status))
        defer { prb_file_close(writable) }
        #expect(!prb_ring_is_read_only(prb_file_ring(writable)))
        #expect(text.withUnsafeBytes { prb_write(prb_file_ring(writable), $0.baseAddress, $0.count, nil, &seq) } == PRB_OK)
        #expect(seq == 40)
    }

    /// prb_ring_attach_read_only on memory mapped PROT_READ: every read works, writes are refused.
    @Test func attachReadOnlyToAProtReadMapping() throws {
        let bytes = prb_ring_required_bytes(3, 8)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let length = (bytes + page - 1) / page * page
        let memory = try #require(mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        try #require(memory != MAP_FAILED)
        defer { munmap(memory, length) }
        var status = PRB_OK
        let writer = try #require(prb_ring_format(memory, bytes, 3, 8, &status))
        for i in 0..<20 {
            let text = Array("record \(i)".utf8)
            _ = text.withUnsafeBytes { prb_write(writer, $0.baseAddress, $0.count, nil, nil) }
        }
        prb_ring_destroy(writer)
        try #require(mprotect(memory, length, PROT_READ) == 0)
        let ring = try #require(prb_ring_attach_read_only(memory, bytes, &status))
        defer { prb_ring_destroy(ring) }
        #expect(prb_ring_is_read_only(ring))
        #expect(prb_next_seq(ring) == 20)
        var reader = prb_reader()
        prb_reader_init(&reader, ring, 0, true)
        var info = prb_record_info()
        var count = 0
        while prb_reader_next(&reader, &info, nil, 0) { count += 1 }
        #expect(count == 8 && reader.lost == 12)
        var entry = prb_entry()
        #expect(prb_reserve(ring, &entry, 4, nil) == PRB_E_READ_ONLY)
        #expect(prb_reserve_in_last(ring, &entry, 0, 4, 8) == PRB_E_READ_ONLY)
        #expect(prb_write(ring, "abc", 3, nil, nil) == PRB_E_READ_ONLY)
        // A writable handle can be marked read-only too.
        let marked = try #require(prb_ring_create(3, 8, &status))
        defer { prb_ring_destroy(marked) }
        prb_ring_set_read_only(marked)
        #expect(prb_write(marked, "abc", 3, nil, nil) == PRB_E_READ_ONLY)
        #expect(prb_next_reserve_seq(marked) == 0)
    }
}
