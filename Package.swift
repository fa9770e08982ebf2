// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "faultline",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "faultline", targets: ["faultline"]),
        .executable(name: "faultline-bench", targets: ["Benchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries, each with a tiny header of typed wrappers where the C API is variadic.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        // libnetfilter_queue for the packet engine (and pidfd_open, whose syscall(2) is variadic).
        .systemLibrary(name: "CNetfilterQueue", pkgConfig: "libnetfilter_queue", providers: [.apt(["libnetfilter-queue-dev"])]),
        // OpenSSL 3 for the http and websocket faults' TLS termination with a campaign's CA.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // glibc's posix_spawn closefrom action (declared only under _GNU_SOURCE).
        .systemLibrary(name: "CSpawn"),

        // Small shared pieces: durations, name suggestions, log metadata keys, clocks.
        .target(name: "FaultlineSupport", dependencies: [
            "CSpawn",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // One kept-alive libcurl easy handle per connection, and a pool that runs transfers off the cooperative pool.
        .target(name: "CurlTransport", dependencies: ["CCurl", "FaultlineSupport"]),
        // Typed Docker Engine API client over libcurl (unix socket or tcp).
        .target(name: "DockerEngine", dependencies: [
            "CurlTransport", "FaultlineSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Fault kinds, the write-ahead ledger and recovery.
        .target(name: "Faults", dependencies: [
            "CNetfilterQueue", "COpenSSL", "DockerEngine", "FaultProxy", "FaultlineSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Probes (HTTP, TCP, PostgreSQL, Redis, WebSocket, command), the runner and sample statistics.
        .target(name: "Probes", dependencies: [
            "CurlTransport", "CCurl", "CLibPQ", "CHiredis", "CSpawn", "FaultlineSupport",
            .product(name: "WSClient", package: "swift-websocket"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Histogram", package: "hdrhistogram-swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The TCP fault proxy: toxics (latency, bandwidth, timeout, reset, slicing…) on forwarded bytes, any kernel.
        .target(name: "FaultProxy", dependencies: [
            "FaultlineSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Campaigns: the file format (located errors), plan expansion, scheduler, journal, analysis, reports.
        .target(name: "Campaign", dependencies: [
            "DockerEngine", "Faults", "Probes", "FaultProxy", "FaultlineSupport",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The fleet's coordinator side: several nodes' engines and agents, asked with deadlines.
        .target(name: "Fleet", dependencies: [
            "Campaign", "DockerEngine", "FaultlineSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The daemon: runs, schedules and metrics behind an HTTP API on a unix socket; the warden.
        .target(name: "Daemon", dependencies: [
            "DockerEngine", "Faults", "Probes", "Campaign", "FaultlineSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Records the commit a binary is built from (`faultline --version`).
        .plugin(name: "BuildInfoPlugin", capability: .buildTool()),
        // The command-line interface as a library, so its logic is testable.
        .target(name: "FaultlineCLI", dependencies: [
            "DockerEngine", "Faults", "Probes", "Campaign", "FaultProxy", "Daemon", "Fleet", "FaultlineSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], plugins: ["BuildInfoPlugin"]),
        // Swift's static-stdlib link exports every public symbol of every module (-export-dynamic):
        // 37,600 dynamic symbols that the loader hashes and the runtime's dladdr at start-up scans.
        // Nothing looks faultline's own symbols up at run time, so the binary exports none:
        // start-up CPU 19.5 → 14 ms (`perf stat -r 40 faultline --version`).
        .executableTarget(name: "faultline", dependencies: ["FaultlineCLI"],
                          linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"])]),
        // Fixtures shared by the tests and the benchmarks: loopback servers and clients, free
        // ports, servers run from the host's binaries. Never part of the product.
        .target(name: "Fixtures", dependencies: [
            "FaultlineSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // `faultline-bench`: the benchmarks, side by side with the alternatives; not in the product.
        .executableTarget(name: "Benchmarks", dependencies: [
            "FaultlineCLI", "DockerEngine", "Faults", "Probes", "Campaign", "FaultProxy", "Daemon", "FaultlineSupport", "Fixtures", "CSpawn", "COpenSSL",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/Benchmarks"),

        .testTarget(name: "FaultlineSupportTests", dependencies: ["FaultlineSupport", "TestSupport"]),
        .testTarget(name: "DockerEngineTests", dependencies: ["DockerEngine", "FaultlineSupport", "TestSupport"]),
        .testTarget(name: "FaultsTests", dependencies: ["Faults", "DockerEngine", "FaultlineSupport", "TestSupport", "Fixtures"]),
        .testTarget(name: "ProbesTests", dependencies: ["Probes", "DockerEngine", "TestSupport"]),
        .testTarget(name: "FaultProxyTests", dependencies: ["FaultProxy", "FaultlineSupport", "TestSupport", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "CampaignTests", dependencies: ["Campaign", "Faults", "Probes", "DockerEngine", "FaultProxy", "TestSupport"]),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "Campaign", "Faults", "DockerEngine", "FaultlineSupport", "TestSupport", "CurlTransport", "Fixtures", "Probes", .product(name: "Yams", package: "Yams"), .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "FleetTests", dependencies: ["Fleet", "Campaign", "DockerEngine", "TestSupport"]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "Campaign", "FaultlineSupport", "TestSupport"]),
        .testTarget(name: "FaultlineCLITests", dependencies: ["FaultlineCLI", "Faults", "DockerEngine", "Campaign", "FaultProxy", "FaultlineSupport", "TestSupport", "Fixtures"]),
        // Shared test helpers: the fake engine, labelled throw-away containers against the real
        // engine, and (re-exported) the fixtures the benchmarks use too.
        .target(name: "TestSupport", dependencies: ["DockerEngine", "Faults", "FaultlineSupport", "CurlTransport", "Fixtures", .product(name: "Logging", package: "swift-log")], path: "Tests/TestSupport"),
    ],
    swiftLanguageModes: [.v6]
)
