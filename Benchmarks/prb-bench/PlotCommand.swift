import ArgumentParser
import BenchKit

/// `prb-bench plot`: SVG charts from results files, drawn by BenchKit itself (no plotting tool).
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draws SVG charts (throughput, ratio to the spinlock, latency, panic readability) from JSON results.",
        discussion: """
            Several files are merged (exact duplicate rows dropped), so `prb-bench plot bench-results/*.json` works. \
            Writes throughput.svg, ratio.svg, latency.svg (and the same with -kernel-size for the kernel's ring size) \
            and readability.svg, each when the results hold the rows it needs.
            """)

    @Argument(help: "Results files written by --json or by the suite.")
    var files: [String] = []
    @Option(help: "Directory for the SVG files (created if missing).")
    var out = "bench-results"

    func run() throws {
        do {
            let set = try ResultSet.load(paths: files)
            for path in try ResultPlots.write(set, to: out) { print("wrote \(path)") }
        } catch let error as PlotError {
            throw ValidationError(error.description)
        }
    }
}
