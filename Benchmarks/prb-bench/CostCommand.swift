import ArgumentParser
import BenchKit
import CCallgrind
import Comparators
import Foundation
import HarnessSupport

// `prb-bench cost`: what a record costs, counted rather than timed. prb-bench runs itself under
// `valgrind --tool=callgrind` once per implementation and path (the hidden `cost-loop`), with
// collection switched on only around the measured loop, and reads back the instruction counts.

/// An implementation through one API, or the no-ring baseline, as a row of the cost table.
struct CostSubject: Hashable, CustomStringConvertible {
    /// A ``LogRingKind`` raw value, or ``baseline``.
    var impl: String
    var api: String

    static let baseline = "baseline"

    /// The baselines (the checksum computed in Swift, and in C), then every implementation
    /// through the API(s) the throughput rows use.
    static var all: [CostSubject] {
        [CostSubject(impl: baseline, api: "swift"), CostSubject(impl: baseline, api: "c")]
            + Variant.of(LogRingKind.allCases).map { CostSubject(impl: $0.kind.rawValue, api: $0.api) }
    }

    /// Whether this subject has a read path: every ring but fetch-add. The lockless ring is read
    /// through ``LogRing`` (api=c: `prb_read_valid`) and through `PrintkRing`'s reader (api=swift).
    func reads() -> Bool {
        switch impl {
        case Self.baseline: api == "swift"  // every reader checks the checksum in Swift
        case LogRingKind.fetchAdd.rawValue: false
        default: true
        }
    }

    var description: String { "\(impl)/\(api)" }
}

struct Cost: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Instructions and locked instructions per record (callgrind), write and read paths.",
        discussion: """
            Runs one writer of each implementation under valgrind --tool=callgrind and counts only the \
            measured loop, after a warm-up that fills and wraps the ring (steady state). Write path: \
            clock, metadata, write (hash, seal, copy). Read path: a reader draining a full ring, each \
            record copied out and its checksum checked. The baseline does the same per-record work \
            with no ring at all; its count is shown and subtracted. Locked instructions: lock-prefixed \
            ones and xchg with memory, found with objdump and counted per execution. Under valgrind \
            clock_gettime is a system call (about 10 counted instructions): write counts include it.
            """)

    @OptionGroup var options: CostOptions
    @Option(help: "Write the rows and the lockless write path's functions as JSON to this file.")
    var json: String?

    func run() throws {
        let plan = try options.plan()
        let result = try plan.run()
        print(result.text)
        if let json { try result.write(json: json) }
    }
}

struct CostOptions: ParsableArguments {
    @Option(help: "Records per measured loop (the read path drains full rings until it has read as many).")
    var records = 100_000
    @Option(help: "Implementations: baseline,lockless,spinlock,mutex,swift-mutex,spin-reserve,fetch-add.")
    var impl = ([CostSubject.baseline] + LogRingKind.allCases.map(\.rawValue)).joined(separator: ",")
    @Option(help: "Paths: write,read.")
    var path = "write,read"
    @Option(help: "Payload bytes per record.")
    var recordSize = 64
    @Option(help: "log2 of the lockless ring's descriptors.")
    var descBits = RingGeometry.kernelDefault.descBits
    @Option(help: "log2 of the bytes of record storage (every implementation gets as many).")
    var dataBits = RingGeometry.kernelDefault.dataBits
    @Option(help: "Functions in the lockless write path's breakdown.")
    var top = 12
    @Option(help: "Keep callgrind's output files in this directory (default: a temporary one, removed).")
    var keep: String?

    func plan() throws -> CostPlan {
        let impls = impl.split(separator: ",").map(String.init)
        let known = Set(CostSubject.all.map(\.impl))
        if let bad = impls.first(where: { !known.contains($0) }) {
            throw ValidationError("unknown implementation '\(bad)': one of \(known.sorted().joined(separator: ","))")
        }
        let paths = path.split(separator: ",").map(String.init)
        if let bad = paths.first(where: { $0 != "write" && $0 != "read" }) {
            throw ValidationError("unknown path '\(bad)': write or read")
        }
        guard records > 0 else { throw ValidationError("--records must be positive") }
        let geometry = RingGeometry(descBits: descBits, dataBits: dataBits)
        do { try geometry.validate() } catch { throw ValidationError(error.description) }
        guard recordSize >= 1, recordSize <= geometry.dataBytes / 8 else {
            throw ValidationError("--record-size must be 1...\(geometry.dataBytes / 8)")
        }
        return CostPlan(
            subjects: CostSubject.all.filter { impls.contains($0.impl) }, paths: paths, records: records,
            recordSize: recordSize, geometry: geometry, top: top, keep: keep)
    }
}

/// What one `cost` run measures, and how it runs valgrind.
struct CostPlan {
    var subjects: [CostSubject]
    var paths: [String]
    var records: Int
    var recordSize: Int
    var geometry: RingGeometry
    var top: Int
    var keep: String?

    /// Why the cost of a record cannot be counted here, or nil when it can.
    static func unavailableReason() -> String? {
        guard Tools.find("valgrind") != nil else { return "valgrind is not installed (apt-get install -y valgrind)" }
        guard Tools.find("objdump") != nil, Tools.find("objcopy") != nil else {
            return "objdump and objcopy are not installed (apt-get install -y binutils)"
        }
        guard cost_client_requests_available() else {
            return "prb-bench was built without valgrind/callgrind.h: rebuild it after installing valgrind"
        }
        return nil
    }

    func run() throws -> CostResult {
        if let reason = Self.unavailableReason() { throw ValidationError(reason) }
        let directory = keep ?? NSTemporaryDirectory() + "prb-bench-cost-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: directory) } }
        // Valgrind 3.19 gives up on the debug information the Swift toolchain writes ("Possibly
        // corrupted debuginfo file"), so it runs a copy without it; the symbol table stays, and
        // with it every function name.
        let executable = "\(directory)/prb-bench"
        let copy = try Tools.run(Tools.find("objcopy")!, ["--strip-debug", Tools.selfPath, executable])
        guard copy.status == 0 else { throw ValidationError("objcopy --strip-debug failed: \(copy.standardError)") }
        var disassembly = LockSiteCache()
        var measured: [(subject: CostSubject, path: String, count: CallgrindCount)] = []
        for path in paths {
            for subject in subjects where path == "write" || subject.reads() {
                progress("cost: \(subject) \(path) under callgrind")
                let count = try CallgrindCount.measure(
                    subject: subject, path: path, records: records, recordSize: recordSize, geometry: geometry,
                    executable: executable, directory: directory, disassembly: &disassembly)
                measured.append((subject, path, count))
            }
        }
        var rows: [CostRow] = []
        for (subject, path, count) in measured {
            // The baseline whose checksum is computed as this row's is: same API, or Swift's.
            let baselines = measured.filter { $0.subject.impl == CostSubject.baseline && $0.path == path }
            let baseline =
                (baselines.first { $0.subject.api == subject.api } ?? baselines.first)?.count.instructionsPerRecord
            rows.append(
                CostRow(
                    impl: subject.impl, api: subject.api, path: path, records: count.records, recordSize: recordSize,
                    descBits: geometry.descBits, dataBits: geometry.dataBits,
                    instructionsPerRecord: count.instructionsPerRecord, lockedPerRecord: count.lockedPerRecord,
                    busEventsPerRecord: count.busEventsPerRecord, baselineInstructionsPerRecord: baseline,
                    includesClock: path == "write",
                    notes: subject.impl != LogRingKind.lockless.rawValue || path != "read"
                        ? nil
                        : subject.api == "c"
                            ? "LogRing's read: prb_read_valid into a scratch buffer, then the payload copied out"
                            : "PrintkRing's Reader.next(into:)"))
        }
        let breakdown =
            measured.first { $0.subject == CostSubject(impl: "lockless", api: "swift") && $0.path == "write" }
            .map { $0.count.functions(top: top) } ?? []
        return CostResult(rows: rows, locklessWriteFunctions: breakdown, geometry: geometry, recordSize: recordSize)
    }
}

/// One callgrind run of `cost-loop`, read back.
struct CallgrindCount {
    var records: Int
    var profile: CallgrindProfile
    var locked: UInt64

    var instructionsPerRecord: Double { Double(profile.value("Ir", in: profile.totals)) / Double(records) }
    var lockedPerRecord: Double { Double(locked) / Double(records) }
    var busEventsPerRecord: Double { Double(profile.value("Ge", in: profile.totals)) / Double(records) }

    /// The top functions by inclusive instructions, per record, with demangled Swift names.
    func functions(top: Int) -> [CostFunction] {
        let chosen = profile.topFunctions(limit: top)
        let names = Tools.demangle(chosen.map(\.name))
        return zip(chosen, names).map { function, name in
            CostFunction(
                function: name, inclusivePerRecord: Double(function.count) / Double(records),
                lockedInclusivePerRecord: Double(profile.value("Ge", in: profile.inclusive[function.name] ?? []))
                    / Double(records))
        }
    }

    static func measure(
        subject: CostSubject, path: String, records: Int, recordSize: Int, geometry: RingGeometry, executable: String,
        directory: String, disassembly: inout LockSiteCache
    ) throws -> CallgrindCount {
        let output = "\(directory)/callgrind.\(subject.impl).\(subject.api).\(path).out"
        let arguments =
            ["--tool=callgrind", "--instr-atstart=no", "--collect-bus=yes", "--callgrind-out-file=\(output)"]
            + CallgrindProfile.requiredOptions
            + [
                executable, "cost-loop", "--impl", subject.impl, "--api", subject.api, "--path", path,
                "--records", String(records), "--record-size", String(recordSize), "--desc-bits",
                String(geometry.descBits), "--data-bits", String(geometry.dataBits),
            ]
        let run = try Tools.run(Tools.find("valgrind")!, arguments)
        guard run.status == 0 else {
            throw ValidationError("valgrind \(subject) \(path) exited with \(run.status):\n\(run.standardError)")
        }
        // cost-loop prints `records N`: how many the measured loop wrote or read.
        guard let line = run.standardOutput.split(separator: "\n").first(where: { $0.hasPrefix("records ") }),
            let measured = Int(line.dropFirst("records ".count)), measured > 0
        else {
            throw ValidationError("cost-loop \(subject) \(path) printed no record count:\n\(run.standardOutput)")
        }
        let profile = try CallgrindProfile(parsing: String(contentsOfFile: output, encoding: .utf8))
        var sites: [String: Set<UInt64>] = [:]
        for object in profile.instructions.keys { sites[object] = try disassembly.sites(in: object) }
        return CallgrindCount(records: measured, profile: profile, locked: profile.executions(at: sites))
    }
}

/// The locked instructions of each object file, disassembled once per run.
struct LockSiteCache {
    private var sites: [String: Set<UInt64>] = [:]

    mutating func sites(in object: String) throws -> Set<UInt64> {
        if let known = sites[object] { return known }
        var found = Set<UInt64>()
        // "???" and the like: code callgrind could not attribute to a file (none of ours).
        if FileManager.default.fileExists(atPath: object) {
            let run = try Tools.run(Tools.find("objdump")!, ["-d", "--no-show-raw-insn", object])
            guard run.status == 0 else { throw ValidationError("objdump -d \(object) failed: \(run.standardError)") }
            found = LockedInstructions.sites(inObjdump: run.standardOutput)
        }
        sites[object] = found
        return found
    }
}

/// The rows of a cost run, as a table and as JSON.
struct CostResult {
    var rows: [CostRow]
    var locklessWriteFunctions: [CostFunction]
    var geometry: RingGeometry
    var recordSize: Int

    var text: String {
        var table = TextTable(headers: [
            "impl", "api", "path", "records", "instr/rec", "minus baseline", "locked/rec", "bus events/rec",
        ])
        for row in rows {
            let clock = row.includesClock ? "*" : ""
            table.rows.append([
                row.impl, row.api, row.path, String(row.records),
                String(format: "%.1f", row.instructionsPerRecord) + clock,
                row.impl == CostSubject.baseline
                    ? "-" : row.ringInstructionsPerRecord.map { String(format: "%.1f", $0) } ?? "-",
                String(format: "%.2f", row.lockedPerRecord), String(format: "%.2f", row.busEventsPerRecord),
            ])
        }
        var lines = [
            "# Cost per record (callgrind: instructions executed, not time)", "",
            "One writer (or one reader draining a full ring), \(recordSize)-byte payloads, ring 2^\(geometry.descBits) "
                + "descriptors / 2^\(geometry.dataBits) bytes, steady state (warmed up until the ring wrapped).", "",
            table.text, "",
            "* includes one clock_gettime per record: under valgrind a system call, about 10 counted instructions",
            "  (natively a vDSO call). locked: lock-prefixed instructions and xchg with memory (objdump sites x",
            "  callgrind's per-instruction counts); bus events: callgrind's own count of atomic instructions (Ge).",
        ]
        if !locklessWriteFunctions.isEmpty {
            var functions = TextTable(headers: ["instr/rec (inclusive)", "bus events/rec", "function"])
            for function in locklessWriteFunctions {
                functions.rows.append([
                    String(format: "%.1f", function.inclusivePerRecord),
                    String(format: "%.2f", function.lockedInclusivePerRecord), function.function,
                ])
            }
            lines += ["", "# The lockless write path (Swift API) by function, inclusive", "", functions.text]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func write(json path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let machine = Machine.describe(
            topology: Topology.current(), cpus: Topology.current().allowedCPUs, placement: .local)
        let file = CostFile(
            machine: machine.dictionary, command: CommandLine.arguments.joined(separator: " "), results: rows,
            locklessWriteFunctions: locklessWriteFunctions)
        try encoder.encode(file).write(to: URL(fileURLWithPath: path))
        progress("wrote \(path)")
    }
}

/// The external tools `cost` runs.
enum Tools {
    /// This executable, for valgrind to run.
    static var selfPath: String { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path }

    /// The first executable `name` on PATH.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    struct Run {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Runs `executable` to completion, with `input` on its standard input. Standard error goes
    /// through a file, so that neither output can fill a pipe and block the tool.
    static func run(_ executable: String, _ arguments: [String], input: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let standardInput = Pipe()
        let errorPath = NSTemporaryDirectory() + "prb-bench-stderr-\(getpid())-\(UInt64.random(in: 0 ... .max))"
        guard FileManager.default.createFile(atPath: errorPath, contents: nil),
            let errorFile = FileHandle(forWritingAtPath: errorPath)
        else { throw ValidationError("cannot create \(errorPath)") }
        defer {
            try? errorFile.close()
            try? FileManager.default.removeItem(atPath: errorPath)
        }
        process.standardOutput = output
        process.standardError = errorFile
        process.standardInput = standardInput
        try process.run()
        if let input { standardInput.fileHandleForWriting.write(Data(input.utf8)) }
        try? standardInput.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }

    /// Swift symbols demangled (`swift-demangle --simplified`), others as they are; the names
    /// unchanged when the demangler is not on PATH.
    static func demangle(_ names: [String]) -> [String] {
        guard let demangler = find("swift-demangle"),
            let run = try? run(demangler, ["--simplified"], input: names.joined(separator: "\n") + "\n"),
            run.status == 0
        else { return names }
        let demangled = run.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return demangled.count >= names.count ? Array(demangled.prefix(names.count)) : names
    }
}
