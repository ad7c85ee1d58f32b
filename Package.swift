// swift-tools-version:6.0
//
// PrintkRing: a userspace, lockless, multi-writer ring buffer modeled on the Linux kernel's
// printk ringbuffer (kernel/printk/printk_ringbuffer.c, Linux 5.10 and later).
//
// This package is the product: the C core and the Swift API. The benchmark, the comparators it
// measures against and the panic scenarios are a package of their own under Benchmarks/, so that
// depending on PrintkRing resolves and builds none of their dependencies.

import PackageDescription

let package = Package(
    name: "PrintkRing",
    products: [
        .library(name: "PrintkRing", targets: ["PrintkRing"]),
        .library(name: "CPrintkRing", targets: ["CPrintkRing"]),
        .executable(name: "prb-log", targets: ["prb-log"]),
        .executable(name: "prb-dump", targets: ["prb-dump"]),
    ],
    dependencies: [
        // For the two command-line tools only; the libraries depend on nothing.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // The ring itself: dependency-free C11. Every access to ring memory goes through
        // prb_atomics.h so that the same source can be compiled as C++ under a memory-model
        // checker (scripts/verify.sh).
        .target(
            name: "CPrintkRing",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        // The Swift API that users link.
        .target(
            name: "PrintkRing",
            dependencies: ["CPrintkRing"]
        ),
        // The tools: write lines of standard input to a ring file, and dump a ring file the way
        // dmesg shows the kernel log.
        .executableTarget(
            name: "prb-log",
            // CPrintkRing for its test-only submodule: the freeze points' fault hook.
            dependencies: ["PrintkRing", "CPrintkRing", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "prb-dump",
            dependencies: ["PrintkRing", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Real threads with bounded joins, the clock, a seeded generator and the sanitizer-run
        // traits, for the tests. Threads.swift, Clock.swift and SplitMix64.swift are symlinks to
        // the benchmark package's HarnessSupport: one copy of each for the whole repository (the
        // two packages cannot share a module that is not a product).
        .target(
            name: "TestSupport",
            dependencies: ["CPrintkRing"],
            path: "Tests/TestSupport"
        ),
        // The C core's own tests: the C API driven directly (states, data ring, extension,
        // reading, memory), the model test and the concurrency tests of the lockless algorithm.
        // The model and stress tests also drive the core through the Swift API, hence PrintkRing.
        .testTarget(
            name: "CPrintkRingTests",
            dependencies: ["CPrintkRing", "PrintkRing", "TestSupport"]
        ),
        // The Swift API's tests: what the Swift layer adds over the C calls.
        .testTarget(
            name: "PrintkRingTests",
            dependencies: ["PrintkRing", "CPrintkRing", "TestSupport"]
        ),
        // The multi-process harness: writer processes with self-checking records, dumps checked
        // against what the writers wrote, and the crash-test supervisor (kills, freeze points,
        // wedge checks). Test support, shared by ToolsTests and prb-crash.
        .target(
            name: "ProcessHarness",
            path: "Tests/ProcessHarness"
        ),
        // The crash-test supervisor that scripts/crash-test.sh runs (test support, not a product).
        .executableTarget(
            name: "prb-crash",
            dependencies: ["ProcessHarness", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tests/prb-crash"
        ),
        // The tools, run as a user runs them: as processes, through pipes.
        .testTarget(
            name: "ToolsTests",
            dependencies: ["prb-log", "prb-dump", "PrintkRing", "TestSupport", "ProcessHarness"]
        ),
    ],
    cLanguageStandard: .c11
)
