// swift-tools-version: 6.1
import PackageDescription

// The API's types and server protocol are generated from the contract by swift-openapi-generator's command plugin
// into Sources/SmartSyncAPI/GeneratedSources, and committed. The plugin reads the contract and its configuration
// from the target's own files, which a normal build leaves out; `scripts/generate-api` sets this variable to run it.
let generatingAPI = Context.environment["SMARTSYNC_GENERATE_API"] != nil

let package = Package(
    name: "SmartSync",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SmartSyncCore", targets: ["SmartSyncCore"]),
        .library(name: "SmartSyncViews", targets: ["SmartSyncViews"]),
        .library(name: "SmartSyncScenario", targets: ["SmartSyncScenario"]),
        .library(name: "SmartSyncStore", targets: ["SmartSyncStore"]),
        .library(name: "SmartSyncServer", targets: ["SmartSyncServer"]),
        .executable(name: "smartsync", targets: ["smartsync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // Webhook deliveries (alerts): HTTP/1.1 and TLS to the receivers users register.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // The API's types and server protocol are generated from openapi.yaml by its command plugin (see
        // Sources/SmartSyncAPI); the generated code is committed, so a build never runs the generator.
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
    ],
    targets: [
        // Pure domain: exact decimals, market, ledger, Smart Sync planner and allocator. No I/O.
        // SHA-256 (swift-crypto) for the ledger's hash chain and allocation receipts, which are computation, not I/O.
        .target(name: "SmartSyncCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // Files compiled into the binary: the web pages, the demo's price data (Data/, linked) and the API's contract
        // (openapi.yaml).
        .target(
            name: "SmartSyncAssets",
            // The contract is the generator's input only through SmartSyncServer's link to it.
            exclude: generatingAPI ? ["openapi.yaml"] : [],
            resources: [
                .embedInCode("Public/index.html"), .embedInCode("Public/app.js"), .embedInCode("Public/app.css"),
                .embedInCode("Public/icon.svg"), .embedInCode("DemoData/btc-usd-daily-2021.csv"),
                .embedInCode("DemoData/eth-usd-daily-2021.csv"), .embedInCode("DemoData/bch-usd-daily-2021.csv"),
            ] + (generatingAPI ? [] : [Resource.embedInCode("openapi.yaml")]),
        ),
        // What the product answers, as JSON: the API's responses, the scenario report and the live stream's events,
        // built from the engine (`JSONValue`, `ScenarioReport`, `APIViews`, `StreamEvents`).
        .target(name: "SmartSyncViews", dependencies: ["SmartSyncCore"]),
        // Scenario files (JSON in, JSON/text report out) on top of the core.
        .target(name: "SmartSyncScenario", dependencies: ["SmartSyncCore", "SmartSyncViews"]),
        // Durable state: the command log and the ledger in SQLite (GRDB) or PostgreSQL (postgres-nio), replayed
        // into the engine on start.
        .target(
            name: "SmartSyncStore",
            dependencies: [
                "SmartSyncCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What benchmarks, crash tests and tests share, kept out of the product's modules: seeded randomness
        // (`SplitMix`), the load-test market (`FanOutFixture`), the store's insert baselines (`StoreBenchmark`) and
        // scratch PostgreSQL databases (`PostgresAdmin`).
        .target(
            name: "SmartSyncBench",
            dependencies: [
                "SmartSyncCore", "SmartSyncStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        // The API's types and server protocol, generated from the contract (scripts/generate-api) and committed:
        // public, for the server and, next, the views. The generator writes the same `public import`s into every file
        // and marks the unused ones `@diagnose(UnusedImportAccess, as: ignored)` for Swift 6.4; until then this
        // target, which holds generated code only, builds with warnings suppressed (ours are checked everywhere else).
        .target(
            name: "SmartSyncAPI",
            dependencies: ["SmartSyncCore", "SmartSyncViews", .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            exclude: generatingAPI ? [] : ["API/openapi.yaml", "API/openapi-generator-config.yaml"],
            swiftSettings: [.unsafeFlags(["-suppress-warnings"])]
        ),
        // The HTTP JSON API (Hummingbird 2) around the durable engine.
        .target(
            name: "SmartSyncServer",
            dependencies: [
                "SmartSyncCore", "SmartSyncAPI", "SmartSyncViews", "SmartSyncScenario", "SmartSyncStore", "SmartSyncAssets",
                "SmartSyncFIX",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The FIX 4.4 venue adapter (issue 14): tag=value framing first; the session and the TCP initiator next.
        .target(
            name: "SmartSyncFIX",
            dependencies: [
                "SmartSyncCore", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "smartsync",
            dependencies: [
                "SmartSyncCore", "SmartSyncViews", "SmartSyncScenario", "SmartSyncStore", "SmartSyncServer", "SmartSyncBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "SmartSyncCoreTests",
            dependencies: ["SmartSyncCore", "SmartSyncBench", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "SmartSyncFIXTests", dependencies: ["SmartSyncFIX", "SmartSyncCore"]),
        .testTarget(
            name: "SmartSyncScenarioTests",
            dependencies: ["SmartSyncScenario", "SmartSyncViews", "SmartSyncCore"]
        ),
        .testTarget(
            name: "SmartSyncServerTests",
            dependencies: [
                "SmartSyncServer", "SmartSyncViews", "SmartSyncScenario", "SmartSyncCore", "SmartSyncBench",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "SmartSyncStoreTests",
            dependencies: [
                "SmartSyncStore", "SmartSyncViews", "SmartSyncScenario", "SmartSyncCore", "SmartSyncBench",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
