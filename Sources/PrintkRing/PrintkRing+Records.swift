extension PrintkRing {
    /// Records as they are written: an asynchronous sequence that returns what the ring holds and
    /// then waits for new records, until its task is cancelled.
    ///
    /// ```swift
    /// for await record in ring.records() {
    ///     print(record)
    /// }
    /// ```
    ///
    /// It waits the way `prb-dump --follow` does: when it has caught up it sleeps for
    /// `pollInterval` (a task sleep: no thread is blocked, no CPU is burned) and looks again, so
    /// a new record arrives at most about `pollInterval` after it was finalized. Writers pay
    /// nothing for it: it only reads. Cancelling the task ends the sequence at once (a pending
    /// sleep is cut short). Records overwritten before it got to them are skipped; use a
    /// ``Reader`` to count them.
    ///
    /// - Parameters:
    ///   - seq: the first record to return (by default the oldest in the ring).
    ///   - panicMode: read committed records too, and skip records whose writer never finished
    ///     them, as ``reader(from:panicMode:)``.
    ///   - pollInterval: how long to sleep when there is nothing new.
    public func records(from seq: UInt64? = nil, panicMode: Bool = false, pollInterval: Duration = .milliseconds(5))
        -> Records
    {
        Records(ring: self, start: seq, panicMode: panicMode, pollInterval: pollInterval)
    }

    /// The sequence ``records(from:panicMode:pollInterval:)`` returns.
    public struct Records: AsyncSequence, Sendable {
        public typealias Element = Record
        public typealias Failure = Never

        let ring: PrintkRing
        let start: UInt64?
        let panicMode: Bool
        let pollInterval: Duration

        public func makeAsyncIterator() -> Iterator {
            Iterator(reader: ring.reader(from: start, panicMode: panicMode), pollInterval: pollInterval)
        }

        /// Reads with a ``Reader`` of its own; `nil` only once its task is cancelled.
        public struct Iterator: AsyncIteratorProtocol {
            let reader: Reader
            let pollInterval: Duration

            public mutating func next() async -> Record? {
                while !Task.isCancelled {
                    if let record = reader.next() { return record }
                    do {
                        try await Task.sleep(for: pollInterval)
                    } catch {
                        return nil  // cancelled while asleep
                    }
                }
                return nil
            }
        }
    }
}
