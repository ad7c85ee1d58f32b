import CPrintkRing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

// Rings in files: a flight recorder whose records outlive the process that wrote them.

extension PrintkRing {
    /// How to open an existing ring file.
    public enum FileAccess: Sendable, Hashable {
        /// Mapped read-only (`PROT_READ`): this process can read every record and cannot change
        /// the file. Writes through such a ring throw ``PrintkRingError/readOnly``.
        case readOnly
        /// Mapped for reading and writing, shared with every other process that has it open.
        case readWrite
    }

    /// What a ring file's header says.
    public struct FileInfo: Sendable, Hashable {
        /// The file format version.
        public var version: Int
        /// The ring holds 2^descriptorBits records at most.
        public var descriptorBits: Int
        /// The ring holds 2^dataBits bytes of text.
        public var dataBits: Int
        /// The size of the whole file: a header page and the ring.
        public var fileBytes: Int
        /// Whether the ring keeps device-info strings (`false`: created with
        /// `storesDeviceInfo: false`).
        public var storesDeviceInfo: Bool
        /// When the file was created, in nanoseconds since the Unix epoch.
        public var createdNanosecondsSinceEpoch: UInt64
        /// Whether this process opened it for writing.
        public var isWritable: Bool
        /// How many handles may have the file open for writing at once: the process slots of its
        /// writer table.
        public var processSlots: Int
        /// Thread slots of the writer table (for the dead-writer take-over).
        public var threadSlots: Int
    }

    /// One process slot of a ring file's writer table: a handle that has, or had, the file open
    /// for writing.
    ///
    /// Whether it is alive comes from the kernel: each writing handle holds an open-file-description
    /// lock on its slot, which the kernel releases when the process dies, however it dies. A
    /// stopped or preempted process still holds it. The pid is only for people; pid reuse cannot
    /// make a dead writer look alive.
    public struct FileWriter: Sendable, Hashable {
        /// Whether the writer still has the file open.
        public enum State: Sendable, Hashable, CustomStringConvertible {
            /// It holds its slot: running, stopped or preempted.
            case alive
            /// It closed the file.
            case closed
            /// It died with the file open (killed, crashed): it never closed it.
            case dead
            /// The lock query failed; treat as alive.
            case unknown

            public var description: String {
                switch self {
                case .alive: "alive"
                case .closed: "closed"
                case .dead: "dead"
                case .unknown: "unknown"
                }
            }
        }

        /// The slot's index in the writer table.
        public var slot: Int
        /// How many times the slot has been claimed: (slot, generation) names one writer for good.
        public var generation: UInt64
        /// The pid the writer had, in its own pid namespace.
        public var pid: Int64
        /// When it claimed the slot, in nanoseconds since the Unix epoch.
        public var sinceNanosecondsSinceEpoch: UInt64
        /// Whether it is still there.
        public var state: State
    }

    /// Creates a new ring file at `path` and opens it for writing.
    ///
    /// Nothing may exist at `path` yet, not even a symlink: the file is formatted under a
    /// temporary name and linked into place when complete, so a reader never sees a half-written
    /// file and a file planted at the path is never reused (``PrintkRingError/system(errno:)``
    /// with `EEXIST`). The file gets exactly `permissions`, whatever the umask.
    ///
    /// `storesDeviceInfo: false` makes a ring without device-info strings, 64 bytes per descriptor
    /// smaller (see ``init(descriptorBits:dataBits:storesDeviceInfo:)``); the file's header and
    /// the ring's own header both record it.
    ///
    /// - Throws: ``PrintkRingError/invalidSize(descriptorBits:dataBits:)``,
    ///   ``PrintkRingError/system(errno:)``, ``PrintkRingError/outOfMemory``.
    ///
    /// The corresponding C function is `prb_file_create_ex`.
    public convenience init(
        creatingFile path: String, descriptorBits: Int, dataBits: Int, storesDeviceInfo: Bool = true,
        permissions: UInt16 = 0o600
    ) throws(PrintkRingError) {
        guard Self.descriptorBitsRange.contains(descriptorBits), Self.dataBitsRange.contains(dataBits) else {
            throw .invalidSize(descriptorBits: descriptorBits, dataBits: dataBits)
        }
        guard permissions != 0, permissions & ~0o7777 == 0 else { throw .system(errno: EINVAL) }
        var status = PRB_OK
        guard
            let file = prb_file_create_ex(
                path, UInt32(descriptorBits), UInt32(dataBits), Self.layoutFlags(storesDeviceInfo), UInt32(permissions),
                &status)
        else { throw PrintkRingError.from(status) }
        self.init(adopting: file)
    }

    /// Opens an existing ring file.
    ///
    /// Everything is checked before anything is trusted: the file type (symlinks, FIFOs, devices
    /// and directories are refused), its owner when opened for writing (only the caller's own
    /// files, unless `allowOtherOwner`), the header (magic, byte order, word size, version,
    /// checksum, sizes against each other and against the file) and the ring region's own
    /// header and positions. Each failure is a specific ``PrintkRingError``.
    ///
    /// The corresponding C function is `prb_file_open`.
    public convenience init(openingFile path: String, access: FileAccess = .readOnly, allowOtherOwner: Bool = false)
        throws(PrintkRingError)
    {
        var flags: UInt32 = access == .readWrite ? PRB_FILE_WRITE : 0
        if allowOtherOwner { flags |= PRB_FILE_ALLOW_OTHER_OWNER }
        var status = PRB_OK
        guard let file = prb_file_open(path, flags, &status) else { throw PrintkRingError.from(status) }
        self.init(adopting: file)
    }

    /// The header of the file this ring lives in, or `nil` for a ring in memory.
    ///
    /// The corresponding C function is `prb_file_get_info`.
    public var fileInfo: FileInfo? {
        guard let ringFile else { return nil }
        var info = prb_file_info()
        prb_file_get_info(ringFile, &info)
        return FileInfo(
            version: Int(info.version), descriptorBits: Int(info.desc_bits), dataBits: Int(info.data_bits),
            fileBytes: Int(info.file_bytes), storesDeviceInfo: info.ring_flags & PRB_RING_NO_DEV_INFO == 0,
            createdNanosecondsSinceEpoch: info.created_realtime_ns,
            isWritable: info.writable, processSlots: Int(info.process_slots), threadSlots: Int(info.thread_slots))
    }

    /// Every process slot of the file's writer table that has ever been claimed, in slot order,
    /// or `nil` for a ring in memory. Makes one system call per slot (the liveness query).
    ///
    /// The corresponding C function is `prb_file_list_writers`.
    public var fileWriters: [FileWriter]? {
        guard let ringFile else { return nil }
        let count = prb_file_list_writers(ringFile, nil, 0)
        var writers = [prb_file_writer](repeating: prb_file_writer(), count: count)
        let listed = min(count, prb_file_list_writers(ringFile, &writers, count))
        return writers[..<listed].map { writer in
            let state: FileWriter.State =
                switch writer.state {
                case PRB_WRITER_ALIVE: .alive
                case PRB_WRITER_DEAD: writer.closed ? .closed : .dead
                default: .unknown
                }
            return FileWriter(
                slot: Int(writer.slot), generation: writer.generation, pid: writer.pid,
                sinceNanosecondsSinceEpoch: writer.since_realtime_ns, state: state)
        }
    }

    /// The slot of the writer table this handle holds, or `nil` for a read-only handle or a ring
    /// in memory.
    ///
    /// The corresponding C function is `prb_file_writer_slot`.
    public var fileWriterSlot: (slot: Int, generation: UInt64)? {
        guard let ringFile else { return nil }
        var slot: UInt32 = 0
        var generation: UInt64 = 0
        guard prb_file_writer_slot(ringFile, &slot, &generation) else { return nil }
        return (Int(slot), generation)
    }
}
