import DMARC

/// What one `dmarc ingest` run did, for the summary line, `--json` and the exit code.
public struct IngestSummary: Sendable {
    public struct Rejection: Sendable, Equatable {
        public let path: String
        public let reason: String
    }

    /// Input files looked at (including duplicates and rejected ones).
    public var files = 0
    public var reports = 0
    public var rows: Int64 = 0
    /// Files whose bytes were ingested before (same SHA-256).
    public var duplicateFiles = 0
    /// Reports already stored with the same content (a resent report in a new file).
    public var duplicateReports = 0
    /// Reports already stored with the same identity but different content: not stored, listed here.
    public var conflicts: [String] = []
    public var rejections: [Rejection] = []
    /// Mail inputs that held no aggregate report (bounces, TLS reports, spam): not errors.
    public var withoutReport = 0
    /// Set when the run stopped early because the database became unreachable; files after the
    /// last committed one were not processed (nor moved).
    public var databaseFailure: String?
    /// Files stored (or rejected) whose move to the archive, quarantine or a Maildir's `cur/` failed
    /// (a full disk): they stay where they were; a rerun finds them duplicates and moves them.
    public var notMoved: [Rejection] = []
    /// Where rejected inputs went, when `--quarantine` was given.
    public var quarantine: String?

    public init() {}

    public var duplicates: Int { duplicateFiles + duplicateReports }
    public var rejected: Int { rejections.count }

    /// What the run came to, the worst that happened first. The command line turns it into its exit status.
    public enum Outcome: Sendable, Equatable {
        /// The database went away: the run stopped.
        case databaseUnavailable
        /// A file was stored or rejected but could not be moved to the archive or quarantine.
        case notMoved
        /// An input was rejected or conflicted with a stored report; the rest was stored.
        case someRefused
        /// Everything was stored (or was a duplicate).
        case allStored
    }

    public var outcome: Outcome {
        if databaseFailure != nil { return .databaseUnavailable }
        if !notMoved.isEmpty { return .notMoved }
        if !rejections.isEmpty || !conflicts.isEmpty { return .someRefused }
        return .allStored
    }

    /// `ingested 1,234 reports (56,789 rows) from 1,240 files · 3 duplicates · 3 rejected (see …)`
    public var line: String {
        var text =
            "ingested \(Self.grouped(reports)) \(reports == 1 ? "report" : "reports") "
            + "(\(Self.grouped(rows)) \(rows == 1 ? "row" : "rows")) from \(Self.grouped(files)) \(files == 1 ? "file" : "files")"
        text += " · \(Self.grouped(duplicates)) \(duplicates == 1 ? "duplicate" : "duplicates")"
        if !conflicts.isEmpty {
            text += " · \(Self.grouped(conflicts.count)) \(conflicts.count == 1 ? "conflict" : "conflicts")"
        }
        if withoutReport > 0 { text += " · \(Self.grouped(withoutReport)) without a report" }
        text += " · \(Self.grouped(rejected)) rejected"
        if rejected > 0 {
            text +=
                quarantine.map { " (see \($0) and the input_files table)" } ?? " (see stderr and the input_files table)"
        }
        if !notMoved.isEmpty {
            text += " · \(Self.grouped(notMoved.count)) not moved (left in place, see stderr)"
        }
        if let databaseFailure { text += " · stopped: database unavailable (\(databaseFailure))" }
        return text
    }

    /// The summary as JSON for `ingest --json`, with the command's exit status.
    public func json(exitCode: Int32) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.number("files", Int64(files))
        writer.number("reports", Int64(reports))
        writer.number("rows", rows)
        writer.number("duplicates", Int64(duplicates))
        writer.number("duplicate_files", Int64(duplicateFiles))
        writer.number("duplicate_reports", Int64(duplicateReports))
        writer.beginArray("conflicts")
        for conflict in conflicts { writer.string(nil, conflict) }
        writer.endArray()
        writer.number("without_report", Int64(withoutReport))
        writer.number("rejected", Int64(rejected))
        for (name, list) in [("rejections", rejections), ("not_moved", notMoved)] {
            writer.beginArray(name)
            for entry in list {
                writer.beginObject()
                writer.string("path", entry.path)
                writer.string("reason", entry.reason)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.string("database_failure", databaseFailure)
        writer.number("exit_code", Int64(exitCode))
        writer.endObject()
        return writer.output
    }

    /// `1,234,567`: counts for people.
    public static func grouped(_ value: some BinaryInteger) -> String { NumberText.grouped(value) }
}
