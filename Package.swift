// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "dmarc",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dmarc", targets: ["dmarc"]),
        .executable(name: "dmarc-bench", targets: ["dmarc-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // Already resolved for swift-crypto: DNSChecks reads DKIM keys' DER with it.
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    ],
    targets: [
        // C libraries: module maps only; the Swift target right above each is its only importer.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCAres", pkgConfig: "libcares", providers: [.apt(["libc-ares-dev"])]),

        // The model: reports, records, results, normalisation. No I/O.
        .target(name: "DMARC"),
        // Sources, unpacking and the libxml2 parser. Foundation-free: libxml2's ICU headers clash with it.
        // errno as text (thread-safe) and system calls repeated on EINTR, for every module that makes them.
        .target(name: "POSIXCalls"),
        .target(name: "ReportReading", dependencies: ["DMARC", "POSIXCalls", "CLibXML2", "CZlib"]),
        // YAML files read field by field: positions, unknown keys and types, for every file format
        // (the tenants file, dmarc.yaml); the only importer of Yams besides those formats' readers.
        .target(name: "YAMLFields", dependencies: ["DMARC", .product(name: "Yams", package: "Yams")]),
        // The operator's configuration file, /etc/dmarc/dmarc.yaml: database, tenants file, inputs
        // (directories, Maildirs, IMAP mailboxes), archive, limits. Only reads and checks it.
        .target(name: "SiteConfiguration", dependencies: [
            "DMARC", "YAMLFields", "Resolver", .product(name: "Yams", package: "Yams"),
        ]),
        // Tenant configuration and the failure classifier: pure functions.
        .target(name: "Diagnosis", dependencies: [
            "DMARC", "YAMLFields",
            .product(name: "Yams", package: "Yams"),
        ]),
        // The libpq wrapper: connections, parameters, COPY, transactions, rows. No DMARC types; the only
        // importer of CLibPQ.
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        // The managed local PostgreSQL (initdb, start, stop, lock), which database a command uses
        // (DatabaseTarget), and the subprocesses that run PostgreSQL's programs.
        .target(name: "LocalCluster", dependencies: ["Postgres", "POSIXCalls"]),
        // Files written under a temporary name, flushed and renamed into place: archived inputs, reports.
        .target(name: "DurableFiles", dependencies: ["POSIXCalls"]),
        // The ingest side: migrations, files → rows exactly once, the ledger, archive/quarantine,
        // reparse, tenants apply, `db status`.
        .target(name: "Store", dependencies: [
            "DMARC", "Diagnosis", "ReportReading", "Postgres", "LocalCluster", "DurableFiles", "ReadSide", "POSIXCalls",
            .product(name: "Crypto", package: "swift-crypto"),
        ], resources: []),
        // Monthly compliance reports: HTML with inline SVG, PDF, CSV, JSON. Built from a plain model;
        // no database (the read side's MonthlyReportQuery fills the model).
        .target(name: "ComplianceReport", dependencies: ["DMARC", "Diagnosis", "DurableFiles"]),
        // A stub DNS resolver over c-ares (the only importer of CCAres): timeouts, retries, CNAMEs
        // followed, answers cached per run, a bounded number of queries in flight.
        .target(name: "Resolver", dependencies: ["CCAres"]),
        // `dns check`: SPF, DKIM and DMARC records judged against the tenants file (pure functions
        // over the answers), the Public Suffix List, and the stored snapshots (dns_checks).
        .target(name: "DNSChecks", dependencies: [
            "DMARC", "Diagnosis", "Resolver", "Postgres",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        // The read side: every question asked of stored data (failures, domain overview, tenant
        // configuration lookups, the monthly report's input), one path from stored rows to diagnoses.
        .target(name: "ReadSide", dependencies: ["DMARC", "Diagnosis", "Postgres", "ComplianceReport"]),
        // libcurl: module map only; Curl below is its only importer.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // One libcurl easy handle as a Swift class: typed options, the body collected, typed errors.
        .target(name: "Curl", dependencies: ["CCurl"]),
        // IMAP fetch: messages into the spool, through ingest, recorded in imap_messages, then moved.
        .target(name: "Mailbox", dependencies: [
            "DMARC", "Curl", "Postgres", "Store", "SiteConfiguration", "DurableFiles",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Alerts: rules over the stored data (through the read side's diagnoses), the alerts table.
        .target(name: "Alerts", dependencies: ["DMARC", "Diagnosis", "Postgres", "ReadSide", "SiteConfiguration"]),
        // The nightly run's bookkeeping: the runs table, the lock, the node_exporter metrics file.
        .target(name: "NightlyRun", dependencies: ["DMARC", "Postgres", "DurableFiles"]),
        .executableTarget(name: "dmarc", dependencies: [
            "DMARC", "ReportReading", "Diagnosis", "Postgres", "LocalCluster", "ReadSide", "Store",
            "ComplianceReport", "Resolver", "DNSChecks", "SiteConfiguration", "Mailbox", "NightlyRun", "Alerts",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], plugins: ["BuildInfo"]),
        // `dmarc --version`: the commit and the schema version, written into the build by `git rev-parse`
        // and a listing of sql/ whenever HEAD or sql/ changed (a shell command, no tool to compile).
        .plugin(name: "BuildInfo", capability: .buildTool()),
        // The benchmark (issue 7): a plain release-mode executable, no benchmark framework.
        // CZlib directly: the generator deflates its corpus and zlib's own inflate is a baseline.
        .executableTarget(name: "dmarc-bench", dependencies: [
            "DMARC", "ReportReading", "Diagnosis", "Postgres", "LocalCluster", "ReadSide", "Store",
            "ComplianceReport", "CZlib", "POSIXCalls",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/Benchmark"),

        // Fuzzing (scripts/fuzz): libFuzzer entry points over the reader, each with a replay `main`
        // for builds without `-DFUZZING`. Small: they add seconds to a normal build.
        // SwiftPM links an executable's `main` to its module's `@main`, so libFuzzer's own `main` is
        // never used: with `-DFUZZING` the `@main` calls libFuzzer's driver, declared in CLibFuzzer.
        .systemLibrary(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["DMARC", "ReportReading", "CLibFuzzer"]),
        .executableTarget(name: "FuzzReader", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "FuzzXML", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "FuzzZip", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "FuzzMail", dependencies: ["FuzzSupport"]),

        .testTarget(name: "DMARCTests", dependencies: ["DMARC"]),
        .testTarget(name: "ReportReadingTests", dependencies: ["DMARC", "ReportReading"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DiagnosisTests", dependencies: ["DMARC", "Diagnosis"]),
        // The DNS checks over answers from a table: no DNS server, no database.
        .testTarget(name: "DNSChecksTests", dependencies: [
            "DNSChecks", "Resolver", "Diagnosis", "DMARC",
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .testTarget(name: "SiteConfigurationTests", dependencies: ["SiteConfiguration"]),
        // Needs PostgreSQL (a throwaway cluster) and the built `dmarc` and `dmarc-bench` binaries.
        .testTarget(name: "IntegrationTests", dependencies: [
            "DMARC", "ReportReading", "Diagnosis", "Postgres", "LocalCluster", "ReadSide", "Store",
            "ComplianceReport", "dmarc", "dmarc-bench", "Resolver", "DNSChecks", "Alerts",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ], exclude: ["Fixtures"]),  // read by path (#filePath), not as resources
        // No database: the report model, renderers and apportioning; the PDF test needs chromium on PATH.
        .testTarget(name: "ComplianceReportTests", dependencies: ["ComplianceReport", "Diagnosis", "DMARC"]),
    ],
    swiftLanguageModes: [.v6]
)
