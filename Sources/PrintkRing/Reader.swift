import CPrintkRing

extension PrintkRing {
    /// Reads a ``PrintkRing``'s records in order, and counts the ones it missed.
    ///
    /// A reader never writes to the ring and never slows a writer down. When writers overwrite
    /// records before the reader gets to them, the reader skips ahead and adds the gap to
    /// ``lostCount``. ``next()`` returns `nil` when the reader has caught up; call it again later for
    /// newer records.
    ///
    /// A reader is a cursor with identity: iterating it moves it, so after
    /// `for record in reader { … }` its ``nextSeq`` and ``lostCount`` say where the loop stopped and
    /// what it skipped, and the next ``next()`` continues from there. (To remember a position, keep
    /// ``nextSeq`` and start a new reader from it.)
    ///
    /// Reading records as ``Record`` values allocates (each owns its text). ``next(into:)`` copies
    /// into a buffer of the caller's and allocates nothing, for dump loops that must not allocate.
    ///
    /// Not `Sendable`: one reader belongs to one thread at a time. Any number of readers may read the
    /// same ring at once.
    ///
    /// The corresponding C type is `prb_reader` (`prb_reader_init`, `prb_reader_next`).
    public final class Reader: IteratorProtocol, Sequence {
        public typealias Element = Record

        let ring: PrintkRing
        /// Unchecked: a reader belongs to one thread at a time (see above), and the dynamic
        /// exclusivity check of a class's stored property passed `inout` to C cost more than a
        /// hundred instructions a record (a runtime call and a thread-local access set).
        @exclusivity(unchecked)
        private var state: prb_reader
        /// Reused by ``next()`` for the copy: grows to the longest record read, never shrinks.
        private var scratch: [UInt8] = []

        init(ring: PrintkRing, from seq: UInt64, panicMode: Bool) {
            self.ring = ring
            state = prb_reader()
            prb_reader_init(&state, ring.handle, seq, panicMode)
        }

        /// The seq this reader will try next.
        public var nextSeq: UInt64 { state.next_seq }
        /// Records this reader skipped because they were overwritten (or lost, or, in panic mode, never
        /// committed) before it got to them, including lost records it passed just before `next()`
        /// returned `nil`.
        public var lostCount: UInt64 { state.lost }
        /// Whether this reader also reads committed records and skips records a stuck writer never
        /// committed (see ``PrintkRing/reader(from:panicMode:)``).
        public var panicMode: Bool { state.panic_mode }

        /// The next readable record, or `nil` if there is none yet.
        public func next() -> Record? {
            while true {
                guard let (info, length) = scratch.withUnsafeMutableBytes({ next(into: $0) }) else { return nil }
                if length == info.textLength {
                    return Record(info: info, bytes: Array(scratch[..<length]))
                }
                // The text did not fit: grow the buffer and read the same record again. If it was
                // overwritten in between, it is lost to this reader like any other overwritten record.
                scratch = [UInt8](repeating: 0, count: Swift.max(info.textLength, 2 * scratch.count))
                var again = prb_record_info()
                let readAgain = scratch.withUnsafeMutableBytes { buffer in
                    if state.panic_mode {
                        // prb_read does not return a record that is merely committed; a panic-mode
                        // read does, and it must be this very record.
                        var seq = info.seq
                        return prb_read_valid(ring.handle, &seq, &again, buffer.baseAddress, buffer.count, true)
                            && seq == info.seq
                    }
                    return prb_read(ring.handle, info.seq, &again, buffer.baseAddress, buffer.count) == PRB_READ_OK
                }
                if readAgain, Int(again.text_len) <= scratch.count {
                    return Record(info: RecordInfo(again), bytes: Array(scratch[..<Int(again.text_len)]))
                }
                state.lost += 1
            }
        }

        /// Copies the next readable record's text into `buffer` (as much as fits) and returns its
        /// metadata and the number of bytes copied, or `nil` if there is none yet. Allocates nothing
        /// (for records without device info; the device-info strings of records that have some are
        /// Swift strings).
        ///
        /// The record's whole length is `info.textLength`; when it is larger than `buffer.count` the
        /// copy is truncated and the reader has still moved past the record.
        public func next(into buffer: UnsafeMutableRawBufferPointer) -> (info: RecordInfo, copied: Int)? {
            var info = prb_record_info()
            guard prb_reader_next(&state, &info, buffer.baseAddress, buffer.count) else { return nil }
            return (RecordInfo(info), Swift.min(Int(info.text_len), buffer.count))
        }

        /// The next readable record's metadata only (its text is not copied), or `nil`.
        public func nextInfo() -> RecordInfo? {
            var info = prb_record_info()
            guard prb_reader_next(&state, &info, nil, 0) else { return nil }
            return RecordInfo(info)
        }

        /// The reader itself: iterating moves it (see the type's discussion).
        public func makeIterator() -> Reader { self }
    }
}
