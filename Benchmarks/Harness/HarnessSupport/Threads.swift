// Real OS threads for the whole benchmark package: the benchmark's pinned writers and readers, the
// panic scenarios' frozen and busy writers, and the concurrency tests. Threads, not tasks: they
// spin, hold locks, block in fault hooks and take signals, none of which a task of the cooperative
// pool may do.

import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A POSIX thread running one closure. Join it to wait for it: everything it did happens before
/// ``join()`` returns. A thread that was never joined is joined when the object goes away.
public final class OSThread: @unchecked Sendable {
    /// The POSIX thread, to send it a signal.
    public let pthread: pthread_t
    private var joined = false

    /// Starts `body` on a new thread.
    public init(_ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        pthread = thread
    }

    /// Waits for the thread to end. Joining twice is allowed and does nothing; only the thread
    /// that started it may join it.
    public func join() {
        guard !joined else { return }
        pthread_join(pthread, nil)
        joined = true
    }

    deinit { join() }
}

private final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// A value a thread produces and another reads after joining it (the join orders the two).
public final class JoinedValue<Value>: @unchecked Sendable {
    public var value: Value?
    public init() {}
}

/// Gives the CPU to another thread (the tests and scenarios run more threads than there are cores).
@inlinable
public func yieldCPU() {
    sched_yield()
}

/// Holds threads back until all of them are running, so that they really overlap (a thread that
/// finishes before the next one starts would test nothing, and ThreadSanitizer would see no race).
public final class StartLine: Sendable {
    private let arrived = Atomic<Int>(0)
    private let count: Int

    public init(threads: Int) { count = threads }

    /// Arrives and waits (yielding the CPU) until `threads` threads have arrived.
    public func arriveAndWait() {
        // Acquiring and releasing: each thread's set-up happens before any thread leaves.
        arrived.add(1, ordering: .acquiringAndReleasing)
        while arrived.load(ordering: .acquiring) < count {
            yieldCPU()
        }
    }
}

/// A step counter threads use to take turns: one moves it, the others wait for it.
public final class Handshake: Sendable {
    private let step = Atomic<Int>(0)

    public init() {}

    /// Publishes everything this thread did so far along with the new step.
    public func advance(to value: Int) {
        // Releasing: pairs with wait(for:) and current.
        step.store(value, ordering: .releasing)
    }

    /// Waits (yielding the CPU) until the step reaches `value`; sees what the other side did before.
    public func wait(for value: Int) {
        while current < value {
            yieldCPU()
        }
    }

    /// Waits like ``wait(for:)`` for at most `timeoutNanoseconds`; false when the time ran out.
    public func wait(for value: Int, timeoutNanoseconds: UInt64) -> Bool {
        waitUntil(timeoutNanoseconds: timeoutNanoseconds) { current >= value }
    }

    public var current: Int { step.load(ordering: .acquiring) }
}
