import CPanicHarness
import LogRings

/// A freeze (`ph_freeze`): armed at a fault point, it stops the first writer that reaches it
/// until released. See panic_harness.h.
final class Freeze: @unchecked Sendable {
    /// The C freeze (`ph_freeze *`); its semaphores and atomics do the synchronization.
    let handle: OpaquePointer

    init() throws(ScenarioError) {
        guard let handle = ph_freeze_create() else { throw .invalidConfiguration("out of memory") }
        self.handle = handle
    }

    deinit { ph_freeze_destroy(handle) }

    func arm(_ point: ph_point) { ph_freeze_arm(handle, point) }
    /// True when no writer took the freeze (and none will now).
    func disarm() -> Bool { ph_freeze_disarm(handle) }
    func wait(timeoutNanoseconds: UInt64) -> Bool { ph_freeze_wait(handle, timeoutNanoseconds) }
    func release() { ph_freeze_release(handle) }
    /// The point a writer froze at, if one did.
    var frozenAt: ph_point { ph_freeze_point(handle) }

    /// What the Swift Mutex ring's fault hook calls.
    func reached(_ point: SwiftMutexFaultPoint, seq: UInt64) {
        ph_freeze_here(handle, point == .locked ? PH_POINT_LOCKED : PH_POINT_TEXT_PARTIAL, seq)
    }
}

typealias SwiftMutexFaultPoint = SwiftMutexLogRing.FaultPoint
