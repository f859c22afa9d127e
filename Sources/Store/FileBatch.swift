import DMARC
import Diagnosis
import Foundation
import Postgres
import ReportReading

/// Small input files read into memory and stored together, in one transaction (issue 7).
///
/// Most reports are a few rows in a file of a few KiB. Stored one transaction each, such a file cost
/// the server more than its rows: a COPY set up for its records and one for its original, the
/// report's insert, the ledger's, locks, commit, a dozen round trips (about 0.7 ms of server time
/// for a 20-row report, measured with pg_stat_statements). Read first and then stored many at a
/// time, the same files share each of those.
///
/// Nothing about what is stored changes: each file is still stored whole or not at all, judged as
/// if the files had come one after another (a duplicate of a file or report earlier in the same batch is
/// a duplicate), and a batch that the database refuses is stored again one file at a time, so that
/// only the file at fault is rejected, with the database's reason.
struct FileBatch {
    /// Files up to this size are read whole and batched; larger ones stream through their own
    /// transaction (`ReportStorer`).
    static let maxFileBytes: Int64 = 1 << 20
    /// What the batch may hold, originals and rows together, before it is stored.
    static let maxBufferedBytes = 8 << 20

    let maxFiles: Int
    private(set) var files: [BatchedFile] = []
    private(set) var bufferedBytes = 0

    init(maxFiles: Int) { self.maxFiles = maxFiles }

    var isEmpty: Bool { files.isEmpty }
    var isFull: Bool { files.count >= maxFiles || bufferedBytes >= Self.maxBufferedBytes }
    /// Room left for one more file's rows: a file whose rows grow past it streams instead.
    var bytesLeft: Int { max(0, Self.maxBufferedBytes - bufferedBytes) }

    mutating func append(_ file: BatchedFile) {
        files.append(file)
        bufferedBytes += file.bufferedBytes
    }

    /// Units of work over `files`: every file that is not small on its own, the largest first (a
    /// large file started last would keep one core busy while the other has nothing left), then
    /// runs of consecutive small files (at most `maxFiles`, and `maxBufferedBytes / 2` of them
    /// together) in the order of the files, each stored as one batch. Sizes are what `stat` says
    /// now; a file that has grown is streamed when it is read.
    static func units(of files: [String], maxFiles: Int) -> [WorkUnit] {
        var singles: [(index: Int, size: Int64)] = []
        var batches: [WorkUnit] = []
        var run: [Int] = [], runBytes: Int64 = 0
        func closeRun() {
            if !run.isEmpty { batches.append(.batch(run)) }
            run = []
            runBytes = 0
        }
        for (index, path) in files.enumerated() {
            var info = stat()
            let found = stat(path, &info) == 0
            let size = found ? Int64(info.st_size) : 0
            guard maxFiles > 1, found, (info.st_mode & S_IFMT) == S_IFREG, size <= maxFileBytes else {
                singles.append((index, size))
                continue
            }
            if run.count >= maxFiles || runBytes + size > Int64(maxBufferedBytes / 2) { closeRun() }
            run.append(index)
            runBytes += size
        }
        closeRun()
        let largestFirst = singles.sorted { ($0.size, $1.index) > ($1.size, $0.index) }
        return largestFirst.map { .single($0.index) } + batches
    }

    mutating func removeAll() {
        files = []
        bufferedBytes = 0
    }
}

/// What one worker of a parallel run takes at a time: indices into its files.
enum WorkUnit: Sendable, Equatable {
    case batch([Int])
    case single(Int)

    var first: Int {
        switch self {
        case .batch(let indices): indices.first ?? 0
        case .single(let index): index
        }
    }
}

/// One input file held for a `FileBatch`: its bytes (the original to keep) and what reading them gave.
struct BatchedFile {
    let path: String
    let digest: [UInt8]
    let contents: [UInt8]
    let reading: Reading

    enum Reading {
        case reports([BatchedReport])
        /// Mail without an aggregate report: kept and recorded, not an error. The ledger's reason.
        case noReport(String)
        /// Unreadable: nothing of it is stored. The ledger's reason.
        case rejected(String)
    }

    var size: Int64 { Int64(contents.count) }

    var reports: [BatchedReport] {
        if case .reports(let reports) = reading { return reports }
        return []
    }

    var bufferedBytes: Int { contents.count + reports.reduce(0) { $0 + $1.rows.count } }
}

/// One report read for a batch: its header, its records as `records` COPY rows without the report's
/// key (which is drawn when the batch is stored), and its content hash.
struct BatchedReport {
    /// The report without records.
    let report: AggregateReport
    let identity: [String]
    let message: MessageOrigin?
    var warnings: [String] = []
    /// The rows, each ended by a newline; `rowEnds[i]` is the end of row i.
    var rows = CopyTextEncoder(capacity: 1024)
    var rowEnds: [Int] = []
    var contentSHA256: [UInt8] = []
    var fromDomains: [(headerFrom: String, volume: FromDomainVolume)] = []

    init(report: AggregateReport, message: MessageOrigin?) {
        self.report = report
        self.identity = ReportEncoding.identity(of: report)
        self.message = message
    }

    var rowCount: Int64 { Int64(rowEnds.count) }
    var messageCount: Int64 { MessageCount.sum(fromDomains.lazy.map(\.volume.messages)) }

    /// The identity as one dictionary key.
    var identityKey: String { identity.joined(separator: "\u{0}") }

    /// Whether its period (and its message's date) can be written by COPY; a report outside the
    /// years 1970 to 9999 streams through its own transaction, where PostgreSQL's `to_timestamp`
    /// judges it exactly as before.
    var hasPlainDates: Bool { ReportRow.hasCopyableDates(report, message: message) }
}

/// The file does not suit a batch (too many rows, dates PostgreSQL must judge): it streams instead.
struct NotBatchable: Error {}

/// Reads one input for a batch: what `ReportStorer` does with it, without the database.
struct BatchedFileReader: StoringHandler {
    /// Rows this file may buffer before it is `NotBatchable`.
    let byteLimit: Int
    private(set) var reports: [BatchedReport] = []
    var tally = InputTally()
    private var bufferedBytes = 0
    private var current: BatchedReport?
    private var encoding = ReportEncoding()

    init(byteLimit: Int) { self.byteLimit = byteLimit }

    mutating func beginReport(_ report: AggregateReport) throws {
        tally.reportBegins()
        let batched = BatchedReport(report: report, message: tally.message)
        guard batched.hasPlainDates else { throw NotBatchable() }
        encoding.begin(report, identity: batched.identity)
        current = batched
    }

    mutating func record(_ record: Record) throws {
        guard current != nil else { return }
        encoding.add(record)
        encoding.appendRow(of: record, to: &current!.rows)
        current!.rows.endRow()
        current!.rowEnds.append(current!.rows.count)
        if bufferedBytes + current!.rows.count > byteLimit { throw NotBatchable() }
    }

    mutating func endReport(warnings: [String]) throws {
        guard var report = current else { return }
        current = nil
        report.warnings = warnings
        report.contentSHA256 = encoding.finish()
        report.fromDomains = encoding.fromDomains.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        bufferedBytes += report.rows.count
        reports.append(report)
    }

    mutating func abandonReport(_ error: ReadError) throws {
        throw InputRejected(source: current?.report.source ?? "", error: error)
    }

}
