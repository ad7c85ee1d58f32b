import BenchKit
import CBenchSupport
import Foundation
import Histogram
import Comparators

/// Progress and warnings: standard error, so that standard output holds only results.
func progress(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Whether this binary was built without optimization.
var isDebugBuild: Bool {
    #if DEBUG
        true
    #else
        false
    #endif
}

/// The machine a report was measured on.
struct Machine {
    var fields: [(String, String)] = []

    static func describe(topology: Topology, cpus: CPUList, placement: MemoryPlacement) -> Machine {
        var machine = Machine()
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
            ?? "unknown"
        machine.fields.append(("cpu model", model))
        machine.fields.append(("cpus allowed", "\(topology.allowedCPUs) (\(topology.allowedCPUs.cpus.count))"))
        machine.fields.append(("cpus used", "\(cpus) (\(cpus.cpus.count))"))
        let nodes = topology.nodes
        let numa =
            topology.numaAvailable
            ? "libnuma: \(bench_numa_max_node() + 1) node(s); " + nodes.map { node in
                "node \(node): CPUs \(CPUList(cpus.cpus.filter { topology.nodeOfCPU[$0] == node }))"
            }.joined(separator: "; ")
            : "libnuma reports no NUMA: one node"
        machine.fields.append(("numa", numa))
        machine.fields.append(("ring memory", placement.description))
        var name = utsname()
        uname(&name)
        func field<T>(_ value: inout T) -> String {
            withUnsafeBytes(of: &value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        machine.fields.append(("kernel", "\(field(&name.sysname)) \(field(&name.release)) \(field(&name.machine))"))
        machine.fields.append(("swift", swiftVersion()))
        machine.fields.append(
            ("build", isDebugBuild ? "DEBUG (unoptimized: numbers are meaningless; use -c release)" : "release"))
        return machine
    }

    /// `swift --version`'s first line when a toolchain is on PATH, else the compiler this was built with.
    static func swiftVersion() -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        if (try? process.run()) != nil {
            process.waitUntilExit()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.contains("Swift version") }) {
                return String(line)
            }
        }
        #if compiler(>=6.3)
            return "built with Swift 6.3 or later"
        #else
            return "built with Swift before 6.3"
        #endif
    }

    var text: String {
        let width = fields.map(\.0.count).max() ?? 0
        var lines = fields.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
        if isDebugBuild {
            lines.insert(String(repeating: "!", count: 78), at: 0)
            lines.insert("!! DEBUG BUILD: run `swift run -c release prb-bench` (or scripts/bench.sh) for real numbers", at: 1)
            lines.insert(String(repeating: "!", count: 78), at: 2)
        }
        return "Machine\n" + lines.joined(separator: "\n")
    }

    var dictionary: [String: String] { Dictionary(fields, uniquingKeysWith: { a, _ in a }) }
}

/// A plain text table with aligned columns (numbers right-aligned).
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    /// Columns of words, left-aligned; all others hold numbers and are right-aligned.
    static let textColumns: Set<String> = [
        "impl", "api", "scenario", "frozen at", "dump", "deadlocked", "notes", "path", "function",
    ]

    var text: String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String], header: Bool) -> String {
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return header || Self.textColumns.contains(headers[index]) ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        return ([line(headers, header: true), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
            + rows.map { line($0, header: false) }).joined(separator: "\n")
    }
}

/// Short human numbers: 12.3M, 456k, 7.89.
func human(_ value: Double?) -> String {
    guard let value else { return "-" }
    let magnitude = abs(value)
    if magnitude >= 1e9 { return String(format: "%.2fG", value / 1e9) }
    if magnitude >= 1e6 { return String(format: "%.2fM", value / 1e6) }
    if magnitude >= 1e4 { return String(format: "%.0fk", value / 1e3) }
    if magnitude >= 100 || value == value.rounded() { return String(format: "%.0f", value) }
    return String(format: "%.2f", value)
}

func ratio(_ value: Double?) -> String {
    guard let value else { return "-" }
    return String(format: "%.2fx", value)
}

/// Writes `results` as JSON (`ResultsFile`) and/or CSV.
func writeResults(_ results: [ResultRow], machine: Machine, json: String?, csv: String?) throws {
    let command = CommandLine.arguments.joined(separator: " ")
    if let json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(ResultsFile(machine: machine.dictionary, command: command, results: results))
        try data.write(to: URL(fileURLWithPath: json))
        progress("wrote \(json)")
    }
    if let csv {
        try Data(CSV.encode(results).utf8).write(to: URL(fileURLWithPath: csv))
        progress("wrote \(csv)")
    }
}
