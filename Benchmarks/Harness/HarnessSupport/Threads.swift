// Real OS threads, for the benchmark (its pinned writers and readers), the panic scenarios (their
// frozen and busy writers) and the concurrency tests of both packages. Threads, not tasks: they
// spin, hold locks, block in fault hooks and take signals, none of which a task of the
// cooperative pool may do.
//
// One file for the whole repository: the library's tests compile it too, through the symlink
// Tests/TestSupport/Threads.swift (two packages cannot share a module that is not a product, and
// the library vends nothing but itself). It depends on the standard library and Glibc only.
//
// Results go from a thread to whoever joins it through JoinedValue or ThreadResults: each thread
// writes its own slot, the joiner reads it after the join. ThreadSanitizer understands that edge;
// it does not see Synchronization.Mutex on Linux (whose futex calls it does not intercept) and
// would report accesses made under such a lock as races.

import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A POSIX thread running one closure. Join it to wait for it: everything it did happens before
/// ``join()`` returns. A thread that was never joined (nor given up on) is joined when the object
/// goes away.
public final class OSThread: Sendable {
    /// The POSIX thread, to send it a signal.
    public let pthread: pthread_t
    /// Set by the thread as its last act: lets ``join(timeoutNanoseconds:)`` wait with a limit.
    private let ended: Ended
    /// Joined, or given up on and detached: either way it must not be joined again.
    private let done = Atomic<Bool>(false)

    private final class Ended: Sendable {
        let flag = Atomic<Bool>(false)
    }

    /// Starts `body` on a new thread.
    public init(_ body: @escaping @Sendable () -> Void) {
        let ended = Ended()
        let run: @Sendable () -> Void = {
            body()
            // Releasing: pairs with the acquiring load in join(timeoutNanoseconds:); the
            // pthread_join that follows it is the edge ThreadSanitizer sees.
            ended.flag.store(true, ordering: .releasing)
        }
        let context = Unmanaged.passRetained(ThreadBody(run)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        pthread = thread
        self.ended = ended
    }

    /// Waits for the thread to end. Joining twice is allowed and does nothing.
    public func join() {
        guard !done.exchange(true, ordering: .relaxed) else { return }
        pthread_join(pthread, nil)
    }

    /// Waits for the thread to end, at most `timeoutNanoseconds`. True once it has ended and has
    /// been joined; false when the time ran out: the thread is then left running, detached, and
    /// the caller gives up on it (whatever it shares must stay alive, and what it would have left
    /// behind must not be read).
    public func join(timeoutNanoseconds: UInt64) -> Bool {
        let finished = waitUntil(timeoutNanoseconds: timeoutNanoseconds, sleeping: true) {
            ended.flag.load(ordering: .acquiring)
        }
        guard !done.exchange(true, ordering: .relaxed) else { return finished }
        if finished {
            pthread_join(pthread, nil)
        } else {
            pthread_detach(pthread)
        }
        return finished
    }

    deinit { join() }
}

private final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// A value a thread produces and another reads after joining it (the join orders the two).
public final class JoinedValue<Value>: @unchecked Sendable {
    // @unchecked: written by one thread, read only after joining it.
    public var value: Value?
    public init() {}
}

/// Values threads hand back: each thread stores into its own slot, and a slot is read only after
/// the thread that stored it has been joined. No lock: the join is the happens-before edge.
public final class ThreadResults<Value: Sendable>: @unchecked Sendable {
    // @unchecked: slots are written by one thread each and read only after the join above.
    private let slots: UnsafeMutablePointer<Value?>
    public let count: Int

    /// `count` empty slots, one per thread.
    public init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    /// Called by the thread that owns slot `index`, and by no other.
    public func store(_ value: Value, at index: Int) {
        precondition(index >= 0 && index < count)
        slots[index] = value
    }

    /// Read after the thread that owns slot `index` has been joined; nil if it stored nothing.
    public subscript(index: Int) -> Value? {
        precondition(index >= 0 && index < count)
        return slots[index]
    }

    /// Every slot's value, in slot order, skipping empty slots. Read after every thread is joined.
    public var values: [Value] { (0..<count).compactMap { slots[$0] } }
}

/// Gives the CPU to another thread (tests and scenarios run more threads than there are cores).
@inlinable
public func yieldCPU() {
    sched_yield()
}

/// Holds threads back until all of them are running, so that they really overlap (a thread that
/// finishes before the next one starts would test nothing, and ThreadSanitizer would see no race).
public final class StartLine: Sendable {
    private let arrived = Atomic<Int>(0)
    public let count: Int

    public init(threads: Int) { count = threads }

    /// Arrives and waits (yielding the CPU) until `count` threads have arrived, at most
    /// `timeoutNanoseconds`; false when the time ran out.
    @discardableResult
    public func arriveAndWait(timeoutNanoseconds: UInt64 = .max) -> Bool {
        // Acquiring and releasing: each thread's set-up happens before any thread leaves.
        arrived.add(1, ordering: .acquiringAndReleasing)
        return waitUntil(timeoutNanoseconds: timeoutNanoseconds) { arrived.load(ordering: .acquiring) >= count }
    }
}

/// A step counter threads use to take turns: one moves it, the others wait for it.
public final class Handshake: Sendable {
    private let step = Atomic<Int>(0)

    public init() {}

    /// Publishes everything this thread did so far along with the new step.
    public func advance(to value: Int) {
        // Releasing: pairs with the acquiring load in `current`.
        step.store(value, ordering: .releasing)
    }

    /// Waits (yielding the CPU) until the step reaches `value`, at most `timeoutNanoseconds`;
    /// sees what the other side did before. False when the time ran out.
    @discardableResult
    public func wait(for value: Int, timeoutNanoseconds: UInt64 = .max) -> Bool {
        waitUntil(timeoutNanoseconds: timeoutNanoseconds) { current >= value }
    }

    public var current: Int { step.load(ordering: .acquiring) }
}
