import Foundation
import ReportReading

public struct IngestOptions: Sendable {
    /// Ingested inputs are moved here (into dated subfolders) after their transaction committed.
    public var archive: String?
    /// Rejected inputs are moved here (dated subfolders) after their rejection was recorded.
    public var quarantine: String?
    /// Messages read from a Maildir's `new/` are moved to `cur/` with the Seen flag after their commit.
    public var maildirDone = false
    public var limits: ReadingLimits
    /// How often an input is retried after a deadlock or serialization failure with a concurrent run.
    public var retries: Int
    /// Small files (up to 1 MiB) stored together in one transaction, each still whole or not at all
    /// (`FileBatch`); 1 stores every file in a transaction of its own.
    public var filesPerTransaction: Int
    /// The dated folder under `archive` and `quarantine` (`YYYY-MM-DD`, UTC): by default the day these
    /// options were made, the start of the run, so every file of one run goes to one day's folder.
    public var folderDay: String

    public init(
        archive: String? = nil, quarantine: String? = nil, maildirDone: Bool = false, limits: ReadingLimits = ReadingLimits(),
        retries: Int = 5, filesPerTransaction: Int = 64, folderDay: String = InputFiles.folderDay(at: time(nil))
    ) {
        self.folderDay = folderDay
        self.filesPerTransaction = max(1, filesPerTransaction)
        self.maildirDone = maildirDone
        self.archive = archive
        self.quarantine = quarantine
        self.limits = limits
        self.retries = retries
    }
}

/// What happened to one input file.
public enum InputStatus: String, Sendable {
    case ingested, duplicate, rejected, conflict
    /// Mail with no aggregate report in it: recorded, not an error.
    case noReport = "no_report"
}

/// Progress for a terminal: called before each input.
public struct IngestProgress: Sendable {
    public let index: Int
    public let total: Int
    public let path: String
    public let reportsSoFar: Int
    public let rowsSoFar: Int64
}
