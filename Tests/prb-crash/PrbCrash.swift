import ArgumentParser
import ProcessHarness

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `prb-crash`: the crash-test supervisor of scripts/crash-test.sh (test support, not a product).
@main
struct PrbCrash: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prb-crash",
        abstract: "Kill prb-log writers of a shared ring file again and again, and check the ring after each kill.",
        discussion: """
            Writer processes (prb-log, fed self-checking lines: writer id, counter, payload and a \
            checksum of all three) write one ring file; a prb-dump --follow reads it throughout. \
            One writer is SIGKILLed at a random moment (--at random), or made to freeze at a fault \
            point with PRB_TEST_FREEZE_AT and then killed, and a new writer takes its place. After \
            every kill a probe writer must get its writes into the ring until it has wrapped \
            --wraps times past the dead record (else the kill counts as a wedge, and the campaign \
            goes on with a new ring), and a dump must check: every record intact, none twice, each \
            writer's in its order, every gap a reported lost run. prb-log and prb-dump are looked \
            for next to this executable (or in PRB_TOOLS_DIR). Progress lines (running counts, and \
            the supervisor's own CPU time and peak memory) go to standard error every \
            \(CrashCampaign.progressInterval) kills and after each ring; the counts to standard output \
            at the end.

            Exit status: 0 when every check passed; 1 when any failed (the counts say which).
            """
    )

    @Option(help: "Kill at: random, or a freeze point (\(FreezePoint.allCases.map(\.rawValue).joined(separator: ", "))).")
    var at: String = "random"

    @Flag(name: .customLong("list-points"), help: "Print the freeze points, comma-separated, and exit (scripts/crash-test.sh takes its default from here).")
    var listPoints = false

    @Option(help: "How many kills.")
    var kills = 20

    @Option(help: "Background writer processes (0 with a freeze point: the victim writes alone).")
    var writers = 3

    @Option(name: .customLong("desc-bits"), help: "log2 of the ring's records.")
    var descBits = 5

    @Option(name: .customLong("data-bits"), help: "log2 of the ring's text bytes.")
    var dataBits = 11

    @Option(help: "The ring must take writes until it has wrapped this many times past the dead record.")
    var wraps = 3

    @Option(name: .customLong("max-delay-ms"), help: "Random kills come at most this many milliseconds apart.")
    var maxDelayMs = 40

    @Option(name: .customLong("lines-per-writer"), help: "Lines each background writer writes before a new one replaces it.")
    var linesPerWriter = 4000

    @Option(name: .customLong("max-payload"), help: "Payload lengths vary from 0 to this many bytes.")
    var maxPayload = 100

    @Flag(name: .customLong("no-follow"), help: "Run no prb-dump --follow.")
    var noFollow = false

    @Option(help: "Seed of the random choices.")
    var seed: UInt64 = 1

    func run() throws {
        if listPoints {
            print(FreezePoint.allCases.map(\.rawValue).joined(separator: ","))
            return
        }
        var configuration = CampaignConfiguration()
        if at == "random" {
            configuration.killPoint = .random
        } else if let point = FreezePoint(rawValue: at) {
            configuration.killPoint = .freeze(point)
        } else {
            throw ValidationError("--at \(at): expected random, " + FreezePoint.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if configuration.killPoint == .random && writers == 0 {
            throw ValidationError("--at random needs --writers 1 or more")
        }
        configuration.kills = kills
        configuration.writers = writers
        configuration.descriptorBits = descBits
        configuration.dataBits = dataBits
        configuration.wraps = wraps
        configuration.maxKillDelayMilliseconds = maxDelayMs
        configuration.linesPerWriter = linesPerWriter
        configuration.maxPayload = maxPayload
        configuration.follow = !noFollow
        configuration.seed = seed
        let campaign = try CrashCampaign(configuration)
        campaign.progress = { message in
            var line = "prb-crash: \(message)\n"
            line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        }
        let counts = try campaign.run()
        let usage = ResourceUsage.ofThisProcess()
        print("== kill point \(at), \(writers) writers, ring 2^\(descBits) records / 2^\(dataBits) bytes, seed \(seed)")
        print(counts.summary)
        print("supervisor: \(usage)")
        // One line for scripts/crash-test.sh to add up.
        print(
            "counts: kills=\(counts.kills) wedges=\(counts.wedges) torn=\(counts.findings.torn) "
                + "missing=\(counts.findings.missingFinalized) dead_misshown=\(counts.deadRecordsMisshown) "
                + "followers_stuck=\(counts.followersStuck) "
                + "other_failures=\(counts.findings.failures - counts.findings.torn - counts.findings.missingFinalized) "
                + "harness=\(counts.harnessProblems.count) takeovers=\(counts.takeovers.map(String.init) ?? "n/a") "
                + "supervisor_cpu_ms=\(Int(usage.cpuSeconds * 1000)) supervisor_peak_rss_kb=\(usage.peakResidentKilobytes)")
        if !counts.findings.problems.isEmpty {
            print("first problems:")
            for problem in counts.findings.problems.prefix(10) { print("  " + problem) }
        }
        if !counts.isClean { throw ExitCode(1) }
    }
}
