/// A point in SVG user space: pixels, origin at the top left, y growing downwards.
public struct SVGPoint: Sendable, Hashable {
    public var x: Double
    public var y: Double

    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }
}

/// The shapes a line chart marks its points with, so that series stay apart in grey print too.
public enum MarkerShape: Sendable, Hashable, CaseIterable {
    case circle, square, diamond, triangle, invertedTriangle
}

/// Where a text's anchor point sits along the text.
public enum TextAnchor: String, Sendable {
    case start, middle, end
}

/// A small SVG 1.1 writer: a document built element by element, written out as text. Everything it
/// emits is plain presentation attributes (no CSS, no scripts, no external references), so any
/// renderer (browsers, rsvg-convert, GitHub's image view) draws it the same way.
public struct SVGDocument: Sendable {
    public let width: Double
    public let height: Double
    /// The font every text uses unless told otherwise; DejaVu Sans first because Linux renderers
    /// have it, then the common fallbacks.
    public static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"
    /// The id of the diagonal hatch pattern that ``rect(x:y:width:height:fill:stroke:strokeWidth:dash:opacity:)``
    /// accepts as `fill: SVGDocument.hatchFill`.
    public static let hatchFill = "url(#hatch)"

    private var definitions: [String] = []
    private var elements: [String] = []

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Escapes text for use inside an element or a double-quoted attribute.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A coordinate or length as SVG text: at most two decimals, no trailing zeros, no "-0".
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let hundredths = (value * 100).rounded()
        if hundredths == 0 { return "0" }
        let negative = hundredths < 0
        let magnitude = Int64(abs(hundredths))
        var text = String(magnitude / 100)
        let fraction = magnitude % 100
        if fraction != 0 {
            text += "." + (fraction < 10 ? "0" : "") + String(fraction)
            while text.hasSuffix("0") { text.removeLast() }
        }
        return negative ? "-" + text : text
    }

    /// An estimate of a text's rendered width in pixels (DejaVu Sans averages a little under 0.6 em
    /// per character), for layout: legends, label collisions.
    public static func textWidth(_ text: String, size: Double) -> Double {
        Double(text.count) * size * 0.62
    }

    /// Declares the diagonal hatch pattern (``hatchFill``) once.
    public mutating func defineHatch(color: String = "#444444") {
        guard !definitions.contains(where: { $0.contains("id=\"hatch\"") }) else { return }
        definitions.append(
            "<pattern id=\"hatch\" patternUnits=\"userSpaceOnUse\" width=\"7\" height=\"7\" patternTransform=\"rotate(45)\">"
                + "<rect width=\"7\" height=\"7\" fill=\"#ffffff\" fill-opacity=\"0.35\"/>"
                + "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"7\" stroke=\"\(color)\" stroke-width=\"2.5\"/></pattern>")
    }

    public mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
        strokeWidth: Double = 1, dash: String? = nil, opacity: Double? = nil
    ) {
        var element = "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(max(0, width)))\""
        element += " height=\"\(Self.number(max(0, height)))\" fill=\"\(fill)\""
        element += strokeAttributes(stroke, width: strokeWidth, dash: dash)
        if let opacity { element += " fill-opacity=\"\(Self.number(opacity))\"" }
        elements.append(element + "/>")
    }

    public mutating func line(from start: SVGPoint, to end: SVGPoint, stroke: String, width: Double = 1, dash: String? = nil) {
        elements.append(
            "<line x1=\"\(Self.number(start.x))\" y1=\"\(Self.number(start.y))\" x2=\"\(Self.number(end.x))\""
                + " y2=\"\(Self.number(end.y))\"" + strokeAttributes(stroke, width: width, dash: dash) + "/>")
    }

    public mutating func polyline(_ points: [SVGPoint], stroke: String, width: Double = 2, dash: String? = nil) {
        guard points.count > 1 else { return }
        let coordinates = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
        elements.append(
            "<polyline points=\"\(coordinates)\" fill=\"none\" stroke-linejoin=\"round\""
                + strokeAttributes(stroke, width: width, dash: dash) + "/>")
    }

    /// A marker of about `size` pixels across centred on `center`, filled, with a white rim so that
    /// overlapping markers stay distinguishable.
    public mutating func marker(_ shape: MarkerShape, at center: SVGPoint, size: Double = 8, fill: String) {
        let r = size / 2
        let rim = " stroke=\"#ffffff\" stroke-width=\"1\""
        func polygon(_ points: [(Double, Double)]) -> String {
            let coordinates = points.map { "\(Self.number(center.x + $0.0)),\(Self.number(center.y + $0.1))" }
            return "<polygon points=\"\(coordinates.joined(separator: " "))\" fill=\"\(fill)\"\(rim)/>"
        }
        switch shape {
        case .circle:
            elements.append(
                "<circle cx=\"\(Self.number(center.x))\" cy=\"\(Self.number(center.y))\" r=\"\(Self.number(r))\" fill=\"\(fill)\"\(rim)/>")
        case .square:
            let side = r * 1.7
            elements.append(
                "<rect x=\"\(Self.number(center.x - side / 2))\" y=\"\(Self.number(center.y - side / 2))\" width=\"\(Self.number(side))\""
                    + " height=\"\(Self.number(side))\" fill=\"\(fill)\"\(rim)/>")
        case .diamond:
            let d = r * 1.25
            elements.append(polygon([(0, -d), (d, 0), (0, d), (-d, 0)]))
        case .triangle:
            let d = r * 1.2
            elements.append(polygon([(0, -d), (d, d * 0.8), (-d, d * 0.8)]))
        case .invertedTriangle:
            let d = r * 1.2
            elements.append(polygon([(0, d), (d, -d * 0.8), (-d, -d * 0.8)]))
        }
    }

    /// Text at `position` (its baseline; `anchor` says which end or the middle), rotated by
    /// `rotation` degrees about that point. A halo draws a white outline under it first, for text
    /// that crosses bars or lines.
    public mutating func text(
        _ string: String, at position: SVGPoint, size: Double = 13, anchor: TextAnchor = .start, bold: Bool = false,
        fill: String = "#222222", rotation: Double = 0, halo: Bool = false
    ) {
        var attributes = " font-family=\"\(Self.fontFamily)\" font-size=\"\(Self.number(size))\""
        if anchor != .start { attributes += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { attributes += " font-weight=\"bold\"" }
        let placement: String
        if rotation == 0 {
            placement = " x=\"\(Self.number(position.x))\" y=\"\(Self.number(position.y))\""
        } else {
            placement =
                " transform=\"translate(\(Self.number(position.x)),\(Self.number(position.y))) rotate(\(Self.number(rotation)))\""
        }
        let content = Self.escape(string)
        if halo {
            elements.append(
                "<text\(placement)\(attributes) fill=\"none\" stroke=\"#ffffff\" stroke-width=\"3.5\" stroke-linejoin=\"round\">\(content)</text>")
        }
        elements.append("<text\(placement)\(attributes) fill=\"\(fill)\">\(content)</text>")
    }

    /// The document as SVG text.
    public var markup: String {
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\""
                + " viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\">",
        ]
        if !definitions.isEmpty { lines.append("<defs>" + definitions.joined() + "</defs>") }
        lines.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>")
        lines += elements
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    private func strokeAttributes(_ stroke: String?, width: Double, dash: String?) -> String {
        guard let stroke else { return "" }
        var attributes = " stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\""
        if let dash { attributes += " stroke-dasharray=\"\(dash)\"" }
        return attributes
    }
}
