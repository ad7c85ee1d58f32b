/// The share of repeated runs in which something happened (a panic dump that returned anything),
/// in percent, and its spread: the runs, in order, are cut into at most `blocks` blocks of nearly
/// equal size and the share is taken in each; the spread is the smallest and the largest of those.
public struct ShareOfRuns: Sendable, Hashable {
    public let percent: Double
    public let minPercent: Double
    public let maxPercent: Double

    /// `nil` when there are no runs.
    public init?(_ happened: [Bool], blocks: Int) {
        guard !happened.isEmpty, blocks >= 1 else { return nil }
        func share(_ runs: ArraySlice<Bool>) -> Double { 100 * Double(runs.filter { $0 }.count) / Double(runs.count) }
        percent = share(happened[...])
        let count = min(blocks, happened.count)
        let shares = (0..<count).map { block in
            share(happened[block * happened.count / count..<(block + 1) * happened.count / count])
        }
        minPercent = shares.min()!
        maxPercent = shares.max()!
    }

    /// "70% (55-80)", or "100%" when every block agrees.
    public var text: String {
        func whole(_ value: Double) -> String { "\(Int(value.rounded()))" }
        return minPercent == maxPercent
            ? "\(whole(percent))%" : "\(whole(percent))% (\(whole(minPercent))-\(whole(maxPercent)))"
    }
}
