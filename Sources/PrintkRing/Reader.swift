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
    /// finalized) before it got to them.
    public var lostCount: UInt64 { state.lost }
    /// Whether this reader skips records a stuck writer never finalized.
    public var panicMode: Bool { state.panic_mode }

    /// The next readable record, or `nil` if there is none yet.
    public mutating func next() -> Record? {
        var info = prb_record_info()
        let ok = buffer.withUnsafeMutableBytes { buf in
            prb_reader_next(&state, &info, buf.baseAddress, buf.count)
        }
        guard ok else { return nil }
        let length = Int(info.text_len)
        if length > buffer.count {
            // Grow and read the same record again; if it was overwritten meanwhile, keep what we
            // have (the record then reports itself truncated).
            buffer = [UInt8](repeating: 0, count: Swift.max(length, 2 * buffer.count))
            var again = prb_record_info()
            let status = buffer.withUnsafeMutableBytes { buf in
                prb_read(ring.handle, info.seq, &again, buf.baseAddress, buf.count)
            }
            if status == PRB_READ_OK {
                return Record(info: RecordInfo(again), bytes: Array(buffer[..<length]))
            }
            return Record(info: RecordInfo(info), bytes: [])
        }
        return Record(info: RecordInfo(info), bytes: Array(buffer[..<length]))
    }

    /// The next readable record's metadata only (its text is not copied), or `nil`.
    public mutating func nextInfo() -> RecordInfo? {
        var info = prb_record_info()
        guard prb_reader_next(&state, &info, nil, 0) else { return nil }
        return RecordInfo(info)
    }

    public func makeIterator() -> Reader { self }
}
