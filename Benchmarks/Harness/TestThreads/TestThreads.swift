// Real OS threads for the concurrency tests of several test targets: starting and joining them,
// holding them back until all run, and a step counter two of them take turns with. (Threads, not
// tasks: the tests need threads that may spin or hold a lock without starving the cooperative
// pool.)

import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

private final class ThreadBody {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Starts a real OS thread running `body`.
public func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(
        &thread, nil,
        { context in
            Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, context)
    precondition(rc == 0, "pthread_create failed: \(rc)")
    return thread
}

/// Waits for a thread started by ``startThread(_:)``.
public func join(_ thread: pthread_t) {
    pthread_join(thread, nil)
}

/// Gives the CPU to another thread (the tests run more threads than there are cores).
public func yieldCPU() {
    sched_yield()
}

/// Holds threads back until all of them are running, so that they really overlap (a thread that
/// finishes before the next one starts would test nothing, and ThreadSanitizer would see no race).
public final class StartLine: Sendable {
    private let arrived = Atomic<Int>(0)
    private let count: Int

    public init(threads: Int) { count = threads }

    public func arriveAndWait() {
        arrived.add(1, ordering: .acquiringAndReleasing)
        while arrived.load(ordering: .acquiring) < count {
            yieldCPU()
        }
    }
}
