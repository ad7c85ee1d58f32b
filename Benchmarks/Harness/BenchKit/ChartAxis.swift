import Foundation

/// "Nice numbers" for axis ticks (Heckbert, Graphics Gems, 1990): steps of 1, 2 or 5 times a power
/// of ten, and bounds that are multiples of the step.
public enum NiceNumber {
    /// The nice number near `value`: rounded to the closest of 1, 2, 5, 10 × 10^k when `round`,
    /// else the smallest of them not below `value`.
    public static func nice(_ value: Double, round: Bool) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let exponent = floor(log10(value))
        let power = pow(10, exponent)
        let fraction = value / power
        let niceFraction: Double
        if round {
            niceFraction = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            niceFraction = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return niceFraction * power
    }

    /// About `count` ticks covering `lower...upper`, evenly spaced by a nice step, starting and
    /// ending on multiples of it.
    public static func ticks(from lower: Double, to upper: Double, count: Int = 5) -> [Double] {
        var (lower, upper) = (min(lower, upper), max(lower, upper))
        if upper == lower { upper = lower + (lower == 0 ? 1 : abs(lower) * 0.1) }
        let range = nice(upper - lower, round: false)
        let step = nice(range / Double(max(1, count - 1)), round: true)
        let first = floor(lower / step + 1e-9)
        let last = ceil(upper / step - 1e-9)
        // Multiply instead of accumulating, and round to the step's decimals, so that 0.1 * 3 prints as 0.3.
        let decimals = max(0, -Int(floor(log10(step))))
        let scale = pow(10, Double(decimals))
        return stride(from: first, through: last, by: 1).map { (($0 * step) * scale).rounded() / scale }
    }
}

/// How an axis prints its values.
public enum ValueFormat: Sendable, Hashable {
    /// Plain numbers: 0, 2.5, 10.
    case plain
    /// Nanoseconds as 50 ns, 2 µs, 1.5 ms, 2 s.
    case nanoseconds
    /// Millions: 12.5M.
    case millions
    /// A ratio: 0.5×.
    case ratio
    /// A percentage: 95%.
    case percent

    public func format(_ value: Double) -> String {
        switch self {
        case .plain: return Self.compact(value)
        case .millions: return Self.compact(value / 1e6) + "M"
        case .ratio: return Self.compact(value) + "×"
        case .percent: return Self.compact(value) + "%"
        case .nanoseconds:
            let magnitude = abs(value)
            if magnitude >= 1e9 { return Self.compact(value / 1e9) + " s" }
            if magnitude >= 1e6 { return Self.compact(value / 1e6) + " ms" }
            if magnitude >= 1e3 { return Self.compact(value / 1e3) + " µs" }
            return Self.compact(value) + " ns"
        }
    }

    /// Up to three significant digits, no trailing zeros: 0.05, 1.5, 12, 311.
    static func compact(_ value: Double) -> String {
        let magnitude = abs(value)
        let decimals = magnitude == 0 || magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}

/// A value axis: where values go along it (a fraction from its lower end), and which ticks it
/// labels. Linear axes use nice-number ticks; logarithmic ones decades, with 2 and 5 in between
/// when the range is short.
public struct ValueAxis: Sendable, Hashable {
    public enum Scale: Sendable, Hashable { case linear, logarithmic }

    public let scale: Scale
    public let lower: Double
    public let upper: Double
    /// Labelled ticks, ascending.
    public let ticks: [Double]
    /// Grid lines without labels (logarithmic axes: 2...9 × 10^k).
    public let minorTicks: [Double]

    /// A linear axis covering `values` (and 0, unless `includeZero` is false) with about
    /// `tickCount` nice ticks.
    public static func linear(covering values: [Double], includeZero: Bool = true, tickCount: Int = 6) -> ValueAxis {
        let finite = values.filter(\.isFinite)
        var lower = finite.min() ?? 0
        var upper = finite.max() ?? 1
        if includeZero {
            lower = min(lower, 0)
            upper = max(upper, 0)
        }
        let ticks = NiceNumber.ticks(from: lower, to: upper, count: tickCount)
        return ValueAxis(scale: .linear, lower: ticks.first!, upper: ticks.last!, ticks: ticks, minorTicks: [])
    }

    /// A logarithmic axis over the positive `values`. Up to three decades it runs from the
    /// 1, 2 or 5 × 10^k at or below the smallest value to the one at or above the largest, labelling
    /// each 1, 2 and 5; beyond, from decade to decade, labelling the decades. Values that are not
    /// positive are ignored.
    public static func logarithmic(covering values: [Double]) -> ValueAxis {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        let smallest = positive.min() ?? 1
        let largest = max(positive.max() ?? 10, smallest)
        let lowExponent = Int(floor(log10(smallest) + 1e-9))
        var highExponent = Int(ceil(log10(largest) - 1e-9))
        if highExponent <= lowExponent { highExponent = lowExponent + 1 }
        let steps = (lowExponent...highExponent).flatMap { exponent in
            [1.0, 2, 5].map { $0 * pow(10, Double(exponent)) }
        }
        let minor = (lowExponent..<highExponent).flatMap { exponent in
            (2...9).map { Double($0) * pow(10, Double(exponent)) }
        }
        if highExponent - lowExponent <= 3 {
            let lower = steps.last { $0 <= smallest * (1 + 1e-9) } ?? steps[0]
            var upper = steps.first { $0 >= largest * (1 - 1e-9) } ?? steps[steps.count - 1]
            if upper <= lower { upper = steps.first { $0 > lower } ?? lower * 10 }
            let ticks = steps.filter { $0 >= lower * (1 - 1e-9) && $0 <= upper * (1 + 1e-9) }
            return ValueAxis(
                scale: .logarithmic, lower: lower, upper: upper, ticks: ticks,
                minorTicks: minor.filter { $0 > lower && $0 < upper && !ticks.contains($0) })
        }
        let ticks = (lowExponent...highExponent).map { pow(10, Double($0)) }
        return ValueAxis(
            scale: .logarithmic, lower: ticks[0], upper: ticks[ticks.count - 1], ticks: ticks, minorTicks: minor)
    }

    /// A fixed linear axis, for example 0...100 percent in steps of 20.
    public static func fixed(_ lower: Double, _ upper: Double, step: Double) -> ValueAxis {
        let count = Int(((upper - lower) / step).rounded())
        return ValueAxis(
            scale: .linear, lower: lower, upper: upper, ticks: (0...count).map { lower + Double($0) * step }, minorTicks: [])
    }

    /// Where `value` lies along the axis: 0 at `lower`, 1 at `upper` (outside for values beyond;
    /// non-positive values on a logarithmic axis go to its lower end).
    public func fraction(_ value: Double) -> Double {
        switch scale {
        case .linear:
            return (value - lower) / (upper - lower)
        case .logarithmic:
            guard value > 0 else { return 0 }
            return (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
    }
}
