import ArgumentParser
import CPrintkRing
import Foundation
import PrintkRing

/// The benchmark executable. For now: one writer's records/s through the Swift API and the C API
/// of the lockless ring, measured alternately in the same run, and a panic-dump demonstration.
/// The full suite (pinned threads, NUMA placement, comparators) grows here.
@main
struct PrbBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prb-bench",
        abstract: "Benchmarks the lockless printk-style ring buffer.",
        subcommands: [Throughput.self, PanicDemo.self],
        defaultSubcommand: Throughput.self)
}

/// Monotonic nanoseconds.
@inline(__always)
func now() -> UInt64 { prb_clock_ns() }

func progress(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

struct Throughput: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Single-writer records/s, Swift API against C API (same ring size, same run).")

    @Option(help: "Seconds per measurement.") var duration: Double = 1.0
    @Option(help: "Measured repetitions per API (one more is run first as warm-up).") var repetitions: Int = 5
    @Option(help: "Text bytes per record.") var recordSize: Int = 64
    @Option(help: "log2 of the number of descriptors.") var descBits: Int = 16
    @Option(help: "log2 of the text ring's size in bytes.") var dataBits: Int = 22

    func validate() throws {
        guard duration > 0, repetitions > 0, recordSize >= 0 else {
            throw ValidationError("duration and repetitions must be positive, record size non-negative")
        }
    }

    /// Writes through `write` until `duration` has passed; returns records/s.
    func measure(_ write: () -> Bool) -> Double {
        let end = now() + UInt64(duration * 1e9)
        var records = 0
        var t = now()
        while t < end {
            for _ in 0..<256 where write() { records += 1 }
            t = now()
        }
        return Double(records) / duration
    }

    func run() throws {
        let ring = try PrintkRing(descriptorBits: descBits, dataBits: dataBits)
        guard recordSize <= ring.maxRecordSize else {
            throw ValidationError("record size \(recordSize) exceeds the ring's maximum \(ring.maxRecordSize)")
        }
        let cRing = prb_ring_create(UInt32(descBits), UInt32(dataBits), nil)!
        defer { prb_ring_destroy(cRing) }
        let payload = [UInt8](repeating: 0x61, count: recordSize)

        var swiftRates: [Double] = []
        var cRates: [Double] = []
        payload.withUnsafeBytes { bytes in
            let metadata = RecordMetadata(level: .info)
            var meta = prb_meta(timestamp_ns: 0, caller_id: 0, level: 6, facility: 0, flags: 0)
            for repetition in 0...repetitions {
                let swift = measure { (try? ring.write(bytes, metadata: metadata)) != nil }
                let c = measure { prb_write(cRing, bytes.baseAddress, bytes.count, &meta, nil) == PRB_OK }
                progress("repetition \(repetition)\(repetition == 0 ? " (warm-up)" : ""): swift \(Int(swift))/s, c \(Int(c))/s")
                if repetition > 0 {
                    swiftRates.append(swift)
                    cRates.append(c)
                }
            }
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        print("lockless ring, 1 writer, \(recordSize)-byte records, 2^\(descBits) descriptors, 2^\(dataBits) bytes of text")
        print("api    records/s (median)   min          max")
        for (name, rates) in [("swift", swiftRates), ("c", cRates)] {
            print(
                name.padding(toLength: 7, withPad: " ", startingAt: 0)
                    + String(format: "%-20.0f %-12.0f %.0f", median(rates), rates.min()!, rates.max()!))
        }
        print(String(format: "swift/c ratio (medians): %.3f", median(swiftRates) / median(cRates)))
    }
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

        var normal = ring.reader()
        let normalCount = Array(AnyIterator { normal.next() }).count
        var panic = ring.reader(panicMode: true)
        let dumped = Array(AnyIterator { panic.next() })
        print("20 records finalized around 1 stuck writer (seq \(stuck.seq))")
        print("normal reader: \(normalCount) records, then waits at the stuck record")
        print("panic reader:  \(dumped.count) records, \(panic.lostCount) skipped")
        for record in dumped.suffix(3) { print("  [\(record.seq)] \(record.text)") }
        stuck.finalize()
    }
}
