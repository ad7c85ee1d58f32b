extension PrintkRing {
    /// A syslog severity, stored as printk and syslog number it: 0 (emergency) to 7 (debug).
    ///
    /// Any 8-bit value can be stored; the named levels are the eight syslog defines.
    ///
    /// **Ordering is by severity, as in swift-log: the more severe level is the greater one**
    /// (`.error > .warning`, `.emergency` is the greatest), which is the opposite of the raw
    /// numbers (the kernel's `KERN_ERR` is 3, `KERN_WARNING` 4). So `level >= .warning` means
    /// "warning or worse", whatever the numbers say.
    public struct LogLevel: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
        public var rawValue: UInt8

        @inlinable
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// The system is unusable (`KERN_EMERG`, 0).
        public static let emergency = LogLevel(rawValue: 0)
        /// Action must be taken at once (`KERN_ALERT`, 1).
        public static let alert = LogLevel(rawValue: 1)
        /// Critical conditions (`KERN_CRIT`, 2).
        public static let critical = LogLevel(rawValue: 2)
        /// Error conditions (`KERN_ERR`, 3).
        public static let error = LogLevel(rawValue: 3)
        /// Warning conditions (`KERN_WARNING`, 4).
        public static let warning = LogLevel(rawValue: 4)
        /// Normal but significant (`KERN_NOTICE`, 5).
        public static let notice = LogLevel(rawValue: 5)
        /// Informational (`KERN_INFO`, 6).
        public static let info = LogLevel(rawValue: 6)
        /// Debug-level messages (`KERN_DEBUG`, 7).
        public static let debug = LogLevel(rawValue: 7)

        /// Less severe: `lhs` has the larger raw number (see the type's discussion).
        public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue > rhs.rawValue }

        /// The level's name as written in Swift (`"error"` for ``error``), or `"level<N>"` for a
        /// value outside 0...7. ``init(parsing:)`` reads it back, as well as dmesg's short names.
        public var description: String {
            switch rawValue {
            case 0: return "emergency"
            case 1: return "alert"
            case 2: return "critical"
            case 3: return "error"
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
}
