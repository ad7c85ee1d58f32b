/// One row of results: a throughput point or a panic run. Encoded with the field names scripts
/// read (`impl`, `records_per_sec`, ...); fields that do not apply to a row are left out.
public struct ResultRow: Sendable, Hashable, Codable {
    // What was measured.
    /// `lockless`, `spinlock`, `mutex`, `swift-mutex`, `spin-reserve`, `fetch-add`.
    public var impl: String
    /// `swift` or `c`: the API the writes went through.
    public var api: String
    /// `throughput`, or a panic scenario (`stuck-remote`, ..., `full-ring-dump`).
    public var scenario: String
    public var writers: Int
    public var readers: Int
    /// Payload bytes per record; -1 for random sizes (2...128).
    public var recordSize: Int
    /// The CPUs the run used, in numactl syntax.
    public var cpus: String
    /// The node the ring memory was placed on; -1 when interleaved.
    public var numaNode: Int
    public var descBits: Int
    public var dataBits: Int

    // Throughput (medians over the repetitions).
    public var recordsPerSec: Double?
    public var recordsPerSecMin: Double?
    public var recordsPerSecMax: Double?
    public var attemptsPerSec: Double?
    /// Payload megabytes (10^6 bytes) per second of successful writes.
    public var mbPerSec: Double?
    /// Failed reservations in the median repetition (all writers).
    public var failed: Double?
    /// Failed reservations per 100 attempts.
    public var failedPct: Double?
    /// Records the reader (if any) found missing: gaps in seq.
    public var lost: Double?
    /// Records the reader read, and of them torn (checksum wrong: never expected).
    public var readerRecords: Double?
    public var readerTorn: Double?
    /// Write latency percentiles over the sampled writes of all measured repetitions.
    public var p50Ns: Double?
    public var p99Ns: Double?
    public var p999Ns: Double?
    public var maxNs: Double?
    public var latencySamples: Int?
    /// Heap allocations per write, counted in writer 0's thread during the measured runs.
    public var allocsPerWrite: Double?
    /// records_per_sec / the spinlock's at the same point of the same run.
    public var ratioVsSpinlock: Double?
    public var durationSec: Double?
    public var repetitions: Int?

    // Panic runs.
    public var freezePoint: String?
    public var dumpMode: String?
    public var committed: Int?
    public var intact: Int?
    public var torn: Int?
    public var readablePct: Double?
    public var dumpMs: Double?
    public var deadlocked: Bool?
    /// Try-once runs: how many of the repetitions found the lock held at the check and skipped
    /// what needs it.
    public var skipped: Int?
    /// Share of the repetitions whose dump returned anything, in percent; min and max over blocks
    /// of the repetitions (at most five blocks).
    public var dumpedPct: Double?
    public var dumpedPctMin: Double?
    public var dumpedPctMax: Double?
    public var notes: String?

    public init(
        impl: String, api: String, scenario: String, writers: Int, readers: Int, recordSize: Int, cpus: String,
        numaNode: Int, descBits: Int, dataBits: Int
    ) {
        self.impl = impl
        self.api = api
        self.scenario = scenario
        self.writers = writers
        self.readers = readers
        self.recordSize = recordSize
        self.cpus = cpus
        self.numaNode = numaNode
        self.descBits = descBits
        self.dataBits = dataBits
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case impl, api, scenario, writers, readers
        case recordSize = "record_size"
        case cpus
        case numaNode = "numa_node"
        case descBits = "desc_bits"
        case dataBits = "data_bits"
        case recordsPerSec = "records_per_sec"
        case recordsPerSecMin = "records_per_sec_min"
        case recordsPerSecMax = "records_per_sec_max"
        case attemptsPerSec = "attempts_per_sec"
        case mbPerSec = "mb_per_sec"
        case failed
        case failedPct = "failed_pct"
        case lost
        case readerRecords = "reader_records"
        case readerTorn = "reader_torn"
        case p50Ns = "p50_ns"
        case p99Ns = "p99_ns"
        case p999Ns = "p999_ns"
        case maxNs = "max_ns"
        case latencySamples = "latency_samples"
        case allocsPerWrite = "allocs_per_write"
        case ratioVsSpinlock = "ratio_vs_spinlock"
        case durationSec = "duration_sec"
        case repetitions
        case freezePoint = "freeze_point"
        case dumpMode = "dump_mode"
        case committed, intact, torn
        case readablePct = "readable_pct"
        case dumpMs = "dump_ms"
        case deadlocked, skipped
        case dumpedPct = "dumped_pct"
        case dumpedPctMin = "dumped_pct_min"
        case dumpedPctMax = "dumped_pct_max"
        case notes
    }

    /// The CSV columns, in order: every field.
    public static var csvColumns: [String] { CodingKeys.allCases.map(\.rawValue) }

    /// This row's CSV cells, in the order of ``csvColumns`` (empty where a field does not apply).
    public var csvCells: [String] {
        func number(_ value: Double?) -> String {
            guard let value else { return "" }
            return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        }
        return CodingKeys.allCases.map { key in
            switch key {
            case .impl: impl
            case .api: api
            case .scenario: scenario
            case .writers: String(writers)
            case .readers: String(readers)
            case .recordSize: String(recordSize)
            case .cpus: cpus
            case .numaNode: String(numaNode)
            case .descBits: String(descBits)
            case .dataBits: String(dataBits)
            case .recordsPerSec: number(recordsPerSec)
            case .recordsPerSecMin: number(recordsPerSecMin)
            case .recordsPerSecMax: number(recordsPerSecMax)
            case .attemptsPerSec: number(attemptsPerSec)
            case .mbPerSec: number(mbPerSec)
            case .failed: number(failed)
            case .failedPct: number(failedPct)
            case .lost: number(lost)
            case .readerRecords: number(readerRecords)
            case .readerTorn: number(readerTorn)
            case .p50Ns: number(p50Ns)
            case .p99Ns: number(p99Ns)
            case .p999Ns: number(p999Ns)
            case .maxNs: number(maxNs)
            case .latencySamples: latencySamples.map(String.init) ?? ""
            case .allocsPerWrite: number(allocsPerWrite)
            case .ratioVsSpinlock: number(ratioVsSpinlock)
            case .durationSec: number(durationSec)
            case .repetitions: repetitions.map(String.init) ?? ""
            case .freezePoint: freezePoint ?? ""
            case .dumpMode: dumpMode ?? ""
            case .committed: committed.map(String.init) ?? ""
            case .intact: intact.map(String.init) ?? ""
            case .torn: torn.map(String.init) ?? ""
            case .readablePct: number(readablePct)
            case .dumpMs: number(dumpMs)
            case .deadlocked: deadlocked.map { $0 ? "true" : "false" } ?? ""
            case .skipped: skipped.map(String.init) ?? ""
            case .dumpedPct: number(dumpedPct)
            case .dumpedPctMin: number(dumpedPctMin)
            case .dumpedPctMax: number(dumpedPctMax)
            case .notes: notes ?? ""
            }
        }
    }
}

/// A results file: the machine, the command, and one row per measurement.
public struct ResultsFile: Sendable, Hashable, Codable {
    public var machine: [String: String]
    public var command: String
    public var results: [ResultRow]

    public init(machine: [String: String], command: String, results: [ResultRow]) {
        self.machine = machine
        self.command = command
        self.results = results
    }
}

/// CSV (RFC 4180): a header line, then one line per row; cells with commas, quotes or line breaks
/// are quoted.
public enum CSV {
    public static func encode(_ rows: [ResultRow]) -> String {
        var text = ResultRow.csvColumns.joined(separator: ",") + "\n"
        for row in rows {
            text += row.csvCells.map(quote).joined(separator: ",") + "\n"
        }
        return text
    }

    static func quote(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
