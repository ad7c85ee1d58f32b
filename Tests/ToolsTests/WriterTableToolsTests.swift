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
