// README.md's C example, compiled and run as a C user would (with AddressSanitizer and
// UndefinedBehaviorSanitizer on, so that an example that reads past a buffer fails here).

import Foundation
import Testing
import TestSupport

@Suite(.singleThreaded, .timeLimit(.minutes(2))) struct ReadmeCExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The ```c block of the section "Using it from C": its #include lines, and the rest as the body
    /// of main().
    static func example() throws -> String {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## Using it from C"))
        let open = try #require(readme.range(of: "```c\n", range: section.upperBound..<readme.endIndex))
        let close = try #require(readme.range(of: "```", range: open.upperBound..<readme.endIndex))
        let lines = readme[open.upperBound..<close.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        let includes = lines.filter { $0.hasPrefix("#include") }
        let body = lines.filter { !$0.hasPrefix("#include") }
        return (["#include <stdio.h>"] + includes + ["int main(void) {"] + body + ["    return 0;", "}"])
            .joined(separator: "\n")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/cc"), "needs a C compiler"))
    func theCExampleCompilesAndRuns() throws {
        let scratch = try ScratchFiles()
        let source = scratch.url("example.c")
        try Self.example().write(to: source, atomically: true, encoding: .utf8)
        let core = Self.root.appendingPathComponent("Sources/CPrintkRing")
        let binary = scratch.url("example")
        let compile = try run(
            "/usr/bin/cc",
            [
                "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Werror", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                "-I", core.appendingPathComponent("include").path, source.path,
                core.appendingPathComponent("prb.c").path, core.appendingPathComponent("prb_file.c").path,
                "-o", binary.path,
            ])
        try #require(compile.status == 0, "README's C example does not compile:\n\(compile.output)")
        let result = try run(binary.path, [])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output == "0 hello\n1 hello again\n")
    }

    func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
