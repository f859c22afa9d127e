import ArgumentParser
import Foundation
import ReportReading

@main
struct DMARCBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dmarc-bench",
        abstract: "Time dmarc's phases on a generated corpus and compare them with the physical limits.",
        discussion: """
            Generates a seeded corpus (Google, Microsoft, Yahoo and GMX styles; zip, gzip and plain XML; \
            many small reports and a few very large ones), then times unpack, parse, diagnose, store and \
            query, each against its limit: xmllint --stream for parsing, zlib's inflate for unpacking, \
            psql \\copy for storing, a child's peak RSS for memory, and parsedmarc when it is installed.
            Build in release mode: swift run -c release dmarc-bench --scale full
            """)

    @Option(help: "tiny (seconds; the smoke test), small, or full (what BENCHMARKS.md reports).")
    var scale: Scale = .small

    @Option(help: "PostgreSQL URL or conninfo of an empty database; default: a throwaway cluster in a temp directory.")
    var database: String?

    @Option(help: "Size in MiB of the single report whose peak memory is measured (default by scale: 2, 64, 500).")
    var largeMib: Int?

    @Option(help: "Seed of the corpus generator: the same seed gives the same bytes.")
    var seed: UInt64 = 42

    @Option(help: "Keep the corpus and scratch files in this directory instead of a temporary one.")
    var keep: String?

    @Option(help: "Rows in `records` for the query phase; rows beyond the corpus are cloned server-side (default by scale).")
    var storedRows: Int?

    @Option(help: "parsedmarc executable (default: from PATH; skipped when absent).")
    var parsedmarc: String?

    @Option(help: "Only the query phases, on the database of an earlier run kept with --keep (its URL).")
    var queriesOnly: String?

    @Option(help: .hidden)
    var parseOnly: String?

    func validate() throws {
        if let largeMib, largeMib <= 0 { throw ValidationError("--large-mib must be positive.") }
        if let storedRows, storedRows < 0 { throw ValidationError("--stored-rows cannot be negative.") }
    }

    func run() throws {
        if let parseOnly { return try Self.parseOnly(parseOnly, maxMiB: largeMib ?? 512) }
        let options = BenchmarkRun.Options(
            scale: scale, database: database, largeMiB: largeMib ?? scale.largeMiB, seed: seed, keep: keep,
            storedRows: storedRows ?? scale.storedRowsForQueries, parsedmarc: parsedmarc)
        do {
            if let queriesOnly { return try BenchmarkRun(options: options).runQueriesOnly(url: queriesOnly) }
            try BenchmarkRun(options: options).run()
        } catch let error as BenchError {
            FileHandle.standardError.write(Data("dmarc-bench: \(error)\n".utf8))
            throw ExitCode(error.code == .usage ? 64 : 70)
        }
    }

    /// What `dmarc parse --output /dev/null FILE` does, for when no `dmarc` binary is next to this one.
    static func parseOnly(_ file: String, maxMiB: Int) throws {
        var limits = ReadingLimits()
        limits.maxDecompressedBytes = Int64(maxMiB) << 20
        limits.maxInputBytes = max(limits.maxInputBytes, Int64(maxMiB) << 20)
        guard let output = OutputFile(path: "/dev/null") else { throw ExitCode(73) }
        var printer = ReportPrinter(format: .ndjson, output: output, errors: { _ in })
        try ReportReader(limits: limits).read(file: file, into: &printer)
        printer.finish()
        if printer.rejectedCount > 0 { throw ExitCode(65) }
    }
}
