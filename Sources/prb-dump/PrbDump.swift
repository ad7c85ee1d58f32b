import ArgumentParser
import PrintkRing
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `prb-dump`: prints a ring file's records the way dmesg prints the kernel log.
@main
struct PrbDump: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prb-dump",
        abstract: "Print the records of a ring file, like dmesg.",
        discussion: """
            The file is opened read-only and mapped PROT_READ: reading cannot change it, and \
            writers in other processes go on while it is read. Records are printed oldest first \
            as "[seconds.micros] text" (seconds since boot: the writers' CLOCK_MONOTONIC); bytes \
            that are not printable UTF-8 are shown as \\xNN.

            --follow waits for new records after printing what is there, like dmesg -w, and \
            prints each as soon as it is finalized: it polls the ring every \
            \(PrbDump.followIntervalMilliseconds) ms (only reads: writers pay nothing) and stops \
            cleanly on SIGINT or SIGTERM.

            With --json each record is one JSON object on a line (seq, ts_nsec, level, facility, \
            caller_id, text, and subsystem and device when set), and records that were lost \
            (overwritten before they could be read) show up as {"lost": N, "from_seq": S}, with \
            "writer_died": [seqs] naming those of them taken over from writers that died \
            writing them (the ring remembers the last few).

            Exit status: 0 success; 1 the file could not be opened (one line on standard error \
            names the file and the reason); 64 a usage error.
            """
    )

    static let followIntervalMilliseconds = 5

    @Argument(help: "The ring file.")
    var file: String

    @Flag(help: "One JSON object per line instead of text.")
    var json = false

    @Flag(name: [.customShort("w"), .long], help: "After printing what is there, wait for new records (until interrupted).")
    var follow = false

    @Option(name: .customLong("from-seq"), help: "Start at this sequence number (default: the oldest record in the ring).")
    var fromSeq: UInt64?

    @Option(
        name: [.short, .long],
        help: "Print only these levels: a comma-separated list of names (emerg, alert, crit, err, warn, notice, info, debug) or numbers.",
        transform: PrbDump.parseLevels)
    var level: Set<LogLevel>?

    @Flag(help: "Print the ring's geometry and counters instead of its records.")
    var stats = false

    @Flag(help: "Read in panic mode: show committed records too, and skip a record whose writer never finished it (it died) when later records exist.")
    var panic = false

    @Flag(name: .customLong("show-level"), help: "Prefix each line with its level as <N>.")
    var showLevel = false

    @Flag(name: .customLong("show-caller"), help: "Show each record's caller id as [C<id>].")
    var showCaller = false

    @Flag(name: .customLong("show-seq"), help: "Show each record's sequence number as #<seq>.")
    var showSeq = false

    @Flag(name: [.short, .long], help: "All of --show-level, --show-caller, --show-seq, and lost records as lines.")
    var verbose = false

    static func parseLevels(_ text: String) throws -> Set<LogLevel> {
        var levels = Set<LogLevel>()
        for name in text.split(separator: ",") {
            guard let level = LogLevel(parsing: String(name)) else {
                throw ValidationError("unknown level '\(name)'")
            }
            levels.insert(level)
        }
        return levels
    }

    func run() throws {
        let ring: PrintkRing
        do {
            ring = try PrintkRing(openingFile: file)
        } catch {
            output("prb-dump: \(file): \(error)\n", to: 2)
            throw ExitCode(1)
        }
        if stats {
            printStatistics(ring)
            return
        }
        if follow { StopSignal.install() }
        let formatter = RecordFormatter(
            showLevel: showLevel || verbose, showCaller: showCaller || verbose, showSeq: showSeq || verbose)
        let reader = ring.reader(from: fromSeq, panicMode: panic)
        var lostSoFar = reader.lostCount
        repeat {
            while let record = reader.next() {
                let lost = reader.lostCount - lostSoFar
                lostSoFar = reader.lostCount
                if lost > 0 { reportLost(lost, before: record.seq, in: ring) }
                if let level, !level.contains(record.info.level) { continue }
                emit(json ? RecordFormatter.json(for: record) : formatter.line(for: record))
            }
            // Lost records at the end: the reader passed them before it stopped (no readable
            // record follows them yet), and they end just before its next seq.
            let trailing = reader.lostCount - lostSoFar
            lostSoFar = reader.lostCount
            if trailing > 0 { reportLost(trailing, before: reader.nextSeq, in: ring) }
            if !follow || StopSignal.requested { break }
            var interval = timespec(tv_sec: 0, tv_nsec: Self.followIntervalMilliseconds * 1_000_000)
            nanosleep(&interval, nil)
        } while !StopSignal.requested
    }

    /// `count` records just before `seq` were lost; those of them taken over from dead writers
    /// (as far as the ring remembers) are named.
    func reportLost(_ count: UInt64, before seq: UInt64, in ring: PrintkRing) {
        let from = seq - count
        let writerDied = ring.recentTakeOvers.filter { $0 >= from && $0 < seq }
        if json {
            emit(RecordFormatter.json(lost: count, fromSeq: from, writerDied: writerDied))
        } else if verbose {
            let why = writerDied.isEmpty ? "" : ", writer died: seq " + writerDied.map(String.init).joined(separator: ",")
            emit("-- \(count) record\(count == 1 ? "" : "s") lost (seq \(from)...\(seq - 1)\(why)) --")
        }
    }

    /// Prints a line and flushes it: a pipeline sees each record as soon as it is read.
    func emit(_ line: String) {
        output(line + "\n", to: 1)
    }

    func printStatistics(_ ring: PrintkRing) {
        let reader = ring.reader(from: fromSeq, panicMode: panic)
        var readable = 0
        while reader.nextInfo() != nil { readable += 1 }
        let counters = ring.statistics
        let info = ring.fileInfo
        var fields: [(String, String)] = [
            ("file", file),
            ("format_version", info.map { String($0.version) } ?? "?"),
            ("file_bytes", info.map { String($0.fileBytes) } ?? "?"),
            ("created_ns_since_epoch", info.map { String($0.createdNanosecondsSinceEpoch) } ?? "?"),
            ("descriptors", String(1 << ring.descriptorBits)),
            ("text_bytes", String(1 << ring.dataBits)),
            ("device_info", ring.storesDeviceInfo ? "yes" : "no"),
            ("text_bytes_in_use", String(counters.textBytesInUse)),
            ("max_record_bytes", String(ring.maxRecordSize)),
            ("first_seq", String(ring.firstSeq)),
            ("next_seq", String(ring.nextSeq)),
            ("next_reserve_seq", String(ring.nextReserveSeq)),
            ("records_readable", String(readable)),
            ("records_lost_seen", String(reader.lostCount)),
            ("failed_reservations", String(counters.failedReservations)),
            ("failed_data_allocations", String(counters.failedDataAllocations)),
            ("takeovers", String(counters.takenOver)),
            ("recent_takeover_seqs", ring.recentTakeOvers.map(String.init).joined(separator: ",")),
        ]
        let writers = ring.fileWriters ?? []
        fields.append(("writers_alive", String(writers.count { $0.state == .alive })))
        fields.append(("writers_dead", String(writers.count { $0.state == .dead })))
        if json {
            // A list of seqs is an array (empty or not); other all-digit values are numbers.
            let arrays: Set<String> = ["recent_takeover_seqs"]
            let body = fields.map { key, value in
                if arrays.contains(key) { return "\"\(key)\":[\(value)]" }
                let numeric = !value.isEmpty && value.allSatisfy(\.isNumber)
                return "\"\(key)\":" + (numeric ? value : "\"\(RecordFormatter.escaped(Array(value.utf8), forJSON: true))\"")
            }
            emit("{" + body.joined(separator: ",") + "}")
        } else {
            for (key, value) in fields { emit("\(key): \(value)") }
            // The writer table, one line per slot ever claimed: who writes, and who died writing.
            for writer in writers {
                emit("writer \(writer.slot): pid \(writer.pid) generation \(writer.generation) \(writer.state)")
            }
        }
    }
}

/// Writes all of `text` to a file descriptor (no stdio buffer to flush or lose).
func output(_ text: String, to fd: Int32) {
    var text = text
    text.withUTF8 { bytes in
        var done = 0
        while done < bytes.count {
            let wrote = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if wrote < 0 && errno == EINTR { continue }
            guard wrote > 0 else { return }
            done += wrote
        }
    }
}

/// SIGINT and SIGTERM end --follow cleanly: the handler only sets a flag (async-signal-safe), and
/// the loop, woken from its sleep by the signal, sees it and returns.
enum StopSignal {
    private static let flag = Atomic<Bool>(false)

    static var requested: Bool { flag.load(ordering: .relaxed) }

    static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in StopSignal.flag.store(true, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        // A parent may have started us with these blocked (the mask is inherited): unblock them,
        // or the follow loop would never hear them.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }
}

extension LogLevel: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
