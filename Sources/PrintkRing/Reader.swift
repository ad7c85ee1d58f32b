import CPrintkRing

/// Reads a ``PrintkRing``'s records in order, and counts the ones it missed.
///
/// A reader never writes to the ring and never slows a writer down. When writers overwrite
/// records before the reader gets to them, the reader skips ahead and adds the gap to
/// ``lostCount``. `next()` returns `nil` when the reader has caught up; call it again later for
/// newer records.
///
/// A reader is a value: copy it to remember a position. Reading allocates (each ``Record`` owns
/// its text); only writing is allocation-free.
public struct Reader: IteratorProtocol, Sequence {
    public typealias Element = Record

    let ring: PrintkRing
    private var state: prb_reader
    private var buffer: [UInt8]

    init(ring: PrintkRing, from seq: UInt64, panicMode: Bool) {
        self.ring = ring
        state = prb_reader()
        prb_reader_init(&state, ring.handle, seq, panicMode)
        buffer = []
    }

    /// The seq this reader will try next.
    public var nextSeq: UInt64 { state.next_seq }
    /// Records this reader skipped because they were overwritten (or lost, or, in panic mode, never
    /// finalized) before it got to them, including lost records it passed just before `next()`
    /// returned `nil`.
    public var lostCount: UInt64 { state.lost }
    /// Whether this reader skips records a stuck writer never finalized.
    public var panicMode: Bool { state.panic_mode }

    /// The next readable record, or `nil` if there is none yet.
    public mutating func next() -> Record? {
        while true {
            var info = prb_record_info()
            let ok = buffer.withUnsafeMutableBytes { buf in
                prb_reader_next(&state, &info, buf.baseAddress, buf.count)
            }
            guard ok else { return nil }
            let length = Int(info.text_len)
            if length <= buffer.count {
                return Record(info: RecordInfo(info), bytes: Array(buffer[..<length]))
            }
            // The text did not fit: grow the buffer and read the same record again. If it was
            // overwritten in between, it is lost to this reader like any other overwritten record.
            buffer = [UInt8](repeating: 0, count: Swift.max(length, 2 * buffer.count))
            var again = prb_record_info()
            let status = buffer.withUnsafeMutableBytes { buf in
                prb_read(ring.handle, info.seq, &again, buf.baseAddress, buf.count)
            }
            if status == PRB_READ_OK {
                return Record(info: RecordInfo(again), bytes: Array(buffer[..<Int(again.text_len)]))
            }
            state.lost += 1
        }
    }

    /// The next readable record's metadata only (its text is not copied), or `nil`.
    public mutating func nextInfo() -> RecordInfo? {
        var info = prb_record_info()
        guard prb_reader_next(&state, &info, nil, 0) else { return nil }
        return RecordInfo(info)
    }

    public func makeIterator() -> Reader { self }
}
