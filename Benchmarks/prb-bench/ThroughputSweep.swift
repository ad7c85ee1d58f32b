import BenchKit
import Foundation
import Histogram
import Comparators

/// A throughput sweep: every record size x writer count, each variant run `repetitions` times
/// after one discarded warm-up. Within a repetition the variants run one after the other, so that
/// drift in the machine's load spreads over all of them; ratios are taken within the sweep.
struct ThroughputSweep {
    var variants: [Variant]
    var writerCounts: [Int]
    var recordSizes: [RecordSize]
    var readers: Int
    var geometry: RingGeometry
    var seconds: Double
    var repetitions: Int
    var cpus: CPUList
    var placement: MemoryPlacement
    var topology: Topology
    /// The `scenario` column.
    var scenario = "throughput"

    /// The node the lockless ring's memory goes to (-1: interleaved).
    var node: Int {
        switch placement {
        case .local: topology.nodeOfCPU[cpus.cpus[0]] ?? 0
        case .node(let node): node
        case .interleaved: -1
        }
    }

    /// Runs the sweep, printing a table per point on standard output; returns one row per
    /// variant and point.
    func run() throws -> [ResultRow] {
        var rows: [ResultRow] = []
        let total = recordSizes.count * writerCounts.count
        var index = 0
        for size in recordSizes {
            for writers in writerCounts {
                index += 1
                let point = Point(writers: writers, readers: readers, recordSize: size, geometry: geometry)
                let active = variants.filter { readers == 0 || $0.kind.hasReader }
                progress(
                    "[\(index)/\(total)] \(writers) writer(s), \(readers) reader(s), \(size)-byte records, "
                        + "2^\(geometry.descBits) descriptors, 2^\(geometry.dataBits) bytes")
                var runs: [Variant: [RunResult]] = [:]
                var first: [Variant: RunResult] = [:]
                for repetition in 0...repetitions {
                    for variant in active {
                        let result = try runVariant(
                            variant, point: point, cpus: cpus.cpus, seconds: seconds, topology: topology, node: node)
                        if repetition == 0 {
                            first[variant] = result
                        } else {
                            runs[variant, default: []].append(result)
                        }
                        if result.misplaced > 0 {
                            progress("  warning: \(result.misplaced) thread(s) were not on their CPU at the end of the run")
                        }
                    }
                    progress(
                        "  repetition \(repetition)\(repetition == 0 ? " (warm-up, discarded)" : ""): "
                            + active.map { "\($0) \(human(Double((repetition == 0 ? first[$0] : runs[$0]?.last)?.records ?? 0) / ((repetition == 0 ? first[$0] : runs[$0]?.last)?.seconds ?? 1)))/s" }
                            .joined(separator: ", "))
                }
                var pointRows = active.map { measurement($0, point: point, runs: runs[$0] ?? []) }
                if let spin = pointRows.first(where: { $0.impl == LogRingKind.spinlock.rawValue })?.recordsPerSec,
                    spin > 0
                {
                    for i in pointRows.indices { pointRows[i].ratioVsSpinlock = pointRows[i].recordsPerSec.map { $0 / spin } }
                }
                print(table(pointRows, point: point, sample: first[active[0]]))
                print("")
                rows += pointRows
            }
        }
        return rows
    }

    func measurement(_ variant: Variant, point: Point, runs: [RunResult]) -> ResultRow {
        var row = ResultRow(
            impl: variant.kind.rawValue, api: variant.api, scenario: scenario, writers: point.writers,
            readers: variant.kind.hasReader ? point.readers : 0, recordSize: point.recordSize.column,
            cpus: cpus.description, numaNode: placement.column(localNode: node), descBits: geometry.descBits,
            dataBits: geometry.dataBits)
        func median(_ value: (RunResult) -> Double) -> Double? { Summary(runs.map(value))?.median }
        let rates = Summary(runs.map { Double($0.records) / $0.seconds })
        row.recordsPerSec = rates?.median
        row.recordsPerSecMin = rates?.min
        row.recordsPerSecMax = rates?.max
        row.attemptsPerSec = median { Double($0.attempts) / $0.seconds }
        row.mbPerSec = median { Double($0.bytes) / $0.seconds / 1e6 }
        row.failed = median { Double($0.failed) }
        let attempts = runs.reduce(0) { $0 + $1.attempts }
        row.failedPct = attempts > 0 ? 100 * Double(runs.reduce(0) { $0 + $1.failed }) / Double(attempts) : nil
        if point.readers > 0 && variant.kind.hasReader {
            row.lost = median { Double($0.readerLost) }
            row.readerRecords = median { Double($0.readerRecords) }
            row.readerTorn = Double(runs.reduce(0) { $0 + $1.readerTorn })
        }
        var histogram = makeHistogram()
        for run in runs { histogram.add(run.histogram) }
        if histogram.totalCount > 0 {
            row.p50Ns = Double(histogram.valueAtPercentile(50))
            row.p99Ns = Double(histogram.valueAtPercentile(99))
            row.p999Ns = Double(histogram.valueAtPercentile(99.9))
            row.maxNs = Double(histogram.max)
        }
        row.latencySamples = Int(histogram.totalCount)
        let window = runs.reduce(0) { $0 + $1.allocationWindow }
        row.allocsPerWrite = window > 0 ? Double(runs.reduce(0) { $0 + $1.allocations }) / Double(window) : nil
        row.durationSec = seconds
        row.repetitions = runs.count
        return row
    }

    func table(_ rows: [ResultRow], point: Point, sample: RunResult?) -> String {
        var text =
            "== \(point.writers) writer(s), \(point.readers) reader(s), \(point.recordSize)-byte records, "
            + "2^\(geometry.descBits) descriptors / 2^\(geometry.dataBits) bytes, "
            + "\(seconds) s x \(repetitions) (median, min-max)\n"
        if let sample {
            text += "   threads: " + sample.placement.joined(separator: ", ") + "\n"
        }
        var table = TextTable(headers: [
            "impl", "api", "records/s", "min-max", "attempts/s", "MB/s", "failed%", "p50", "p99", "p99.9", "max",
            "allocs/w", "vs spin",
        ])
        if point.readers > 0 { table.headers += ["read/s", "lost", "torn"] }
        for row in rows {
            var cells = [
                row.impl, row.api, human(row.recordsPerSec),
                "\(human(row.recordsPerSecMin))-\(human(row.recordsPerSecMax))", human(row.attemptsPerSec),
                row.mbPerSec.map { String(format: "%.1f", $0) } ?? "-",
                row.failedPct.map { String(format: "%.2f", $0) } ?? "-",
                ns(row.p50Ns), ns(row.p99Ns), ns(row.p999Ns), ns(row.maxNs),
                row.allocsPerWrite.map { String(format: "%.3f", $0) } ?? "-", ratio(row.ratioVsSpinlock),
            ]
            if point.readers > 0 {
                let rate = row.readerRecords.map { $0 / seconds }
                cells += [human(rate), human(row.lost), human(row.readerTorn)]
            }
            table.rows.append(cells)
        }
        return text + table.text
    }
}

func ns(_ value: Double?) -> String {
    guard let value else { return "-" }
    if value >= 1e6 { return String(format: "%.1fms", value / 1e6) }
    if value >= 1e4 { return String(format: "%.0fus", value / 1e3) }
    return String(format: "%.0fns", value)
}
