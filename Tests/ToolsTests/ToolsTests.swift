// prb-log and prb-dump, run as a user runs them: separate processes, standard input and output.

import Foundation
import PrintkRing
import Testing
import TestSupport

/// Runs the package's executables and captures what they print.
struct Tool {
    /// The executables sit next to the test bundle in the build directory.
    static let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()

    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        var lines: [String] { String(decoding: stdout, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
    }

    /// Runs `name arguments` with `input` on standard input; fails the test after `timeout` seconds.
    static func run(_ name: String, _ arguments: [String], input: Data = Data(), timeout: TimeInterval = 60) throws
        -> Result
    {
        let scratch = try ScratchFiles()
        let inputURL = scratch.url("stdin")
        try input.write(to: inputURL)
        let process = try start(name, arguments, stdin: inputURL, scratch: scratch)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(1_000) }
        if process.isRunning {
            process.terminate()
            Issue.record("\(name) \(arguments) did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: try Data(contentsOf: scratch.url("stdout")),
            stderr: String(decoding: try Data(contentsOf: scratch.url("stderr")), as: UTF8.self))
    }

    /// Starts `name arguments` with standard output and error going to files in `scratch`.
    static func start(_ name: String, _ arguments: [String], stdin: URL? = nil, scratch: ScratchFiles) throws -> Process {
        let process = Process()
        process.executableURL = directory.appendingPathComponent(name)
        process.arguments = arguments
        try Data().write(to: scratch.url("stdout"))
        try Data().write(to: scratch.url("stderr"))
        process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: scratch.url("stdout"))
        process.standardError = try FileHandle(forWritingTo: scratch.url("stderr"))
        try process.run()
        return process
    }
}

/// A directory for one test's files, removed afterwards.
final class ScratchFiles {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("prb-tools-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
}

/// The JSON objects of a --json dump.
func jsonObjects(_ result: Tool.Result) throws -> [[String: Any]] {
    try result.lines.map { line in
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
    }
}

@Suite(.singleThreaded, .timeLimit(.minutes(2))) struct ToolsTests {
    @Test func roundTripTextAndJSON() throws {
        let scratch = try ScratchFiles()
        let ring = scratch.url("demo.ring").path
        var input = Data("first line\n\nthird: 71 °C\n".utf8)
        input += Data([0x62, 0x69, 0x6e, 0x01, 0xff, 0x09, 0x22, 0x5c, 0x0a])  // "bin" \x01 \xff TAB " \ newline
        input += Data("no newline at the end".utf8)
        let log = try Tool.run("prb-log", ["--create", "--desc-bits", "6", "--data-bits", "12", ring], input: input)
        #expect(log.status == 0, "\(log.stderr)")
        #expect(log.stderr.isEmpty)

        let text = try Tool.run("prb-dump", [ring])
        #expect(text.status == 0)
        let bodies = text.lines.map { String($0.drop(while: { $0 != "]" }).dropFirst(2)) }
        #expect(bodies == ["first line", "", "third: 71 °C", "bin\\x01\\xff\t\"\\", "no newline at the end"])
        // dmesg's layout: [sssss.uuuuuu] text
        #expect(text.lines.allSatisfy { $0.range(of: #"^\[ *[0-9]+\.[0-9]{6}\] "#, options: .regularExpression) != nil })

        let json = try jsonObjects(try Tool.run("prb-dump", ["--json", ring]))
        #expect(json.map { $0["text"] as? String } == ["first line", "", "third: 71 °C", "bin\\x01\\xff\\x09\"\\", "no newline at the end"])
        #expect(json.map { $0["seq"] as? Int } == [0, 1, 2, 3, 4])
        for object in json {
            #expect(object["level"] as? Int == 6 && object["facility"] as? Int == 1)
            #expect((object["caller_id"] as? Int ?? 0) > 0)
            #expect((object["ts_nsec"] as? Int ?? 0) > 0)
        }

        let verbose = try Tool.run("prb-dump", ["--verbose", ring])
        #expect(verbose.lines.first?.hasPrefix("<6>[") == true)
        #expect(verbose.lines.first?.contains("#0 first line") == true)
    }

    @Test func aRingThatWrappedManyTimesKeepsTheNewestInOrder() throws {
        let scratch = try ScratchFiles()
        let ring = scratch.url("wrap.ring").path
        let lines = (1...5000).map { "line \($0) " + String(repeating: "x", count: $0 % 40) }
        let log = try Tool.run(
            "prb-log", ["--create", "--desc-bits", "6", "--data-bits", "11", ring], input: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(log.status == 0, "\(log.stderr)")
        let json = try jsonObjects(try Tool.run("prb-dump", ["--json", "--from-seq", "0", ring]))
        // The first line reports the records overwritten before the dump, then the newest follow.
        let gap = try #require(json.first)
        let lost = try #require(gap["lost"] as? Int)
        #expect(gap["from_seq"] as? Int == 0)
        let records = json.dropFirst()
        #expect(lost + records.count == 5000)
        #expect(records.map { $0["seq"] as? Int } == Array(lost..<5000).map { $0 })
        #expect(records.map { $0["text"] as? String } == Array(lines[lost...]).map { $0 })
        #expect(records.count >= 16)
    }

    /// Records lost at the very end (no readable record after them) are reported too.
    @Test func lostRecordsAtTheEndAreReported() throws {
        let scratch = try ScratchFiles()
        let path = scratch.url("lost-at-end.ring").path
        do {
            let ring = try PrintkRing(creatingFile: path, descriptorBits: 4, dataBits: 8)
            var held = try ring.reserve(capacity: 100)  // seq 0 holds the oldest block
            held.append("held")
            try ring.write(String(repeating: "y", count: 60))  // seq 1
            for seq: UInt64 in 2...4 {
                #expect(throws: PrintkRingError.noSpace(lostSeq: seq)) {
                    try ring.write(String(repeating: "z", count: 100))
                }
            }
            held.finalize()
        }
        let json = try jsonObjects(try Tool.run("prb-dump", ["--json", path]))
        #expect(json.count == 3)
        #expect(json.prefix(2).map { $0["seq"] as? Int } == [0, 1])
        #expect(json.last?["lost"] as? Int == 3 && json.last?["from_seq"] as? Int == 2)
        let stats = try Tool.run("prb-dump", ["--stats", path])
        #expect(stats.lines.contains("records_lost_seen: 3"))
    }

    @Test func theLargestRecordFitsAndOneByteMoreIsCutWithAMarker() throws {
        let scratch = try ScratchFiles()
        let ring = scratch.url("sizes.ring").path
        let largest = (try PrintkRing(descriptorBits: 4, dataBits: 10)).maxRecordSize
        let fits = String(repeating: "a", count: largest)
        let tooLong = String(repeating: "b", count: largest + 1)
        let log = try Tool.run(
            "prb-log", ["--create", "--desc-bits", "4", "--data-bits", "10", ring], input: Data("\(fits)\n\(tooLong)\n".utf8))
        #expect(log.status == 0)
        #expect(log.stderr.contains("1 of 2 lines were longer than \(largest) bytes"))
        let json = try jsonObjects(try Tool.run("prb-dump", ["--json", ring]))
        #expect(json.count == 2)
        #expect(json.first?["text"] as? String == fits)
        let cut = try #require(json.last?["text"] as? String)
        #expect(cut.utf8.count == largest)
        #expect(cut.hasSuffix("[...]") && cut.hasPrefix("bbbb"))
    }

    @Test func levelsAreWrittenAndFiltered() throws {
        let scratch = try ScratchFiles()
        let ring = scratch.url("levels.ring").path
        #expect(try Tool.run("prb-log", ["--create", "--level", "err", ring], input: Data("bad\n".utf8)).status == 0)
        #expect(try Tool.run("prb-log", ["--level", "info", ring], input: Data("fine\n".utf8)).status == 0)
        #expect(try Tool.run("prb-log", ["--level", "4", ring], input: Data("careful\n".utf8)).status == 0)
        let errors = try Tool.run("prb-dump", ["--level", "err", ring])
        #expect(errors.lines.count == 1 && errors.lines[0].hasSuffix("] bad"))
        let some = try Tool.run("prb-dump", ["--level", "err,warn", ring])
        #expect(some.lines.map { $0.hasSuffix("] bad") || $0.hasSuffix("] careful") } == [true, true])
        #expect(try Tool.run("prb-dump", [ring]).lines.count == 3)
    }

    @Test func exitStatusesAndMessages() throws {
        let scratch = try ScratchFiles()
        let missing = scratch.url("missing.ring").path
        let dump = try Tool.run("prb-dump", [missing])
        #expect(dump.status == 1)
        #expect(dump.stderr == "prb-dump: \(missing): No such file or directory\n")
        let log = try Tool.run("prb-log", [missing], input: Data("x\n".utf8))
        #expect(log.status == 1)
        #expect(log.stderr.hasPrefix("prb-log: \(missing): "))
        // Not a ring file.
        try Data("hello\n".utf8).write(to: scratch.url("text"))
        let notRing = try Tool.run("prb-dump", [scratch.url("text").path])
        #expect(notRing.status == 1 && notRing.stderr.contains("not a ring file"))
        // Usage errors exit as the argument parser does (64).
        #expect(try Tool.run("prb-dump", ["--level", "loud", missing]).status == 64)
        #expect(try Tool.run("prb-log", ["--desc-bits", "99", missing]).status == 64)
    }

    @Test func statsDescribeTheRing() throws {
        let scratch = try ScratchFiles()
        let ring = scratch.url("stats.ring").path
        _ = try Tool.run("prb-log", ["--create", "--desc-bits", "5", "--data-bits", "12", ring], input: Data("a\nb\nc\n".utf8))
        let stats = try Tool.run("prb-dump", ["--stats", ring])
        #expect(stats.lines.contains("descriptors: 32"))
        #expect(stats.lines.contains("next_seq: 3"))
        #expect(stats.lines.contains("records_readable: 3"))
        #expect(stats.lines.contains("text_bytes_in_use: 48"))  // three 16-byte blocks
        let json = try jsonObjects(try Tool.run("prb-dump", ["--stats", "--json", ring]))
        #expect(json.first?["text_bytes"] as? Int == 4096)
        #expect(stats.lines.contains("device_info: yes"))
    }

    /// `prb-log --create --no-device-info` makes a ring without device-info storage: smaller by 64
    /// bytes per descriptor, which `prb-dump --stats` shows, and which reads like any other.
    @Test func aRingWithoutDeviceInfoFromTheCommandLine() throws {
        let scratch = try ScratchFiles()
        let ring = scratch.url("lean.ring").path
        let log = try Tool.run(
            "prb-log", ["--create", "--no-device-info", "--desc-bits", "5", "--data-bits", "12", ring],
            input: Data("a\nb\n".utf8))
        #expect(log.status == 0)
        let stats = try Tool.run("prb-dump", ["--stats", ring])
        #expect(stats.lines.contains("device_info: no"))
        // The same ring with device info is larger by exactly the device-info array.
        let full = scratch.url("full.ring").path
        _ = try Tool.run(
            "prb-log", ["--create", "--desc-bits", "5", "--data-bits", "12", full], input: Data("a\n".utf8))
        func fileBytes(_ lines: [String]) -> Int? {
            lines.first { $0.hasPrefix("file_bytes: ") }.flatMap { Int($0.dropFirst("file_bytes: ".count)) }
        }
        let lean = try #require(fileBytes(stats.lines))
        let withDeviceInfo = try #require(fileBytes(try Tool.run("prb-dump", ["--stats", full]).lines))
        let arrays = try #require(PrintkRing.requiredBytes(descriptorBits: 5, dataBits: 12))
            - #require(PrintkRing.requiredBytes(descriptorBits: 5, dataBits: 12, storesDeviceInfo: false))
        #expect(withDeviceInfo - lean == arrays)
        let texts = try Tool.run("prb-dump", [ring]).lines.map { $0.split(separator: "] ").last.map(String.init) }
        #expect(texts == ["a", "b"])
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func followPrintsNewRecordsAndStopsCleanly(signal: Int32) throws {
        let scratch = try ScratchFiles()
        let path = scratch.url("follow.ring").path
        let ring = try PrintkRing(creatingFile: path, descriptorBits: 5, dataBits: 12)
        try ring.write("before")
        let follower = try Tool.start("prb-dump", ["--follow", "--json", path], scratch: scratch)
        func printed() throws -> [String] {
            String(decoding: try Data(contentsOf: scratch.url("stdout")), as: UTF8.self).split(separator: "\n").map(String.init)
        }
        // Wait (bounded) for each event rather than sleeping and hoping.
        func waitFor(_ count: Int) throws {
            let deadline = Date().addingTimeInterval(30)
            var lines = try printed()
            while lines.count < count && Date() < deadline && follower.isRunning {
                usleep(1_000)
                lines = try printed()
            }
            try #require(lines.count >= count, "the follower printed \(lines)")
        }
        try waitFor(1)
        for n in 0..<3 { try ring.write("after \(n)") }
        try waitFor(4)
        kill(follower.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(30)
        while follower.isRunning && Date() < deadline { usleep(1_000) }
        if follower.isRunning {
            kill(follower.processIdentifier, SIGKILL)
            Issue.record("prb-dump --follow did not stop within 30 s of signal \(signal)")
        }
        follower.waitUntilExit()
        #expect(follower.terminationReason == .exit && follower.terminationStatus == 0)
        #expect(try printed().map { $0.contains("\"text\":\"") } == [true, true, true, true])
        #expect(try printed().last?.contains("after 2") == true)
    }
}
