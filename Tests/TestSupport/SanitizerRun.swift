// Which tests a run executes, chosen by what each suite does rather than by its name.
//
// scripts/test.sh makes three runs of the same tests: a plain one, one under ThreadSanitizer and
// one under AddressSanitizer. It says which in the environment variable PRB_SANITIZER (`thread`,
// `address`, or unset for the plain run), and each suite carries one of the traits below:
//
//     @Suite(.concurrent) struct StressTests { ... }        plain and TSan runs
//     @Suite(.singleThreaded) struct DataRingTests { ... }  plain and ASan runs
//     @Suite(.racesByDesign) struct LockBustTests { ... }   plain run only
//
// A suite skipped in a run is reported as skipped, with the reason below.

import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The sanitizer the current test process runs under, as scripts/test.sh declares it in
/// `PRB_SANITIZER`.
public enum SanitizerRun: Sendable {
    /// The plain run: `PRB_SANITIZER` unset or empty.
    case none
    /// `PRB_SANITIZER=thread`: `swift test --sanitize=thread`.
    case thread
    /// `PRB_SANITIZER=address`: `swift test --sanitize=address`.
    case address

    /// Read once from the environment. Any other value stops the run: a misspelt name would
    /// otherwise run the wrong tests in silence.
    public static let current: SanitizerRun = {
        guard let raw = getenv("PRB_SANITIZER"), raw.pointee != 0 else { return .none }
        switch String(cString: raw) {
        case "thread": return .thread
        case "address": return .address
        case let other: fatalError("PRB_SANITIZER=\(other): expected thread, address, or unset")
        }
    }()
}

extension Trait where Self == ConditionTrait {
    /// Real threads racing on shared state: runs in the plain and the ThreadSanitizer runs, not
    /// under AddressSanitizer (which would only slow the races down).
    public static var concurrent: Self {
        .enabled(if: SanitizerRun.current != .address, "concurrent: runs in the plain and the ThreadSanitizer runs")
    }

    /// One thread: runs in the plain and the AddressSanitizer runs, not under ThreadSanitizer
    /// (there is nothing for it to see).
    public static var singleThreaded: Self {
        .enabled(
            if: SanitizerRun.current != .thread, "single-threaded: runs in the plain and the AddressSanitizer runs")
    }

    /// Threads that race on purpose (a lock being broken, a torn read being provoked): runs in
    /// the plain run only, never under ThreadSanitizer, which would rightly report the race.
    public static var racesByDesign: Self {
        .enabled(if: SanitizerRun.current == .none, "races by design: runs in the plain run only")
    }
}
