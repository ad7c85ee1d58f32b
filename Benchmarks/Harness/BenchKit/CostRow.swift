/// One row of `prb-bench cost`: what one implementation's write or read path costs per record,
/// counted by callgrind (instructions executed, not time). Encoded with the field names scripts
/// read, like ``ResultRow``.
public struct CostRow: Sendable, Hashable, Codable {
    /// `lockless`, `spinlock`, ..., or `baseline` (the per-record work with no ring at all).
    public var impl: String
    /// `swift` or `c`: the API the loop went through.
    public var api: String
    /// `write` (one writer, steady state: the ring full and wrapping) or `read` (a reader
    /// draining a full ring).
    public var path: String
    /// Records the measured loop wrote or read.
    public var records: Int
    /// Payload bytes per record.
    public var recordSize: Int
    public var descBits: Int
    public var dataBits: Int
    /// Instructions executed per record (callgrind's `Ir` over the measured loop only).
    public var instructionsPerRecord: Double
    /// Locked instructions per record: `lock`-prefixed ones and `xchg` with memory, found with
    /// objdump and counted by callgrind's per-instruction counts.
    public var lockedPerRecord: Double
    /// Callgrind's own count of atomic instructions (`--collect-bus=yes`, event `Ge`) per
    /// record: a cross-check of ``lockedPerRecord``.
    public var busEventsPerRecord: Double
    /// The no-ring baseline's instructions per record for the same path and API (nil when the
    /// run measured no baseline).
    public var baselineInstructionsPerRecord: Double?
    /// ``instructionsPerRecord`` minus the baseline: what the ring itself costs.
    public var ringInstructionsPerRecord: Double?
    /// Whether the count includes a clock read (under valgrind `clock_gettime` is a system call,
    /// about 10 counted instructions).
    public var includesClock: Bool
    public var notes: String?

    public init(
        impl: String, api: String, path: String, records: Int, recordSize: Int, descBits: Int, dataBits: Int,
        instructionsPerRecord: Double, lockedPerRecord: Double, busEventsPerRecord: Double,
        baselineInstructionsPerRecord: Double?, includesClock: Bool, notes: String? = nil
    ) {
        self.impl = impl
        self.api = api
        self.path = path
        self.records = records
        self.recordSize = recordSize
        self.descBits = descBits
        self.dataBits = dataBits
        self.instructionsPerRecord = instructionsPerRecord
        self.lockedPerRecord = lockedPerRecord
        self.busEventsPerRecord = busEventsPerRecord
        self.baselineInstructionsPerRecord = baselineInstructionsPerRecord
        self.ringInstructionsPerRecord = baselineInstructionsPerRecord.map { instructionsPerRecord - $0 }
        self.includesClock = includesClock
        self.notes = notes
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case impl, api, path, records
        case recordSize = "record_size"
        case descBits = "desc_bits"
        case dataBits = "data_bits"
        case instructionsPerRecord = "instructions_per_record"
        case lockedPerRecord = "locked_per_record"
        case busEventsPerRecord = "bus_events_per_record"
        case baselineInstructionsPerRecord = "baseline_instructions_per_record"
        case ringInstructionsPerRecord = "ring_instructions_per_record"
        case includesClock = "includes_clock"
        case notes
    }
}

/// One function of a per-function breakdown: instructions per record, inclusive of what it calls.
public struct CostFunction: Sendable, Hashable, Codable {
    public var function: String
    public var inclusivePerRecord: Double
    public var lockedInclusivePerRecord: Double

    public init(function: String, inclusivePerRecord: Double, lockedInclusivePerRecord: Double) {
        self.function = function
        self.inclusivePerRecord = inclusivePerRecord
        self.lockedInclusivePerRecord = lockedInclusivePerRecord
    }

    enum CodingKeys: String, CodingKey {
        case function
        case inclusivePerRecord = "inclusive_instructions_per_record"
        case lockedInclusivePerRecord = "inclusive_bus_events_per_record"
    }
}

/// A cost file: the machine, the command, one row per implementation and path, and the
/// per-function breakdown of the lockless write path.
public struct CostFile: Sendable, Hashable, Codable {
    public var machine: [String: String]
    public var command: String
    public var results: [CostRow]
    public var locklessWriteFunctions: [CostFunction]

    public init(
        machine: [String: String], command: String, results: [CostRow], locklessWriteFunctions: [CostFunction]
    ) {
        self.machine = machine
        self.command = command
        self.results = results
        self.locklessWriteFunctions = locklessWriteFunctions
    }

    enum CodingKeys: String, CodingKey {
        case machine, command, results
        case locklessWriteFunctions = "lockless_write_functions"
    }
}
