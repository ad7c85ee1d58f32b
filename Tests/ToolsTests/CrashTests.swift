// Crash tests: writer processes on one ring file, one SIGKILLed again and again (at a random
// moment, or frozen first at a fault point with prb-log's PRB_TEST_FREEZE_AT), a new one started
// in its place; after every kill the ring must take writes until it has wrapped past the dead
// record, and a dump must check. The supervisor is Tests/ProcessHarness/CrashCampaign.swift,
// which scripts/crash-test.sh runs at scale through prb-crash.
//
// Without dead-writer recovery (docs/RECOVERY.md), a writer killed with its record reserved (at
// desc-head-moved, desc-reserved, data-head-moved, data-positions, data-allocated or text-partial,
// or at a random moment that falls there) would wedge the ring once it wraps onto that record:
// every later reservation would fail.
// A writer that is alive (frozen, not killed) still does, as in the kernel.

import ProcessHarness
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

@Suite(.singleThreaded, .serialized, .timeLimit(.minutes(2))) struct CrashTests {
    /// A small ring (32 records, 2 KiB of text) so that every check wraps it many times.
    static func configuration(_ killPoint: KillPoint, writers: Int, kills: Int, seed: UInt64 = 12) -> CampaignConfiguration {
        var configuration = CampaignConfiguration()
        configuration.killPoint = killPoint
        configuration.writers = writers
        configuration.kills = kills
        configuration.seed = seed
        return configuration
    }

    static func run(_ configuration: CampaignConfiguration) throws -> CampaignCounts {
        let counts = try CrashCampaign(configuration).run()
        #expect(counts.kills == configuration.kills)
        #expect(counts.wedges == 0, "\(counts.summary)\n\(counts.findings.problems)")
        #expect(counts.findings.isClean, "\(counts.findings)")
        #expect(counts.deadRecordsMisshown == 0, "\(counts.findings.problems)")
        #expect(counts.followersStuck == 0, "\(counts.findings.problems)")
        #expect(counts.harnessProblems.isEmpty, "\(counts.harnessProblems)")
        #expect(counts.findings.records > 0)
        return counts
    }

    /// A writer killed after committing its record, before finalizing it, needs no recovery:
    /// the next reservation finalizes the record, which a dump then shows whole, and the ring
    /// wraps past it. (The victim writes alone, so no newer record was reserved before it
    /// committed; see `committedAmongConcurrentWriters` for the case where one was.)
    @Test func killedAfterCommitTheNextReservationFinalizesTheRecord() throws {
        let counts = try Self.run(Self.configuration(.freeze(.committed), writers: 0, kills: 4))
        #expect(counts.rings == 1)
    }

    /// The wedge check can fail: a live writer frozen with its record reserved blocks the ring,
    /// and must keep blocking it (a recovery must never take over a live writer's record); killed,
    /// it must not (that half needs recovery).
    @Test(arguments: [FreezePoint.descReserved, .dataHeadMoved, .dataPositions, .dataAllocated, .textPartial])
    func aLiveStuckWriterBlocksTheRing(at point: FreezePoint) throws {
        let campaign = try CrashCampaign(Self.configuration(.freeze(point), writers: 0, kills: 1))
        try campaign.createRing()
        let frozen = try #require(try campaign.startFrozenWriter(at: point, record: 3))
        let blocked = try campaign.writesKeepSucceeding(pastSeq: frozen.seq)
        #expect(!blocked.succeeded, "a live writer's reserved record was passed")
        #expect(frozen.process.killAndReap() == .signaled(SIGKILL))
    }

    /// Once its writer is dead, the record that blocked the ring is taken over: the ring wraps
    /// past it again and again. (The campaigns below also check that a reader shows it lost.)
    @Test(arguments: [FreezePoint.descHeadMoved, .descReserved, .dataHeadMoved, .dataPositions, .dataAllocated, .textPartial])
    func aKilledStuckWriterNoLongerBlocksTheRing(at point: FreezePoint) throws {
        let campaign = try CrashCampaign(Self.configuration(.freeze(point), writers: 0, kills: 1))
        try campaign.createRing()
        let frozen = try #require(try campaign.startFrozenWriter(at: point, record: 3))
        #expect(!(try campaign.writesKeepSucceeding(pastSeq: frozen.seq)).succeeded)
        frozen.process.killAndReap()
        let check = try campaign.writesKeepSucceeding(pastSeq: frozen.seq)
        #expect(check.succeeded, "\(check.why)")
    }

    /// A writer that starts after another died (and may get its place in whatever table of
    /// writers the recovery keeps) and is frozen alive with its record reserved must not be taken
    /// over: the dead writer's record is passed, the newcomer's blocks the ring until it dies too.
    @Test(arguments: [FreezePoint.descReserved, .textPartial])
    func aNewcomerAfterADeadWriterIsNotTakenOver(at point: FreezePoint) throws {
        let campaign = try CrashCampaign(Self.configuration(.freeze(point), writers: 0, kills: 2))
        try campaign.createRing()
        let dead = try #require(try campaign.startFrozenWriter(at: point, record: 2))
        dead.process.killAndReap()
        let newcomer = try #require(try campaign.startFrozenWriter(at: point, record: 2))
        let blocked = try campaign.writesKeepSucceeding(pastSeq: newcomer.seq)
        #expect(!blocked.succeeded, "the live newcomer's record was passed")
        let firstSeq = try #require(blocked.firstSeq)
        #expect(firstSeq > dead.seq && firstSeq <= newcomer.seq)
        newcomer.process.killAndReap()
        let passed = try campaign.writesKeepSucceeding(pastSeq: newcomer.seq)
        #expect(passed.succeeded, "\(passed.why)")
    }

    /// Writers killed alone at each point that leaves a reserved record, again and again: the
    /// dead record shows as lost, the ring wraps past it, every dump checks.
    @Test(arguments: [FreezePoint.descHeadMoved, .descReserved, .dataHeadMoved, .dataPositions, .dataAllocated, .textPartial])
    func killedAloneAtAFaultPoint(at point: FreezePoint) throws {
        _ = try Self.run(Self.configuration(.freeze(point), writers: 0, kills: 4))
    }

    /// The same with three writer processes running throughout and a follower reading them.
    @Test(arguments: [FreezePoint.descHeadMoved, .descReserved, .dataHeadMoved, .dataAllocated, .textPartial])
    func killedAmongWritersAtAFaultPoint(at point: FreezePoint) throws {
        _ = try Self.run(Self.configuration(.freeze(point), writers: 3, kills: 3))
    }

    /// Killed after commit while other writers run. Disabled: a newer record reserved between the
    /// victim's reservation and its commit tried to finalize it too early (it was still
    /// reserved), and the victim, frozen right after its commit, never runs its own
    /// finalize-if-no-longer-newest check: the record stays committed, and a committed record
    /// stops the tails like a reserved one. Rare, but it wedges without recovery (scripts/crash-test.sh:
    /// 2 wedges in 100 such kills, 2026-12-05).
    @Test func committedAmongConcurrentWriters() throws {
        _ = try Self.run(Self.configuration(.freeze(.committed), writers: 3, kills: 6))
    }

    /// The window `committedAmongConcurrentWriters` hits, made deterministic: the victim stops
    /// with its text block allocated, a newer record is written (its reserver's attempt to
    /// finalize the victim's record fails: it is still reserved), then the victim commits and is
    /// killed before its own check for a newer record. Nobody will finalize that committed record,
    /// and a committed record stops the tails: without recovery the ring wedges (this test, run
    /// enabled today, fails: "the ring took 21 of 340 writes (dead record 1)").
    @Test
    func aCommittedRecordNobodyFinalizesIsTakenOver() throws {
        let campaign = try CrashCampaign(Self.configuration(.freeze(.committed), writers: 0, kills: 1))
        try campaign.createRing()
        let victim = try #require(try campaign.startFrozenWriter(at: [.dataAllocated, .committed], record: 2))
        #expect(try campaign.probe(lines: 1).written == 1)
        try #require(victim.resume(), "the victim did not freeze again after its commit")
        #expect(victim.process.killAndReap() == .signaled(SIGKILL))
        let check = try campaign.writesKeepSucceeding(pastSeq: victim.seq)
        #expect(check.succeeded, "\(check.why)")
    }

    /// Random kills among three writers: some land between a reservation and its commit.
    @Test func randomKillsAmongWriters() throws {
        _ = try Self.run(Self.configuration(.random, writers: 3, kills: 10))
    }
}
