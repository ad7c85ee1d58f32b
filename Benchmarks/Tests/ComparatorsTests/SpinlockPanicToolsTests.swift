// The old design's panic-time tools on spinlock_ring (its C API beyond LogRing): trylock for signal handlers, a deadline for a
// dump that must never hang, and the lock bust. The lock is held by another thread through an
// explicit handshake, never by sleeping and hoping.

import CComparators
import HarnessSupport
import TestSupport
import Testing

@Suite("Spinlock panic tools", .singleThreaded)
struct SpinlockPanicToolsTests {
    private func fill(_ spin: OpaquePointer, count: UInt64) {
        for n in 0..<count {
            var meta = makeMeta(caller: 9, ts: n)
            let text = payload(writer: 9, index: UInt32(n), length: 8 + Int(n) * 13 % 190)
            _ = text.withUnsafeBytes { spinlock_ring_write(spin, $0.baseAddress, $0.count, &meta, nil) }
        }
    }

    /// A thread that takes the lock, moves the handshake to 1 (holding), and waits for step 2; then
    /// unlocks, or not (a holder stopped for good). Returns once it holds the lock.
    private func holdLock(_ spin: OpaquePointer, _ handshake: Handshake, unlockAtEnd: Bool) -> OSThread {
        let shared = SendablePointer(raw: spin)
        let holder = OSThread {
            guard spinlock_ring_lock_until(shared.raw, .max) else { return }
            handshake.advance(to: 1)
            handshake.wait(for: 2)  // until the main thread is done probing
            if unlockAtEnd { spinlock_ring_unlock(shared.raw) }
        }
        handshake.wait(for: 1)
        return holder
    }

    /// Reads every record with the lock already held, as a panic dump does; returns the seqs,
    /// each checked for content and checksum.
    private func dumpLocked(_ spin: OpaquePointer) -> [UInt64] {
        var seqs: [UInt64] = []
        var cursor = logring_cursor_at(0)
        var info = logring_record_info()
        var buf = [UInt8](repeating: 0, count: 512)
        while buf.withUnsafeMutableBytes({
            spinlock_ring_read_locked(spin, &cursor, $0.baseAddress, $0.count, &info)
        }) == LOGRING_OK {
            let text = Array(buf.prefix(Int(info.copied_len)))
            #expect(checksumMatches(info, text))
            #expect(text == payload(writer: 9, index: UInt32(info.ts_nsec), length: 8 + Int(info.ts_nsec) * 13 % 190))
            seqs.append(info.seq)
        }
        return seqs
    }

    @Test("A dump with the lock free reads everything under spinlock_ring_lock_until")
    func dumpWithFreeLock() {
        let spin = spinlock_ring_create(4096)!
        defer { spinlock_ring_destroy(spin) }
        fill(spin, count: 10)
        #expect(spinlock_ring_lock_until(spin, monotonicNanoseconds() + 10_000_000_000))
        #expect(dumpLocked(spin) == Array(0..<10))
        spinlock_ring_unlock(spin)
        #expect(spinlock_ring_next_seq(spin) == 10)
    }

    @Test("trylock_write refuses while the lock is held, and changes nothing")
    func trylockWriteWhileHeld() {
        let spin = spinlock_ring_create(4096)!
        defer { spinlock_ring_destroy(spin) }
        fill(spin, count: 3)
        var meta = makeMeta(caller: 9, ts: 3)
        var seq: UInt64 = 0

        #expect(spinlock_ring_lock_until(spin, monotonicNanoseconds() + 10_000_000_000))
        #expect(spinlock_ring_trylock_write(spin, "x", 1, &meta, &seq) == LOGRING_E_LOCK_UNAVAILABLE)
        spinlock_ring_unlock(spin)
        #expect(spinlock_ring_next_seq(spin) == 3)

        #expect(spinlock_ring_trylock_write(spin, "x", 1, &meta, &seq) == LOGRING_OK)
        #expect(seq == 3)
        let tooLarge = [UInt8](repeating: 0, count: logring_max_text_len(4096) + 1)
        #expect(
            tooLarge.withUnsafeBytes {
                spinlock_ring_trylock_write(spin, $0.baseAddress, $0.count, &meta, &seq)
            } == LOGRING_E_TOO_LARGE)
    }

    @Test("lock_until gives up at its deadline while another thread holds the lock")
    func lockUntilTimesOut() {
        let spin = spinlock_ring_create(4096)!
        defer { spinlock_ring_destroy(spin) }
        fill(spin, count: 5)
        let handshake = Handshake()
        let holder = holdLock(spin, handshake, unlockAtEnd: true)

        let deadline = monotonicNanoseconds() + 2_000_000
        #expect(!spinlock_ring_lock_until(spin, deadline))
        #expect(monotonicNanoseconds() >= deadline)  // it gave up at the deadline, not before
        var meta = makeMeta(caller: 9, ts: 5)
        #expect(spinlock_ring_trylock_write(spin, "x", 1, &meta, nil) == LOGRING_E_LOCK_UNAVAILABLE)

        handshake.advance(to: 2)
        holder.join()
        #expect(spinlock_ring_next_seq(spin) == 5)
        #expect(spinlock_ring_lock_until(spin, monotonicNanoseconds() + 10_000_000_000))
        spinlock_ring_unlock(spin)
    }

    @Test("bust_lock frees a lock whose holder never returns; the dump and later writes proceed")
    func bustLock() {
        let spin = spinlock_ring_create(4096)!
        defer { spinlock_ring_destroy(spin) }
        fill(spin, count: 5)
        let handshake = Handshake()
        // The holder takes the lock and then stops for good, as a CPU stopped by the panic code:
        // it never touches the buffer again and never unlocks.
        let holder = holdLock(spin, handshake, unlockAtEnd: false)

        #expect(!spinlock_ring_lock_until(spin, monotonicNanoseconds() + 1_000_000))
        spinlock_ring_bust_lock(spin)
        #expect(spinlock_ring_lock_until(spin, monotonicNanoseconds() + 10_000_000_000))
        #expect(dumpLocked(spin) == Array(0..<5))
        spinlock_ring_unlock(spin)

        var meta = makeMeta(caller: 9, ts: 5)
        let text = payload(writer: 9, index: 5, length: 8 + 5 * 13 % 190)
        var seq: UInt64 = 0
        #expect(
            text.withUnsafeBytes { spinlock_ring_write(spin, $0.baseAddress, $0.count, &meta, &seq) }
                == LOGRING_OK)
        #expect(seq == 5)
        #expect(spinlock_ring_first_seq(spin) == 0)
        #expect(spinlock_ring_next_seq(spin) == 6)

        handshake.advance(to: 2)
        holder.join()
    }
}
