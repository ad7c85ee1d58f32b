import CPrintkRing
import CPrintkRing.Testing
import Testing
import TestSupport

/// A C ring owned by a test, with the small conveniences the unit tests share.
final class CRing {
    let ring: OpaquePointer

    init(descBits: UInt32, dataBits: UInt32) {
        var status = PRB_OK
        ring = prb_ring_create(descBits, dataBits, &status)!
    }

    deinit { prb_ring_destroy(ring) }

    var dataSize: UInt64 { 1 << UInt64(prb_ring_data_bits(ring)) }
    var descCount: UInt64 { 1 << UInt64(prb_ring_desc_bits(ring)) }
    var maxText: Int { prb_max_text_size(ring) }

    var positions: prb_positions {
        var p = prb_positions()
        prb_get_positions(ring, &p)
        return p
    }

    var stats: prb_stats {
        var s = prb_stats()
        prb_get_stats(ring, &s)
        return s
    }

    /// Writes one finalized record; returns (status, seq).
    @discardableResult
    func write(_ bytes: [UInt8], caller: UInt32 = 0, level: UInt8 = 6) -> (prb_status, UInt64) {
        var seq: UInt64 = .max
        var meta = prb_meta(timestamp_ns: 0, caller_id: caller, level: level, facility: 0, flags: 0, has_timestamp: 0)
        let status = bytes.withUnsafeBytes { prb_write(ring, $0.baseAddress, $0.count, &meta, &seq) }
        return (status, seq)
    }

    /// Reserves, fills and leaves the entry open (the caller commits it).
    func reserve(_ bytes: [UInt8], caller: UInt32 = 0) -> (prb_status, prb_entry) {
        var entry = prb_entry()
        var meta = prb_meta(timestamp_ns: 0, caller_id: caller, level: 6, facility: 0, flags: 0, has_timestamp: 0)
        let status = prb_reserve(ring, &entry, bytes.count, &meta)
        if status == PRB_OK {
            let copied = bytes.withUnsafeBytes { prb_entry_append(&entry, $0.baseAddress, $0.count) }
            #expect(copied == bytes.count)
        }
        return (status, entry)
    }

    /// Reads exactly `seq`.
    func read(_ seq: UInt64, bufferSize: Int? = nil) -> (prb_read_status, prb_record_info, [UInt8]) {
        var info = prb_record_info()
        var buffer = [UInt8](repeating: 0, count: bufferSize ?? maxText)
        let status = buffer.withUnsafeMutableBytes { prb_read(ring, seq, &info, $0.baseAddress, $0.count) }
        let length = min(Int(info.text_len), buffer.count)
        return (status, info, status == PRB_READ_OK ? Array(buffer[..<length]) : [])
    }

    func state(_ seq: UInt64) -> prb_desc_state { prb_state_of_seq(ring, seq) }

    func block(_ seq: UInt64) -> (begin: UInt64, next: UInt64)? {
        var begin: UInt64 = 0
        var next: UInt64 = 0
        return prb_block_of_seq(ring, seq, &begin, &next) ? (begin, next) : nil
    }

    /// All records a fresh reader returns from `from`, and the reader's lost count. A reader that
    /// returns more records than the ring can hold is stopped there, with an issue.
    func readAll(from: UInt64 = 0, panic: Bool = false) -> (seqs: [UInt64], texts: [[UInt8]], lost: UInt64) {
        var reader = prb_reader()
        prb_reader_init(&reader, ring, from, panic)
        var seqs: [UInt64] = []
        var texts: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: maxText)
        var info = prb_record_info()
        while buffer.withUnsafeMutableBytes({ prb_reader_next(&reader, &info, $0.baseAddress, $0.count) }) {
            guard UInt64(seqs.count) < descCount else {
                Issue.record("the reader returned more than the \(descCount) records the ring holds: it does not stop")
                break
            }
            seqs.append(info.seq)
            texts.append(Array(buffer[..<Int(info.text_len)]))
        }
        return (seqs, texts, reader.lost)
    }

    /// Writes finalized filler records until the data head sits at data-ring index `index`.
    ///
    /// Every multiple of 8 except 8 itself is reachable: blocks are at least 16 bytes, and a
    /// wrapping block ends at least 16 bytes into the next wrap.
    func moveDataHead(toIndex index: UInt64) {
        precondition(index % 8 == 0 && index != 8 && index < dataSize)
        let half = dataSize / 2
        func head() -> UInt64 { positions.data_head_lpos & (dataSize - 1) }
        func fill(_ block: UInt64) {
            let (status, _) = write(pattern(Int(block - 8), seed: 0xF1))
            precondition(status == PRB_OK)
        }
        // Bounded: two wraps of the smallest blocks reach any index, or the head does not move.
        var fills = 0
        func fillsLeft() -> Bool {
            fills += 1
            if UInt64(fills) <= dataSize / 8 { return true }
            Issue.record("the data head did not reach index \(index) in \(dataSize / 8) records")
            return false
        }
        // First to index 0: end a block exactly at the end of the array (a perfect fit).
        while head() != 0 {
            guard fillsLeft() else { return }
            let rest = dataSize - head()
            fill(rest == 8 ? 16 : rest <= half ? rest : min(half, rest - 16))
        }
        // Then forward to the target, never leaving a remainder too small for a block.
        while head() != index {
            guard fillsLeft() else { return }
            let rest = index - head()
            fill(rest <= half ? rest : min(half, rest - 16))
        }
    }
}

/// A deterministic byte pattern, different for each seed.
func pattern(_ count: Int, seed: UInt64) -> [UInt8] {
    var x = seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(count)
    return (0..<count).map { _ in
        x ^= x >> 33
        x = x &* 0xff51_afd7_ed55_8ccd
        return UInt8(truncatingIfNeeded: x >> 24)
    }
}

func isWrapped(_ block: (begin: UInt64, next: UInt64), dataSize: UInt64) -> Bool {
    block.begin / dataSize != (block.next &- 1) / dataSize
}

/// Runs `body` on a thread of its own and waits for it at most `limit`. A loop in the core that
/// never ends then fails the calling test within the limit, naming `what`, instead of hanging the
/// whole run (Swift Testing's time limit cannot stop a thread spinning in C). After a timeout the
/// thread is left spinning, holding what `body` captured, and nil is returned.
func returnsInTime<Value>(
    _ what: String, within limit: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation,
    _ body: @escaping () -> Value
) -> Value? {
    let call = TimedCall(body)
    let thread = OSThread { call.run() }
    guard thread.join(within: limit, waitingFor: what, sourceLocation: sourceLocation) else { return nil }
    return call.result
}

/// returnsInTime's call: the body runs on the thread alone, and its result is read only after
/// joining that thread (the join orders the two), hence @unchecked.
private final class TimedCall<Value>: @unchecked Sendable {
    let body: () -> Value
    var result: Value?
    init(_ body: @escaping () -> Value) { self.body = body }
    func run() { result = body() }
}
