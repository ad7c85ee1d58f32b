import ArgumentParser
import PrintkRing

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

            Exit status: 0 success (even if the ring refused some writes); 1 the file could not \
            be created or opened (one line on standard error names the file and the reason); 64 \
            a usage error.
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

    func validate() throws {
        guard PrintkRing.descriptorBitsRange.contains(descBits) else {
            throw ValidationError("--desc-bits must be in \(PrintkRing.descriptorBitsRange)")
        }
        guard PrintkRing.dataBitsRange.contains(dataBits) else {
            throw ValidationError("--data-bits must be in \(PrintkRing.dataBitsRange)")
        }
    }

    func run() throws {
        let ring: PrintkRing
        do {
            ring = try openRing()
        } catch {
            printError("prb-log: \(file): \(error)")
            throw ExitCode(1)
        }
        let metadata = RecordMetadata(level: level, facility: facility, callerID: UInt32(truncatingIfNeeded: getpid()))
        let marker = Array(Self.truncationMarker.utf8)
        var tally = (lines: 0, truncated: 0, refused: 0)
        var input = LineReader(fileDescriptor: 0)
        while let line = input.next() {
            tally.lines += 1
            let written: Bool
            if line.count <= ring.maxRecordSize {
                written = write(ring, line, metadata)
            } else {
                tally.truncated += 1
                var cut = Array(line.prefix(ring.maxRecordSize - marker.count))
                cut += marker
                written = cut.withUnsafeBytes { write(ring, $0, metadata) }
            }
            if !written { tally.refused += 1 }
        }
        if tally.truncated > 0 {
            printError("prb-log: \(tally.truncated) of \(tally.lines) lines were longer than \(ring.maxRecordSize) bytes and were cut")
        }
        if tally.refused > 0 {
            printError("prb-log: the ring refused \(tally.refused) of \(tally.lines) lines (its oldest record was still being written)")
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

    func write(_ ring: PrintkRing, _ bytes: UnsafeRawBufferPointer, _ metadata: RecordMetadata) -> Bool {
        do {
            try ring.write(bytes, metadata: metadata)
            return true
        } catch {
            return false
        }
    }
}

func printError(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
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
