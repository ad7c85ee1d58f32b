/// A syslog severity, 0 (emergency) to 7 (debug), as printk uses them.
///
/// Any 8-bit value can be stored; the named levels are the eight syslog defines.
public struct LogLevel: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: UInt8

    @inlinable
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let emergency = LogLevel(rawValue: 0)
    public static let alert = LogLevel(rawValue: 1)
    public static let critical = LogLevel(rawValue: 2)
    public static let error = LogLevel(rawValue: 3)
    public static let warning = LogLevel(rawValue: 4)
    public static let notice = LogLevel(rawValue: 5)
    public static let info = LogLevel(rawValue: 6)
    public static let debug = LogLevel(rawValue: 7)

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch rawValue {
        case 0: return "emerg"
        case 1: return "alert"
        case 2: return "crit"
        case 3: return "err"
        case 4: return "warning"
        case 5: return "notice"
        case 6: return "info"
        case 7: return "debug"
        default: return "level\(rawValue)"
        }
    }

    /// Parses a level as `dmesg --level` and syslog name them (`emerg`, `alert`, `crit`, `err`,
    /// `warn`, `notice`, `info`, `debug`, and the long forms `emergency`, `critical`, `error`,
    /// `warning`), or a number 0...7. `nil` for anything else.
    public init?(parsing text: String) {
        switch text.lowercased() {
        case "emerg", "emergency", "panic": self = .emergency
        case "alert": self = .alert
        case "crit", "critical": self = .critical
        case "err", "error": self = .error
        case "warn", "warning": self = .warning
        case "notice": self = .notice
        case "info": self = .info
        case "debug": self = .debug
        default:
            guard let number = UInt8(text), number <= 7 else { return nil }
            self.init(rawValue: number)
        }
    }
}
