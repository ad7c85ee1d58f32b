import CPrintkRing

extension PrintkRing {
    /// Writes one record in place: reserves room for `capacity` bytes of text, lets `fill` append
    /// the text straight into the ring, and finalizes the record (readers see it at once). Returns
    /// its sequence number.
    ///
    /// This is the fastest zero-copy write from Swift: the reservation lives in this call's frame,
    /// so unlike a ``Reservation`` it neither retains the ring nor moves between owners. Use it
    /// when the record is assembled from several pieces (a header and a payload, say); use
    /// ``reserve(capacity:metadata:)`` when the record must be committed later or elsewhere.
    ///
    /// ```swift
    /// let seq = try ring.write(capacity: 8 + payload.count) { record in
    ///     record.append(header)
    ///     record.append(payload)
    /// }
    /// ```
    ///
    /// Whatever `fill` appended is committed, also if it appended less than `capacity`. Nothing
    /// allocates and no lock is taken; like every write, it is safe in a signal handler as long as
    /// `fill` is.
    ///
    /// - Throws: ``PrintkRingError/recordTooLarge(size:maximum:)`` (nothing touched, `fill` not
    ///   called), ``PrintkRingError/noDescriptor`` (`fill` not called),
    ///   ``PrintkRingError/noSpace(lostSeq:)`` (the seq was used up by a record without text;
    ///   `fill` not called).
    ///
    /// The corresponding C functions are `prb_reserve`, `prb_entry_append`, `prb_final_commit`.
    @inlinable
    @inline(__always)
    @discardableResult
    public func write(
        capacity: Int, metadata: RecordMetadata = RecordMetadata(), _ fill: (inout RecordWriter) -> Void
    ) throws(PrintkRingError) -> UInt64 {
        // One unsigned compare on the hot path: a negative capacity is a huge unsigned one.
        guard UInt(bitPattern: capacity) <= UInt(maxRecordSize) else {
            throw capacity < 0 ? .negativeSize(capacity) : .recordTooLarge(size: capacity, maximum: maxRecordSize)
        }
        // The entry lives in this frame, uninitialized until prb_reserve fills it (it sets every
        // field, whatever it returns): zeroing it here first would be a second write of 64 bytes.
        return try withUnsafeTemporaryAllocation(of: prb_entry.self, capacity: 1) { (slot) throws(PrintkRingError) -> UInt64 in
            let entry = slot.baseAddress!
            var meta = metadata.c
            let status = prb_reserve(handle, entry, capacity, &meta)
            guard status == PRB_OK else {
                throw .writeFailure(status, size: capacity, maximum: maxRecordSize, seq: entry.pointee.seq)
            }
            var writer = RecordWriter(entry: entry)
            fill(&writer)
            _ = prb_final_commit(entry)
            return entry.pointee.seq
        }
    }
}

extension PrintkRing {
    /// Why ``write(capacity:metadata:throwing:)`` failed: the ring refused the record, or the
    /// caller's closure threw.
    public enum WriteFailure<Failure: Error>: Error {
        /// The ring refused the record; the closure was not called.
        case ring(PrintkRingError)
        /// The closure threw. The record was finalized with what it had appended by then.
        case fill(Failure)
    }

    /// ``write(capacity:metadata:_:)`` for a closure that throws its own typed error: the error
    /// comes back as ``WriteFailure/fill(_:)``, typed, with no `Result` to unwrap. A record cannot
    /// be taken back once reserved, so when `fill` throws the record is finalized with what it had
    /// appended (readers see it, possibly short).
    @inlinable
    @discardableResult
    public func write<Failure: Error>(
        capacity: Int, metadata: RecordMetadata = RecordMetadata(),
        throwing fill: (inout RecordWriter) throws(Failure) -> Void
    ) throws(WriteFailure<Failure>) -> UInt64 {
        var failure: Failure?
        let seq: UInt64
        do {
            seq = try write(capacity: capacity, metadata: metadata) { (writer: inout RecordWriter) in
                do throws(Failure) {
                    try fill(&writer)
                } catch {
                    failure = error
                }
            }
        } catch {
            throw .ring(error)
        }
        if let failure { throw .fill(failure) }
        return seq
    }
}

extension PrintkRing {
    /// The text of a record being written by ``PrintkRing/write(capacity:metadata:_:)``: append to it
    /// inside that call. It cannot outlive the call (it is noncopyable and handed out `inout`).
    public struct RecordWriter: RecordAppending, ~Copyable {
        @usableFromInline
        let entry: UnsafeMutablePointer<prb_entry>

        @inlinable
        init(entry: UnsafeMutablePointer<prb_entry>) {
            self.entry = entry
        }

        /// The record's sequence number.
        @inlinable
        public var seq: UInt64 { entry.pointee.seq }
        /// Bytes of text the record may hold.
        @inlinable
        public var capacity: Int { Int(entry.pointee.capacity) }
        /// Bytes of text appended so far.
        @inlinable
        public var count: Int { Int(entry.pointee.text_len) }

        /// Appends bytes to the record's text; returns how many fit (all of them unless the record is
        /// full).
        @inlinable
        @discardableResult
        public mutating func append(_ bytes: UnsafeRawBufferPointer) -> Int {
            prb_entry_append(entry, bytes.baseAddress, bytes.count)
        }

        /// Appends the bytes of a value (a binary header, say), in memory order; returns how many
        /// fit. An 8-byte value goes in as one word (`prb_entry_append_word`): no copy loop.
        @inlinable
        @discardableResult
        public mutating func append<Value: BitwiseCopyable>(bytesOf value: Value) -> Int {
            withUnsafeBytes(of: value) { bytes in
                if bytes.count == 8 { return prb_entry_append_word(entry, bytes.loadUnaligned(as: UInt64.self)) }
                return prb_entry_append(entry, bytes.baseAddress, bytes.count)
            }
        }

        /// Sets the device-info strings (truncated to 15 and 47 bytes). On a ring without
        /// device-info storage (``PrintkRing/storesDeviceInfo`` is `false`) it does nothing.
        ///
        /// The corresponding C function is `prb_entry_set_dev_info`.
        public mutating func setDeviceInfo(subsystem: String, device: String) {
            prb_entry_set_dev_info(entry, subsystem, device)
        }
    }
}

extension PrintkRing {
    /// What both in-place writers, ``RecordWriter`` and ``Reservation``, offer beyond appending
    /// raw bytes: text and binary values, built on their `append(_:)` of bytes.
    public protocol RecordAppending: ~Copyable {
        /// Appends bytes to the record's text; returns how many fit (all of them unless the record
        /// is full). The corresponding C function is `prb_entry_append`.
        @discardableResult
        mutating func append(_ bytes: UnsafeRawBufferPointer) -> Int
    }
}

extension PrintkRing.RecordAppending where Self: ~Copyable {
    /// Appends UTF-8 text; returns how many bytes fit. A native string is copied from its own
    /// storage; a bridged one is copied to a temporary array first (that allocates).
    @inlinable
    @discardableResult
    public mutating func append(_ text: String) -> Int {
        if let appended = text.utf8.withContiguousStorageIfAvailable({ append(UnsafeRawBufferPointer($0)) }) {
            return appended
        }
        return Array(text.utf8).withUnsafeBytes { append($0) }
    }

    /// Appends the bytes of a value (a binary header, say), in memory order; returns how many fit.
    @inlinable
    @discardableResult
    public mutating func append<Value: BitwiseCopyable>(bytesOf value: Value) -> Int {
        withUnsafeBytes(of: value) { append($0) }
    }
}
