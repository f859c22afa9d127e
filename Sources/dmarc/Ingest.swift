import ArgumentParser
import Foundation
import LocalCluster
import Store

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store DMARC aggregate reports in PostgreSQL, idempotently.",
        discussion: """
            Each input file is stored whole or not at all: all its reports and rows, or nothing. A file \
            over 1 MiB streams through a transaction of its own; smaller ones are read first and stored \
            up to 64 in one transaction, each judged as if it came alone. Files already \
            ingested (same SHA-256) and reports already stored (same reporter, report id, policy domain \
            and period) are counted as duplicates; a stored report with different content is a conflict. \
            Rejected inputs are recorded in the input_files table with the reason.

            Exit status: 0 all stored; 65 some input rejected or conflicting; 74 a stored file could not \
            be moved to --archive (or --quarantine), e.g. a full disk: it stays where it was and a rerun \
            moves it; 75 database unreachable or lost (rerun: nothing uncommitted was marked done); \
            64 bad usage; 66 a path does not exist.
            """)

    @OptionGroup var database: DatabaseOption

    @Option(
        help: ArgumentHelp("Move stored files (and duplicates) into DIR/YYYY-MM-DD/ once committed.", valueName: "dir"))
    var archive: String?

    @Option(help: ArgumentHelp("Move rejected files into DIR/YYYY-MM-DD/.", valueName: "dir"))
    var quarantine: String?

    @Flag(help: "Move each message of a Maildir's new/ to cur/ with the Seen flag once its reports are committed.")
    var maildirDone = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Files ingested at once, each over its own database connection (default: one per core, at most 4).",
            discussion: "Parsing and the database's index work then overlap on every core. Use 1 for the order of the arguments in the input_files table.",
            valueName: "n"))
    var jobs: Int?

    @OptionGroup(title: "Limits")
    var limits: ReadingLimitOptions

    @Argument(
        help: ArgumentHelp(
            "Files or directories (searched recursively; Maildirs) of reports: XML, gzip, zip, e-mail, mbox.",
            valueName: "path"))
    var paths: [String]

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one file or directory to ingest") }
        if let jobs, !(1...64).contains(jobs) { throw ValidationError("--jobs must be between 1 and 64") }
    }

    func run() throws {
        let files: [String]
        do {
            files = try InputFiles.expand(paths)
        } catch let error as StoreError {
            Terminal.error(error.message)
            throw ExitCode(66)
        }
        let target = database.target
        let workers = min(jobs ?? ParallelIngest.defaultJobs, max(1, files.count))
        // The first connection migrates; the others only connect.
        var connections = [try Terminal.open(target)]
        while connections.count < workers { connections.append(try Terminal.open(target, migrate: false)) }
        let ingest = ParallelIngest(
            jobs: workers, options: IngestOptions(
                archive: archive, quarantine: quarantine, maildirDone: maildirDone, limits: limits.limits))
        let progress = Terminal.progress()
        let summary: IngestSummary
        do {
            summary = try ingest.ingest(files: files, connections: connections) { step in
                progress?(
                    "[\(step.index + 1)/\(step.total)] \(IngestSummary.grouped(step.rowsSoFar)) rows · \(step.path)"
                )
            }
        } catch {
            Terminal.clearProgress(progress)
            Terminal.error("\(error)")
            throw ExitCode(70)
        }
        Terminal.clearProgress(progress)
        for rejection in summary.rejections { Terminal.error("\(rejection.path): \(rejection.reason)") }
        for conflict in summary.conflicts { Terminal.error("conflict: \(conflict)") }
        for failure in summary.notMoved { Terminal.error("\(failure.path): \(failure.reason)") }
        let status = Self.exitCode(summary.outcome)
        print(json ? summary.json(exitCode: status) : summary.line)
        if status != 0 { throw ExitCode(status) }
    }

    /// sysexits: 75 when the database went away, 74 (I/O error) when a file could not be moved,
    /// 65 when an input was rejected or conflicted, else 0.
    static func exitCode(_ outcome: IngestSummary.Outcome) -> Int32 {
        switch outcome {
        case .databaseUnavailable: 75
        case .notMoved: 74
        case .someRefused: 65
        case .allStored: 0
        }
    }
}
