// The scenario x implementation table that scripts/panic-table.sh prints.

import Comparators
import PanicScenarios
import TestSupport
import Testing

@Suite("Panic table", .singleThreaded)
struct PanicTableTests {
    @Test("The matrix has every scenario x implementation pair, every freeze point and dump mode")
    func matrixIsComplete() {
        let runs = ScenarioConfiguration.matrix(budgetNanoseconds: 1)
        for scenario in Scenario.allCases {
            for kind in LogRingKind.allCases {
                let pair = runs.filter { $0.scenario == scenario && $0.implementation == kind }
                if scenario.notApplicableReason(for: kind) != nil {
                    #expect(pair.count == 1)
                    continue
                }
                let points = scenario.freezesAWriter ? scenario.freezePoints(for: kind).count : 1
                #expect(pair.count == points * DumpMode.modes(for: kind).count, "\(scenario) \(kind)")
            }
        }
    }

    @Test("The table has a section per scenario and a row per run, n/a rows with their reason")
    func markdown() throws {
        // Not-applicable runs and a quick one: what the rendering needs, without playing the matrix.
        let budget: UInt64 = 1_000_000_000
        let configurations = [
            ScenarioConfiguration(
                scenario: .stuckRemote, implementation: .lockless, freezePoint: .dataAllocated,
                budgetNanoseconds: budget),
            ScenarioConfiguration(
                scenario: .stuckSelf, implementation: .mutex, freezePoint: nil,
                budgetNanoseconds: budget),
            ScenarioConfiguration(
                scenario: .busyRemote, implementation: .fetchAdd, freezePoint: nil,
                budgetNanoseconds: budget),
        ]
        let outcomes = try configurations.map { try PanicScenarioRunner.run($0) }
        let table = PanicTable.markdown(outcomes, budgetNanoseconds: budget)
        #expect(table.contains("## stuck-remote"))
        #expect(table.contains("## stuck-self"))
        #expect(table.contains("## busy-remote"))
        #expect(!table.contains("## signal-writer"))
        #expect(table.contains("| lockless | data-allocated | deadline | 50 | 50 | 50 | 0 | 0 | 0 |"))
        #expect(table.contains("| 100% |"))
        #expect(table.contains("| mutex | — | — | n/a |"))
        #expect(table.contains("async-signal-safe"))
        #expect(table.contains("| fetch-add | — | — | n/a |"))
        let rows = table.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| implementation") }
        #expect(rows.count == 3)
    }

    @Test("A try-once run that found the lock held says skipped, not deadlocked")
    func tryOnceSkippedRow() throws {
        let budget: UInt64 = 1_000_000_000
        let configuration = ScenarioConfiguration(
            scenario: .stuckRemote, implementation: .spinlock, freezePoint: .locked, dumpMode: .tryOnce,
            budgetNanoseconds: budget)
        let table = PanicTable.markdown([try PanicScenarioRunner.run(configuration)], budgetNanoseconds: budget)
        #expect(table.contains("| spinlock | locked | try-once | 48 | 0 | 0 | 0 | 0 | 0 | 0.0 ms | no | 0% |"))
        #expect(table.contains("skipped: lock held at the check"))
        #expect(!table.contains("missing"))
    }
}
