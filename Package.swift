// swift-tools-version:6.0
import PackageDescription

// Module layout (docs/architecture.md). Imports point down:
//   vigil (executable)
//     └ Workbench ─ TerminalUI (─ CNcurses) ─ Corpus ─ Core
//     └ Teacher ─ HTTP (─ CCurl) ; Student ─ Tensor (─ CBLAS, CKernels)
//   TestServers: doubles for tests and benchmarks, never linked into vigil.
// Each C library is imported by exactly one target.
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
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.3"),
    ],
    targets: [
        // Pure domain: spans, drug mentions, layers, review states, text segmentation,
        // lexicon matching, evaluation. No I/O.
        .target(name: "Core"),
        // The SQLite corpus (GRDB): schema, migrations, layers, events, jobs, splits,
        // import/export formats, the TOML configuration file.
        .target(name: "Corpus", dependencies: [
            "Core",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),

        // PostgreSQL as a second store (issue 21, docs/postgresql.md): connection from a URL,
        // the schema and its invariants on the server, `vigil db copy` between backends.
        // The only importer of PostgresNIO.
        .target(name: "PostgresStore", dependencies: [
            "Core", "Corpus",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // C shims, one per system library (libopenblas-dev, libcurl4-openssl-dev, libncursesw5-dev).
        .target(name: "CBLAS", linkerSettings: [.linkedLibrary("openblas")]),
        // Hand-written CPU kernels in C (vector-width specific code with runtime dispatch),
        // imported by Tensor only.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("curl")]),
        .target(name: "CNcurses", linkerSettings: [.linkedLibrary("ncursesw")]),

        // Float32 tensors, kernels (forward and backward), AdamW. The only importer of CBLAS.
        .target(name: "Tensor", dependencies: ["Core", "CBLAS", "CKernels"]),
        // The student: WordPiece tokenizer, safetensors checkpoints, BERT encoder,
        // drug-conditioned heads, prediction.
        .target(name: "Student", dependencies: ["Core", "Corpus", "Tensor"]),
        // HTTP over libcurl: one transfer with capped bodies, a handle pool, a GET client.
        // The only importer of CCurl; the teacher and the PubMed download use it.
        .target(name: "HTTP", dependencies: ["CCurl"]),
        // The LLM teacher: prompts, response parsing, grounding, retries and rate limits, runs,
        // and the PubMed E-utilities download.
        .target(name: "Teacher", dependencies: ["Core", "Corpus", "HTTP"]),
        // A loopback chat-completions server that misbehaves on purpose: tests and benchmarks only.
        .target(name: "TestServers"),
        // Backend-agnostic terminal UI: cells, roles, buffer + diff, widgets, themes.
        // Its NcursesBackend is the only importer of CNcurses.
        .target(name: "TerminalUI", dependencies: ["CNcurses"]),
        // The curation workbench: model, update, render, keymap, job supervision.
        .target(name: "Workbench", dependencies: ["Core", "Corpus", "TerminalUI"]),

        // The command line: argument parsing and wiring only.
        .executableTarget(name: "vigil", dependencies: [
            "Core", "Corpus", "HTTP", "Teacher", "Student", "Tensor", "TerminalUI", "Workbench", "PostgresStore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // `make bench` (not shipped).
        .executableTarget(name: "VigilBench", dependencies: [
            "Core", "Corpus", "Teacher", "Student", "Tensor", "TerminalUI", "Workbench", "TestServers",
        ]),

        // Helpers the test targets share: the package root, the built binary, running a program.
        .target(name: "VigilTestSupport", path: "Tests/Support"),
        .testTarget(name: "CoreTests", dependencies: ["Core"]),
        .testTarget(name: "CorpusTests", dependencies: ["Core", "Corpus"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "StudentTests", dependencies: ["Core", "Corpus", "Tensor", "Student"], exclude: ["Fixtures"]),
        .testTarget(name: "TeacherTests", dependencies: ["Core", "Corpus", "HTTP", "Teacher", "TestServers", "VigilTestSupport"]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI"]),
        .testTarget(name: "WorkbenchTests", dependencies: ["Core", "Corpus", "TerminalUI", "Workbench", "TestServers",
                                                   "VigilTestSupport"],
                    exclude: ["Snapshots"]),
        .testTarget(name: "VigilTests", dependencies: ["Core", "Corpus", "Tensor", "VigilTestSupport",
                                                       .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "PostgresStoreTests", dependencies: ["Core", "Corpus", "PostgresStore", "VigilTestSupport",
                                                               .product(name: "GRDB", package: "GRDB.swift")]),
    ]
)

// `make fuzz` only (VIGIL_FUZZ=1, its own --scratch-path .build-fuzz): the libFuzzer harness over every parser
// of outside data, built with -sanitize=fuzzer,address. Absent from the normal build and `make test`.
if Context.environment["VIGIL_FUZZ"] == "1" {
    package.targets.append(.executableTarget(
        name: "VigilFuzz",
        dependencies: ["Core", "Corpus", "Teacher", "Student", "TerminalUI", "Workbench"],
        path: "Fuzz/VigilFuzz"))
}
