// Real OS threads for the concurrency tests of several test targets: starting and joining them
// (with a time limit), holding them back until all run, and handing their results back. (Threads,
// not tasks: the tests need threads that may spin or hold a lock without starving the cooperative
// pool.)
//
// Waits are bounded: a test that waits for another thread gives up after a time limit (one
// minute by default) and records an issue naming what it waited for, so that a core bug that
// makes a thread spin fails its test instead of hanging the run. Swift Testing's `.timeLimit`
// alone cannot do that: it records the overrun but then still waits for a synchronous test body,
// and on a two-core machine it may not even get a thread to notice.
//
// Results go from a thread to the test through ``ThreadResults``, each thread writing its own
// slot and the test reading it after `pthread_join`. ThreadSanitizer understands that edge; it
// does not see `Synchronization.Mutex` on Linux (whose futex calls it does not intercept) and
// would report accesses made under such a lock as races.

import Synchronization
import Testing

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

/// How long a test waits for another thread before it fails, unless it says otherwise.
public let defaultWaitLimit: Duration = .seconds(60)

/// A point in time after which a wait gives up.
public struct Deadline: Sendable {
    public let limit: Duration
    private let end: ContinuousClock.Instant

    /// `limit` from now.
    public init(in limit: Duration = defaultWaitLimit) {
        self.limit = limit
        end = .now + limit
    }

    public var hasPassed: Bool { ContinuousClock.now >= end }

    /// Records an issue saying what was not done within the limit.
    public func recordTimeout(waitingFor what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        Issue.record("timed out after \(limit) waiting for \(what)", sourceLocation: sourceLocation)
    }
}

/// A real OS thread whose end can be waited for with a time limit.
public final class TestThread: Sendable {
    private final class End: Sendable {
        let reached = Atomic<Bool>(false)
    }

    private let end = End()
    private let thread: pthread_t
    private let joined = Atomic<Bool>(false)

    /// Starts `body` on a thread of its own.
    public init(_ body: @escaping @Sendable () -> Void) {
        let end = self.end
        thread = startThread {
            body()
            // Releasing: paired with the acquiring load in join(within:waitingFor:); the join
            // that follows it is the edge ThreadSanitizer sees.
            end.reached.store(true, ordering: .releasing)
        }
    }

    /// Waits for the thread to end, at most `limit`. Returns true once it has ended and has been
    /// joined. Otherwise records an issue naming `what` the test waited for and returns false; the
    /// thread is left running (detached), and whatever it shares must stay alive, so the caller
    /// gives up on it and must not read what it would have left behind.
    @discardableResult
    public func join(
        within limit: Duration = defaultWaitLimit, waitingFor what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        precondition(!joined.exchange(true, ordering: .relaxed), "a thread is joined once")
        let deadline = Deadline(in: limit)
        while !end.reached.load(ordering: .acquiring) {
            if deadline.hasPassed {
                deadline.recordTimeout(waitingFor: what, sourceLocation: sourceLocation)
                pthread_detach(thread)
                return false
            }
            usleep(1000)
        }
        pthread_join(thread, nil)
        return true
    }
}

/// Results threads hand back to the test: each thread stores into its own slot, and the test reads
/// a slot only after it has joined the thread that stored it (`pthread_join`, or
/// ``TestThread/join(within:waitingFor:sourceLocation:)`` returning true). No lock: the join is
/// the happens-before edge, and ThreadSanitizer sees it.
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

    /// Returns once every thread has arrived, or after `limit` with an issue recorded.
    public func arriveAndWait(within limit: Duration = defaultWaitLimit) {
        arrived.add(1, ordering: .acquiringAndReleasing)
        let deadline = Deadline(in: limit)
        while arrived.load(ordering: .acquiring) < count {
            if deadline.hasPassed {
                return deadline.recordTimeout(waitingFor: "\(count) threads at the start line")
            }
            yieldCPU()
        }
    }
}
