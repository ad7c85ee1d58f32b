import CPrintkRing

#if canImport(Glibc)
    import Glibc
#endif
import Testing
import TestSupport

@testable import PrintkRing

/// Every C status maps to the error that names it, with the details the caller passed: nothing is
/// folded into another case.
@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct ErrorMappingTests {
    @Test func invalidSize() {
        #expect(
            PrintkRingError.from(PRB_E_INVALID_SIZE, descriptorBits: 1, dataBits: 40)
                == .invalidSize(descriptorBits: 1, dataBits: 40))
    }

    @Test func tooLarge() {
        #expect(PrintkRingError.from(PRB_E_TOO_LARGE, size: 300, maximum: 120) == .recordTooLarge(size: 300, maximum: 120))
    }

    @Test func noDescriptor() {
        #expect(PrintkRingError.from(PRB_E_NO_DESCRIPTOR) == .noDescriptor)
    }

    @Test func noSpace() {
        #expect(PrintkRingError.from(PRB_E_NO_SPACE, seq: 17) == .noSpace(lostSeq: 17))
    }

    @Test func cannotExtend() {
        #expect(PrintkRingError.from(PRB_E_CANNOT_EXTEND) == .cannotExtend)
    }

    @Test func badMemory() {
        #expect(PrintkRingError.from(PRB_E_BAD_MEMORY) == .badMemory)
    }

    @Test func noMemory() {
        #expect(PrintkRingError.from(PRB_E_NO_MEMORY) == .outOfMemory)
    }

    @Test func readOnly() {
        #expect(PrintkRingError.from(PRB_E_READ_ONLY) == .readOnly)
        #expect(PrintkRingError.extending(PRB_E_READ_ONLY, additional: 1, maximumTotal: 2) == .readOnly)
        #expect(PrintkRingError.readOnly.description.contains("read-only"))
    }

    @Test func writerTableFull() {
        #expect(PrintkRingError.from(PRB_E_NO_WRITER_SLOT) == .writerTableFull)
        #expect(String(cString: prb_status_string(PRB_E_NO_WRITER_SLOT)).contains("writer table"))
    }

    @Test(arguments: [
        (PRB_E_FILE_UNSAFE, PrintkRingError.RingFileProblem.unsafeFile),
        (PRB_E_NOT_A_RING_FILE, .notARingFile), (PRB_E_FILE_BYTE_ORDER, .otherByteOrder),
        (PRB_E_FILE_WORD_SIZE, .otherWordSize), (PRB_E_FILE_VERSION, .unsupportedVersion),
        (PRB_E_FILE_HEADER, .damagedHeader), (PRB_E_FILE_TRUNCATED, .truncated), (PRB_E_FILE_SIZE, .sizeMismatch),
    ])
    func ringFileRefusals(status: prb_status, problem: PrintkRingError.RingFileProblem) {
        #expect(PrintkRingError.from(status) == .badRingFile(problem))
    }

    /// A failed system call keeps its errno.
    @Test func systemError() {
        errno = EACCES
        #expect(PrintkRingError.from(PRB_E_IO) == .system(errno: EACCES))
    }

    @Test func extensionTooLarge() {
        #expect(
            PrintkRingError.extending(PRB_E_TOO_LARGE, additional: 9, maximumTotal: 16)
                == .extensionTooLarge(additional: 9, maximumTotal: 16))
    }

    @Test func extensionRefused() {
        #expect(PrintkRingError.extending(PRB_E_CANNOT_EXTEND, additional: 9, maximumTotal: 16) == .cannotExtend)
    }

    /// prb_reserve_in_last's NO_SPACE: the record was reopened, could not grow and was committed
    /// again. No record was lost, so it is not `noSpace(lostSeq:)`.
    @Test func extensionWithoutRoom() {
        #expect(PrintkRingError.extending(PRB_E_NO_SPACE, additional: 9, maximumTotal: 16) == .cannotExtend)
    }

    /// The same through the API: a committed record that cannot grow because the data ring would
    /// have to reclaim a block still being written. It stays as it was, and nothing is lost.
    @Test func extendLastWithoutRoomThrowsCannotExtend() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 7)  // 128 bytes of text
        var stuck = try ring.reserve(capacity: 16)  // block [0, 24), not committed meanwhile
        stuck.append("held")
        try ring.write(String(repeating: "y", count: 56))  // block [24, 88)
        var base = try ring.reserve(capacity: 8, metadata: RecordMetadata(callerID: 7))  // [88, 104)
        base.append("12345678")
        base.commit()
        // 56 bytes of text need a 64-byte block: it wraps to [128, 192) and must reclaim [0, 64).
        #expect(throws: PrintkRingError.cannotExtend) {
            _ = try ring.extendLast(callerID: 7, additionalCapacity: 48)
        }
        #expect(ring.statistics.failedDataAllocations == 0)
        stuck.finalize()
        try ring.write("next")  // finalizes the committed record
        #expect(ring.record(at: 2)?.text == "12345678")
    }
}
