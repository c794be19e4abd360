// swift-tools-version:6.0
import PackageDescription

// Module layout: see README "Design". Imports point down:
//   vigil (executable) -> Corpus -> Core
let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .executable(name: "vigil-bench", targets: ["VigilBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // Pure domain: spans, drug mentions, layers, review states, text segmentation,
        // lexicon matching, evaluation. No I/O.
        .target(name: "Core"),
        // The SQLite corpus (GRDB): schema, migrations, layers, events, jobs, splits,
        // import/export formats.
        .target(name: "Corpus", dependencies: [
            "Core",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The command line: argument parsing and wiring only.
        .executableTarget(name: "vigil", dependencies: [
            "Core", "Corpus",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // `make bench`: corpus benchmarks (not shipped).
        .executableTarget(name: "VigilBench", dependencies: ["Core", "Corpus"]),
        .testTarget(name: "CoreTests", dependencies: ["Core"]),
        .testTarget(name: "CorpusTests", dependencies: ["Core", "Corpus"]),
        .testTarget(name: "VigilTests", dependencies: ["Core", "Corpus"]),
    ]
)
