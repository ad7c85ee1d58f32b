/// A set of CPU numbers in numactl's list syntax: `0-3,8,10-11`.
public struct CPUList: Sendable, Hashable, CustomStringConvertible {
    /// The CPUs, ascending, without duplicates.
    public let cpus: [Int]

    public init<S: Sequence<Int>>(_ cpus: S) {
        self.cpus = Array(Set(cpus)).sorted()
    }

    /// Why a CPU list could not be parsed.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public let text: String
        public let reason: String
        public var description: String { "invalid CPU list \"\(text)\": \(reason)" }
    }

    /// Parses `0-3,8,10-11` (ranges inclusive, whitespace ignored).
    public init(parsing text: String) throws(ParseError) {
        var cpus: [Int] = []
        let trimmed = text.filter { !$0.isWhitespace }
        guard !trimmed.isEmpty else { throw ParseError(text: text, reason: "it is empty") }
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 1 || bounds.count == 2,
                let low = Int(bounds[0]), let high = bounds.count == 2 ? Int(bounds[1]) : low
            else { throw ParseError(text: text, reason: "\"\(part)\" is not a number or a range a-b") }
            guard low >= 0 else { throw ParseError(text: text, reason: "CPU numbers cannot be negative") }
            guard low <= high else { throw ParseError(text: text, reason: "range \(part) goes backwards") }
            guard high - low < 1 << 16 else { throw ParseError(text: text, reason: "range \(part) is too large") }
            cpus.append(contentsOf: low...high)
        }
        self.init(cpus)
    }

    /// numactl's syntax, with consecutive CPUs folded into ranges.
    public var description: String {
        var parts: [String] = []
        var index = 0
        while index < cpus.count {
            var end = index
            while end + 1 < cpus.count && cpus[end + 1] == cpus[end] + 1 { end += 1 }
            parts.append(end == index ? "\(cpus[index])" : "\(cpus[index])-\(cpus[end])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }
}
