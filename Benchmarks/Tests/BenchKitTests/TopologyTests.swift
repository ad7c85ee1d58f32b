import BenchKit
import HarnessSupport
import Synchronization
import TestSupport
import Testing

@Suite(.singleThreaded) struct CPUListTests {
    @Test(arguments: [
        ("0", [0]), ("0-3", [0, 1, 2, 3]), ("0-3,8,10-11", [0, 1, 2, 3, 8, 10, 11]),
        (" 5 , 1-2 ", [1, 2, 5]), ("3,3,2-3", [2, 3]),
    ])
    func parses(text: String, cpus: [Int]) throws {
        #expect(try CPUList(parsing: text).cpus == cpus)
    }

    @Test(arguments: ["", "a", "1-", "-1", "3-1", "1,,2", "1-2-3", "0-70000"])
    func rejects(text: String) {
        #expect(throws: CPUList.ParseError.self) { try CPUList(parsing: text) }
    }

    @Test func printsInNumactlSyntax() throws {
        #expect(CPUList([0, 1, 2, 3, 8, 10, 11]).description == "0-3,8,10-11")
        #expect(CPUList([7]).description == "7")
        #expect(try CPUList(parsing: CPUList([1, 2, 4, 5, 6, 9]).description).cpus == [1, 2, 4, 5, 6, 9])
    }
}

@Suite(.singleThreaded) struct TopologyTests {
    /// A made-up machine: 8 CPUs on 2 nodes (0-3 on node 0, 4-7 on node 1).
    let twoNodes = Topology(
        allowedCPUs: CPUList(0..<8), numaAvailable: true,
        nodeOfCPU: Dictionary(uniqueKeysWithValues: (0..<8).map { ($0, $0 < 4 ? 0 : 1) }))

    @Test func currentProcessHasCPUs() {
        let topology = Topology.current()
        #expect(!topology.allowedCPUs.cpus.isEmpty)
        #expect(topology.nodes.contains(0) || topology.numaAvailable)
        #expect(Set(topology.nodeOfCPU.keys) == Set(topology.allowedCPUs.cpus))
    }

    @Test func roundRobinPlacementOversubscribes() {
        #expect(twoNodes.placement(threads: 3, on: CPUList([2, 5])) == [2, 5, 2])
        #expect(twoNodes.placement(threads: 0, on: CPUList([2, 5])).isEmpty)
    }

    @Test func spreadPlacementAlternatesNodes() {
        #expect(twoNodes.placement(threads: 4, on: twoNodes.allowedCPUs, spreadAcrossNodes: true) == [0, 4, 1, 5])
    }

    @Test func validateRejectsCPUsOutsideTheMask() throws {
        try twoNodes.validate(CPUList([1, 7]))
        #expect(throws: CPUList.ParseError.self) { try twoNodes.validate(CPUList([8])) }
    }

    @Test func pinningToAnAllowedCPUIsConfirmed() {
        let cpu = Topology.current().allowedCPUs.cpus.last!
        // Pin on a thread of its own so the test runner's threads keep their affinity.
        let pinned = Mutex(false)
        OSThread { pinned.withLock { $0 = pinCurrentThread(to: cpu) } }.join()
        #expect(pinned.withLock { $0 })
    }
}
