// The writer table across processes: a prb-log process holds its slot while it runs (stopped
// too), and once it is killed with SIGKILL (no chance to close anything) the kernel's lock is gone
// and the slot reads dead; the next writer process gets the slot under a new generation.

import Foundation
import PrintkRing
import Testing
import TestSupport

/// A prb-log process that writes `path` and keeps it open until its standard input closes.
private final class RunningWriter {
    let process = Process()
    let input = Pipe()

    init(_ path: String) throws {
        process.executableURL = Tool.directory.appendingPathComponent("prb-log")
        process.arguments = [path]
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int64 { Int64(process.processIdentifier) }

    func write(_ line: String) { input.fileHandleForWriting.write(Data((line + "\n").utf8)) }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// The writer table entry of `pid`, waiting (bounded) until `matches` holds for it.
private func waitForWriter(
    _ ring: PrintkRing, pid: Int64, _ what: String, _ matches: (PrintkRing.FileWriter) -> Bool
) throws -> PrintkRing.FileWriter {
    let found = retry(until: monotonicNanoseconds() + 30_000_000_000, sleeping: true) {
        ring.fileWriters?.first { $0.pid == pid && matches($0) }
    }
    return try #require(found, "writer \(pid) never became \(what): \(ring.fileWriters ?? [])")
}

@Suite(.singleThreaded, .timeLimit(.minutes(2))) struct WriterTableToolsTests {
    @Test func aKilledWriterProcessReadsDeadAndItsSlotIsReused() throws {
        let scratch = try ScratchFiles()
        let path = scratch.url("table.ring").path
        do {
            let creator = try PrintkRing(creatingFile: path, descriptorBits: 5, dataBits: 12)
            #expect(creator.fileWriterSlot?.slot == 0 && creator.fileWriterSlot?.generation == 1)
        }  // closed: slot 0 is free again
        let observer = try PrintkRing(openingFile: path)
        #expect(observer.fileWriterSlot == nil)
        #expect(observer.fileWriters?.map(\.state) == [.closed])

        let writer = try RunningWriter(path)
        writer.write("hello from a writer process")
        let alive = try waitForWriter(observer, pid: writer.pid, "alive") { $0.state == .alive }
        // It claimed its slot before it read its input: wait (bounded) for the record too.
        let record = retry(until: monotonicNanoseconds() + 30_000_000_000, sleeping: true) { observer.reader().next() }
        #expect(record?.text == "hello from a writer process")

        // Stopped is not dead: the process still holds its lock.
        kill(pid_t(writer.pid), SIGSTOP)
        #expect(observer.fileWriters?.first { $0.slot == alive.slot }?.state == .alive)
        kill(pid_t(writer.pid), SIGCONT)

        // Killed: nothing in the process ran afterwards, yet its slot reads dead (not closed).
        kill(pid_t(writer.pid), SIGKILL)
        writer.process.waitUntilExit()
        let dead = try waitForWriter(observer, pid: writer.pid, "dead") { $0.state == .dead }
        #expect(dead.slot == alive.slot && dead.generation == alive.generation)
        let stats = try Tool.run("prb-dump", ["--stats", path])
        #expect(stats.lines.contains("writers_dead: 1"))
        #expect(stats.lines.contains("writer \(dead.slot): pid \(writer.pid) generation \(dead.generation) dead"))

        // The next writer process takes the free slot under a new generation.
        let next = try RunningWriter(path)
        let claimed = try waitForWriter(observer, pid: next.pid, "alive") { $0.state == .alive }
        #expect(
            claimed.slot == dead.slot && claimed.generation == dead.generation + 1,
            "dead \(dead), claimed \(claimed), table \(observer.fileWriters ?? [])")
    }
}

/// A gap with its reason: a prb-log process killed with its record reserved and its text block
/// allocated leaves a record that the survivors take over as soon as the text ring wraps onto it; readers (the Swift API, and prb-dump in both its formats) say that its
/// writer died, and `--stats` lists it.
@Suite(.singleThreaded, .timeLimit(.minutes(2))) struct LostReasonToolsTests {
    @Test func aDeadWritersRecordIsReportedAsSuch() throws {
        let scratch = try ScratchFiles()
        let path = scratch.url("reason.ring").path
        let notify = scratch.url("frozen")
        // 32 records, 1 KiB of text: the survivor's records below wrap the text many times and
        // the descriptors not at all, so the dead record stays in the ring as a gap.
        let survivor = try PrintkRing(creatingFile: path, descriptorBits: 5, dataBits: 10)
        try survivor.write("before")

        let victim = Process()
        victim.executableURL = Tool.directory.appendingPathComponent("prb-log")
        victim.arguments = [path]
        victim.environment = ["PRB_TEST_FREEZE_AT": "data-allocated", "PRB_TEST_FREEZE_NOTIFY": notify.path]
        let input = Pipe()
        victim.standardInput = input
        victim.standardOutput = FileHandle.nullDevice
        victim.standardError = FileHandle.nullDevice
        try victim.run()
        defer {
            if victim.isRunning { kill(victim.processIdentifier, SIGKILL) }
            victim.waitUntilExit()
        }
        input.fileHandleForWriting.write(Data("never finished\n".utf8))
        let frozenLine = retry(until: monotonicNanoseconds() + 30_000_000_000, sleeping: true) {
            (try? String(contentsOf: notify, encoding: .utf8)).flatMap { $0.contains("frozen") ? $0 : nil }
        }
        let line = try #require(frozenLine, "prb-log never froze")
        let seqField = try #require(line.split(separator: " ").first { $0.hasPrefix("seq=") })
        let deadSeq = try #require(UInt64(seqField.dropFirst(4)))
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()

        #expect(survivor.lostReason(ofSeq: deadSeq) == .unknown)  // not taken over yet
        let big = String(repeating: "z", count: 300)
        for _ in 0..<12 { try survivor.write(big) }
        #expect(survivor.statistics.takenOver == 1)
        #expect(survivor.lostReason(ofSeq: deadSeq) == .writerDied)
        #expect(survivor.recentTakeOvers == [deadSeq])
        #expect(survivor.lostReason(ofSeq: deadSeq + 1) != .writerDied)

        let json = try Tool.run("prb-dump", ["--json", path])
        #expect(json.status == 0)
        #expect(json.lines.contains { $0.hasPrefix("{\"lost\":") && $0.contains("\"writer_died\":[\(deadSeq)]") }, "\(json.lines)")
        let text = try Tool.run("prb-dump", ["--verbose", path])
        #expect(text.lines.contains { $0.hasPrefix("-- ") && $0.contains("writer died: seq \(deadSeq))") }, "\(text.lines)")
        let stats = try Tool.run("prb-dump", ["--stats", path])
        #expect(stats.lines.contains("recent_takeover_seqs: \(deadSeq)"), "\(stats.lines)")
        let jsonStats = try Tool.run("prb-dump", ["--stats", "--json", path])
        #expect(jsonStats.lines.count == 1 && jsonStats.lines[0].contains("\"recent_takeover_seqs\":[\(deadSeq)]"), "\(jsonStats.lines)")
    }
}
