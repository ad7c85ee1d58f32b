import CPrintkRing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Why a ring operation failed.
///
/// Every case is something a caller can act on; none of them leaves the ring in a worse
/// state than before the call. Each case names the C status (`prb_status`, prb.h) it stands for.
/// `PRB_E_BAD_ENTRY` has none: a ``Reservation`` is consumed by its commit, so the Swift API
/// cannot commit an entry twice or one that was never reserved.
public enum PrintkRingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The requested ring sizes are out of range. Nothing was allocated.
    ///
    /// C status: `PRB_E_INVALID_SIZE`.
    case invalidSize(descriptorBits: Int, dataBits: Int)
    /// The record's text is larger than ``PrintkRing/maxRecordSize``. Nothing in the ring was touched.
    ///
    /// C status: `PRB_E_TOO_LARGE` from `prb_reserve` or `prb_write`.
    case recordTooLarge(size: Int, maximum: Int)
    /// ``PrintkRing/extendLast(callerID:additionalCapacity:maxTotalSize:)``: the record's text plus
    /// `additional` bytes would exceed `maximumTotal` (the caller's limit, or the ring's maximum).
    /// The record was committed again unchanged.
    ///
    /// C status: `PRB_E_TOO_LARGE` from `prb_reserve_in_last`.
    case extensionTooLarge(additional: Int, maximumTotal: Int)
    /// No descriptor was free: the oldest record in the ring is still being written (a stuck or
    /// slow writer). The failure is counted in ``PrintkRing/Statistics/failedReservations``.
    ///
    /// C status: `PRB_E_NO_DESCRIPTOR`.
    case noDescriptor
    /// A sequence number was taken but no text space could be had (the oldest data block is still
    /// being written). The record was published without text; readers see `lostSeq` as lost.
    ///
    /// C status: `PRB_E_NO_SPACE` from `prb_reserve` or `prb_write`.
    case noSpace(lostSeq: UInt64)
    /// ``PrintkRing/extendLast(callerID:additionalCapacity:maxTotalSize:)``: the newest record is not
    /// this caller's committed record, or the text ring has no room for it to grow. The record is
    /// unchanged.
    ///
    /// C status: `PRB_E_CANNOT_EXTEND`, and `PRB_E_NO_SPACE` from `prb_reserve_in_last` (the
    /// record was reopened, could not grow, and was committed again: no record was lost).
    case cannotExtend
    /// The memory does not hold a ring of this layout, or is too small or misaligned.
    ///
    /// C status: `PRB_E_BAD_MEMORY`.
    case badMemory
    /// Out of memory while creating the ring or its handle.
    ///
    /// C status: `PRB_E_NO_MEMORY`.
    case outOfMemory
    /// A size argument was negative: a record's capacity, an extension's additional capacity or
    /// its total limit. Nothing was touched. (Checked in Swift; C takes sizes as `size_t`.)
    case negativeSize(Int)
    /// ``PrintkRing/init(formatting:descriptorBits:dataBits:storesDeviceInfo:)``: the memory is
    /// smaller than ``PrintkRing/requiredBytes(descriptorBits:dataBits:storesDeviceInfo:)``.
    /// Nothing was written.
    case regionTooSmall(required: Int, available: Int)
    /// ``PrintkRing/init(formatting:descriptorBits:dataBits:storesDeviceInfo:)`` and
    /// ``PrintkRing/init(attachingTo:)``: the memory is not 64-byte aligned (or is empty).
    case misalignedRegion
    /// A write through a read-only ring: a ring file opened with
    /// ``PrintkRing/FileAccess/readOnly`` (mapped `PROT_READ`). Refused at once; nothing in the
    /// ring was touched.
    ///
    /// C status: `PRB_E_READ_ONLY`, from `prb_reserve`, `prb_write` or `prb_reserve_in_last`.
    case readOnly
    /// Opening a ring file for writing: every process slot of its writer table is held by a live
    /// writer. Another writer must close the file first (or die: its slot is then free).
    ///
    /// C status: `PRB_E_NO_WRITER_SLOT`, from `prb_file_open`.
    case writerTableFull
    /// A system call on a ring file failed (`PRB_E_IO`); `errno` says why: `ENOENT`, `EACCES`,
    /// `EEXIST` (creating over something already there, a symlink included), `ENOSPC`...
    case system(errno: Int32)
    /// A ring file was refused before anything in it was trusted; the problem says why.
    case badRingFile(RingFileProblem)

    /// Why a ring file was refused (``PrintkRingError/badRingFile(_:)``).
    public enum RingFileProblem: Sendable, Hashable, CustomStringConvertible {
        /// A symlink, FIFO, device or directory; or another user's file opened for writing
        /// (`PRB_E_FILE_UNSAFE`).
        case unsafeFile
        /// The file does not begin with a ring file's magic (`PRB_E_NOT_A_RING_FILE`).
        case notARingFile
        /// Written on a machine of the other byte order (`PRB_E_FILE_BYTE_ORDER`).
        case otherByteOrder
        /// Written with another word size (`PRB_E_FILE_WORD_SIZE`).
        case otherWordSize
        /// A format version this library does not read (`PRB_E_FILE_VERSION`).
        case unsupportedVersion
        /// The header's checksum does not match or its fields disagree (`PRB_E_FILE_HEADER`).
        case damagedHeader
        /// Shorter than its header says (`PRB_E_FILE_TRUNCATED`).
        case truncated
        /// Longer than its header says (`PRB_E_FILE_SIZE`).
        case sizeMismatch

        public var description: String {
            switch self {
            case .unsafeFile: "not a regular file, or another user's file opened for writing"
            case .notARingFile: "not a ring file"
            case .otherByteOrder: "written on a machine of the other byte order"
            case .otherWordSize: "written with another word size"
            case .unsupportedVersion: "a ring file format version this library does not read"
            case .damagedHeader: "the header is damaged (checksum or sizes disagree)"
            case .truncated: "shorter than its header says (truncated)"
            case .sizeMismatch: "longer than its header says"
            }
        }
    }

    public var description: String {
        switch self {
        case let .invalidSize(descriptorBits, dataBits):
            return "invalid ring size: descriptorBits \(descriptorBits) (valid \(PrintkRing.descriptorBitsRange)), "
                + "dataBits \(dataBits) (valid \(PrintkRing.dataBitsRange))"
        case let .recordTooLarge(size, maximum):
            return "record of \(size) bytes is larger than the maximum of \(maximum) bytes"
        case let .extensionTooLarge(additional, maximumTotal):
            return "adding \(additional) bytes would make the record larger than \(maximumTotal) bytes"
        case .noDescriptor:
            return "no free descriptor: the oldest record is still being written"
        case let .noSpace(lostSeq):
            return "no data space: record \(lostSeq) was published without text (lost)"
        case .cannotExtend:
            return "the newest record is not this caller's committed record, or it has no room to grow"
        case .badMemory:
            return "the memory does not hold a ring of this layout"
        case .outOfMemory:
            return "out of memory"
        case let .negativeSize(size):
            return "a size of \(size) bytes: sizes cannot be negative"
        case let .regionTooSmall(required, available):
            return "the memory holds \(available) bytes; a ring of this size needs \(required)"
        case .misalignedRegion:
            return "the memory is not 64-byte aligned"
        case .readOnly:
            return "the ring is open read-only: nothing was written"
        case .writerTableFull:
            return "every writer slot of the ring file is held by a live writer"
        case let .system(errorNumber):
            return String(cString: strerror(errorNumber))
        case let .badRingFile(problem):
            return problem.description
        }
    }

    /// The error for a C status returned by `prb_ring_create`, `prb_ring_format`,
    /// `prb_ring_attach`, `prb_reserve` or `prb_write`; the arguments are what the error reports
    /// (`seq` is the lost record's seq for `PRB_E_NO_SPACE`). `prb_reserve_in_last`'s statuses
    /// mean other things: ``extending(_:additional:maximumTotal:)``.
    ///
    /// `PRB_OK` is not an error, and `PRB_E_BAD_ENTRY` cannot come from these functions: either is
    /// a bug in this module, and traps.
    @inlinable
    static func from(
        _ status: prb_status, size: Int = 0, maximum: Int = 0, seq: UInt64 = 0, descriptorBits: Int = 0,
        dataBits: Int = 0
    ) -> PrintkRingError {
        switch status {
        case PRB_E_INVALID_SIZE: return .invalidSize(descriptorBits: descriptorBits, dataBits: dataBits)
        case PRB_E_TOO_LARGE: return .recordTooLarge(size: size, maximum: maximum)
        case PRB_E_NO_DESCRIPTOR: return .noDescriptor
        case PRB_E_NO_SPACE: return .noSpace(lostSeq: seq)
        case PRB_E_CANNOT_EXTEND: return .cannotExtend
        case PRB_E_BAD_MEMORY: return .badMemory
        case PRB_E_NO_MEMORY: return .outOfMemory
        case PRB_E_READ_ONLY: return .readOnly
        case PRB_E_IO: return .system(errno: errno)
        case PRB_E_FILE_UNSAFE: return .badRingFile(.unsafeFile)
        case PRB_E_NOT_A_RING_FILE: return .badRingFile(.notARingFile)
        case PRB_E_FILE_BYTE_ORDER: return .badRingFile(.otherByteOrder)
        case PRB_E_FILE_WORD_SIZE: return .badRingFile(.otherWordSize)
        case PRB_E_FILE_VERSION: return .badRingFile(.unsupportedVersion)
        case PRB_E_FILE_HEADER: return .badRingFile(.damagedHeader)
        case PRB_E_FILE_TRUNCATED: return .badRingFile(.truncated)
        case PRB_E_FILE_SIZE: return .badRingFile(.sizeMismatch)
        case PRB_E_NO_WRITER_SLOT: return .writerTableFull
        default: preconditionFailure("prb_status \(status.rawValue) is not an error of this call")
        }
    }

    /// ``from(_:size:maximum:seq:descriptorBits:dataBits:)`` for a failed write, kept out of line:
    /// inlined into a write, its switch merges with the write's success test into a jump table
    /// that every successful write runs through.
    @usableFromInline
    @inline(never)
    static func writeFailure(_ status: prb_status, size: Int, maximum: Int, seq: UInt64) -> PrintkRingError {
        from(status, size: size, maximum: maximum, seq: seq)
    }

    /// The error for a C status returned by `prb_reserve_in_last`.
    @inlinable
    static func extending(_ status: prb_status, additional: Int, maximumTotal: Int) -> PrintkRingError {
        switch status {
        case PRB_E_TOO_LARGE: return .extensionTooLarge(additional: additional, maximumTotal: maximumTotal)
        // No space to grow: the record was committed again unchanged; it simply cannot grow.
        case PRB_E_CANNOT_EXTEND, PRB_E_NO_SPACE: return .cannotExtend
        case PRB_E_READ_ONLY: return .readOnly
        default: preconditionFailure("prb_status \(status.rawValue) is not an error of prb_reserve_in_last")
        }
    }
}
