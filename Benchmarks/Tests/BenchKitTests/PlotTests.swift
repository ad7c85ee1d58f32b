import BenchKit
import Foundation
import TestSupport
import Testing

@Suite(.singleThreaded) struct NiceNumberTests {
    @Test func ticksAreNiceStepsCoveringTheRange() {
        #expect(NiceNumber.ticks(from: 0, to: 17.3, count: 5) == [0, 5, 10, 15, 20])
        #expect(NiceNumber.ticks(from: 0, to: 1, count: 6) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(NiceNumber.ticks(from: 3, to: 97, count: 6) == [0, 20, 40, 60, 80, 100])
    }

    @Test func aDegenerateRangeStillHasTicks() {
        let ticks = NiceNumber.ticks(from: 5, to: 5)
        #expect(ticks.count >= 2)
        #expect(ticks.first! <= 5 && ticks.last! >= 5)
    }

    @Test func niceRoundsToOneTwoFiveTimesAPowerOfTen() {
        #expect(NiceNumber.nice(0.25, round: true) == 0.2)
        #expect(NiceNumber.nice(3.2, round: true) == 5)
        #expect(NiceNumber.nice(7.5, round: true) == 10)
        #expect(NiceNumber.nice(120, round: false) == 200)
    }

    @Test func linearAxisIncludesZeroAndTheLargestValue() {
        let axis = ValueAxis.linear(covering: [5.5, 16.6, 0.22])
        #expect(axis.lower == 0)
        #expect(axis.upper >= 16.6)
        #expect(axis.fraction(axis.upper) == 1)
        #expect(axis.fraction(0) == 0)
    }
}

@Suite(.singleThreaded) struct LogAxisTests {
    @Test func wideRangesGoFromDecadeToDecade() {
        let axis = ValueAxis.logarithmic(covering: [40, 311_551])
        #expect(axis.ticks == [10, 100, 1000, 10_000, 100_000, 1_000_000])
        #expect(axis.minorTicks.contains(20))
        #expect(axis.fraction(1000) == 0.4)
    }

    @Test func shortRangesUseOneTwoFive() {
        let axis = ValueAxis.logarithmic(covering: [0.06, 2.6, 1])
        #expect(axis.lower == 0.05)
        #expect(axis.upper == 5)
        #expect(axis.ticks.count == 7)
        #expect(abs(axis.fraction(0.5) - 0.5) < 1e-12)
    }

    @Test func nonPositiveValuesAreIgnored() {
        let axis = ValueAxis.logarithmic(covering: [0, -3, 100, 1000])
        #expect(axis.lower == 100)
        #expect(axis.fraction(0) == 0)
    }
}

@Suite(.singleThreaded) struct SVGTests {
    @Test func textIsEscaped() {
        #expect(SVGDocument.escape("a < b & \"c\" > 'd'") == "a &lt; b &amp; &quot;c&quot; &gt; &apos;d&apos;")
        var document = SVGDocument(width: 100, height: 50)
        document.text("p99 <fast> & safe", at: SVGPoint(1, 2))
        #expect(document.markup.contains(">p99 &lt;fast&gt; &amp; safe</text>"))
        #expect(!document.markup.contains("<fast>"))
    }

    @Test func numbersAreShort() {
        #expect(SVGDocument.number(12) == "12")
        #expect(SVGDocument.number(1.5) == "1.5")
        #expect(SVGDocument.number(-0.001) == "0")
        #expect(SVGDocument.number(-2.25) == "-2.25")
        #expect(SVGDocument.number(3.10) == "3.1")
    }

    @Test func formatsReadAsUnits() {
        #expect(ValueFormat.nanoseconds.format(40) == "40 ns")
        #expect(ValueFormat.nanoseconds.format(2270) == "2.27 µs")
        #expect(ValueFormat.nanoseconds.format(1_000_000) == "1 ms")
        #expect(ValueFormat.ratio.format(0.05) == "0.05×")
        #expect(ValueFormat.percent.format(92.59) == "92.6%")
    }
}

@Suite(.singleThreaded) struct ResultPlotsTests {
    static func row(_ impl: String, _ api: String, writers: Int, rate: Double, scenario: String = "throughput") -> ResultRow {
        var row = ResultRow(
            impl: impl, api: api, scenario: scenario, writers: writers, readers: 0, recordSize: 64, cpus: "0-1",
            numaNode: 0, descBits: 18, dataBits: 24)
        row.recordsPerSec = rate
        row.recordsPerSecMin = rate * 0.9
        row.recordsPerSecMax = rate * 1.1
        row.p50Ns = 100
        row.p99Ns = 1000
        row.p999Ns = 10_000
        row.ratioVsSpinlock = impl == "spinlock" ? 1 : 0.5
        return row
    }

    static let rows: [ResultRow] = ["lockless/swift", "lockless/c", "spinlock/c", "fetch-add/c"].flatMap { name in
        let parts = name.split(separator: "/").map(String.init)
        return [1, 2, 8].map { row(parts[0], parts[1], writers: $0, rate: Double($0) * 1e6) }
    }

    static func svg(_ name: String, _ set: ResultSet) throws -> String {
        try #require(try ResultPlots.make(set).first { $0.name == name }).svg
    }

    @Test func oneSeriesPerImplementationAndAPI() throws {
        let svg = try Self.svg("throughput.svg", ResultSet(machine: ["cpu model": "Test CPU <x>"], rows: Self.rows))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 4)
        for label in ["lockless (Swift API)", "lockless (C API)", "spinlock (baseline)", "fetch-add (bound)"] {
            #expect(svg.contains(">\(label)</text>"))
        }
        #expect(svg.contains("2¹⁸ descriptors / 16 MiB"))
        #expect(svg.contains("Test CPU &lt;x&gt;"))
    }

    @Test func everyChartIsWritten() throws {
        var panic = ResultRow(
            impl: "spinlock", api: "c", scenario: "stuck-remote", writers: 1, readers: 1, recordSize: -1, cpus: "0-1",
            numaNode: 0, descBits: 0, dataBits: 16)
        panic.dumpMode = "deadline"
        panic.readablePct = 0
        panic.deadlocked = true
        var notApplicable = panic
        notApplicable.impl = "fetch-add"
        notApplicable.readablePct = nil
        notApplicable.deadlocked = nil
        let files = try ResultPlots.make(ResultSet(machine: [:], rows: Self.rows + [panic, notApplicable]))
        #expect(Set(files.map(\.name)) == ["throughput.svg", "ratio.svg", "latency.svg", "readability.svg"])
        let readability = try #require(files.first { $0.name == "readability.svg" }).svg
        #expect(readability.contains("0% · deadlocked"))
        #expect(readability.contains(">n/a</text>"))
        #expect(readability.contains("url(#hatch)"))
        // The ratio chart leaves the spinlock out (it is the reference line) and draws the line.
        let ratio = try #require(files.first { $0.name == "ratio.svg" }).svg
        #expect(ratio.components(separatedBy: "<polyline").count - 1 == 3)
        #expect(ratio.contains("spinlock = 1×"))
    }

    @Test func tryOnceIsASeriesOfItsOwnWithTheShareOfPanicsThatDumped() throws {
        func panic(_ mode: String, _ scenario: String, readable: Double) -> ResultRow {
            var row = ResultRow(
                impl: "spinlock", api: "c", scenario: scenario, writers: 1, readers: 1, recordSize: -1, cpus: "0-1",
                numaNode: 0, descBits: 0, dataBits: 16)
            row.dumpMode = mode
            row.readablePct = readable
            row.deadlocked = false
            row.repetitions = 200
            return row
        }
        var held = panic("try-once", "stuck-remote", readable: 0)
        held.skipped = 200
        var sometimes = panic("try-once", "busy-remote", readable: 0)
        sometimes.skipped = 60
        sometimes.dumpedPct = 70
        sometimes.dumpedPctMin = 55
        sometimes.dumpedPctMax = 80
        let rows = [
            panic("deadline", "stuck-remote", readable: 0), held, panic("deadline", "busy-remote", readable: 100),
            sometimes,
        ]
        let svg = try Self.svg("readability.svg", ResultSet(machine: [:], rows: rows))
        #expect(svg.contains(">spinlock, try-once</text>"))
        #expect(svg.contains("0% · lock held at the check"))
        #expect(svg.contains("70% · dump in 70% of 200 (55-80%)"))
    }

    @Test func colorsDoNotDependOnWhichImplementationsRan() throws {
        let all = try Self.svg("throughput.svg", ResultSet(machine: [:], rows: Self.rows))
        let some = try Self.svg("throughput.svg", ResultSet(machine: [:], rows: Self.rows.filter { $0.impl == "fetch-add" }))
        let fetchAdd = ImplementationKey(impl: "fetch-add", api: "c").style.color
        #expect(all.contains("stroke=\"\(fetchAdd)\""))
        #expect(some.contains("stroke=\"\(fetchAdd)\""))
    }

    @Test func mergingDropsDuplicateRows() {
        let file = ResultsFile(machine: ["cpu model": "x"], command: "", results: Self.rows)
        let merged = ResultSet(merging: [file, ResultsFile(machine: [:], command: "", results: Array(Self.rows.prefix(3)))])
        #expect(merged.rows.count == Self.rows.count)
        #expect(merged.machine["cpu model"] == "x")
    }

    @Test func emptyOrMalformedInputIsAClearError() throws {
        #expect(throws: PlotError.noInput) { try ResultSet.load(paths: []) }
        #expect(throws: PlotError.nothingToPlot) { try ResultPlots.make(ResultSet(machine: [:], rows: [])) }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plot-tests-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let broken = directory.appendingPathComponent("broken.json")
        try Data("{\"results\": [".utf8).write(to: broken)
        let empty = directory.appendingPathComponent("empty.json")
        try Data("{\"machine\": {}, \"results\": []}".utf8).write(to: empty)
        let wrong = directory.appendingPathComponent("wrong.json")
        try Data("{\"rows\": []}".utf8).write(to: wrong)

        #expect(throws: PlotError.malformed(path: broken.path, reason: "not valid JSON")) {
            try ResultSet.load(paths: [broken.path])
        }
        #expect(throws: PlotError.noResults(paths: [empty.path])) { try ResultSet.load(paths: [empty.path]) }
        do {
            _ = try ResultSet.load(paths: [wrong.path])
            Issue.record("a file without results loaded")
        } catch {
            #expect(error.description.contains("\"results\" missing"))
        }
        do {
            _ = try ResultSet.load(paths: [directory.appendingPathComponent("absent.json").path])
            Issue.record("a missing file loaded")
        } catch {
            #expect(error.description.hasPrefix("cannot read"))
        }
    }
}
