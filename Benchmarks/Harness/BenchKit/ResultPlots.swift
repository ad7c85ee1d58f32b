import Foundation

/// Why results could not be plotted.
public enum PlotError: Error, Equatable, CustomStringConvertible {
    case noInput
    case unreadable(path: String, reason: String)
    case malformed(path: String, reason: String)
    case noResults(paths: [String])
    case nothingToPlot

    public var description: String {
        switch self {
        case .noInput:
            "no results files given: pass one or more JSON files written by `prb-bench ... --json` or the suite"
        case .unreadable(let path, let reason):
            "cannot read \(path): \(reason)"
        case .malformed(let path, let reason):
            "\(path) is not a prb-bench results file (a JSON object with \"machine\" and \"results\"): \(reason)"
        case .noResults(let paths):
            "no result rows in \(paths.joined(separator: ", "))"
        case .nothingToPlot:
            "nothing to plot: the charts need throughput rows without a reader (scenario throughput*, readers 0) or panic rows"
        }
    }
}

/// The rows of one or more results files, merged: rows in file order with exact duplicates dropped
/// (the suite's results.json repeats its other files), and the first file's machine.
public struct ResultSet: Sendable, Hashable {
    public var machine: [String: String]
    public var rows: [ResultRow]

    public init(machine: [String: String], rows: [ResultRow]) {
        self.machine = machine
        self.rows = rows
    }

    /// Merges results files in order.
    public init(merging files: [ResultsFile]) {
        var seen = Set<ResultRow>()
        machine = files.first { !$0.machine.isEmpty }?.machine ?? [:]
        rows = files.flatMap(\.results).filter { seen.insert($0).inserted }
    }

    /// Reads and merges the JSON files at `paths`.
    public static func load(paths: [String]) throws(PlotError) -> ResultSet {
        guard !paths.isEmpty else { throw .noInput }
        var files: [ResultsFile] = []
        for path in paths {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
            }
            files.append(try decode(data, path: path))
        }
        let set = ResultSet(merging: files)
        guard !set.rows.isEmpty else { throw .noResults(paths: paths) }
        return set
    }

    /// A results file from JSON: the object the benchmark writes (its `command` may be missing).
    public static func decode(_ data: Data, path: String) throws(PlotError) -> ResultsFile {
        struct Lenient: Decodable {
            var machine: [String: String]?
            var command: String?
            var results: [ResultRow]
        }
        do {
            let file = try JSONDecoder().decode(Lenient.self, from: data)
            return ResultsFile(machine: file.machine ?? [:], command: file.command ?? "", results: file.results)
        } catch let error as DecodingError {
            throw .malformed(path: path, reason: Self.explain(error))
        } catch {
            throw .malformed(path: path, reason: "\(error)")
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "the top level" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "bad value at \(at(context.codingPath))"
        case .keyNotFound(let key, let context):
            return "\"\(key.stringValue)\" missing at \(at(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(at(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// One written chart: a file name in the output directory and its SVG text.
public struct PlotFile: Sendable, Hashable {
    public var name: String
    public var svg: String
}

/// An implementation as the charts name and draw it: `impl` plus `api`, with a fixed colour, dash
/// and marker so that it looks the same in every chart.
public struct ImplementationKey: Sendable, Hashable, Comparable {
    public var impl: String
    public var api: String

    public init(impl: String, api: String) {
        self.impl = impl
        self.api = api
    }

    init(_ row: ResultRow) { self.init(impl: row.impl, api: row.api) }

    /// The known implementations in the order legends list them; others follow, sorted.
    static let known: [(impl: String, api: String?, label: String, style: SeriesStyle)] = [
        ("lockless", "swift", "lockless (Swift API)", SeriesStyle(color: "#0072B2", marker: .circle)),
        ("lockless", "c", "lockless (C API)", SeriesStyle(color: "#56B4E9", dash: "7 4", marker: .circle)),
        ("spinlock", nil, "spinlock (baseline)", SeriesStyle(color: "#D55E00", marker: .square)),
        ("mutex", nil, "pthread mutex", SeriesStyle(color: "#E69F00", marker: .diamond)),
        ("swift-mutex", nil, "Swift Mutex", SeriesStyle(color: "#CC79A7", marker: .triangle)),
        ("spin-reserve", nil, "spin-reserve", SeriesStyle(color: "#009E73", marker: .invertedTriangle)),
        ("fetch-add", nil, "fetch-add (bound)", SeriesStyle(color: "#666666", dash: "2 3", marker: .square)),
    ]
    static let fallbackColors = ["#8C564B", "#7F7F7F", "#BCBD22", "#17BECF", "#9467BD"]

    private var knownIndex: Int? {
        Self.known.firstIndex { $0.impl == impl && ($0.api == nil || $0.api == api) }
    }

    /// The legend's name.
    public var label: String {
        guard let index = knownIndex else { return "\(impl) (\(api))" }
        return Self.known[index].label
    }

    public var style: SeriesStyle {
        if let index = knownIndex { return Self.known[index].style }
        // Stable across charts and runs: derived from the name, not the order of appearance.
        let hash = (impl + "/" + api).unicodeScalars.reduce(0) { ($0 &* 31 &+ Int($1.value)) & 0xFFFF }
        return SeriesStyle(
            color: Self.fallbackColors[hash % Self.fallbackColors.count],
            marker: MarkerShape.allCases[hash % MarkerShape.allCases.count])
    }

    public static func < (a: Self, b: Self) -> Bool {
        switch (a.knownIndex, b.knownIndex) {
        case (let x?, let y?): x < y
        case (.some, nil): true
        case (nil, .some): false
        case (nil, nil): (a.impl, a.api) < (b.impl, b.api)
        }
    }
}

/// The charts for a set of results: throughput vs writers (one per throughput scenario), the
/// ratio to the spinlock, write latency percentiles, and panic-time readability per scenario.
public enum ResultPlots {
    /// The panic scenarios in the order the readability chart shows them; others follow, sorted.
    public static let panicScenarios = [
        "stuck-remote", "stuck-self", "busy-remote", "busy-remote-paced", "signal-writer", "committed-last",
    ]

    /// Every chart the results allow.
    public static func make(_ set: ResultSet) throws(PlotError) -> [PlotFile] {
        let subtitle = machineLine(set.machine)
        var files: [PlotFile] = []
        let throughputScenarios = orderedUnique(set.rows.map(\.scenario).filter { $0.hasPrefix("throughput") })
        for scenario in throughputScenarios {
            guard let selection = ThroughputSelection(set.rows, scenario: scenario) else { continue }
            let suffix = scenario.dropFirst("throughput".count)
            files.append(PlotFile(name: "throughput\(suffix).svg", svg: throughputChart(selection, machine: subtitle).render()))
            if let chart = ratioChart(selection, machine: subtitle) {
                files.append(PlotFile(name: "ratio\(suffix).svg", svg: chart.render()))
            }
            if let chart = latencyChart(selection, machine: subtitle) {
                files.append(PlotFile(name: "latency\(suffix).svg", svg: chart.render()))
            }
        }
        if let chart = readabilityChart(set.rows, machine: subtitle) {
            files.append(PlotFile(name: "readability.svg", svg: chart.render()))
        }
        guard !files.isEmpty else { throw .nothingToPlot }
        return files
    }

    /// "AMD EPYC, CPUs 0-1 (2), Linux 6.1 x86_64", from the results' machine object; nil without one.
    static func machineLine(_ machine: [String: String]) -> String? {
        let parts = [
            machine["cpu model"], machine["cpus used"].map { "CPUs \($0)" }, machine["kernel"],
            machine["build"].flatMap { $0 == "release" ? nil : "build: \($0)" },
        ].compactMap { $0 }
        return parts.isEmpty ? nil : "Machine: " + parts.joined(separator: ", ")
    }

    /// The rows of one throughput chart: one scenario, no reader, one record size (64 bytes when
    /// measured) and one ring size (the most common).
    struct ThroughputSelection {
        var scenario: String
        var recordSize: Int
        var descBits: Int
        var dataBits: Int
        var rows: [ResultRow]
        var writerCounts: [Int]
        var implementations: [ImplementationKey]

        init?(_ all: [ResultRow], scenario: String) {
            let candidates = all.filter { $0.scenario == scenario && $0.readers == 0 && $0.recordsPerSec != nil }
            let sizes = candidates.map(\.recordSize)
            guard let size = sizes.contains(64) ? 64 : mostCommon(sizes) else { return nil }
            let sized = candidates.filter { $0.recordSize == size }
            guard let geometry = mostCommon(sized.map { [$0.descBits, $0.dataBits] }) else { return nil }
            self.scenario = scenario
            recordSize = size
            descBits = geometry[0]
            dataBits = geometry[1]
            rows = sized.filter { $0.descBits == geometry[0] && $0.dataBits == geometry[1] }
            writerCounts = Set(rows.map(\.writers)).sorted()
            implementations = Set(rows.map(ImplementationKey.init)).sorted()
        }

        func row(_ key: ImplementationKey, writers: Int) -> ResultRow? {
            rows.first { ImplementationKey($0) == key && $0.writers == writers }
        }

        /// "64-byte records, ring 2^18 descriptors / 16 MiB text".
        var description: String {
            let size = recordSize < 0 ? "random-size (2-128 byte) records" : "\(recordSize)-byte records"
            return "\(size), ring 2\(superscript(descBits)) descriptors / \(byteSize(dataBits)) text"
        }

        /// A subtitle line for the kernel-size sweep; nil for others.
        var kernelSizeNote: String? {
            scenario == "throughput-kernel-size" ? "The kernel's default ring size: the tail is pinned more often." : nil
        }
    }

    static func throughputChart(_ selection: ThroughputSelection, machine: String?) -> LineChart {
        let series = selection.implementations.map { key in
            LineChart.Series(
                name: key.label, style: key.style,
                points: selection.writerCounts.enumerated().compactMap { index, writers in
                    guard let row = selection.row(key, writers: writers), let rate = row.recordsPerSec else { return nil }
                    return LineChart.Point(
                        category: index, value: rate / 1e6, low: row.recordsPerSecMin.map { $0 / 1e6 },
                        high: row.recordsPerSecMax.map { $0 / 1e6 })
                })
        }
        var chart = LineChart(
            title: "Write throughput: \(selection.description)",
            categories: selection.writerCounts.map(String.init), xLabel: "writer threads (pinned round-robin)",
            yLabel: "successful records per second (millions)", series: series)
        chart.subtitles =
            [machine, selection.kernelSizeNote, "Median of the repetitions; bars span min–max. Higher is better."]
            .compactMap { $0 }
        return chart
    }

    static func ratioChart(_ selection: ThroughputSelection, machine: String?) -> LineChart? {
        let keys = selection.implementations.filter { $0.impl != "spinlock" }
        let series = keys.map { key in
            LineChart.Series(
                name: key.label, style: key.style,
                points: selection.writerCounts.enumerated().compactMap { index, writers in
                    guard let ratio = selection.row(key, writers: writers)?.ratioVsSpinlock, ratio > 0 else { return nil }
                    return LineChart.Point(category: index, value: ratio)
                })
        }.filter { !$0.points.isEmpty }
        guard !series.isEmpty else { return nil }
        var chart = LineChart(
            title: "Throughput relative to the spinlock: \(selection.description)",
            categories: selection.writerCounts.map(String.init), xLabel: "writer threads (pinned round-robin)",
            yLabel: "records/s ÷ spinlock's records/s (log scale)", series: series)
        chart.yScale = .logarithmic
        chart.yFormat = .ratio
        chart.referenceLines = [LineChart.ReferenceLine(value: 1, label: "spinlock = 1×")]
        chart.subtitles = [
            machine, selection.kernelSizeNote, "Above the dashed line: faster than the spinlock at that writer count.",
        ].compactMap { $0 }
        return chart
    }

    static func latencyChart(_ selection: ThroughputSelection, machine: String?) -> BarChart? {
        guard let most = selection.writerCounts.last, let least = selection.writerCounts.first else { return nil }
        let counts = least == most ? [most] : [least, most]
        let keys = selection.implementations
        let percentiles: [(String, KeyPath<ResultRow, Double?>)] = [("p50", \.p50Ns), ("p99", \.p99Ns), ("p99.9", \.p999Ns)]
        var groups: [String] = []
        var sections: [BarChart.Section] = []
        var bars: [[BarChart.Bar]] = []
        for writers in counts {
            sections.append(
                BarChart.Section(
                    label: "\(writers) writer\(writers == 1 ? "" : "s")", groups: groups.count..<groups.count + percentiles.count))
            for (name, path) in percentiles {
                groups.append(name)
                bars.append(
                    keys.map { key in
                        guard let value = selection.row(key, writers: writers)?[keyPath: path], value > 0 else { return .missing }
                        return .value(value)
                    })
            }
        }
        guard bars.flatMap({ $0 }).contains(where: { $0 != .missing }) else { return nil }
        var chart = BarChart(
            title: "Write latency percentiles: \(selection.description)", groups: groups,
            series: keys.map { BarChart.Series(name: $0.label, color: $0.style.color) }, bars: bars,
            yLabel: "write latency (log scale)")
        chart.sections = sections
        let values = bars.flatMap { $0 }.compactMap { bar -> Double? in
            if case .value(let value, _, _) = bar { return value }
            return nil
        }
        chart.axis = .logarithmic(covering: values)
        chart.yFormat = .nanoseconds
        chart.subtitles =
            [
                machine, selection.kernelSizeNote,
                "1 write in 64 timed (two clock reads); percentiles over all measured repetitions. Lower is better.",
            ]
            .compactMap { $0 }
        return chart
    }

    /// The bars of the readability chart: an implementation in its dump mode. The deadline mode
    /// is the implementation's own series; the spinlock's "bust" mode (the lock forcibly released
    /// first) and each lock's "try-once" mode (one look at the lock, skip if held) are series of
    /// their own.
    struct PanicSeries: Hashable, Comparable {
        var key: ImplementationKey
        /// 0 deadline, 1 bust, 2 try-once.
        var mode: Int

        init(_ row: ResultRow) {
            key = ImplementationKey(row)
            mode = row.dumpMode == "bust" ? 1 : row.dumpMode == "try-once" ? 2 : 0
        }

        var label: String {
            switch mode {
            case 1: "\(key.impl), lock busted"
            case 2: "\(key.impl), try-once"
            default: key.label
            }
        }

        /// Bust: a light shade of the spinlock's color; try-once: a dark one of the implementation's.
        var color: String {
            switch mode {
            case 1: "#F4A582"
            case 2: Self.tryOnceColors[key.impl] ?? "#444444"
            default: key.style.color
            }
        }

        static let tryOnceColors = [
            "spinlock": "#7F2704", "mutex": "#8C5A00", "swift-mutex": "#7A3B66", "spin-reserve": "#00573F",
        ]

        static func < (a: Self, b: Self) -> Bool { (a.key, a.mode) < (b.key, b.mode) }
    }

    static func readabilityChart(_ rows: [ResultRow], machine: String?) -> BarChart? {
        let panic = rows.filter {
            !$0.scenario.hasPrefix("throughput") && $0.scenario != "full-ring-dump" && ($0.dumpMode != nil || $0.readablePct != nil)
        }
        guard !panic.isEmpty else { return nil }
        let present = Set(panic.map(\.scenario))
        let scenarios =
            panicScenarios.filter(present.contains) + present.subtracting(panicScenarios).sorted()
        let series = Set(panic.map(PanicSeries.init)).sorted()
        let bars = scenarios.map { scenario in
            series.map { one -> BarChart.Bar in
                let matching = panic.filter { $0.scenario == scenario && PanicSeries($0) == one }
                guard !matching.isEmpty else { return .missing }
                let measured = matching.filter { $0.readablePct != nil }
                guard let worst = measured.compactMap(\.readablePct).min() else { return .notApplicable }
                // Try-once where the check passed in some runs and not in others, and some dumps
                // showed nothing: the share of the panics whose dump showed anything, and its spread.
                if let row = measured.first, measured.count == 1, let skipped = row.skipped, skipped > 0,
                    let runs = row.repetitions, skipped < runs, let share = row.dumpedPct, share < 100
                {
                    let spread = String(format: "%.0f-%.0f%%", row.dumpedPctMin ?? share, row.dumpedPctMax ?? share)
                    return .value(share, note: String(format: "dump in %.0f%% of %d (%@)", share, runs, spread))
                }
                if measured.allSatisfy({ ($0.skipped ?? 0) > 0 && $0.skipped == $0.repetitions }) {
                    return .value(worst, note: "lock held at the check")
                }
                let deadlocked = measured.filter { $0.deadlocked == true }.count
                let note: String? =
                    deadlocked == 0
                    ? nil : deadlocked == measured.count ? "deadlocked" : "deadlocked at \(deadlocked) of \(measured.count) freeze points"
                return .value(worst, note: note, hatched: deadlocked > 0)
            }
        }
        var chart = BarChart(
            title: "Panic-time readability: records a panic dump recovers intact",
            groups: scenarios, series: series.map { BarChart.Series(name: $0.label, color: $0.color) }, bars: bars,
            yLabel: "readable records (% of committed)")
        chart.axis = .fixed(0, 100, step: 20)
        chart.yFormat = .percent
        chart.legendNotes = [
            LegendEntry("hatched: deadlocked", swatch: .hatched),
            LegendEntry("n/a: does not apply", swatch: .none),
        ]
        var subtitles = [machine].compactMap { $0 }
        var method =
            "Each bar: the worst freeze point tried; try-once bars with a note \"dump in\": the share of panics "
            + "whose dump showed anything. Higher is better."
        if let dump = rows.first(where: { $0.scenario == "full-ring-dump" }), let ms = dump.dumpMs {
            method += String(format: " Full-ring (1 MiB) panic dump of the lockless ring: %.2f ms.", ms)
        }
        subtitles.append(method)
        chart.subtitles = subtitles
        return chart
    }
}

/// An exponent in superscript digits: 2 + superscript(16) reads 2¹⁶.
func superscript(_ exponent: Int) -> String {
    let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
    return (exponent < 0 ? "⁻" : "") + String(String(abs(exponent)).map { digits[Int(String($0))!] })
}

/// 2^bits bytes as "128 KiB", "16 MiB".
func byteSize(_ bits: Int) -> String {
    switch bits {
    case ..<10: "\(1 << max(bits, 0)) B"
    case 10..<20: "\(1 << (bits - 10)) KiB"
    case 20..<30: "\(1 << (bits - 20)) MiB"
    default: "\(1 << (bits - 30)) GiB"
    }
}

private func mostCommon<T: Hashable>(_ values: [T]) -> T? {
    var counts: [T: Int] = [:]
    for value in values { counts[value, default: 0] += 1 }
    // Ties go to the value seen first, so that the choice does not depend on hashing.
    return values.first { counts[$0] == counts.values.max() }
}

private func orderedUnique(_ values: [String]) -> [String] {
    var seen = Set<String>()
    return values.filter { seen.insert($0).inserted }
}

extension ResultPlots {
    /// Writes every chart for `set` into `directory` (created if missing); returns the paths written.
    public static func write(_ set: ResultSet, to directory: String) throws -> [String] {
        let files = try make(set)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try files.map { file in
            let path = (directory as NSString).appendingPathComponent(file.name)
            try Data(file.svg.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
    }
}
