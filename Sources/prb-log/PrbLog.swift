import ArgumentParser
@_spi(Testing) import PrintkRing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `prb-log`: each line of standard input becomes one record of a ring file.
@main
struct PrbLog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prb-log",
        abstract: "Write each line of standard input as one record of a ring file.",
        discussion: """
            Every line (without its newline) is written at once as one record, with this \
            process's pid as its caller id; nothing is held back beyond the line. A line longer \
            than the ring's largest record is cut to fit and ends with "\(PrbLog.truncationMarker)"; \
            such lines, and writes the ring refused (its oldest record still being written), are \
            counted on standard error at the end.

            Try it:  seq 1 100000 | prb-log --create /dev/shm/demo.ring && prb-dump /dev/shm/demo.ring

            --seqs prints, for each line, the sequence number of its record on standard output \
            ("-" if the ring refused it), and --summary ends with one line on standard error \
            saying how many lines were written: what a test needs to account for every record.

            Exit status: 0 success (even if the ring refused some writes); 1 the file could not \
            be created or opened (one line on standard error names the file and the reason); 64 \
            a usage error.

            Testing aid (crash tests; not for production): with the environment variable \
            \(FreezeRequest.pointVariable)=desc-head-moved|desc-reserved|data-head-moved|data-positions|\
            data-allocated|text-partial|committed, prb-log stops at that point of the N-th record \
            that reaches it (N from \(FreezeRequest.recordVariable), default 1): after moving the \
            descriptor head onto the record (before marking it reserved), after reserving the \
            record's descriptor, after moving the data head past its text block (before anything \
            names the block), after storing the block's positions (before its header), after \
            allocating the block, after writing part of its text, or after committing it. It then writes one line, "prb-log: frozen point=P record=R seq=S pid=I", to the \
            file named by \(FreezeRequest.notifyVariable) (appended) or else to standard error, and \
            waits (in sigsuspend, not stopped with SIGSTOP) for a signal: SIGKILL, SIGTERM or \
            SIGINT end it; SIGUSR1 lets it go on. Several points, comma-separated in that order \
            (e.g. data-allocated,committed), freeze it at each in turn in the same record. In this \
            mode every record is written in two phases (reserve, append in two pieces, commit) so \
            that each point is reached. An invalid value is a usage error.
            """
    )

    static let truncationMarker = "[...]"

    @Argument(help: "The ring file.")
    var file: String

    @Flag(help: "Create the file if it does not exist yet (mode 0600; never over a symlink or another file).")
    var create = false

    @Option(name: .customLong("desc-bits"), help: "With --create: log2 of the number of records the ring holds.")
    var descBits = 14

    @Option(name: .customLong("data-bits"), help: "With --create: log2 of the bytes of text the ring holds.")
    var dataBits = 21

    @Flag(
        name: .customLong("no-device-info"),
        help: "With --create: a ring without device-info storage (64 bytes less per record slot).")
    var noDeviceInfo = false

    @Option(help: "The level of every record: emerg, alert, crit, err, warn, notice, info, debug, or 0-7.")
    var level: LogLevel = .info

    @Option(help: "The facility of every record (0-255; 1 is syslog's 'user').")
    var facility: UInt8 = 1

    @Flag(help: "Print each line's record sequence number on standard output (\"-\" if the ring refused it).")
    var seqs = false

    @Flag(help: "At the end, print on standard error how many lines were written, refused and cut.")
    var summary = false

    func validate() throws {
        _ = try FreezeRequest.fromEnvironment()
        guard PrintkRing.descriptorBitsRange.contains(descBits) else {
            throw ValidationError("--desc-bits must be in \(PrintkRing.descriptorBitsRange)")
        }
        guard PrintkRing.dataBitsRange.contains(dataBits) else {
            throw ValidationError("--data-bits must be in \(PrintkRing.dataBitsRange)")
        }
    }

    func run() throws {
        let freezeRequest = try FreezeRequest.fromEnvironment()
        let ring: PrintkRing
        do {
            ring = try openRing()
        } catch {
            printError("prb-log: \(file): \(error)")
            throw ExitCode(1)
        }
        let metadata = RecordMetadata(level: level, facility: facility, callerID: UInt32(truncatingIfNeeded: getpid()))
        let marker = Array(Self.truncationMarker.utf8)
        let seqReport = seqs ? SeqReport() : nil
        let freezer = freezeRequest.map { Freezer(request: $0, flush: { seqReport?.flush() }) }
        freezer?.install(on: ring)
        var tally = (lines: 0, truncated: 0, refused: 0)
        var input = LineReader(fileDescriptor: 0)
        while let line = input.next() {
            tally.lines += 1
            freezer?.currentRecord = tally.lines
            let seq: UInt64?
            if line.count <= ring.maxRecordSize {
                seq = write(ring, line, metadata, inTwoPhases: freezer != nil)
            } else {
                tally.truncated += 1
                var cut = Array(line.prefix(ring.maxRecordSize - marker.count))
                cut += marker
                seq = cut.withUnsafeBytes { write(ring, $0, metadata, inTwoPhases: freezer != nil) }
            }
            if seq == nil { tally.refused += 1 }
            seqReport?.add(seq)
        }
        seqReport?.flush()
        if tally.truncated > 0 {
            printError("prb-log: \(tally.truncated) of \(tally.lines) lines were longer than \(ring.maxRecordSize) bytes and were cut")
        }
        if tally.refused > 0 {
            printError("prb-log: the ring refused \(tally.refused) of \(tally.lines) lines (its oldest record was still being written)")
        }
        if summary {
            printError(
                "prb-log: wrote \(tally.lines - tally.refused) of \(tally.lines) lines (\(tally.refused) refused, \(tally.truncated) cut)")
        }
    }

    /// Opens the file for writing, or with --create creates it first if nothing is there.
    func openRing() throws(PrintkRingError) -> PrintkRing {
        if create {
            do {
                return try PrintkRing(
                    creatingFile: file, descriptorBits: descBits, dataBits: dataBits, storesDeviceInfo: !noDeviceInfo)
            } catch .system(errno: EEXIST) {
                // Something is there already: use it if it is a ring file we may write.
            }
        }
        return try PrintkRing(openingFile: file, access: .readWrite)
    }

    /// Writes one record; returns its seq, or nil if the ring refused it. In two phases (reserve,
    /// append in two pieces, commit) the write passes every fault point a freeze may ask for.
    func write(_ ring: PrintkRing, _ bytes: UnsafeRawBufferPointer, _ metadata: RecordMetadata, inTwoPhases: Bool)
        -> UInt64?
    {
        guard inTwoPhases else { return try? ring.write(bytes, metadata: metadata) }
        do {
            var reservation = try ring.reserve(capacity: bytes.count, metadata: metadata)
            let seq = reservation.seq
            let half = bytes.count / 2
            reservation.append(UnsafeRawBufferPointer(rebasing: bytes[..<half]))
            reservation.append(UnsafeRawBufferPointer(rebasing: bytes[half...]))
            reservation.commit()
            return seq
        } catch {
            return nil
        }
    }
}

/// The --seqs lines, buffered and written in large pieces (a system call per line would slow the
/// writer down more than the ring does).
final class SeqReport {
    private var buffer: [UInt8] = []
    private let flushThreshold = 16 * 1024

    init() { buffer.reserveCapacity(flushThreshold + 32) }

    func add(_ seq: UInt64?) {
        if let seq { buffer += String(seq).utf8 } else { buffer.append(UInt8(ascii: "-")) }
        buffer.append(0x0a)
        if buffer.count >= flushThreshold { flush() }
    }

    func flush() {
        buffer.withUnsafeBytes { writeAll($0, to: 1) }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Writes all of `bytes` to a file descriptor, retrying short writes and EINTR.
func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) {
    var done = 0
    while done < bytes.count {
        let wrote = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
        if wrote < 0 && errno == EINTR { continue }
        guard wrote > 0 else { return }
        done += wrote
    }
}

func writeAll(_ text: String, to fd: Int32) {
    var text = text
    text.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: fd) }
}

func printError(_ message: String) {
    writeAll(message + "\n", to: 2)
}

/// Lines of a file descriptor as raw bytes (any bytes but the newline), read with read(2): what
/// arrives is written as soon as its line is complete, and binary input passes unchanged.
struct LineReader {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false

    init(fileDescriptor: Int32) { fd = fileDescriptor }

    /// The next line without its newline (valid until the next call), or nil at the end of input.
    /// A last line without a newline is a line too.
    mutating func next() -> UnsafeRawBufferPointer? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0a) {
                let line = (start, newline - start)
                start = newline + 1
                return slice(line)
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = (start, buffer.count - start)
                start = buffer.count
                return slice(line)
            }
            fill()
        }
    }

    private func slice(_ line: (start: Int, count: Int)) -> UnsafeRawBufferPointer {
        // The array is not touched until the next call, so its storage stays put.
        buffer.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[line.start..<line.start + line.count]) }
    }

    private mutating func fill() {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let chunk = 64 * 1024
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        var got: Int
        repeat {
            got = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + old, chunk) }
        } while got < 0 && errno == EINTR
        buffer.removeLast(chunk - max(got, 0))
        if got <= 0 { atEnd = true }
    }
}

extension LogLevel: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
