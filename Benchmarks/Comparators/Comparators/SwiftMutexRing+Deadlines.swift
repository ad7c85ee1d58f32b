import HarnessSupport
import Synchronization

// The panic path's calls: each one tries the mutex until a deadline and then gives up, so that
// a panicking thread never waits for a holder that will not come back. `Synchronization.Mutex`
// has no timed lock: they retry `withLockIfAvailable`, yielding the CPU in between. There is no
// "bust": a Swift Mutex cannot be re-initialized under its holder.

extension SwiftMutexRing {
    /// ``write(_:metadata:)``, giving up with ``LogRingError/lockUnavailable`` when the mutex is
    /// still held at `deadline` (``monotonicNanoseconds()``).
    public func write(_ payload: UnsafeRawBufferPointer, metadata: LogMetadata, giveUpAt deadline: UInt64)
        throws(LogRingError) -> UInt64
    {
        guard payload.count <= maxPayloadLength else {
            throw .recordTooLarge(size: payload.count, maximum: maxPayloadLength)
        }
        let payloadHash = LogChecksum.payloadHash(payload)
        return try withLock(giveUpAt: deadline) {
            $0.append(payload, payloadHash: payloadHash, metadata: metadata)
        }
    }

    /// ``read(from:into:)``, giving up with ``LogRingError/lockUnavailable`` at `deadline`.
    public func read(
        from cursor: inout LogCursor, into buffer: UnsafeMutableRawBufferPointer, giveUpAt deadline: UInt64
    )
        throws(LogRingError) -> LogRecordInfo?
    {
        var local = cursor
        let info = try withLock(giveUpAt: deadline) { $0.read(&local, into: buffer) }
        cursor = local
        return info
    }

    /// The oldest seq held and the next seq, read under one hold of the mutex; gives up with
    /// ``LogRingError/lockUnavailable`` at `deadline`.
    public func seqBounds(giveUpAt deadline: UInt64) throws(LogRingError) -> (first: UInt64, next: UInt64) {
        let bounds = try withLock(giveUpAt: deadline) { SeqBounds(first: $0.firstSeq, next: $0.nextSeq) }
        return (bounds.first, bounds.next)
    }

    /// A panic path's one look at the mutex (the try-once dump mode): a single
    /// `withLockIfAvailable`, which releases it at once. True when it was free. Never waits.
    public func lockWasFree() -> Bool {
        state.withLockIfAvailable { _ in true } ?? false
    }

    private struct SeqBounds: Sendable {
        var first: UInt64
        var next: UInt64
    }

    private func withLock<Result: Sendable>(giveUpAt deadline: UInt64, _ body: (inout State) -> Result)
        throws(LogRingError) -> Result
    {
        guard let result = retry(until: deadline, { state.withLockIfAvailable { body(&$0) } }) else {
            throw .lockUnavailable
        }
        return result
    }
}
