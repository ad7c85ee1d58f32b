// The old kernel's lock bust (zap_locks, printk_safe_flush_on_panic) on the spinlock baseline.
//
// NOT FOR THREADSANITIZER: busting a lock lets two threads use the buffer's plain memory at once
// (the dump after the bust reads what the frozen holder wrote without any ordering; in
// signal-writer, the interrupted writer resumes over the handler's record). That data race is the
// point: it is what the old design risked at panic time. The trait .racesByDesign keeps it to the
// plain run.

import Comparators
import PanicScenarios
import TestSupport
import Testing

@Suite("Lock bust (racy by design: not under a sanitizer)", .racesByDesign)
struct LockBustTests {
    @Test(
        "Busting the lock of a holder that never returns reads everything",
        arguments: [Scenario.stuckRemote, .stuckSelf], FreezePoint.points(for: .spinlock))
    func bustReadsWhatAStoppedHolderLeft(scenario: Scenario, point: FreezePoint) throws {
        let r = try play(scenario, .spinlock, point, .bustLock, budget: shortBudget)
        #expect(r.busted)
        #expect(!r.deadlocked)
        #expect(r.refused == 0)
        #expect(r.torn == 0)
        #expect(r.readability == 1)
        // The frozen holder had not moved the indices yet: its half-written record is not visible.
        #expect(r.returned == r.committedBeforePanic)
    }

    @Test("A handler that busts the lock of the writer it interrupted tears a record; the dump detects it")
    func bustInSignalHandlerTearsARecord() throws {
        let r = try play(.signalWriter, .spinlock, .textPartial, .bustLock, budget: shortBudget)
        #expect(r.busted)
        // The handler wrote its first record where the interrupted writer had begun its own; the
        // writer then finished its copy over it. The dump returns that record and flags it.
        #expect(r.torn >= 1)
        // Torn records are never counted intact: every returned record is one or the other.
        #expect(r.returned == r.intact + r.torn + r.extra)
        #expect(r.intact < r.committedBeforePanic)
        #expect(r.readability < 1)
    }

    @Test("A handler that busts the lock before the writer stored anything leaves nothing torn")
    func bustBeforeAnyStore() throws {
        let r = try play(.signalWriter, .spinlock, .locked, .bustLock, budget: shortBudget)
        #expect(r.busted)
        #expect(r.torn == 0)
        #expect(r.readability == 1)
    }

    @Test("Busy-remote in bust mode: whatever the dump returns is checked")
    func busyRemoteBust() throws {
        let r = try play(.busyRemote, .spinlock, nil, .bustLock, budget: generousBudget)
        #expect(r.returned == r.intact + r.torn + r.extra)
    }
}
