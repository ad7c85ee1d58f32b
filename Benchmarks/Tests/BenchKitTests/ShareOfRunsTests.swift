// The share of runs in which a panic dump showed anything, and its spread over blocks of runs.

import BenchKit
import TestSupport
import Testing

@Suite("Share of runs", .singleThreaded)
struct ShareOfRunsTests {
    @Test func shareAndSpreadOverBlocks() throws {
        // 10 runs in 5 blocks of 2: 100%, 50%, 0%, 100%, 100%.
        let runs = [true, true, true, false, false, false, true, true, true, true]
        let share = try #require(ShareOfRuns(runs, blocks: 5))
        #expect(share.percent == 70)
        #expect(share.minPercent == 0)
        #expect(share.maxPercent == 100)
        #expect(share.text == "70% (0-100)")
    }

    @Test func fewerRunsThanBlocks() throws {
        let share = try #require(ShareOfRuns([true, false, true], blocks: 5))
        #expect(share.minPercent == 0)
        #expect(share.maxPercent == 100)
        #expect(abs(share.percent - 200.0 / 3) < 1e-9)
    }

    @Test func agreementIsOneNumber() throws {
        #expect(try #require(ShareOfRuns(Array(repeating: true, count: 7), blocks: 5)).text == "100%")
        #expect(ShareOfRuns([], blocks: 5) == nil)
    }
}
