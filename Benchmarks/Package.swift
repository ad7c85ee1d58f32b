// swift-tools-version:6.0
//
// The benchmark of PrintkRing and everything it measures against: the comparators (the
// spinlock-protected printk buffer the lockless ring replaced, and others), the panic scenarios,
// and prb-bench. A package of its own that depends on the library by path, so that the library's
// users resolve none of the benchmark's dependencies.
//
//   swift run -c release --package-path Benchmarks prb-bench      (scripts/bench.sh)
//   swift test --package-path Benchmarks                          (run by scripts/test.sh)

import PackageDescription

let package = Package(
    name: "PrintkRingBenchmarks",
    products: [
        .executable(name: "prb-bench", targets: ["prb-bench"])
    ],
    dependencies: [
        .package(name: "PrintkRing", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // MARK: The comparators

        // The rings the lockless ring is measured against: the old spinlock-protected printk
        // buffer, the same under a mutex, reserve-under-spinlock, and a fetch-add yardstick.
        .target(
            name: "CComparators",
            dependencies: [.product(name: "CPrintkRing", package: "PrintkRing")],
            path: "Comparators/CComparators",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        // The one ring-under-test protocol (LogRing) and its conformances: the lockless ring
        // through the product's Swift API, each C comparator, and the Swift Mutex ring. The
        // benchmark, the panic scenarios and the tests all drive them through it.
        .target(
            name: "Comparators",
            dependencies: [
                .product(name: "PrintkRing", package: "PrintkRing"), .product(name: "CPrintkRing", package: "PrintkRing"),
                "CComparators", "HarnessSupport",
            ],
            path: "Comparators/Comparators"
        ),

        // MARK: The panic scenarios

        // The async-signal-safe half of the panic scenarios (what signal handlers run): writes and
        // dumps with deadlines, frozen writers, the handler itself.
        .target(
            name: "CPanicHarness",
            dependencies: [.product(name: "CPrintkRing", package: "PrintkRing"), "CComparators"],
            path: "Panic/CPanicHarness",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        // The panic scenarios (stuck-remote, stuck-self, busy-remote, signal-writer) driven through LogRing.
        .target(
            name: "PanicScenarios",
            dependencies: [
                "Comparators", "CPanicHarness", "CComparators", "HarnessSupport",
                .product(name: "CPrintkRing", package: "PrintkRing"),
            ],
            path: "Panic/PanicScenarios"
        ),

        // MARK: The measuring kit

        // What the benchmark needs from the OS: CPU affinity and libnuma placement (the one place
        // libnuma is included and linked; `apt-get install libnuma-dev` provides it).
        .target(
            name: "CBenchSupport",
            path: "Harness/CBenchSupport",
            cSettings: [.define("_GNU_SOURCE")],
            linkerSettings: [.linkedLibrary("numa")]
        ),
        // Counts a thread's heap allocations (interposes malloc in the executable that links it),
        // to prove that writing allocates nothing.
        .target(
            name: "CAllocationCounter",
            path: "Harness/CAllocationCounter"
        ),
        // Starts and stops callgrind's counting around `prb-bench cost`'s measured loops (client
        // requests from valgrind/callgrind.h when it is installed; no-ops otherwise).
        .target(
            name: "CCallgrind",
            path: "Harness/CCallgrind"
        ),
        // What every part of the package shares: the thread helper, the clock, deadline waits, the
        // random generator.
        .target(
            name: "HarnessSupport",
            dependencies: [.product(name: "CPrintkRing", package: "PrintkRing")],
            path: "Harness/HarnessSupport"
        ),
        // The benchmark's testable logic: CPU lists, topology, placement, options and their
        // validation, statistics, the result rows (JSON/CSV), plots.
        .target(
            name: "BenchKit",
            dependencies: ["CBenchSupport", "Comparators", "HarnessSupport"],
            path: "Harness/BenchKit"
        ),
        .executableTarget(
            name: "prb-bench",
            dependencies: [
                .product(name: "PrintkRing", package: "PrintkRing"),
                .product(name: "CPrintkRing", package: "PrintkRing"),
                "Comparators", "CComparators", "PanicScenarios", "BenchKit", "CBenchSupport", "CAllocationCounter",
                "CCallgrind", "HarnessSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "prb-bench"
        ),

        // MARK: Tests

        // What the test targets share: the sanitizer run and the traits that pick each run's
        // suites, and the records the ring tests write. Test-only (it imports Testing): the
        // shipped prb-bench never links it.
        .target(
            name: "TestSupport",
            dependencies: ["Comparators", "CPanicHarness", "HarnessSupport"],
            path: "Tests/TestSupport"
        ),
        // The rings under test: every LogRing, the checksum, the comparators' own C API.
        .testTarget(
            name: "ComparatorsTests",
            dependencies: [
                "Comparators", "CComparators", .product(name: "CPrintkRing", package: "PrintkRing"), "HarnessSupport",
                "TestSupport",
            ],
            path: "Tests/ComparatorsTests"
        ),
        // The panic scenarios, the table, the lock bust, try-once.
        .testTarget(
            name: "PanicTests",
            dependencies: ["Comparators", "PanicScenarios", "CPanicHarness", "HarnessSupport", "TestSupport"],
            path: "Tests/PanicTests"
        ),
        .testTarget(
            name: "BenchKitTests",
            dependencies: ["BenchKit", "HarnessSupport", "TestSupport"],
            path: "Tests/BenchKitTests"
        ),
        // The allocation counter, and what it proves: writing allocates nothing (the product's
        // write paths, and every ring under test).
        .testTarget(
            name: "AllocationTests",
            dependencies: [
                .product(name: "PrintkRing", package: "PrintkRing"), "Comparators", "CAllocationCounter", "TestSupport",
            ],
            path: "Tests/AllocationTests"
        ),
    ],
    cLanguageStandard: .c11
)
