import CPrintkRing

extension PrintkRing {
    /// A record reserved in a ``PrintkRing`` and not yet committed.
    ///
    /// Append text with ``append(_:)-(UnsafeRawBufferPointer)``, then either ``commit()`` (the record
    /// may still be extended by ``PrintkRing/extendLast(callerID:additionalCapacity:maxTotalSize:)``)
    /// or ``finalize()`` (the record is complete and readers see it at once). Both consume the
    /// reservation, so a record cannot be committed twice. Readers do not see a reserved record; one
    /// that is never committed would block the ring's reuse of its slot, so a reservation that is
    /// dropped without either is finalized by its `deinit`, with whatever was appended: readers see it
    /// at once, and nobody can extend it any more (its owner is gone).
    ///
    /// Nothing here allocates or blocks; it is safe in a signal handler.
    public struct Reservation: RecordAppending, ~Copyable, @unchecked Sendable {
        @usableFromInline
        var entry: prb_entry
        /// Keeps the ring alive while the reservation points into it.
        @usableFromInline
        let ring: PrintkRing

        @inlinable
        init(entry: prb_entry, ring: PrintkRing) {
            self.entry = entry
            self.ring = ring
        }

        /// Reserves a record in `ring`, filling the entry in place (no copy of it on the hot path).
        @inlinable
        init(reservingIn ring: PrintkRing, capacity: Int, metadata: prb_meta) throws(PrintkRingError) {
            self.ring = ring
            self.entry = prb_entry()
            var meta = metadata
            let status = prb_reserve(ring.handle, &entry, capacity, &meta)
            // A failed reservation leaves the entry inactive, so deinit does nothing.
            guard status == PRB_OK else {
                throw .from(status, size: capacity, maximum: ring.maxRecordSize, seq: entry.seq)
            }
        }

        /// The record's sequence number.
        public var seq: UInt64 { entry.seq }
        /// Bytes of text the record may hold.
        public var capacity: Int { Int(entry.capacity) }
        /// Bytes of text written so far.
        public var count: Int { Int(entry.text_len) }

        /// Appends bytes to the record's text; returns how many fit (all of them unless the
        /// reservation is full).
        ///
        /// The corresponding C function is `prb_entry_append`.
        @inlinable
        @discardableResult
        public mutating func append(_ bytes: UnsafeRawBufferPointer) -> Int {
            prb_entry_append(&entry, bytes.baseAddress, bytes.count)
        }

        /// Appends the bytes of a value (a binary header, say), in memory order; returns how many
        /// fit. An 8-byte value goes in as one word (`prb_entry_append_word`): no copy loop.
        @inlinable
        @discardableResult
        public mutating func append<Value: BitwiseCopyable>(bytesOf value: Value) -> Int {
            withUnsafeBytes(of: value) { bytes in
                if bytes.count == 8 { return prb_entry_append_word(&entry, bytes.loadUnaligned(as: UInt64.self)) }
                return prb_entry_append(&entry, bytes.baseAddress, bytes.count)
            }
        }

        /// Sets the device-info strings (truncated to 15 and 47 bytes). On a ring without
        /// device-info storage (``PrintkRing/storesDeviceInfo`` is `false`) it does nothing.
        ///
        /// The corresponding C function is `prb_entry_set_dev_info`.
        public mutating func setDeviceInfo(subsystem: String, device: String) {
            prb_entry_set_dev_info(&entry, subsystem, device)
        }

        /// Commits the record. It becomes visible to readers when the next record is reserved (or at
        /// once, if one already was; a panic-mode reader sees it at once); until then the same
        /// caller may extend it.
        ///
        /// The corresponding C function is `prb_commit`.
        @inlinable
        public consuming func commit() {
            _ = prb_commit(&entry)
        }

        /// Commits the record as final: readers see it at once, and it can no longer be extended.
        ///
        /// The corresponding C function is `prb_final_commit`.
        @inlinable
        public consuming func finalize() {
            _ = prb_final_commit(&entry)
        }

        deinit {
            // Committing sets entry.active to 0; still active means the reservation was dropped.
            // Final, not merely committed: a committed record stays invisible to ordinary readers
            // until the next reservation, and only its owner could extend it.
            if entry.active != 0 {
                var leftover = entry
                _ = prb_final_commit(&leftover)
            }
        }
    }
}
