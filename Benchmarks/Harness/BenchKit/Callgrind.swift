// What `prb-bench cost` reads back from valgrind: callgrind's output file and objdump's listing of
// the objects it names. Text in, numbers out; running the tools is prb-bench's business.

/// What callgrind counted in one run: its events per instruction, per function (self and
/// inclusive), and in total.
///
/// Reads the file callgrind writes with `--dump-instr=yes --dump-line=no --compress-strings=no
/// --compress-pos=no` (one address per cost line, every name written out), which is what
/// ``requiredOptions`` asks for.
public struct CallgrindProfile: Sendable, Equatable {
    /// The options the parser needs callgrind to have run with.
    public static let requiredOptions = [
        "--dump-instr=yes", "--dump-line=no", "--compress-strings=no", "--compress-pos=no",
    ]

    static let compressedNameKeys: Set<String> = ["ob", "fl", "fi", "fe", "fn", "cob", "cfi", "cfl", "cfn"]

    /// The events, in the file's order (`Ir`, then `Ge` with `--collect-bus=yes`).
    public var events: [String]
    /// The file's `totals:` line, one count per event.
    public var totals: [UInt64]
    /// Self cost of every instruction executed: object file -> object-relative address (what
    /// `objdump -d` prints for it) -> one count per event.
    public var instructions: [String: [UInt64: [UInt64]]]
    /// Inclusive cost per function: its own instructions and everything it called.
    public var inclusive: [String: [UInt64]]

    /// The count of `event` in `counts`, 0 when the run did not collect it.
    public func value(_ event: String, in counts: [UInt64]) -> UInt64 {
        guard let index = events.firstIndex(of: event), index < counts.count else { return 0 }
        return counts[index]
    }

    /// How many times the instructions at `sites` (object -> addresses) ran, summed.
    public func executions(at sites: [String: Set<UInt64>]) -> UInt64 {
        var total: UInt64 = 0
        for (object, addresses) in sites {
            guard let counts = instructions[object] else { continue }
            for address in addresses { total += counts[address]?.first ?? 0 }
        }
        return total
    }

    /// Functions by inclusive count of `event`, largest first.
    public func topFunctions(by event: String = "Ir", limit: Int) -> [(name: String, count: UInt64)] {
        inclusive.map { (name: $0.key, count: value(event, in: $0.value)) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.name < $1.name }
            .prefix(limit).map { $0 }
    }

    public init(parsing text: String) throws(CallgrindParseError) {
        events = []
        totals = []
        instructions = [:]
        inclusive = [:]
        var object = ""
        var function = ""
        // The cost line after `calls=` is the call's inclusive cost, not an instruction's own.
        var nextLineIsCall = false
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingSuffix(" ")
            if line.isEmpty || line.hasPrefix("#") { continue }
            if let first = line.first, first.isNumber || first == "+" || first == "-" || first == "*" {
                guard line.hasPrefix("0x") else { throw .compressedPositions(line: number + 1) }
                let fields = line.split(separator: " ")
                guard let address = UInt64(fields[0].dropFirst(2), radix: 16) else {
                    throw .badCostLine(line: number + 1)
                }
                var counts = [UInt64](repeating: 0, count: events.count)
                for (index, field) in fields.dropFirst().enumerated() where index < counts.count {
                    guard let count = UInt64(field) else { throw .badCostLine(line: number + 1) }
                    counts[index] = count
                }
                inclusive[function, default: Array(repeating: 0, count: events.count)].add(counts)
                if nextLineIsCall {
                    nextLineIsCall = false
                } else {
                    instructions[object, default: [:]][address, default: Array(repeating: 0, count: events.count)]
                        .add(counts)
                }
                continue
            }
            guard let equals = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            let key = line[..<equals]
            let value = String(line[line.index(after: equals)...].drop { $0 == " " })
            if Self.compressedNameKeys.contains(String(key)), value.isCompressedName {
                throw .compressedNames(line: number + 1)
            }
            switch key {
            case "events": events = value.split(separator: " ").map(String.init)
            case "totals":
                totals = try value.split(separator: " ").map { field throws(CallgrindParseError) in
                    guard let count = UInt64(field) else { throw .badCostLine(line: number + 1) }
                    return count
                }
            case "ob": object = value
            case "fn": function = value
            case "calls": nextLineIsCall = true
            default: break
            }
        }
        guard !events.isEmpty else { throw .noEvents }
        if totals.isEmpty {
            totals = Array(repeating: 0, count: events.count)
            for counts in instructions.values.flatMap(\.values) { totals.add(counts) }
        }
    }
}

/// Why a callgrind output file could not be read.
public enum CallgrindParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case noEvents
    case badCostLine(line: Int)
    case compressedPositions(line: Int)
    case compressedNames(line: Int)

    static var options: String { CallgrindProfile.requiredOptions.joined(separator: " ") }

    public var description: String {
        switch self {
        case .noEvents: "no `events:` line: not a callgrind output file"
        case .badCostLine(let line): "line \(line): a cost line that is not numbers"
        case .compressedPositions(let line): "line \(line): relative positions; run callgrind with \(Self.options)"
        case .compressedNames(let line): "line \(line): compressed names; run callgrind with \(Self.options)"
        }
    }
}

/// The instructions that lock the bus (or the cache line) on x86-64: every `lock`-prefixed one, and
/// `xchg` with a memory operand, which locks without the prefix (it is what a sequentially
/// consistent store compiles to).
public enum LockedInstructions {
    /// The addresses of the locked instructions in `objdump -d --no-show-raw-insn` output.
    public static func sites(inObjdump text: String) -> Set<UInt64> {
        var sites = Set<UInt64>()
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let addressText = line[..<colon].drop { $0 == " " }
            guard !addressText.isEmpty, let address = UInt64(addressText, radix: 16) else { continue }
            let instruction = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            if isLocked(instruction) { sites.insert(address) }
        }
        return sites
    }

    /// Whether one disassembled instruction (`lock cmpxchg %rcx,(%rdx)`) locks.
    public static func isLocked(_ instruction: Substring) -> Bool {
        if instruction.hasPrefix("lock ") || instruction == "lock" { return true }
        // xchg between registers (also the nop `xchg %ax,%ax`, and valgrind's client-request
        // marker `xchg %rbx,%rbx`) does not lock.
        return instruction.hasPrefix("xchg") && instruction.contains("(")
    }
}

extension Array where Element == UInt64 {
    fileprivate mutating func add(_ other: [UInt64]) {
        for index in indices where index < other.count { self[index] += other[index] }
    }
}

extension String {
    /// `(12)` or `(12) name`: callgrind's name compression.
    fileprivate var isCompressedName: Bool {
        guard first == "(", let close = firstIndex(of: ")") else { return false }
        let digits = self[index(after: startIndex)..<close]
        return !digits.isEmpty && digits.allSatisfy(\.isNumber)
    }
}

extension Substring {
    fileprivate func trimmingSuffix(_ character: Character) -> Substring {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == character { end = index(before: end) }
        return self[..<end]
    }
}
