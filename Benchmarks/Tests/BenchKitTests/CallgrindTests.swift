import BenchKit
import Foundation
import TestSupport
import Testing

/// A callgrind output file as `prb-bench cost` has valgrind write it (the work loop of a small C
/// program: 1000 iterations of a lock add and an xchg, called from main; abridged, so main's call
/// cost is not the sum of work's lines).
private let sample = """
    # callgrind format
    version: 1
    creator: callgrind-3.19.0
    positions: instr
    events: Ir Ge
    summary: 0


    ob=/tmp/cg/t
    fl=???
    fn=main
    0x10b0 1
    0x10bd 1
    cfn=work
    calls=1 0x1240
    0x10bd 6006 2000

    fn=work
    0x1240 1
    0x1250 1 1
    0x125c 1 1
    0x1263 1
    0x1250 999 999
    0x125c 999 999
    0x1263 999
    0x126c 1

    ob=/usr/lib/x86_64-linux-gnu/libc.so.6
    fn=memcpy
    0x1250 7

    totals: 6017 2000
    """

/// objdump -d --no-show-raw-insn of the same program, abridged.
private let disassembly = """
    0000000000001240 <work>:
        1240:\ttest   %edi,%edi
        1249:\tnopl   0x0(%rax)
        1250:\tlock addq $0x1,0x2dc7(%rip)        # 4020 <x>
        1259:\tmov    %rax,%rdx
        125c:\txchg   %rdx,0x2dbd(%rip)        # 4020 <x>
        1263:\tadd    $0x1,%rax
        10ad:\txchg   %rbx,%rbx
        1046:\txchg   %ax,%ax
        1270:\tlock
    """

@Suite(.singleThreaded) struct CallgrindProfileTests {
    @Test func totalsAndEvents() throws {
        let profile = try CallgrindProfile(parsing: sample)
        #expect(profile.events == ["Ir", "Ge"])
        #expect(profile.value("Ir", in: profile.totals) == 6017)
        #expect(profile.value("Ge", in: profile.totals) == 2000)
        #expect(profile.value("Dr", in: profile.totals) == 0)
    }

    @Test func instructionsAreSummedPerObjectAndAddressWithoutTheCallLines() throws {
        let profile = try CallgrindProfile(parsing: sample)
        let program = try #require(profile.instructions["/tmp/cg/t"])
        #expect(program[0x1250] == [1000, 1000])
        #expect(program[0x125c] == [1000, 1000])
        // main's own two instructions; the call's 6006 is work's, not main's.
        #expect(program[0x10bd] == [1, 0])
        #expect(profile.instructions["/usr/lib/x86_64-linux-gnu/libc.so.6"]?[0x1250] == [7, 0])
    }

    @Test func inclusiveCostsCountCalls() throws {
        let profile = try CallgrindProfile(parsing: sample)
        #expect(profile.inclusive["main"] == [6008, 2000])
        #expect(profile.inclusive["work"] == [3002, 2000])
        let top = profile.topFunctions(limit: 2)
        #expect(top.map(\.name) == ["main", "work"])
    }

    @Test func lockedSitesCountOnlyInTheirObject() throws {
        let profile = try CallgrindProfile(parsing: sample)
        let sites = LockedInstructions.sites(inObjdump: disassembly)
        #expect(sites == [0x1250, 0x125c, 0x1270])
        // libc's memcpy at 0x1250 is another object's address: not counted.
        #expect(profile.executions(at: ["/tmp/cg/t": sites]) == 2000)
    }

    @Test func compressedFilesAreRefused() {
        #expect(throws: CallgrindParseError.compressedNames(line: 2)) {
            try CallgrindProfile(parsing: "events: Ir\nfn=(1) main\n0x10 1\n")
        }
        #expect(throws: CallgrindParseError.compressedPositions(line: 3)) {
            try CallgrindProfile(parsing: "events: Ir\nfn=main\n+3 1\n")
        }
        #expect(throws: CallgrindParseError.noEvents) { try CallgrindProfile(parsing: "fn=main\n") }
    }

    @Test func costRowsUseTheThroughputFieldNames() throws {
        let row = CostRow(
            impl: "lockless", api: "swift", path: "write", records: 10, recordSize: 64, descBits: 12, dataBits: 17,
            instructionsPerRecord: 1100, lockedPerRecord: 5, busEventsPerRecord: 5, baselineInstructionsPerRecord: 240,
            includesClock: true)
        let object = try #require(
            JSONSerialization.jsonObject(with: JSONEncoder().encode(row)) as? [String: Any])
        #expect(object["instructions_per_record"] as? Double == 1100)
        #expect(object["locked_per_record"] as? Double == 5)
        #expect(object["baseline_instructions_per_record"] as? Double == 240)
        #expect(object["ring_instructions_per_record"] as? Double == 860)
        #expect(object["impl"] as? String == "lockless")
        #expect(object["path"] as? String == "write")
        #expect(object["records"] as? Int == 10)
    }
}
