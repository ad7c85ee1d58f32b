import CBenchSupport

/// The CPUs this process may use and the NUMA nodes they belong to, as the OS reports them.
public struct Topology: Sendable {
    /// CPUs in this process's affinity mask (`sched_getaffinity`).
    public let allowedCPUs: CPUList
    /// Whether libnuma reports NUMA support.
    public let numaAvailable: Bool
    /// Node of each allowed CPU (all 0 without NUMA).
    public let nodeOfCPU: [Int: Int]

    /// Reads the current process's topology.
    public static func current() -> Topology {
        var buffer = [Int32](repeating: 0, count: 4096)
        let count = Int(bench_allowed_cpus(&buffer, Int32(buffer.count)))
        let cpus = buffer.prefix(max(0, min(count, buffer.count))).map(Int.init)
        let available = bench_numa_available()
        var nodes: [Int: Int] = [:]
        for cpu in cpus { nodes[cpu] = Int(bench_numa_node_of_cpu(Int32(cpu))) }
        return Topology(allowedCPUs: CPUList(cpus), numaAvailable: available, nodeOfCPU: nodes)
    }

    public init(allowedCPUs: CPUList, numaAvailable: Bool, nodeOfCPU: [Int: Int]) {
        self.allowedCPUs = allowedCPUs
        self.numaAvailable = numaAvailable
        self.nodeOfCPU = nodeOfCPU
    }

    /// The nodes that hold at least one allowed CPU, ascending.
    public var nodes: [Int] { Array(Set(nodeOfCPU.values)).sorted() }

    /// Checks that every CPU of `list` is allowed for this process.
    public func validate(_ list: CPUList) throws(CPUList.ParseError) {
        let missing = list.cpus.filter { nodeOfCPU[$0] == nil }
        guard missing.isEmpty else {
            throw CPUList.ParseError(
                text: list.description,
                reason: "CPU(s) \(CPUList(missing)) are not in this process's affinity mask (\(allowedCPUs))")
        }
    }

    /// The CPU each of `threads` threads should be pinned to: round-robin over `cpus` (so with more
    /// threads than CPUs, threads share CPUs evenly), or, when `spreadAcrossNodes` is set, taking
    /// CPUs from each node in turn so that consecutive threads land on different nodes.
    public func placement(threads: Int, on cpus: CPUList, spreadAcrossNodes: Bool = false) -> [Int] {
        guard !cpus.cpus.isEmpty, threads > 0 else { return [] }
        var order = cpus.cpus
        if spreadAcrossNodes {
            let byNode = Dictionary(grouping: cpus.cpus) { nodeOfCPU[$0] ?? 0 }
            let queues = byNode.keys.sorted().map { byNode[$0]! }
            order = []
            var round = 0
            while order.count < cpus.cpus.count {
                for queue in queues where round < queue.count { order.append(queue[round]) }
                round += 1
            }
        }
        return (0..<threads).map { order[$0 % order.count] }
    }
}

/// Pins the calling thread to `cpu` and confirms with `sched_getcpu` that it runs there.
/// Returns false if the OS refused or the thread is elsewhere.
@discardableResult
public func pinCurrentThread(to cpu: Int) -> Bool {
    guard bench_pin_current_thread(Int32(cpu)) == 0 else { return false }
    return bench_current_cpu() == Int32(cpu)
}
