import Crypto
import DMARC
import Foundation
import Postgres
import ReportReading

/// Stores DMARC aggregate reports from input files, each whole or not at all.
///
/// Each file: its SHA-256 is computed; under an advisory transaction lock on that hash, a file already
/// in `originals` is a duplicate; otherwise its bytes go to `originals`, its reports and rows are
/// stored, and a row in the `input_files` ledger records the outcome — all in one transaction, so a
/// crash at any point leaves the file either fully stored or not at all. A large file streams
/// through a transaction of its own (`ReportStorer`); small ones are read into memory and stored up to
/// `IngestOptions.filesPerTransaction` at a time (`FileBatch`), which is what most reports cost.
/// Concurrent runs serialise on the advisory locks (per file hash, per report identity), so nothing
/// is stored twice; the unique constraints on `originals` and on the report identity back that up.
/// A rejected file is rolled back whole and recorded in the ledger in a transaction of its own.
@_spi(Testing) public final class Ingestor {
    let connection: PostgresConnection
    let options: IngestOptions
    /// The reader calls, for a file streamed and for one read for a batch; replaceable in tests that
    /// feed synthetic reports.
    var readFile: (_ path: String, _ handler: inout ReportStorer) throws -> Void
    var readContents: (_ path: String, _ contents: [UInt8], _ handler: inout BatchedFileReader) throws -> Void
    /// Small files read and waiting to be stored together.
    var batch: FileBatch

    public init(connection: PostgresConnection, options: IngestOptions = IngestOptions()) {
        self.connection = connection
        self.options = options
        batch = FileBatch(maxFiles: options.filesPerTransaction)
        let reader = ReportReader(limits: options.limits)
        readFile = { path, handler in try reader.read(file: path, source: path, into: &handler) }
        readContents = { path, contents, handler in
            try reader.read(fileContents: contents, source: path, into: &handler)
        }
    }

    /// Ingests `files` (already expanded, see `InputFiles.expand`). Stops early only when the
    /// database becomes unavailable (`summary.databaseFailure`); bad input never stops the batch.
    /// Errors that are neither (a broken schema) are thrown; a file that cannot be moved to the
    /// archive or quarantine (a full disk) stays where it was and is listed in `summary.notMoved`.
    public func ingest(files: [String], progress: ((IngestProgress) -> Void)? = nil) throws -> IngestSummary {
        var summary = IngestSummary()
        summary.quarantine = options.quarantine
        for (index, path) in files.enumerated() {
            progress?(
                IngestProgress(
                    index: index, total: files.count, path: path,
                    reportsSoFar: summary.reports, rowsSoFar: summary.rows))
            do {
                try add(file: path, into: &summary)
            } catch let error as PostgresError where error.isConnectionProblem {
                summary.databaseFailure = error.message
                return summary
            }
        }
        do {
            try storeBatch(into: &summary)
        } catch let error as PostgresError where error.isConnectionProblem {
            summary.databaseFailure = error.message
        }
        return summary
    }

    /// Ingests one file, now or as part of the next batch: `storeBatch` stores what is left. A file
    /// is counted into `summary` once its transaction committed (or its rejection was recorded), which
    /// for a batched file is when the batch is stored, by this call or a later one.
    func add(file path: String, into summary: inout IngestSummary) throws {
        guard batch.maxFiles > 1, let file = try readForBatch(path) else {
            return try ingest(file: path, into: &summary)
        }
        batch.append(file)
        if batch.isFull { try storeBatch(into: &summary) }
    }

    /// One file, counted into `summary`.
    func ingest(file path: String, into summary: inout IngestSummary) throws {
        summary.files += 1
        // Too large to read (the input cap) or to keep (PostgreSQL's bytea): said before hashing it.
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            let size = Int64(info.st_size)
            let tooLarge =
                options.limits.inputTooLarge(size)
                ?? (size > Self.maxOriginalBytes
                    ? ReadError(
                        .limitExceeded,
                        "file is \(size) bytes, larger than \(Self.maxOriginalBytes >> 20) MiB, the largest original "
                            + "PostgreSQL can keep") : nil)
            if let tooLarge {
                try reject(path, digest: nil, size: size, reason: "\(tooLarge.code): \(tooLarge.message)", into: &summary)
                return
            }
        }
        let digest: [UInt8]
        let size: Int64
        do {
            (digest, size) = try FileDigest.sha256(of: path)
        } catch let error as StoreError {
            try reject(path, digest: nil, size: nil, reason: "unreadable: \(error.message)", into: &summary)
            return
        }

        var attempt = 0
        var committed: FileOutcome?
        while committed == nil {
            attempt += 1
            do {
                committed = try connection.transaction { () throws -> FileOutcome in
                    let outcome = try storeFile(path, digest: digest, size: size)
                    FaultPoint.afterFileCopy.reach()
                    return outcome
                }
            } catch let rejection as InputRejected {
                try reject(path, digest: digest, size: size, reason: rejection.reason(in: path), into: &summary)
                return
            } catch let error as PostgresError where error.isRetryable && attempt <= options.retries {
                continue  // a deadlock with a concurrent run: everything was rolled back, do it again
            } catch let error as PostgresError where error.isDataProblem || error.code == .invalidArgument {
                try reject(
                    path, digest: digest, size: size, reason: "refused by the database: \(error)", into: &summary)
                return
            } catch let error as StoreError where error.code == .io {
                try reject(path, digest: digest, size: size, reason: "unreadable: \(error.message)", into: &summary)
                return
            }
        }
        guard let outcome = committed else { return }
        FaultPoint.afterFileCommit.reach()
        try account(outcome, path: path, digest: digest, into: &summary)
    }

    /// Counts a committed file into `summary`, then moves it where it belongs.
    func account(_ outcome: FileOutcome, path: String, digest: [UInt8], into summary: inout IngestSummary) throws {
        summary.reports += outcome.reports
        summary.rows += outcome.rows
        summary.duplicateReports += outcome.duplicateReports
        summary.conflicts += outcome.conflicts
        if outcome.status == .duplicate && outcome.reports == 0 && outcome.duplicateReports == 0 {
            summary.duplicateFiles += 1
        }
        if outcome.status == .noReport { summary.withoutReport += 1 }
        // Only now: the transaction committed, so the file's content is safe in the database. A move
        // that fails (a full archive disk) leaves the file where it was, stored: the next run finds
        // it a duplicate and moves it then. The batch goes on; the run says why and exits 74.
        do {
            let current = options.maildirDone ? (try InputFiles.markMaildirSeen(path) ?? path) : path
            if let archive = options.archive {
                _ = try InputFiles.move(current, into: archive, day: options.folderDay, digest: digest)
            }
        } catch let error as StoreError {
            summary.notMoved.append(.init(path: path, reason: "stored, but not moved: \(error.message)"))
        }
    }

    struct FileOutcome {
        var status: InputStatus
        var reports = 0
        var rows: Int64 = 0
        var duplicateReports = 0
        var conflicts: [String] = []
        /// The ledger's reason.
        var reason: String?

        /// For a file whose reports were read and counted: a conflict when one of them conflicted
        /// with a stored report, a duplicate when none was new, else ingested.
        mutating func settleReports() {
            if !conflicts.isEmpty {
                status = .conflict
                reason = conflicts.joined(separator: "; ")
            } else if reports == 0 {
                status = .duplicate
                reason = "every report in it was stored before"
            }
        }
    }

    /// The body of a file's transaction.
    private func storeFile(_ path: String, digest: [UInt8], size: Int64) throws -> FileOutcome {
        let sha = FileDigest.byteaLiteral(digest)
        try connection.query("SELECT pg_advisory_xact_lock($1)", [String(FileDigest.lockKey(digest))], prepared: true)
        if try !connection.query("SELECT 1 FROM originals WHERE sha256 = $1::bytea", [sha], prepared: true).rows.isEmpty {
            let outcome = FileOutcome(status: .duplicate, reason: "same file (SHA-256) ingested before")
            try LedgerRow.table.insert(LedgerRow(sha256: digest, path: path, size: size, outcome: outcome), on: connection)
            return outcome
        }
        try storeOriginal(path, digest: digest, size: size)

        var storer = ReportStorer(connection: connection, sourceSHA256: digest)
        try readFile(path, &storer)
        var outcome: FileOutcome
        if let reason = try storer.tally.reasonWithoutReports(in: path) {
            outcome = FileOutcome(status: .noReport, reason: reason)
        } else {
            outcome = FileOutcome(
                status: .ingested, reports: storer.reportsStored, rows: storer.rowsStored,
                duplicateReports: storer.duplicateReports, conflicts: storer.conflicts)
            outcome.settleReports()
        }
        try LedgerRow.table.insert(LedgerRow(sha256: digest, path: path, size: size, outcome: outcome), on: connection)
        return outcome
    }

    /// Largest original kept: PostgreSQL's limit for one `bytea` value is 1 GiB.
    static let maxOriginalBytes: Int64 = (1 << 30) - (1 << 20)

    /// Streams the file into `originals` through a binary COPY: raw bytes, never held whole here.
    private func storeOriginal(_ path: String, digest: [UInt8], size: Int64) throws {
        guard size <= Self.maxOriginalBytes else {
            throw InputRejected(
                source: path, error: ReadError(.limitExceeded, "\(size) bytes: too large to keep as an original"))
        }
        var copy = try CopyWriter(
            connection, "COPY originals (sha256, size, first_path, content) FROM STDIN (FORMAT binary)")
        let start =
            BinaryCopyFormat.header + BinaryCopyFormat.fieldCount(4) + BinaryCopyFormat.field(digest)
            + BinaryCopyFormat.field(size) + BinaryCopyFormat.field(Array(path.utf8))
            + BinaryCopyFormat.fieldLength(Int32(size))
        try start.withUnsafeBytes { try copy.writeFormatted($0) }
        var hasher = Crypto.SHA256()
        var sent: Int64 = 0
        try FileDigest.forEachChunk(of: path) { chunk in
            // Never send more than the declared length: the stream would be corrupt.
            let allowed = UnsafeRawBufferPointer(rebasing: chunk.prefix(Int(max(0, size - sent))))
            hasher.update(bufferPointer: chunk)
            try copy.writeFormatted(allowed)
            sent += Int64(chunk.count)
        }
        // The file changed between hashing and storing: its stored bytes would not match the address.
        guard sent == size, Array(hasher.finalize()) == digest else {
            copy.abort(reason: "file changed while read")
            throw StoreError(.io, "\(path) changed while it was being read")
        }
        try BinaryCopyFormat.trailer.withUnsafeBytes { try copy.writeFormatted($0) }
        try copy.finish()
    }

    private func reject(
        _ path: String, digest: [UInt8]?, size: Int64?, reason: String, into summary: inout IngestSummary
    )
        throws
    {
        try connection.transaction {
            try LedgerRow.table.insert(
                LedgerRow(sha256: digest, path: path, size: size, status: .rejected, reason: reason), on: connection)
        }
        try setAside(path, digest: digest, reason: reason, into: &summary)
    }

    /// Counts a rejected file, whose rejection is recorded, and moves it to the quarantine.
    func setAside(_ path: String, digest: [UInt8]?, reason: String, into summary: inout IngestSummary) throws {
        summary.rejections.append(.init(path: path, reason: reason))
        if let quarantine = options.quarantine {
            do {
                _ = try InputFiles.move(path, into: quarantine, day: options.folderDay, digest: digest)
            } catch let error as StoreError {
                summary.notMoved.append(.init(path: path, reason: "rejected, but not quarantined: \(error.message)"))
            }
        }
    }
}

extension InputRejected {
    /// The ledger's and the summary's reason for rejecting the file at `path`.
    func reason(in path: String) -> String {
        let what = source == path ? "" : "\(source): "
        return "\(what)\(error.code): \(error.message)"
    }
}
