// Waits that fail a test instead of hanging it: a test that waits for another thread gives up
// after a time limit (a minute by default) and records an issue naming what it waited for, so
// that a core bug that makes a thread spin fails its test instead of hanging the run. Swift
// Testing's `.timeLimit` alone cannot do that: it records the overrun but then still waits for a
// synchronous test body, and on a two-core machine it may not even get a thread to notice.
//
// Shared by the test support of both packages (Benchmarks/Tests/TestSupport/BoundedWaits.swift is
// a symlink to this file); the waits themselves are Threads.swift's and Clock.swift's.

import Testing

// In the benchmark package the threads and the clock are HarnessSupport's; in the library's
// TestSupport they are compiled into this module (the symlinks).
#if canImport(HarnessSupport)
    import HarnessSupport
#endif

/// How long a test waits for another thread before it fails, unless it says otherwise.
public let defaultWaitLimit: Duration = .seconds(60)

extension Duration {
    /// The duration in whole nanoseconds (0 if negative, `UInt64.max` if it does not fit).
    public var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : whole &+ UInt64(attoseconds / 1_000_000_000)
    }
}

/// A point in time after which a wait gives up.
public struct Deadline: Sendable {
    public let limit: Duration
    private let end: UInt64

    /// `limit` from now.
    public init(in limit: Duration = defaultWaitLimit) {
        self.limit = limit
        end = monotonicNanoseconds() &+ limit.nanoseconds
    }

    public var hasPassed: Bool { monotonicNanoseconds() >= end }

    /// Records an issue saying what was not done within the limit.
    public func recordTimeout(waitingFor what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        Issue.record("timed out after \(limit) waiting for \(what)", sourceLocation: sourceLocation)
    }
}

extension OSThread {
    /// Waits for the thread to end, at most `limit`. Returns true once it has ended and has been
    /// joined. Otherwise records an issue naming `what` the test waited for and returns false; the
    /// thread is left running (detached), and whatever it shares must stay alive, so the caller
    /// gives up on it and must not read what it would have left behind.
    @discardableResult
    public func join(
        within limit: Duration = defaultWaitLimit, waitingFor what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        guard join(timeoutNanoseconds: limit.nanoseconds) else {
            Issue.record("timed out after \(limit) waiting for \(what)", sourceLocation: sourceLocation)
            return false
        }
        return true
    }
}

extension StartLine {
    /// Returns once every thread has arrived, or after `limit` with an issue recorded.
    public func arriveAndWait(within limit: Duration, sourceLocation: SourceLocation = #_sourceLocation) {
        if !arriveAndWait(timeoutNanoseconds: limit.nanoseconds) {
            Issue.record("timed out after \(limit) waiting for \(count) threads at the start line", sourceLocation: sourceLocation)
        }
    }
}
