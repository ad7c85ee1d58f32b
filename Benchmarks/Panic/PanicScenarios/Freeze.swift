import CPanicHarness
import Comparators

/// A freeze (`panic_freeze`): armed at a fault point, it stops the first writer that reaches it
/// until released. See panic_harness.h.
final class Freeze: @unchecked Sendable {
    /// The C freeze (`panic_freeze *`); its semaphores and atomics do the synchronization.
    let handle: OpaquePointer

    init() throws(ScenarioError) {
        guard let handle = panic_freeze_create() else { throw .invalidConfiguration("out of memory") }
        self.handle = handle
    }

    deinit { panic_freeze_destroy(handle) }

    func arm(_ point: panic_point) { panic_freeze_arm(handle, point) }
    /// True when no writer took the freeze (and none will now).
    func disarm() -> Bool { panic_freeze_disarm(handle) }
    func wait(timeoutNanoseconds: UInt64) -> Bool { panic_freeze_wait(handle, timeoutNanoseconds) }
    func release() { panic_freeze_release(handle) }
    /// The point a writer froze at, if one did.
    var frozenAt: panic_point { panic_freeze_point(handle) }

    /// What the Swift Mutex ring's fault hook calls.
    func reached(_ point: SwiftMutexFaultPoint, seq: UInt64) {
        panic_freeze_here(handle, point == .locked ? PANIC_POINT_LOCKED : PANIC_POINT_TEXT_PARTIAL, seq)
    }
}

typealias SwiftMutexFaultPoint = SwiftMutexRing.FaultPoint
