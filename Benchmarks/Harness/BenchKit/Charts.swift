/// How a series is drawn: its colour, line dash and marker. One per implementation, the same in
/// every chart.
public struct SeriesStyle: Sendable, Hashable {
    /// An SVG colour, for example `#0072B2`.
    public var color: String
    /// An SVG dash array (`6 4`) or nil for a solid line.
    public var dash: String?
    public var marker: MarkerShape

    public init(color: String, dash: String? = nil, marker: MarkerShape = .circle) {
        self.color = color
        self.dash = dash
        self.marker = marker
    }
}

/// One line of a legend.
public struct LegendEntry: Sendable, Hashable {
    public enum Swatch: Sendable, Hashable {
        /// A line segment with a marker: a line chart's series.
        case line(SeriesStyle)
        /// A filled box: a bar chart's series.
        case box(String)
        /// A hatched box: what hatching means.
        case hatched
        /// No swatch: an explanatory note.
        case none
    }

    public var label: String
    public var swatch: Swatch

    public init(_ label: String, swatch: Swatch) {
        self.label = label
        self.swatch = swatch
    }
}

/// The parts every chart shares: a title with subtitles, a plot area with a value axis on the left,
/// a legend on the right. Sizes are in pixels.
struct ChartFrame {
    static let titleSize = 19.0
    static let subtitleSize = 13.0
    static let tickSize = 13.0
    static let labelSize = 14.0
    static let legendSize = 13.0
    static let legendRow = 22.0

    var document: SVGDocument
    let axis: ValueAxis
    let format: ValueFormat
    let left: Double
    let top: Double
    let right: Double
    let bottom: Double

    var plotWidth: Double { right - left }
    var plotHeight: Double { bottom - top }

    /// Lays the chart out: the legend's width and the tick labels' width decide the plot area.
    init(
        width: Double, height: Double, title: String, subtitles: [String], legend: [LegendEntry], axis: ValueAxis,
        format: ValueFormat, yLabel: String, bottomSpace: Double
    ) {
        document = SVGDocument(width: width, height: height)
        self.axis = axis
        self.format = format
        let tickWidth = axis.ticks.map { SVGDocument.textWidth(format.format($0), size: Self.tickSize) }.max() ?? 20
        left = 24 + Self.labelSize + 10 + tickWidth + 10
        top = 34 + Double(subtitles.count) * 19 + 22
        let legendWidth = legend.map { SVGDocument.textWidth($0.label, size: Self.legendSize) + 44 }.max() ?? 0
        right = width - max(24, legendWidth + 36)
        bottom = height - bottomSpace

        // A long title shrinks to the width rather than run off it (bold text is about 10% wider).
        let titleSize = min(Self.titleSize, (width - 48) / (SVGDocument.textWidth(title, size: 1) * 1.1))
        document.text(title, at: SVGPoint(24, 32), size: titleSize, bold: true)
        for (index, line) in subtitles.enumerated() {
            document.text(line, at: SVGPoint(24, 32 + 21 + Double(index) * 19), size: Self.subtitleSize, fill: "#555555")
        }
        drawAxis(label: yLabel)
        drawLegend(legend, at: SVGPoint(right + 26, top + 4))
    }

    /// The y coordinate of a value, clamped to the plot area.
    func y(_ value: Double) -> Double {
        let fraction = min(max(axis.fraction(value), 0), 1)
        return bottom - fraction * plotHeight
    }

    private mutating func drawAxis(label: String) {
        for tick in axis.minorTicks {
            document.line(from: SVGPoint(left, y(tick)), to: SVGPoint(right, y(tick)), stroke: "#f0f0f0")
        }
        for tick in axis.ticks {
            let position = y(tick)
            document.line(from: SVGPoint(left, position), to: SVGPoint(right, position), stroke: "#dddddd")
            document.text(
                format.format(tick), at: SVGPoint(left - 8, position + Self.tickSize * 0.35), size: Self.tickSize,
                anchor: .end, fill: "#444444")
        }
        document.line(from: SVGPoint(left, top), to: SVGPoint(left, bottom), stroke: "#888888")
        document.line(from: SVGPoint(left, bottom), to: SVGPoint(right, bottom), stroke: "#888888")
        document.text(
            label, at: SVGPoint(24 + Self.labelSize, (top + bottom) / 2), size: Self.labelSize, anchor: .middle,
            rotation: -90)
    }

    /// The x axis's title, centred under the plot area `offset` pixels below it.
    mutating func xLabel(_ label: String, offset: Double) {
        document.text(label, at: SVGPoint((left + right) / 2, bottom + offset), size: Self.labelSize, anchor: .middle)
    }

    private mutating func drawLegend(_ entries: [LegendEntry], at origin: SVGPoint) {
        for (index, entry) in entries.enumerated() {
            let y = origin.y + Double(index) * Self.legendRow
            let middle = y - 4.5
            switch entry.swatch {
            case .line(let style):
                document.line(
                    from: SVGPoint(origin.x, middle), to: SVGPoint(origin.x + 30, middle), stroke: style.color, width: 2.5,
                    dash: style.dash)
                document.marker(style.marker, at: SVGPoint(origin.x + 15, middle), size: 9, fill: style.color)
            case .box(let color):
                document.rect(x: origin.x + 8, y: middle - 7, width: 14, height: 14, fill: color)
            case .hatched:
                document.defineHatch()
                document.rect(
                    x: origin.x + 8, y: middle - 7, width: 14, height: 14, fill: SVGDocument.hatchFill, stroke: "#444444")
            case .none:
                break
            }
            let isNote = entry.swatch == .none
            document.text(
                entry.label, at: SVGPoint(origin.x + (isNote ? 0 : 38), y), size: Self.legendSize,
                fill: isNote ? "#555555" : "#222222")
        }
    }
}

/// A line chart over categories (for example writer counts): one line with markers per series,
/// optional min–max error bars, optional horizontal reference lines.
public struct LineChart: Sendable {
    public struct Point: Sendable, Hashable {
        /// The index into ``LineChart/categories``.
        public var category: Int
        public var value: Double
        public var low: Double?
        public var high: Double?

        public init(category: Int, value: Double, low: Double? = nil, high: Double? = nil) {
            self.category = category
            self.value = value
            self.low = low
            self.high = high
        }
    }

    public struct Series: Sendable, Hashable {
        public var name: String
        public var style: SeriesStyle
        public var points: [Point]

        public init(name: String, style: SeriesStyle, points: [Point]) {
            self.name = name
            self.style = style
            self.points = points
        }
    }

    /// A dashed horizontal line across the plot, labelled at its right end.
    public struct ReferenceLine: Sendable, Hashable {
        public var value: Double
        public var label: String

        public init(value: Double, label: String) {
            self.value = value
            self.label = label
        }
    }

    public var title: String
    public var subtitles: [String] = []
    public var categories: [String]
    public var xLabel: String
    public var yLabel: String
    public var yScale: ValueAxis.Scale = .linear
    public var yFormat: ValueFormat = .plain
    public var series: [Series]
    public var referenceLines: [ReferenceLine] = []
    public var width = 1000.0
    public var height = 580.0

    public init(title: String, categories: [String], xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.categories = categories
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// The value axis: every value, error bar end and reference line fits.
    public var axis: ValueAxis {
        let values =
            series.flatMap { $0.points.flatMap { [$0.value, $0.low, $0.high].compactMap { $0 } } }
            + referenceLines.map(\.value)
        switch yScale {
        case .linear: return .linear(covering: values)
        case .logarithmic: return .logarithmic(covering: values)
        }
    }

    /// The chart as SVG text.
    public func render() -> String {
        var frame = ChartFrame(
            width: width, height: height, title: title, subtitles: subtitles,
            legend: series.map { LegendEntry($0.name, swatch: .line($0.style)) }, axis: axis, format: yFormat,
            yLabel: yLabel, bottomSpace: 62)
        let step = frame.plotWidth / Double(max(categories.count, 1))
        func x(_ category: Int) -> Double { frame.left + step * (Double(category) + 0.5) }

        for (index, category) in categories.enumerated() {
            frame.document.line(
                from: SVGPoint(x(index), frame.bottom), to: SVGPoint(x(index), frame.bottom + 5), stroke: "#888888")
            frame.document.text(
                category, at: SVGPoint(x(index), frame.bottom + 21), size: ChartFrame.tickSize, anchor: .middle,
                fill: "#444444")
        }
        frame.xLabel(xLabel, offset: 48)

        for line in referenceLines {
            let y = frame.y(line.value)
            frame.document.line(
                from: SVGPoint(frame.left, y), to: SVGPoint(frame.right, y), stroke: "#333333", width: 1.5, dash: "8 5")
            frame.document.text(
                line.label, at: SVGPoint(frame.right - 6, y - 6), size: 12, anchor: .end, fill: "#333333", halo: true)
        }

        // Series side by side within a category by a few pixels, so that error bars stay apart.
        let dodge = min(5, step * 0.5 / Double(max(series.count, 1)))
        for (index, series) in series.enumerated() {
            let offset = (Double(index) - Double(self.series.count - 1) / 2) * dodge
            let points = series.points.sorted { $0.category < $1.category }
            for point in points {
                guard let low = point.low, let high = point.high else { continue }
                let px = x(point.category) + offset
                frame.document.line(
                    from: SVGPoint(px, frame.y(low)), to: SVGPoint(px, frame.y(high)), stroke: series.style.color, width: 1.5)
                for end in [low, high] {
                    frame.document.line(
                        from: SVGPoint(px - 4, frame.y(end)), to: SVGPoint(px + 4, frame.y(end)), stroke: series.style.color,
                        width: 1.5)
                }
            }
            frame.document.polyline(
                points.map { SVGPoint(x($0.category) + offset, frame.y($0.value)) }, stroke: series.style.color, width: 2.5,
                dash: series.style.dash)
            for point in points {
                frame.document.marker(
                    series.style.marker, at: SVGPoint(x(point.category) + offset, frame.y(point.value)), size: 10,
                    fill: series.style.color)
            }
        }
        return frame.document.markup
    }
}

/// A grouped bar chart: one group per category (for example a scenario), one bar per series in
/// each group; groups can be gathered into labelled sections. A bar can carry a note, be hatched,
/// or say that it does not apply.
public struct BarChart: Sendable {
    public enum Bar: Sendable, Hashable {
        case value(Double, note: String? = nil, hatched: Bool = false)
        /// The measurement does not apply to this series: drawn as "n/a".
        case notApplicable
        /// Nothing measured: nothing drawn.
        case missing
    }

    public struct Series: Sendable, Hashable {
        public var name: String
        public var color: String

        public init(name: String, color: String) {
            self.name = name
            self.color = color
        }
    }

    /// Consecutive groups under a common label.
    public struct Section: Sendable, Hashable {
        public var label: String
        public var groups: Range<Int>

        public init(label: String, groups: Range<Int>) {
            self.label = label
            self.groups = groups
        }
    }

    public var title: String
    public var subtitles: [String] = []
    public var groups: [String]
    public var sections: [Section] = []
    public var series: [Series]
    /// `bars[group][series]`.
    public var bars: [[Bar]]
    public var yLabel: String
    /// The value axis; nil: linear from 0 over the values.
    public var axis: ValueAxis?
    public var yFormat: ValueFormat = .plain
    /// Print each bar's value (and note) by the bar.
    public var valueLabels = true
    /// Extra legend lines under the series (for example what hatching means).
    public var legendNotes: [LegendEntry] = []
    public var width = 1000.0
    public var height = 580.0

    public init(title: String, groups: [String], series: [Series], bars: [[Bar]], yLabel: String) {
        self.title = title
        self.groups = groups
        self.series = series
        self.bars = bars
        self.yLabel = yLabel
    }

    /// The chart as SVG text.
    public func render() -> String {
        let values = bars.flatMap { $0 }.compactMap { bar -> Double? in
            if case .value(let value, _, _) = bar { return value }
            return nil
        }
        let axis = self.axis ?? .linear(covering: values)
        let legend = series.map { LegendEntry($0.name, swatch: .box($0.color)) } + legendNotes
        var frame = ChartFrame(
            width: width, height: height, title: title, subtitles: subtitles, legend: legend, axis: axis, format: yFormat,
            yLabel: yLabel, bottomSpace: sections.isEmpty ? 44 : 66)
        if bars.flatMap({ $0 }).contains(where: { if case .value(_, _, true) = $0 { true } else { false } }) {
            frame.document.defineHatch()
        }

        let groupWidth = frame.plotWidth / Double(max(groups.count, 1))
        let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
        let labelSize = min(12, max(9, barWidth * 0.75))
        for (group, name) in groups.enumerated() {
            let groupLeft = frame.left + Double(group) * groupWidth
            frame.document.text(
                name, at: SVGPoint(groupLeft + groupWidth / 2, frame.bottom + 20), size: ChartFrame.tickSize,
                anchor: .middle, bold: sections.isEmpty, fill: "#333333")
            for (index, bar) in (group < bars.count ? bars[group] : []).enumerated() where index < series.count {
                let x = groupLeft + groupWidth * 0.1 + Double(index) * barWidth
                let center = x + barWidth / 2
                switch bar {
                case .missing:
                    continue
                case .notApplicable:
                    frame.document.line(
                        from: SVGPoint(x + 2, frame.bottom - 1.5), to: SVGPoint(x + barWidth - 2, frame.bottom - 1.5),
                        stroke: series[index].color, width: 3, dash: "3 2")
                    frame.document.text(
                        "n/a", at: SVGPoint(center + labelSize * 0.35, frame.bottom - 6), size: labelSize, fill: "#777777",
                        rotation: -90)
                case .value(let value, let note, let hatched):
                    // At least a sliver, so that a zero still shows its series' colour.
                    let top = min(frame.y(value), frame.bottom - 3)
                    frame.document.rect(
                        x: x + 1, y: top, width: barWidth - 2, height: frame.bottom - top, fill: series[index].color)
                    if hatched {
                        frame.document.rect(
                            x: x + 1, y: top, width: barWidth - 2, height: frame.bottom - top, fill: SVGDocument.hatchFill)
                    }
                    guard valueLabels || note != nil else { continue }
                    let label = [valueLabels ? yFormat.format(value) : nil, note].compactMap { $0 }.joined(separator: " · ")
                    let length = SVGDocument.textWidth(label, size: labelSize)
                    // Above the bar, reading upwards, when it fits under the plot's top; else inside it.
                    let baselineX = center + labelSize * 0.35
                    if top - 4 - length >= frame.top - 2 {
                        frame.document.text(
                            label, at: SVGPoint(baselineX, top - 4), size: labelSize, fill: note == nil ? "#333333" : "#9a0000",
                            rotation: -90)
                    } else {
                        frame.document.text(
                            label, at: SVGPoint(baselineX, top + 5), size: labelSize, anchor: .end,
                            fill: note == nil ? "#222222" : "#9a0000", rotation: -90, halo: true)
                    }
                }
            }
        }
        for (index, section) in sections.enumerated() {
            let start = frame.left + Double(section.groups.lowerBound) * groupWidth
            let end = frame.left + Double(section.groups.upperBound) * groupWidth
            frame.document.text(
                section.label, at: SVGPoint((start + end) / 2, frame.bottom + 44), size: ChartFrame.labelSize,
                anchor: .middle, bold: true)
            frame.document.line(
                from: SVGPoint(start + 12, frame.bottom + 28), to: SVGPoint(end - 12, frame.bottom + 28), stroke: "#999999")
            if index > 0 {
                frame.document.line(
                    from: SVGPoint(start, frame.top), to: SVGPoint(start, frame.bottom + 50), stroke: "#999999", dash: "4 4")
            }
        }
        return frame.document.markup
    }
}
