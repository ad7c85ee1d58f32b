import CComparators
import Comparators

/// The payload size of a throughput point: a fixed number of bytes, or a random size per record.
public enum RecordSize: Sendable, Hashable, CustomStringConvertible {
    /// Every record carries this many payload bytes.
    case fixed(Int)
    /// Each record carries 2...128 bytes, drawn by its writer from a per-writer xorshift generator.
    case random

    /// The sizes `random` draws from.
    public static let randomRange = 2...128

    /// Parses `64` or `random`.
    public init(parsing text: String) throws(BenchOptionError) {
        let trimmed = text.trimmingWhitespace
        if trimmed == "random" {
            self = .random
        } else if let bytes = Int(trimmed), bytes >= 0 {
            self = .fixed(bytes)
        } else {
            throw .badRecordSize(text)
        }
    }

    /// The largest payload a record of this size may have.
    public var maxBytes: Int {
        switch self {
        case .fixed(let bytes): bytes
        case .random: Self.randomRange.upperBound
        }
    }

    /// The `record_size` column: the size, or -1 for `random`.
    public var column: Int {
        switch self {
        case .fixed(let bytes): bytes
        case .random: -1
        }
    }

    public var description: String {
        switch self {
        case .fixed(let bytes): "\(bytes)"
        case .random: "random"
        }
    }
}

/// Why the options of a run cannot be used. Each message names the option and what would work.
public enum BenchOptionError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownImplementation(String)
    case badRecordSize(String)
    case recordTooLarge(size: Int, implementation: String, maximum: Int)
    case badWriterCount(String)
    case badReaderCount(Int)
    case badCPUList(String)
    case badBits(option: String, value: Int, range: ClosedRange<Int>)
    case badDuration(Double)
    case badRepetitions(Int)
    case badNode(Int, available: [Int])
    case conflictingPlacement
    case emptyList(option: String)

    public var description: String {
        switch self {
        case .unknownImplementation(let name):
            "--impl: unknown implementation \"\(name)\" (known: \(LogRingKind.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .badRecordSize(let text):
            "--record-sizes: \"\(text)\" is neither a number of bytes nor \"random\""
        case .recordTooLarge(let size, let implementation, let maximum):
            "--record-sizes: \(size)-byte records do not fit \(implementation) at this ring size (at most \(maximum) bytes; raise --data-bits)"
        case .badWriterCount(let text):
            "--writers: \"\(text)\" is not a positive number of writers"
        case .badReaderCount(let count):
            "--readers: \(count) readers; use 0 or 1"
        case .badCPUList(let why):
            "--cpus: \(why)"
        case .badBits(let option, let value, let range):
            "\(option): \(value) is out of range (\(range.lowerBound)...\(range.upperBound))"
        case .badDuration(let seconds):
            "--duration: \(seconds) s; use a positive number of seconds"
        case .badRepetitions(let count):
            "--repetitions: \(count); use 1 or more"
        case .badNode(let node, let available):
            "--numa-node: node \(node) does not exist here (nodes: \(available.map(String.init).joined(separator: ",")))"
        case .conflictingPlacement:
            "--numa-node and --interleave exclude each other"
        case .emptyList(let option):
            "\(option): the list is empty"
        }
    }
}

/// Parsing of the comma-separated lists the options take.
public enum OptionLists {
    /// `lockless,spinlock`: implementation names, in the order given, without repeats.
    public static func implementations(_ text: String) throws(BenchOptionError) -> [LogRingKind] {
        var kinds: [LogRingKind] = []
        for name in try items(text, option: "--impl") {
            guard let kind = LogRingKind(rawValue: name) else { throw .unknownImplementation(name) }
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        return kinds
    }

    /// `1,2,8`: positive writer counts, in the order given, without repeats.
    public static func writerCounts(_ text: String) throws(BenchOptionError) -> [Int] {
        var counts: [Int] = []
        for item in try items(text, option: "--writers") {
            guard let count = Int(item), count > 0, count <= 4096 else { throw .badWriterCount(item) }
            if !counts.contains(count) { counts.append(count) }
        }
        return counts
    }

    /// `16,64,256,random`: record sizes, in the order given, without repeats.
    public static func recordSizes(_ text: String) throws(BenchOptionError) -> [RecordSize] {
        var sizes: [RecordSize] = []
        for item in try items(text, option: "--record-sizes") {
            let size = try RecordSize(parsing: item)
            if !sizes.contains(size) { sizes.append(size) }
        }
        return sizes
    }

    static func items(_ text: String, option: String) throws(BenchOptionError) -> [String] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace }
        guard !items.allSatisfy(\.isEmpty) else { throw .emptyList(option: option) }
        return items
    }
}

/// Ring sizes: 2^descBits descriptors (lockless) and 2^dataBits bytes of record storage, which
/// every implementation gets (the lockless ring as its text ring, the comparators as their byte
/// array).
public struct RingGeometry: Sendable, Hashable {
    /// The throughput default: large enough that a descheduled writer rarely pins the tail within
    /// a scheduling quantum. One writer fills about 11 million 64-byte records a second here, so
    /// 2^16 descriptors (4 MiB) wrap in about 6 ms, one quantum: a writer descheduled between
    /// reserve and commit then stops the others (measured: 1-4% failed reservations with two
    /// writers). 2^18 descriptors and 16 MiB wrap in about 25 ms (measured: none failed).
    public static let benchmarkDefault = RingGeometry(descBits: 18, dataBits: 24)
    /// The kernel's default (CONFIG_LOG_BUF_SHIFT=17): 4096 descriptors, 128 KiB of text.
    public static let kernelDefault = RingGeometry(descBits: 12, dataBits: 17)

    /// Ranges the benchmark accepts (the lockless ring's own limits, and the comparators' 2 GiB).
    public static let descBitsRange = 4...24
    public static let dataBitsRange = 8...31

    public var descBits: Int
    public var dataBits: Int

    public init(descBits: Int, dataBits: Int) {
        self.descBits = descBits
        self.dataBits = dataBits
    }

    /// Bytes of record storage every implementation gets.
    public var dataBytes: Int { 1 << dataBits }

    /// Checks the sizes.
    public func validate() throws(BenchOptionError) {
        guard Self.descBitsRange.contains(descBits) else {
            throw .badBits(option: "--desc-bits", value: descBits, range: Self.descBitsRange)
        }
        guard Self.dataBitsRange.contains(dataBits) else {
            throw .badBits(option: "--data-bits", value: dataBits, range: Self.dataBitsRange)
        }
    }

    /// The longest payload `kind` accepts at this size: lockless, half the text ring minus the
    /// 8-byte block header and the 8-byte checksum; the C comparators, `logring_max_text_len` (a record
    /// takes at most a quarter of the array); the Swift Mutex ring, a quarter minus its 40-byte
    /// header.
    public func maxPayload(for kind: LogRingKind) -> Int {
        switch kind {
        case .lockless: dataBytes / 2 - 8 - 8
        case .spinlock, .mutex, .spinReserve, .fetchAdd: logring_max_text_len(dataBytes)
        case .swiftMutex: (dataBytes / 4 - 40) & ~7
        }
    }

    /// Checks that every size fits every implementation.
    public func validate(recordSizes: [RecordSize], for kinds: [LogRingKind]) throws(BenchOptionError) {
        for size in recordSizes {
            for kind in kinds where size.maxBytes > maxPayload(for: kind) {
                throw .recordTooLarge(size: size.maxBytes, implementation: kind.rawValue, maximum: maxPayload(for: kind))
            }
        }
    }
}

/// Where ring memory goes.
public enum MemoryPlacement: Sendable, Hashable, CustomStringConvertible {
    /// On the node of the first CPU of the run (what "local" means for writer 0).
    case local
    /// On this node (`--numa-node N`).
    case node(Int)
    /// Interleaved page by page over all nodes (`--interleave`).
    case interleaved

    /// From the two options; `--numa-node` must name a node of `topology`.
    public init(numaNode: Int?, interleave: Bool, nodes: [Int]) throws(BenchOptionError) {
        switch (numaNode, interleave) {
        case (.some, true): throw .conflictingPlacement
        case (.some(let node), false):
            guard nodes.contains(node) else { throw .badNode(node, available: nodes) }
            self = .node(node)
        case (nil, true): self = .interleaved
        case (nil, false): self = .local
        }
    }

    /// The `numa_node` column: the node, or -1 for interleaved.
    public func column(localNode: Int) -> Int {
        switch self {
        case .local: localNode
        case .node(let node): node
        case .interleaved: -1
        }
    }

    public var description: String {
        switch self {
        case .local: "local (node of the first CPU)"
        case .node(let node): "node \(node)"
        case .interleaved: "interleaved over all nodes"
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
