import ArgumentParser
import Foundation
import LocalCluster
import Postgres
import Store

struct Reparse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read stored original inputs again and replace their reports.",
        discussion: """
            After a reader fix, corrects history without the original files: each stored original is \
            read again and its reports replaced in one transaction. An original the current reader \
            rejects keeps its old rows.
            """)

    @OptionGroup var database: DatabaseOption

    @Option(
        help: ArgumentHelp(
            "Only originals with a report whose period ends on or after DATE (YYYY-MM-DD, UTC).", valueName: "date"))
    var since: String?

    func validate() throws {
        if let since, Self.epoch(since) == nil {
            throw ValidationError("--since wants a date as YYYY-MM-DD, not \(since)")
        }
    }

    static func epoch(_ date: String) -> Int64? {
        let parts = date.split(separator: "-")
        guard parts.count == 3, let year = Int32(parts[0]), let month = Int32(parts[1]), let day = Int32(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var fields = tm()
        fields.tm_year = year - 1900
        fields.tm_mon = month - 1
        fields.tm_mday = day
        return Int64(timegm(&fields))
    }

    func run() throws {
        let connection = try Terminal.open(database.target)
        let progress = Terminal.progress()
        let summary: ReparseSummary
        do {
            summary = try Reparser(connection: connection).reparse(since: since.flatMap(Self.epoch)) {
                index, total, path in
                progress?("[\(index + 1)/\(total)] \(path)")
            }
        } catch let error as PostgresError where error.isConnectionProblem {
            Terminal.clearProgress(progress)
            Terminal.error("database unavailable: \(error)")
            throw ExitCode(75)
        }
        Terminal.clearProgress(progress)
        for failure in summary.failures { Terminal.error("\(failure.path): \(failure.reason)") }
        print(summary.line)
        if !summary.failures.isEmpty { throw ExitCode(65) }
    }
}
