// C programs that must run as processes of their own (fork() is not for a multithreaded test
// process), compiled as a C user would, with AddressSanitizer and UndefinedBehaviorSanitizer on.

import Foundation
import Testing
import TestSupport

@Suite(.singleThreaded, .timeLimit(.minutes(2))) struct CProgramTests {
    /// Tests/CPrograms/fork_inherited.c: a handle inherited through fork() writes nothing and
    /// frees nothing of its parent's; a ring file never reopens a record.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/cc"), "needs a C compiler"))
    func aHandleInheritedThroughForkIsNotAWriter() throws {
        let scratch = try ScratchFiles()
        let root = ReadmeCExampleTests.root
        let core = root.appendingPathComponent("Sources/CPrintkRing")
        let binary = scratch.url("fork_inherited")
        let tester = ReadmeCExampleTests()
        let compile = try tester.run(
            "/usr/bin/cc",
            [
                "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Werror", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                "-I", core.appendingPathComponent("include").path,
                root.appendingPathComponent("Tests/CPrograms/fork_inherited.c").path,
                core.appendingPathComponent("prb.c").path, core.appendingPathComponent("prb_file.c").path,
                "-lpthread", "-o", binary.path,
            ])
        try #require(compile.status == 0, "does not compile:\n\(compile.output)")
        let result = try tester.run(binary.path, [scratch.url("ring").path])
        #expect(result.status == 0 && result.output == "ok\n", "\(result.output)")
    }
}
