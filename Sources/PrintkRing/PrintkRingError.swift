import CPrintkRing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Why a ring operation failed.
///
/// Every case is something a caller can act on; none of them leaves the ring in a worse
/// state than before the call.
public enum PrintkRingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The requested ring sizes are out of range. Nothing was allocated.
    case invalidSize(descriptorBits: Int, dataBits: Int)
    /// The record's text is larger than ``PrintkRing/maxRecordSize``. Nothing in the ring was touched.
    case recordTooLarge(size: Int, maximum: Int)
    /// ``PrintkRing/extendLast(callerID:additionalCapacity:maxTotalSize:)``: the record's text plus
    /// `additional` bytes would exceed `maximumTotal` (the caller's limit, or the ring's maximum).
    /// The record was committed again unchanged.
    case extensionTooLarge(additional: Int, maximumTotal: Int)
    /// No descriptor was free: the oldest record in the ring is still being written (a stuck or
    /// slow writer). The failure is counted in ``PrintkRing/Statistics/failedReservations``.
    case noDescriptor
    /// A sequence number was taken but no text space could be had (the oldest data block is still
    /// being written). The record was published without text; readers see `lostSeq` as lost.
    case noSpace(lostSeq: UInt64)
    /// ``PrintkRing/extendLast(callerID:additionalCapacity:maxTotalSize:)``: the newest record is not
    /// this caller's committed record, or the text ring has no room for it to grow. The record is
    /// unchanged.
    case cannotExtend
    /// The memory does not hold a ring of this layout, or is too small or misaligned.
    case badMemory
    /// Out of memory while creating the ring.
    case outOfMemory
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
            return "the newest record is not this caller's committed record"
        case .badMemory:
            return "the memory does not hold a ring of this layout"
        case .outOfMemory:
            return "out of memory"
        case let .system(errorNumber):
            return String(cString: strerror(errorNumber))
        case let .badRingFile(problem):
            return problem.description
        }
    }

    /// Maps a C status to an error; `seq` is the record's seq for `PRB_E_NO_SPACE`.
    @inlinable
    static func from(_ status: prb_status, size: Int = 0, maximum: Int = 0, seq: UInt64 = 0) -> PrintkRingError {
        switch status {
        case PRB_E_TOO_LARGE: return .recordTooLarge(size: size, maximum: maximum)
        case PRB_E_NO_DESCRIPTOR: return .noDescriptor
        case PRB_E_NO_SPACE: return .noSpace(lostSeq: seq)
        case PRB_E_CANNOT_EXTEND: return .cannotExtend
        case PRB_E_BAD_MEMORY: return .badMemory
        case PRB_E_NO_MEMORY: return .outOfMemory
        case PRB_E_IO: return .system(errno: errno)
        case PRB_E_FILE_UNSAFE: return .badRingFile(.unsafeFile)
        case PRB_E_NOT_A_RING_FILE: return .badRingFile(.notARingFile)
        case PRB_E_FILE_BYTE_ORDER: return .badRingFile(.otherByteOrder)
        case PRB_E_FILE_WORD_SIZE: return .badRingFile(.otherWordSize)
        case PRB_E_FILE_VERSION: return .badRingFile(.unsupportedVersion)
        case PRB_E_FILE_HEADER: return .badRingFile(.damagedHeader)
        case PRB_E_FILE_TRUNCATED: return .badRingFile(.truncated)
        case PRB_E_FILE_SIZE: return .badRingFile(.sizeMismatch)
        default: return .badMemory
        }
    }
}
