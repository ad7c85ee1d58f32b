import ArgumentParser
import BenchKit
import HarnessSupport
import Foundation
import Comparators

/// The default run: a throughput suite sized to finish in about three minutes on 2 CPUs (sweeps
/// derived from the CPU list), the panic table, and the full-ring dump; JSON and CSV in a results
/// directory.
struct Suite: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The default suite (what `prb-bench` with no arguments runs).",
        discussion: """
            1. 64-byte records, every implementation, writers 1, 2, 2x and 4x the CPUs, ring 2^18/2^24.
            2. 16, 256 and random-size records at 1 writer and 4x the CPUs.
            3. A concurrent reader: lockless and spinlock, 64-byte records, 1 writer and 2x the CPUs.
            4. The kernel's default ring size (2^12 descriptors, 128 KiB), 64-byte records, every writer count.
            5. The panic scenarios x implementations x dump modes (deadline, bust, try-once; the busy
               scenarios 100 times each), and the 1 MiB full-ring dump.
            6. Instructions per record under callgrind (`prb-bench cost`), when valgrind is installed.
            JSON, CSV and SVG charts (as `prb-bench plot` draws them) in --out.
            """)

    @Option(help: "Seconds per measurement.")
    var duration = 0.2
    @Option(help: "Measured repetitions per point (one warm-up run more is discarded).")
    var repetitions = 5
    @Option(help: "Directory for the JSON and CSV files and the SVG charts.")
    var out = "bench-results"
    @OptionGroup var placement: PlacementOptions

    func run() throws {
        let (topology, cpus, memory) = try placement.resolve()
        let machine = Machine.describe(topology: topology, cpus: cpus, placement: memory)
        print(machine.text + "\n")
        printMethod()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let began = monotonicNanoseconds()
        let counts = Sweep.defaultWriterCounts(cpuCount: cpus.cpus.count)
        let all = Variant.of(LogRingKind.allCases)
        func sweep(
            _ variants: [Variant], writers: [Int], sizes: [RecordSize], readers: Int = 0,
            geometry: RingGeometry = .benchmarkDefault
        ) -> ThroughputSweep {
            ThroughputSweep(
                variants: variants, writerCounts: writers, recordSizes: sizes, readers: readers, geometry: geometry,
                seconds: duration, repetitions: repetitions, cpus: cpus, placement: memory, topology: topology)
        }

        print("# 1. Throughput, 64-byte records, default ring size\n")
        let main = try sweep(all, writers: counts, sizes: [.fixed(64)]).run()
        print("# 2. Other record sizes\n")
        let sizes = try sweep(all, writers: [1, counts.last!], sizes: [.fixed(16), .fixed(256), .random]).run()
        try writeResults(main + sizes, machine: machine, json: "\(out)/throughput.json", csv: "\(out)/throughput.csv")

        print("# 3. With a concurrent reader\n")
        let readerVariants = all.filter { $0.kind == .lockless || $0.kind == .spinlock }
        let reader = try sweep(readerVariants, writers: [1, counts[counts.count - 2]], sizes: [.fixed(64)], readers: 1)
            .run()
        try writeResults(reader, machine: machine, json: "\(out)/with-reader.json", csv: "\(out)/with-reader.csv")

        print("# 4. The kernel's default ring size\n")
        var kernelSweep = sweep(all, writers: counts, sizes: [.fixed(64)], geometry: .kernelDefault)
        kernelSweep.scenario = "throughput-kernel-size"
        let kernel = try kernelSweep.run()
        try writeResults(kernel, machine: machine, json: "\(out)/kernel-size.json", csv: "\(out)/kernel-size.csv")

        print("# 5. Panic\n")
        let panic = try PanicPlan(
            scenarios: Scenario.allNames, impl: LogRingKind.allCases.map(\.rawValue).joined(separator: ","),
            repetitions: 1, busyRepetitions: PanicPlan.defaultBusyRepetitions, budgetMs: 20
        ).run(cpus: cpus.description)
        try writeResults(panic, machine: machine, json: "\(out)/panic.json", csv: "\(out)/panic.csv")

        print("# 6. Cost per record\n")
        if let reason = CostPlan.unavailableReason() {
            print("skipped: \(reason)\n")
        } else {
            let cost = try CostOptions.parse([]).plan().run()
            print(cost.text)
            try cost.write(json: "\(out)/cost.json")
        }

        let everything = main + sizes + reader + kernel + panic
        try writeResults(everything, machine: machine, json: "\(out)/results.json", csv: "\(out)/results.csv")
        // The charts come from the rows in memory: milliseconds, and a failure costs no results.
        do {
            for path in try ResultPlots.write(ResultSet(machine: machine.dictionary, rows: everything), to: out) {
                progress("wrote \(path)")
            }
        } catch {
            progress("warning: no plots: \(error)")
        }
        print(SuiteSummary.text(throughput: main, reader: reader, kernel: kernel, panic: panic, cpus: cpus.cpus.count))
        progress(String(format: "suite finished in %.0f s; results in %@", Double(monotonicNanoseconds() - began) / 1e9, out))
    }
}

import PanicScenarios

extension Scenario {
    static var allNames: String { allCases.map(\.rawValue).joined(separator: ",") }
}

/// The key ratios of a suite.
enum SuiteSummary {
    /// The key ratios of a suite, one per line.
    static func text(
        throughput: [ResultRow], reader: [ResultRow], kernel: [ResultRow], panic: [ResultRow], cpus: Int
    ) -> String {
        func pick(_ rows: [ResultRow], _ impl: String, _ writers: Int, api: String? = nil) -> ResultRow? {
            rows.first { $0.impl == impl && $0.writers == writers && $0.recordSize == 64 && (api == nil || $0.api == api) }
        }
        func rate(_ row: ResultRow?) -> Double? { row?.recordsPerSec }
        func div(_ a: Double?, _ b: Double?) -> String {
            guard let a, let b, b > 0 else { return "-" }
            return String(format: "%.2f", a / b)
        }
        let most = 4 * cpus
        var lines = ["# Summary (64-byte records, lockless through the Swift API unless noted)", ""]
        for writers in Array(Set([1, 2, most])).sorted() {
            lines.append(
                "lockless/spinlock @\(writers) writer(s): \(div(rate(pick(throughput, "lockless", writers, api: "swift")), rate(pick(throughput, "spinlock", writers))))"
                    + "   (kernel ring size: \(div(rate(pick(kernel, "lockless", writers, api: "swift")), rate(pick(kernel, "spinlock", writers)))))")
        }
        lines.append("lockless/fetch-add @1: \(div(rate(pick(throughput, "lockless", 1, api: "swift")), rate(pick(throughput, "fetch-add", 1))))")
        lines.append("swift API / C API @1: \(div(rate(pick(throughput, "lockless", 1, api: "swift")), rate(pick(throughput, "lockless", 1, api: "c"))))")
        lines.append("with reader / without @1: \(div(rate(pick(reader, "lockless", 1, api: "swift")), rate(pick(throughput, "lockless", 1, api: "swift"))))")
        if let row = pick(throughput, "lockless", most, api: "swift") {
            lines.append("failed reservations @\(most): \(String(format: "%.2f", row.failedPct ?? 0))% of attempts")
        }
        lines.append(
            "p99.9 latency lockless/spinlock @\(most): \(div(pick(throughput, "lockless", most, api: "swift")?.p999Ns, pick(throughput, "spinlock", most)?.p999Ns))")
        if let dump = panic.first(where: { $0.scenario == "full-ring-dump" }) {
            lines.append(String(format: "panic dump of a full 1 MiB lockless ring: %.3f ms", dump.dumpMs ?? 0))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
