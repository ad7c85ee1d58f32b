import Comparators

/// The scenario x implementation table, in Markdown.
public enum PanicTable {
    /// Column headers, in order.
    static let columns = [
        "implementation", "frozen at", "dump", "committed", "returned", "intact", "torn", "lost", "refused",
        "dump time", "deadlocked", "readability", "notes",
    ]

    /// One Markdown section per scenario, one row per run, in the order given.
    public static func markdown(_ outcomes: [ScenarioOutcome], budgetNanoseconds: UInt64) -> String {
        var text = """
            # Panic-time readability

            Every wait on the panic path gives up after \(milliseconds(budgetNanoseconds)) (the budget).
            committed: records committed before the panic. returned: records the dump returned. \
            intact: committed records returned with seq, checksum and content intact. \
            torn: records returned damaged (checksum or content wrong, or a header that could not be walked). \
            lost: committed records the dump skipped as overwritten. \
            refused: panic-path writes (panic messages, signal-handler writes) that gave up or failed. \
            deadlocked: some wait on the panic path gave up at its deadline. \
            skipped (try-once): the one look at the lock found it held, so nothing that needs it ran. \
            readability: intact / (committed - lost).

            """
        for scenario in Scenario.allCases {
            let rows = outcomes.filter { $0.configuration.scenario == scenario }
            guard !rows.isEmpty else { continue }
            text += "\n## \(scenario)\n\n\(scenario.summary).\n\n"
            text += "| " + columns.joined(separator: " | ") + " |\n"
            text += "|" + columns.map { _ in "---" }.joined(separator: "|") + "|\n"
            for row in rows {
                text += "| " + cells(row).joined(separator: " | ") + " |\n"
            }
        }
        return text
    }

    static func cells(_ outcome: ScenarioOutcome) -> [String] {
        let c = outcome.configuration
        switch outcome {
        case .notApplicable(_, let reason):
            return [c.implementation.rawValue, "—", "—"] + Array(repeating: "n/a", count: 9) + [reason]
        case .ran(let r):
            return [
                c.implementation.rawValue, c.freezePoint?.rawValue ?? "—", c.dumpMode.rawValue,
                "\(r.committedBeforePanic)", "\(r.returned)", "\(r.intact)", "\(r.torn)", "\(r.lost)", "\(r.refused)",
                milliseconds(r.dumpNanoseconds), r.deadlocked ? "**yes**" : "no", percent(r.readability),
                notes(r),
            ]
        }
    }

    static func notes(_ r: ScenarioResult) -> String {
        var notes: [String] = []
        if r.skipped {
            let what = r.returned == 0 ? "skipped" : "messages skipped"
            notes.append("\(what): lock held at the check")
        }
        if r.busted { notes.append("lock busted") }
        if r.stoppedEarly { notes.append("dump stopped at a record still being written") }
        if r.lostDuringDump > 0 { notes.append("\(r.lostDuringDump) of the lost overwritten during the dump") }
        if r.extra > 0 { notes.append("+\(r.extra) intact not committed before the panic") }
        if r.missing > 0 && !r.deadlocked && !r.stoppedEarly && !r.skipped { notes.append("\(r.missing) missing") }
        return notes.joined(separator: "; ")
    }

    static func milliseconds(_ nanoseconds: UInt64) -> String {
        let ms = Double(nanoseconds) / 1_000_000
        return ms >= 10 ? "\(Int(ms.rounded())) ms" : "\(Double(Int(ms * 1000)) / 1000) ms"
    }

    static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        return value == value.rounded() ? "\(Int(value))%" : "\(Double(Int(value * 10)) / 10)%"
    }
}
