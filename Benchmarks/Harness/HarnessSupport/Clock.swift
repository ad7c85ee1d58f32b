// The Swift side's one clock and one deadline wait. (The C side's clock is prb_clock_ns, which
// this calls.) The library's tests compile this file too, through the symlink
// Tests/TestSupport/Clock.swift.

import CPrintkRing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Nanoseconds on `CLOCK_MONOTONIC`: the clock records are stamped with, every deadline and every
/// timing. The corresponding C function, which the C comparators and the panic harness call, is
/// `prb_clock_ns`.
@inlinable
public func monotonicNanoseconds() -> UInt64 {
    prb_clock_ns()
}

/// Retries `attempt` until it returns a value or the clock reaches `deadline`
/// (``monotonicNanoseconds()``); `nil` then. Between attempts it yields the CPU, or with
/// `sleeping` sleeps for a millisecond (for waits that may be long: a thread that yields in a
/// loop takes a whole CPU from the threads it waits for). `attempt` runs at least once, so a
/// deadline in the past makes one attempt.
@inlinable
public func retry<Value>(until deadline: UInt64, sleeping: Bool = false, _ attempt: () -> Value?) -> Value? {
    while true {
        if let value = attempt() { return value }
        if monotonicNanoseconds() >= deadline { return nil }
        if sleeping { usleep(1_000) } else { yieldCPU() }
    }
}

/// Waits until `condition` holds, as ``retry(until:sleeping:_:)`` does; false when it did not
/// within `timeoutNanoseconds` (`.max`: no limit).
@inlinable
public func waitUntil(timeoutNanoseconds: UInt64, sleeping: Bool = false, _ condition: () -> Bool) -> Bool {
    let now = monotonicNanoseconds()
    let deadline = timeoutNanoseconds > UInt64.max - now ? UInt64.max : now + timeoutNanoseconds
    return retry(until: deadline, sleeping: sleeping) { condition() ? () : nil } != nil
}
