import ArgumentParser
import BenchKit
import CBenchSupport
import Foundation
import Comparators
import PrintkRing

/// The benchmark executable: throughput of the lockless ring against every comparator, and
/// panic-time readability. With no arguments: the default suite (`prb-bench suite`).
@main
struct PrbBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prb-bench",
        abstract: "Benchmarks the lockless printk-style ring buffer against its comparators.",
        discussion: "Results on standard output, progress on standard error.",
        subcommands: [Suite.self, Throughput.self, Cost.self, Panic.self, PanicDemo.self, Plot.self, CostLoop.self],
        defaultSubcommand: Suite.self)
}

/// Options every measuring command shares: where threads and memory go.
struct PlacementOptions: ParsableArguments {
    @Option(help: "CPUs to use, in numactl's list syntax (default: all this process may use).")
    var cpus: String?
    @Option(name: .customLong("numa-node"), help: "Allocate the ring memory on this NUMA node.")
    var numaNode: Int?
    @Flag(help: "Interleave the ring memory over all NUMA nodes.")
    var interleave = false

    /// The topology, the CPU list and the placement, validated.
    func resolve() throws -> (Topology, CPUList, MemoryPlacement) {
        let topology = Topology.current()
        let list: CPUList
        if let cpus {
            do {
                list = try CPUList(parsing: cpus)
                try topology.validate(list)
            } catch {
                throw ValidationError(BenchOptionError.badCPUList(error.description).description)
            }
        } else {
            list = topology.allowedCPUs
        }
        let placement: MemoryPlacement
        do {
            placement = try MemoryPlacement(numaNode: numaNode, interleave: interleave, nodes: topology.nodes)
        } catch {
            throw ValidationError(error.description)
        }
        switch placement {
        case .node(let node): _ = bench_set_memory_policy(Int32(node))
        case .interleaved: _ = bench_set_memory_policy(-1)
        case .local: break
        }
        return (topology, list, placement)
    }
}

struct Throughput: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Records/s, attempts/s, failed reservations and write latency, per implementation.",
        discussion: """
            Every writer thread is pinned (round-robin over --cpus) and released by a start barrier; \
            each write stamps the record from CLOCK_MONOTONIC and stores a checksum over seq and \
            payload. A refused write is counted and followed by sched_yield(). One write in 64 \
            (chosen at random per writer) is timed for the latency percentiles.
            """)

    @Option(help: "Writer counts (default: 1, 2, then 2x and 4x the number of CPUs).")
    var writers: String?
    @Option(help: "Payload sizes in bytes; 'random' draws 2...128 per record.")
    var recordSizes = "16,64,256,random"
    @Option(help: "0 or 1: a concurrent reader that verifies every record.")
    var readers = 0
    @Option(help: "Seconds per measurement.")
    var duration = 1.0
    @Option(help: "Measured repetitions per point (one warm-up run more is discarded).")
    var repetitions = 5
    @Option(help: "Implementations: lockless,spinlock,mutex,swift-mutex,spin-reserve,fetch-add.")
    var impl = LogRingKind.allCases.map(\.rawValue).joined(separator: ",")
    @OptionGroup var placement: PlacementOptions
    @Option(help: "Write the rows as JSON to this file.")
    var json: String?
    @Option(help: "Write the rows as CSV to this file.")
    var csv: String?
    @Option(help: "log2 of the lockless ring's descriptors.")
    var descBits = RingGeometry.benchmarkDefault.descBits
    @Option(help: "log2 of the bytes of record storage (every implementation gets as many).")
    var dataBits = RingGeometry.benchmarkDefault.dataBits

    func makeSweep() throws -> ThroughputSweep {
        let (topology, cpus, memory) = try placement.resolve()
        do {
            let kinds = try OptionLists.implementations(impl)
            let sizes = try OptionLists.recordSizes(recordSizes)
            let counts =
                try writers.map { try OptionLists.writerCounts($0) }
                ?? Sweep.defaultWriterCounts(cpuCount: cpus.cpus.count)
            guard readers == 0 || readers == 1 else { throw BenchOptionError.badReaderCount(readers) }
            guard duration > 0, duration.isFinite else { throw BenchOptionError.badDuration(duration) }
            guard repetitions >= 1 else { throw BenchOptionError.badRepetitions(repetitions) }
            let geometry = RingGeometry(descBits: descBits, dataBits: dataBits)
            try geometry.validate()
            try geometry.validate(recordSizes: sizes, for: kinds)
            return ThroughputSweep(
                variants: Variant.of(kinds), writerCounts: counts, recordSizes: sizes, readers: readers,
                geometry: geometry, seconds: duration, repetitions: repetitions, cpus: cpus, placement: memory,
                topology: topology)
        } catch let error as BenchOptionError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let sweep = try makeSweep()
        let machine = Machine.describe(topology: sweep.topology, cpus: sweep.cpus, placement: sweep.placement)
        print(machine.text + "\n")
        printMethod()
        let rows = try sweep.run()
        try writeResults(rows, machine: machine, json: json, csv: csv)
    }
}

/// How the numbers are made, printed under the machine.
func printMethod() {
    print(
        """
        Method: writers pinned round-robin over the CPUs, released together; each point is one warm-up
        run (discarded) and N measured runs, each on a fresh ring; records/s is the median (min-max).
        Every write: CLOCK_MONOTONIC timestamp, same metadata, payload hashed and sealed with the seq
        (same checksum for all). A refused write (ring full of records still being written) is counted
        as failed and followed by sched_yield(). Latency: 1 write in 64 per writer (random) timed with
        a second clock read; per-writer HdrHistograms merged. allocs/w: heap allocations counted by a
        malloc interposer in writer 0's thread over the whole measured run, per write attempt.
        api=c: each record written by one C function (lockless: lockless_record_write over prb.h;
        comparators: their *_write) called from the same Swift loop; api=swift: the PrintkRing Swift API
        (lockless: write(capacity:) { append checksum; append payload }) or SwiftMutexRing.write.

        """)
}

struct PanicDemo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "panic-demo",
        abstract: "A writer freezes mid-record; a panic-mode reader still dumps everything finalized.")

    func run() throws {
        let ring = try PrintkRing(descriptorBits: 10, dataBits: 16)
        for i in 0..<10 { try ring.write("before the stuck writer: \(i)") }
        var stuck = try ring.reserve(capacity: 40)
        stuck.append("half a rec")
        for i in 0..<10 { try ring.write("after the stuck writer: \(i)") }

        let normal = ring.reader()
        let normalCount = Array(AnyIterator { normal.next() }).count
        let panic = ring.reader(panicMode: true)
        let dumped = Array(AnyIterator { panic.next() })
        print("20 records finalized around 1 stuck writer (seq \(stuck.seq))")
        print("normal reader: \(normalCount) records, then waits at the stuck record")
        print("panic reader:  \(dumped.count) records, \(panic.lostCount) skipped")
        for record in dumped.suffix(3) { print("  [\(record.seq)] \(record.text)") }
        stuck.finalize()
    }
}
