#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real OS thread: the scenarios need threads that may block in a fault hook, hold a lock, or
/// take a signal, none of which a task of the cooperative pool may do.
final class OSThread {
    let thread: pthread_t
    private var joined = false

    init(_ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        self.thread = thread
    }

    /// Waits for the thread to end; everything it did happens before this returns.
    func join() {
        guard !joined else { return }
        pthread_join(thread, nil)
        joined = true
    }

    deinit { precondition(joined, "an OSThread was never joined") }
}

private final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// A value a thread produces and another reads after joining it (pthread_join orders the two).
final class JoinedBox<Value>: @unchecked Sendable {
    var value: Value?
}
