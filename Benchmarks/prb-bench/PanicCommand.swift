import ArgumentParser
import BenchKit
import HarnessSupport
import CBenchSupport
import CComparators
import CPrintkRing
import Foundation
import Comparators
import PanicScenarios

/// The panic scenarios (PanicScenarios) for every implementation, freeze point and dump mode,
/// repeated; and the time to dump a full lockless ring of 1 MiB of text.
struct Panic: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Panic-time readability: the panic scenarios x implementations x dump modes (deadline, bust, try-once).")

    @Option(help: "Scenarios: stuck-remote,stuck-self,busy-remote,busy-remote-paced,signal-writer,committed-last.")
    var scenarios = Scenario.allCases.map(\.rawValue).joined(separator: ",")
    @Option(help: "Implementations: lockless,spinlock,mutex,swift-mutex,spin-reserve,fetch-add.")
    var impl = LogRingKind.allCases.map(\.rawValue).joined(separator: ",")
    @Option(help: "Runs per configuration (the table shows the median dump time and the worst readability).")
    var repetitions = 3
    @Option(
        help: """
            Runs per configuration in busy-remote and busy-remote-paced, where try-once dumps only when \
            the lock happens to be free: the table gives the share of panics that dumped anything.
            """)
    var busyRepetitions = PanicPlan.defaultBusyRepetitions
    @Option(help: "Each wait on the panic path gives up after this many milliseconds.")
    var budgetMs = 20
    @Option(help: "Write the rows as JSON to this file.")
    var json: String?
    @Option(help: "Write the rows as CSV to this file.")
    var csv: String?

    func run() throws {
        let topology = Topology.current()
        let machine = Machine.describe(topology: topology, cpus: topology.allowedCPUs, placement: .local)
        print(machine.text + "\n")
        let plan = try PanicPlan(
            scenarios: scenarios, impl: impl, repetitions: repetitions, busyRepetitions: busyRepetitions,
            budgetMs: budgetMs)
        let rows = try plan.run(cpus: topology.allowedCPUs.description)
        try writeResults(rows, machine: machine, json: json, csv: csv)
    }
}

/// What `prb-bench panic` (and the suite) runs.
struct PanicPlan {
    var scenarios: [Scenario]
    var kinds: [LogRingKind]
    var repetitions: Int
    /// Runs per configuration in the busy scenarios.
    var busyRepetitions: Int
    var budgetNanoseconds: UInt64

    static let defaultBusyRepetitions = 100
    /// The busy scenarios' repetitions are split into at most this many blocks; the spread of the
    /// share of panics that dumped anything is its min and max over the blocks.
    static let dumpedBlocks = 5

    init(scenarios: String, impl: String, repetitions: Int, busyRepetitions: Int, budgetMs: Int) throws {
        var parsed: [Scenario] = []
        for name in scenarios.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let scenario = Scenario(rawValue: name) else {
                throw ValidationError(
                    "--scenarios: unknown scenario \"\(name)\" (known: \(Scenario.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if !parsed.contains(scenario) { parsed.append(scenario) }
        }
        do {
            kinds = try OptionLists.implementations(impl)
        } catch {
            throw ValidationError(error.description)
        }
        guard repetitions >= 1 else { throw ValidationError(BenchOptionError.badRepetitions(repetitions).description) }
        guard busyRepetitions >= 1 else {
            throw ValidationError("--busy-repetitions: " + BenchOptionError.badRepetitions(busyRepetitions).description)
        }
        guard budgetMs > 0 else { throw ValidationError("--budget-ms: use a positive number of milliseconds") }
        self.scenarios = parsed
        self.repetitions = repetitions
        self.busyRepetitions = busyRepetitions
        budgetNanoseconds = UInt64(budgetMs) * 1_000_000
    }

    func run(cpus: String) throws -> [ResultRow] {
        let configurations = ScenarioConfiguration.matrix(budgetNanoseconds: budgetNanoseconds).filter {
            scenarios.contains($0.scenario) && kinds.contains($0.implementation)
        }
        var rows: [ResultRow] = []
        var table = TextTable(headers: [
            "scenario", "impl", "frozen at", "dump", "runs", "committed", "intact", "torn", "lost", "readable",
            "dump ms", "deadlocked", "skipped", "dumped (blocks)", "notes",
        ])
        for (index, configuration) in configurations.enumerated() {
            progress("[\(index + 1)/\(configurations.count)] \(configuration)")
            var results: [ScenarioResult] = []
            var notApplicable: String?
            let runs = configuration.scenario.isBusy ? busyRepetitions : repetitions
            for _ in 0..<runs {
                switch try PanicScenarioRunner.run(configuration) {
                case .ran(let result): results.append(result)
                case .notApplicable(_, let reason): notApplicable = reason
                }
                if notApplicable != nil { break }
            }
            var row = ResultRow(
                impl: configuration.implementation.rawValue,
                api: configuration.implementation == .swiftMutex ? "swift" : "c",
                scenario: configuration.scenario.rawValue, writers: 1, readers: 1, recordSize: -1, cpus: cpus,
                numaNode: 0, descBits: 0, dataBits: Int(log2(Double(configuration.capacityBytes))))
            row.freezePoint = configuration.freezePoint?.rawValue
            row.dumpMode = configuration.dumpMode.rawValue
            if let reason = notApplicable {
                row.notes = "n/a: \(reason)"
                table.rows.append([
                    configuration.scenario.rawValue, row.impl, "-", "-", "", "n/a", "", "", "", "", "", "", "", "",
                    reason,
                ])
                rows.append(row)
                continue
            }
            let worst = results.min { $0.readability < $1.readability }!
            let median = results.sorted { $0.dumpNanoseconds < $1.dumpNanoseconds }[results.count / 2]
            row.committed = worst.committedBeforePanic
            row.intact = worst.intact
            row.torn = results.map(\.torn).max()
            row.lost = Double(worst.lost)
            row.readablePct = 100 * worst.readability
            row.dumpMs = Double(median.dumpNanoseconds) / 1e6
            row.deadlocked = results.contains { $0.deadlocked }
            row.repetitions = results.count
            let skipped = results.filter(\.skipped).count
            if configuration.dumpMode == .tryOnce { row.skipped = skipped }
            let dumped = ShareOfRuns(results.map(\.dumpedAnything), blocks: Self.dumpedBlocks)!  // never empty
            row.dumpedPct = dumped.percent
            row.dumpedPctMin = dumped.minPercent
            row.dumpedPctMax = dumped.maxPercent
            var notes: [String] = []
            if skipped > 0 {
                notes.append("lock held at the check in \(skipped) of \(results.count): nothing needing it ran")
            }
            if results.contains(where: \.busted) { notes.append("lock busted") }
            if results.contains(where: \.stoppedEarly) { notes.append("dump stopped at a record being written") }
            if worst.missing > 0 && !worst.deadlocked && !worst.skipped { notes.append("\(worst.missing) missing") }
            row.notes = notes.joined(separator: "; ")
            rows.append(row)
            table.rows.append([
                configuration.scenario.rawValue, row.impl, row.freezePoint ?? "-", row.dumpMode ?? "-",
                "\(results.count)", "\(worst.committedBeforePanic)", "\(worst.intact)", "\(row.torn ?? 0)",
                "\(worst.lost)", String(format: "%.1f%%", row.readablePct ?? 0),
                String(format: "%.3f", row.dumpMs ?? 0),
                row.deadlocked == true ? "YES" : "no",
                configuration.dumpMode == .tryOnce ? (skipped == 0 ? "no" : "\(skipped)/\(results.count)") : "-",
                dumped.text, row.notes ?? "",
            ])
        }
        print("== Panic-time readability (\(repetitions) run(s) each, \(busyRepetitions) in the busy scenarios: "
            + "worst readability, median dump time; every wait on the panic path gives up after "
            + "\(budgetNanoseconds / 1_000_000) ms)")
        print("readable = intact / (committed before the panic - lost); skipped: try-once found the lock held; "
            + "dumped: share of runs whose dump returned anything (min-max over up to \(Self.dumpedBlocks) blocks)\n")
        print(table.text + "\n")
        if kinds.contains(.lockless) {
            let dump = try FullRingDump.measure(repetitions: max(repetitions, 5), cpus: cpus)
            rows.append(dump)
        }
        return rows
    }
}

/// A panic dump of a full lockless ring with 1 MiB of text: the ring is filled (wrapped twice
/// with 64-byte records through the C API, `lockless_record_write`), a writer is left stuck in a
/// reservation, and a panic-mode reader copies out and verifies every record (`lockless_record_open`,
/// `logring_record_checksum`).
enum FullRingDump {
    static let geometry = RingGeometry(descBits: 15, dataBits: 20)

    static func measure(repetitions: Int, cpus: String) throws -> ResultRow {
        var times: [Double] = []
        var committed = 0
        var intact = 0
        var torn = 0
        for _ in 0..<repetitions {
            let locklessRing = try locklessRing(geometry, node: 0)
            defer { withExtendedLifetime(locklessRing) {} }  // its memory is read through the C handle
            let ring = locklessRing.cHandle
            var payload = [UInt8](repeating: 0x41, count: 64)
            var meta = prb_meta(timestamp_ns: 1, caller_id: 1, level: 6, facility: 0, flags: 0, has_timestamp: 0)
            let records = 2 * geometry.dataBytes / 64
            for i in 0..<records {
                payload[0] = UInt8(truncatingIfNeeded: i)
                _ = payload.withUnsafeBytes { lockless_record_write(ring, $0.baseAddress, $0.count, &meta, true, nil) }
            }
            var stuck = prb_entry()
            _ = prb_reserve(ring, &stuck, 72, &meta)  // a writer stopped for good by the panic
            committed = Int(prb_next_reserve_seq(ring) - prb_first_valid_seq(ring)) - 1

            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 8 + 4096, alignment: 8)
            defer { buffer.deallocate() }
            var reader = prb_reader()
            var info = prb_record_info()
            var good = 0
            var bad = 0
            let start = monotonicNanoseconds()
            prb_reader_init(&reader, ring, 0, true)
            while prb_reader_next(&reader, &info, buffer.baseAddress, buffer.count) {
                var payload: UnsafePointer<UInt8>?
                var length = 0
                var checksum: UInt64 = 0
                let text = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
                if Int(info.text_len) <= buffer.count,
                    lockless_record_open(text, Int(info.text_len), &payload, &length, &checksum),
                    logring_record_checksum(info.seq, payload, length) == checksum
                {
                    good += 1
                } else {
                    bad += 1
                }
            }
            times.append(Double(monotonicNanoseconds() - start) / 1e6)
            intact = good
            torn = bad
            _ = prb_final_commit(&stuck)
        }
        let summary = Summary(times)!
        var row = ResultRow(
            impl: "lockless", api: "c", scenario: "full-ring-dump", writers: 1, readers: 1, recordSize: 64, cpus: cpus,
            numaNode: 0, descBits: geometry.descBits, dataBits: geometry.dataBits)
        row.committed = committed
        row.intact = intact
        row.torn = torn
        row.readablePct = committed > 0 ? 100 * Double(intact) / Double(committed) : 100
        row.dumpMs = summary.median
        row.deadlocked = false
        row.repetitions = repetitions
        row.notes = "panic-mode reader over a full 1 MiB ring (one writer stuck in a reservation); target < 10 ms"
        print(
            String(
                format: "== Panic dump of a full lockless ring, 1 MiB of text (2^15 descriptors), one writer stuck: "
                    + "%d records, %d intact, %d torn, %.3f ms median (%.3f-%.3f over %d runs; target < 10 ms)\n",
                committed, intact, torn, summary.median, summary.min, summary.max, repetitions))
        return row
    }
}
