import BenchKit
import Foundation
import Comparators
import TestSupport
import Testing

@Suite(.singleThreaded) struct StatisticsTests {
    @Test func medianOfOddAndEvenCounts() throws {
        let odd = try #require(Summary([5, 1, 3]))
        #expect(odd.median == 3)
        #expect(odd.min == 1)
        #expect(odd.max == 5)
        let even = try #require(Summary([4, 1, 3, 2]))
        #expect(even.median == 2.5)
        #expect(Summary([7])?.median == 7)
    }

    @Test func noValuesNoSummary() {
        #expect(Summary([]) == nil)
    }
}

@Suite(.singleThreaded) struct SweepTests {
    @Test(arguments: [
        (1, [1, 2, 4]), (2, [1, 2, 4, 8]), (4, [1, 2, 8, 16]), (64, [1, 2, 128, 256]),
    ])
    func writerCountsFollowTheCPUCount(cpus: Int, counts: [Int]) {
        #expect(Sweep.defaultWriterCounts(cpuCount: cpus) == counts)
    }

    @Test func derivedFromAParsedCPUList() throws {
        let list = try CPUList(parsing: "0-3,8,10-11")
        #expect(Sweep.defaultWriterCounts(cpuCount: list.cpus.count) == [1, 2, 14, 28])
    }
}

@Suite(.singleThreaded) struct OptionParsingTests {
    @Test func implementationsInOrderWithoutRepeats() throws {
        #expect(try OptionLists.implementations("spinlock, lockless,spinlock") == [.spinlock, .lockless])
        #expect(try OptionLists.implementations("swift-mutex,spin-reserve,fetch-add,mutex").count == 4)
    }

    @Test func unknownImplementationNamesTheKnownOnes() {
        #expect(throws: BenchOptionError.unknownImplementation("lockfree")) {
            try OptionLists.implementations("lockless,lockfree")
        }
        let message = BenchOptionError.unknownImplementation("lockfree").description
        #expect(message.contains("lockfree") && message.contains("spin-reserve"))
    }

    @Test func writerCounts() throws {
        #expect(try OptionLists.writerCounts("1,2,8") == [1, 2, 8])
        #expect(throws: BenchOptionError.badWriterCount("0")) { try OptionLists.writerCounts("1,0") }
        #expect(throws: BenchOptionError.badWriterCount("x")) { try OptionLists.writerCounts("x") }
        #expect(throws: BenchOptionError.badWriterCount("")) { try OptionLists.writerCounts("1,,2") }
        #expect(throws: BenchOptionError.emptyList(option: "--writers")) { try OptionLists.writerCounts("") }
    }

    @Test func recordSizes() throws {
        #expect(try OptionLists.recordSizes("16,64,256,random") == [.fixed(16), .fixed(64), .fixed(256), .random])
        #expect(RecordSize.random.maxBytes == 128)
        #expect(RecordSize.random.column == -1)
        #expect(throws: BenchOptionError.badRecordSize("big")) { try OptionLists.recordSizes("64,big") }
        #expect(throws: BenchOptionError.badRecordSize("-4")) { try OptionLists.recordSizes("-4") }
    }

    @Test func recordLargerThanTheRingIsRefusedWithItsMaximum() throws {
        let kernel = RingGeometry.kernelDefault  // 128 KiB: lockless 64 KiB - 16, comparators a quarter
        #expect(kernel.maxPayload(for: .lockless) == 65536 - 16)
        #expect(kernel.maxPayload(for: .spinlock) == 32768 - 48)
        try kernel.validate(recordSizes: [.fixed(32768 - 48), .random], for: LogRingKind.allCases)
        #expect(throws: BenchOptionError.recordTooLarge(size: 40000, implementation: "spinlock", maximum: 32720)) {
            try kernel.validate(recordSizes: [.fixed(40000)], for: [.lockless, .spinlock])
        }
        // The lockless ring alone takes it.
        try kernel.validate(recordSizes: [.fixed(40000)], for: [.lockless])
    }

    @Test func ringSizesInRange() throws {
        try RingGeometry.benchmarkDefault.validate()
        #expect(throws: BenchOptionError.badBits(option: "--desc-bits", value: 2, range: RingGeometry.descBitsRange)) {
            try RingGeometry(descBits: 2, dataBits: 17).validate()
        }
        #expect(throws: BenchOptionError.badBits(option: "--data-bits", value: 40, range: RingGeometry.dataBitsRange)) {
            try RingGeometry(descBits: 12, dataBits: 40).validate()
        }
    }

    @Test func placement() throws {
        #expect(try MemoryPlacement(numaNode: nil, interleave: false, nodes: [0]) == .local)
        #expect(try MemoryPlacement(numaNode: 1, interleave: false, nodes: [0, 1]) == .node(1))
        #expect(try MemoryPlacement(numaNode: nil, interleave: true, nodes: [0]) == .interleaved)
        #expect(throws: BenchOptionError.badNode(3, available: [0, 1])) {
            try MemoryPlacement(numaNode: 3, interleave: false, nodes: [0, 1])
        }
        #expect(throws: BenchOptionError.conflictingPlacement) {
            try MemoryPlacement(numaNode: 0, interleave: true, nodes: [0])
        }
        #expect(MemoryPlacement.interleaved.column(localNode: 0) == -1)
    }

    @Test func badCPUListsAreRefused() {
        #expect(throws: CPUList.ParseError.self) { try CPUList(parsing: "0-") }
        let topology = Topology(allowedCPUs: CPUList([0, 1]), numaAvailable: false, nodeOfCPU: [0: 0, 1: 0])
        #expect(throws: CPUList.ParseError.self) { try topology.validate(CPUList([0, 5])) }
    }
}

@Suite(.singleThreaded) struct ResultRowTests {
    func sample() -> ResultRow {
        var row = ResultRow(
            impl: "lockless", api: "swift", scenario: "throughput", writers: 8, readers: 0, recordSize: 64,
            cpus: "0-1", numaNode: 0, descBits: 16, dataBits: 22)
        row.recordsPerSec = 1.5e7
        row.attemptsPerSec = 1.6e7
        row.p999Ns = 2500
        row.allocsPerWrite = 0
        row.ratioVsSpinlock = 2.25
        return row
    }

    @Test func jsonRoundTripWithTheFieldNamesScriptsRead() throws {
        var panic = sample()
        panic.scenario = "stuck-remote"
        panic.committed = 48
        panic.deadlocked = true
        panic.notes = "lock busted, \"twice\""
        let file = ResultsFile(machine: ["cpu model": "x"], command: "prb-bench", results: [sample(), panic])
        let data = try JSONEncoder().encode(file)
        #expect(try JSONDecoder().decode(ResultsFile.self, from: data) == file)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let rows = try #require(object["results"] as? [[String: Any]])
        for key in [
            "impl", "api", "scenario", "writers", "readers", "record_size", "cpus", "numa_node", "records_per_sec",
            "attempts_per_sec", "desc_bits", "data_bits", "p999_ns", "allocs_per_write", "ratio_vs_spinlock",
        ] {
            #expect(rows[0][key] != nil, "missing \(key)")
        }
        #expect(rows[0]["committed"] == nil)
        #expect(rows[1]["deadlocked"] as? Bool == true)
    }

    @Test func csvHasOneColumnPerFieldAndQuotes() {
        var row = sample()
        row.notes = "a, \"b\""
        let lines = CSV.encode([row]).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)  // header, row, final newline
        #expect(lines[0].split(separator: ",").count == ResultRow.csvColumns.count)
        #expect(lines[0].hasPrefix("impl,api,scenario,writers,readers,record_size"))
        #expect(lines[1].hasPrefix("lockless,swift,throughput,8,0,64,0-1,0,16,22,15000000,"))
        #expect(lines[1].hasSuffix(",\"a, \"\"b\"\"\""))
    }
}
