/// The median and the range of a set of repeated measurements.
public struct Summary: Sendable, Hashable, Codable {
    public let median: Double
    public let min: Double
    public let max: Double

    /// Summarizes `values`; `nil` when there are none. With an even count the median is the mean
    /// of the two middle values.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        min = sorted[0]
        max = sorted[sorted.count - 1]
    }
}

/// Default sweeps, derived from the CPUs a run may use (nothing is fixed for one machine).
public enum Sweep {
    /// Writer counts: 1; 2 when there are at least 2 CPUs; then 2x and 4x the CPU count
    /// (oversubscribed: more writers than CPUs, pinned round-robin). Ascending, without repeats.
    public static func defaultWriterCounts(cpuCount: Int) -> [Int] {
        precondition(cpuCount > 0, "a CPU list is never empty")
        var counts = [1]
        if cpuCount >= 2 { counts.append(2) }
        counts += [2 * cpuCount, 4 * cpuCount]
        return Array(Set(counts)).sorted()
    }
}
