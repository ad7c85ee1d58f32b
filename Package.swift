// swift-tools-version:6.0
//
// PrintkRing: a userspace, lockless, multi-writer ring buffer modeled on the Linux kernel's
// printk ringbuffer (kernel/printk/printk_ringbuffer.c, Linux 5.10 and later), with the
// benchmarks that compare it to the spinlock-protected log buffer it replaced.

import PackageDescription

let package = Package(
    name: "PrintkRing",
    products: [
        .library(name: "PrintkRing", targets: ["PrintkRing"]),
        .library(name: "CPrintkRing", targets: ["CPrintkRing"]),
        .executable(name: "prb-bench", targets: ["prb-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // The ring itself: dependency-free C11. Every access to ring memory goes through
        // prb_atomics.h so that the same source can be compiled as C++ under a memory-model
        // checker (see scripts/verify.sh once it exists).
        .target(
            name: "CPrintkRing",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        // The Swift API that users link.
        .target(
            name: "PrintkRing",
            dependencies: ["CPrintkRing"]
        ),
        // libnuma, for the benchmark's NUMA placement. `apt-get install libnuma-dev` provides it.
        .systemLibrary(
            name: "CNuma",
            path: "Benchmarks/Harness/CNuma",
            pkgConfig: "numa",
            providers: [.apt(["libnuma-dev"])]
        ),
        // OS support for the benchmark: CPU affinity and libnuma placement.
        .target(
            name: "CBenchSupport",
            dependencies: ["CNuma", "CPrintkRing", "CLogBaselines"],
            path: "Benchmarks/Harness/CBenchSupport",
            cSettings: [.define("_GNU_SOURCE")],
            linkerSettings: [.linkedLibrary("numa")]
        ),
        // The benchmark's testable logic: CPU lists, topology, placement, options and their
        // validation, statistics, the result rows (JSON/CSV), plots.
        .target(
            name: "BenchKit",
            dependencies: ["CBenchSupport", "LogRings"],
            path: "Benchmarks/Harness/BenchKit"
        ),
        .testTarget(
            name: "BenchKitTests",
            dependencies: ["BenchKit"],
            path: "Benchmarks/Tests/BenchKitTests"
        ),
        .executableTarget(
            name: "prb-bench",
            dependencies: [
                "PrintkRing", "CPrintkRing", "LogRings", "CLogBaselines", "PanicScenarios", "BenchKit",
                "CBenchSupport", "CAllocationCounter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Benchmarks/prb-bench"
        ),
        // Counts the test thread's heap allocations (interposes malloc in the test executable),
        // to prove that writing allocates nothing.
        .target(
            name: "CAllocationCounter",
            path: "Benchmarks/Harness/CAllocationCounter"
        ),
        .testTarget(
            name: "PrintkRingTests",
            dependencies: ["PrintkRing", "CPrintkRing", "CAllocationCounter", "TestThreads"]
        ),
        // The comparators the ring is benchmarked against: the old spinlock-protected printk
        // buffer, the same under a mutex, reserve-under-spinlock, and a fetch-add yardstick.
        .target(
            name: "CLogBaselines",
            path: "Benchmarks/Comparators/CLogBaselines",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        // Real threads for the concurrency tests of every test target.
        .target(
            name: "TestThreads",
            path: "Tests/TestThreads"
        ),
        .testTarget(
            name: "LogBaselinesTests",
            dependencies: ["CLogBaselines", "TestThreads"],
            path: "Benchmarks/Tests/LogBaselinesTests"
        ),
        // One protocol (LogRing) over the lockless ring and every comparator, plus the Swift Mutex
        // ring, so that tests and the benchmark drive them all the same way.
        .target(
            name: "LogRings",
            dependencies: ["CPrintkRing", "CLogBaselines"],
            path: "Benchmarks/Comparators/LogRings"
        ),
        // The async-signal-safe half of the panic scenarios (what signal handlers run): writes and
        // dumps with deadlines, frozen writers, the handler itself.
        .target(
            name: "CPanicHarness",
            dependencies: ["CPrintkRing", "CLogBaselines"],
            path: "Benchmarks/Panic/CPanicHarness",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        // The panic scenarios (stuck-remote, stuck-self, busy-remote, signal-writer) over LogRing.
        .target(
            name: "PanicScenarios",
            dependencies: ["LogRings", "CPanicHarness", "CPrintkRing", "CLogBaselines"],
            path: "Benchmarks/Panic/PanicScenarios"
        ),
        .testTarget(
            name: "LogRingsTests",
            dependencies: [
                "LogRings", "PanicScenarios", "CPanicHarness", "CPrintkRing", "CLogBaselines",
                "CAllocationCounter", "TestThreads",
            ],
            path: "Benchmarks/Tests/LogRingsTests"
        ),
    ],
    cLanguageStandard: .c11
)
