import CPrintkRing

/// Nanoseconds on `CLOCK_MONOTONIC`: the clock records are stamped with, every deadline and every
/// timing of the benchmark package. The corresponding C function, which the C comparators and the
/// panic harness call, is `prb_clock_ns`.
@inlinable
public func monotonicNanoseconds() -> UInt64 {
    prb_clock_ns()
}

/// Retries `attempt` (yielding the CPU in between) until it returns a value or the clock reaches
/// `deadline` (``monotonicNanoseconds()``); `nil` then. `attempt` runs at least once, so a
/// deadline in the past makes one attempt.
@inlinable
public func retry<Value>(until deadline: UInt64, _ attempt: () -> Value?) -> Value? {
    while true {
        if let value = attempt() { return value }
        if monotonicNanoseconds() >= deadline { return nil }
        yieldCPU()
    }
}

/// Waits (yielding the CPU) until `condition` holds; false when it did not within
/// `timeoutNanoseconds`.
@inlinable
public func waitUntil(timeoutNanoseconds: UInt64, _ condition: () -> Bool) -> Bool {
    let deadline = monotonicNanoseconds() &+ timeoutNanoseconds
    return retry(until: deadline < timeoutNanoseconds ? .max : deadline) { condition() ? () : nil } != nil
}
