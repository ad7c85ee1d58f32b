// Which sanitizer run this is, and the traits that choose the suites each run executes.
// scripts/test.sh sets PRB_SANITIZER=thread for the ThreadSanitizer run and PRB_SANITIZER=address
// for the AddressSanitizer run; the plain run leaves it unset. Every suite carries one of the
// traits below.

import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The run the tests are part of, from `PRB_SANITIZER`.
public enum SanitizerRun: Sendable, Hashable {
    case none, thread, address

    public static let current: SanitizerRun = {
        switch getenv("PRB_SANITIZER").map({ String(cString: $0) }) {
        case "thread": .thread
        case "address": .address
        default: .none
        }
    }()
}

extension Trait where Self == ConditionTrait {
    /// Tests of real concurrency: the plain run and the ThreadSanitizer run, not the
    /// AddressSanitizer run.
    public static var concurrent: Self {
        .enabled(if: SanitizerRun.current != .address, "concurrency tests run under ThreadSanitizer, not AddressSanitizer")
    }

    /// Unit tests: the plain run and the AddressSanitizer run, not the ThreadSanitizer run.
    public static var singleThreaded: Self {
        .enabled(if: SanitizerRun.current != .thread, "unit tests run under AddressSanitizer, not ThreadSanitizer")
    }

    /// Tests that race on purpose (a busted lock): the plain run only.
    public static var racesByDesign: Self {
        .enabled(if: SanitizerRun.current == .none, "races by design: not under a sanitizer")
    }
}
