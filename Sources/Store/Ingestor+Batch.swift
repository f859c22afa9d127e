import Crypto
import DMARC
import Foundation
import POSIXCalls
import Postgres
import ReportReading

/// Small files stored many to a transaction (`FileBatch`).
extension Ingestor {
    /// Reads a small regular file for the batch; nil for any other file, which then streams through
    /// `ingest(file:into:)` (and is rejected there with its reason when it cannot be read).
    func readForBatch(_ path: String) throws -> BatchedFile? {
        guard let contents = Self.smallFileContents(path, limits: options.limits) else { return nil }
        // What the batch can still take: memory stays bounded, and a file of many rows streams.
        var reader = BatchedFileReader(byteLimit: max(FileBatch.maxBufferedBytes / 8, batch.bytesLeft))
        let reading: BatchedFile.Reading
        do {
            try readContents(path, contents, &reader)
            reading = try reader.tally.reasonWithoutReports(in: path).map { .noReport($0) } ?? .reports(reader.reports)
        } catch let rejection as InputRejected {
            reading = .rejected(rejection.reason(in: path))
        } catch is NotBatchable {
            return nil
        }
        return BatchedFile(path: path, digest: Array(SHA256.hash(data: contents)), contents: contents, reading: reading)
    }

    /// The bytes of a regular file of at most `FileBatch.maxFileBytes` within the input cap, read
    /// once; nil for anything else or any error.
    static func smallFileContents(_ path: String, limits: ReadingLimits) -> [UInt8]? {
        // Non-blocking: opening a FIFO for reading would otherwise wait for a writer forever.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int64(info.st_size) <= FileBatch.maxFileBytes,
            limits.inputTooLarge(Int64(info.st_size)) == nil
        else { return nil }
        // One byte more than the limit: a file that grew since fstat is not read whole.
        var contents = [UInt8](repeating: 0, count: Int(FileBatch.maxFileBytes) + 1)
        var done = 0
        while done < contents.count {
            let count = SystemCall.retrying { contents.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) } }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            done += count
        }
        guard done <= FileBatch.maxFileBytes, limits.inputTooLarge(Int64(done)) == nil else { return nil }
        contents.removeSubrange(done...)
        return contents
    }

    /// Stores the files read for the batch in one transaction, then counts and moves each as
    /// `ingest(file:into:)` does. A deadlock with a concurrent run is retried; a batch that the
    /// database refuses (a constraint, a value out of range) is stored again one file at a time, so
    /// that only the file at fault is rejected, with the database's reason.
    /// Ingests `paths`, consecutive small files, as one batch (`ParallelIngest`'s unit of work);
    /// a file that does not suit a batch streams on its own. The batch takes its locks in `turn`.
    func ingest(batchOf paths: [String], turn: LockTurn, into summary: inout IngestSummary) throws {
        for path in paths {
            if let file = try readForBatch(path) {
                batch.append(file)
            } else {
                try ingest(file: path, into: &summary)
            }
        }
        try storeBatch(turn: turn, into: &summary)
    }

    func storeBatch(turn: LockTurn? = nil, into summary: inout IngestSummary) throws {
        guard !batch.isEmpty else { return }
        let files = batch.files
        batch.removeAll()
        var attempt = 0
        while true {
            attempt += 1
            let outcomes: [FileOutcome]
            do {
                outcomes = try connection.transaction { try store(files, turn: turn) }
            } catch let error as PostgresError where error.isRetryable && attempt <= options.retries {
                continue
            } catch let error as PostgresError where error.isDataProblem || error.code == .invalidArgument {
                for file in files { try ingest(file: file.path, into: &summary) }
                return
            }
            FaultPoint.afterBatchCommit.reach()
            for (file, outcome) in zip(files, outcomes) {
                summary.files += 1
                if outcome.status == .rejected {
                    try setAside(file.path, digest: file.digest, reason: outcome.reason ?? "", into: &summary)
                } else {
                    try account(outcome, path: file.path, digest: file.digest, into: &summary)
                }
            }
            return
        }
    }

    /// The body of a batch's transaction: each file judged as if it came alone, in order.
    private func store(_ files: [BatchedFile], turn: LockTurn?) throws -> [FileOutcome] {
        let reports = files.flatMap(\.reports)
        // Every lock the files would take one by one (file hashes, report identities), taken at once
        // and in order: two batches never wait for each other in a circle. Batches of one run take
        // them in the order of their files (`LockTurn`), so that of two copies of a report that
        // differ, the one that comes first is stored, whichever worker read it.
        let keys = Set(files.map { FileDigest.lockKey($0.digest) })
            .union(reports.map { ReportEncoding.lockKey(ofIdentity: $0.identity) }).sorted()
        turn?.wait()
        try connection.query(
            "SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k",
            ["{" + keys.map(String.init).joined(separator: ",") + "}"])
        turn?.pass()

        let knownFiles = Set(
            try connection.query(
                "SELECT sha256 FROM originals WHERE sha256 = ANY ($1::bytea[])",
                [PostgresArray.textLiteral(files.map { FileDigest.byteaLiteral($0.digest) })], binaryResults: true
            ).rows.map { try $0.decode("sha256", as: [UInt8].self) })
        var storedHashes = try storedContentHashes(of: reports)

        var outcomes: [FileOutcome] = []
        var originals: [BatchedFile] = []
        var storedDigests = Set<[UInt8]>()
        var newReports: [(report: BatchedReport, file: BatchedFile)] = []
        for file in files {
            if knownFiles.contains(file.digest) || storedDigests.contains(file.digest) {
                outcomes.append(FileOutcome(status: .duplicate, reason: "same file (SHA-256) ingested before"))
                continue
            }
            switch file.reading {
            case .rejected(let reason):
                outcomes.append(FileOutcome(status: .rejected, reason: reason))
            case .noReport(let reason):
                originals.append(file)
                storedDigests.insert(file.digest)
                outcomes.append(FileOutcome(status: .noReport, reason: reason))
            case .reports(let reports):
                originals.append(file)
                storedDigests.insert(file.digest)
                var outcome = FileOutcome(status: .ingested)
                for report in reports {
                    if let storedHash = storedHashes[report.identityKey] {
                        if storedHash == report.contentSHA256 {
                            outcome.duplicateReports += 1
                        } else {
                            outcome.conflicts.append(
                                "\(ReportEncoding.description(of: report.report)) differs from the stored copy")
                        }
                        continue
                    }
                    storedHashes[report.identityKey] = report.contentSHA256
                    newReports.append((report, file))
                    outcome.reports += 1
                    outcome.rows += report.rowCount
                }
                outcome.settleReports()
                outcomes.append(outcome)
            }
        }
        try copyOriginals(originals)
        try copyReports(newReports)
        try copyLedger(files, outcomes)
        FaultPoint.afterBatchCopy.reach()
        return outcomes
    }

    /// The content hashes of the reports already stored under the identities of `reports`, by
    /// `BatchedReport.identityKey`.
    private func storedContentHashes(of reports: [BatchedReport]) throws -> [String: [UInt8]] {
        guard !reports.isEmpty else { return [:] }
        let columns = (0..<5).map { field in PostgresArray.textLiteral(reports.map { $0.identity[field] }) }
        var hashes: [String: [UInt8]] = [:]
        let rows = try connection.query(
            """
            SELECT k.i::text AS ordinal, r.content_sha256
            FROM unnest($1::text[], $2::text[], $3::text[], $4::double precision[], $5::double precision[])
                 WITH ORDINALITY AS k(org_name, report_id, policy_domain, begin_time, end_time, i)
            JOIN reports r ON r.org_name = k.org_name AND r.report_id = k.report_id
                AND r.policy_domain = k.policy_domain AND r.begin_time = to_timestamp(k.begin_time)
                AND r.end_time = to_timestamp(k.end_time)
            """, columns, binaryResults: true
        ).rows
        for row in rows {
            let ordinal = try row.decode("ordinal", as: Int.self), hash = try row.decode("content_sha256", as: [UInt8].self)
            guard reports.indices.contains(ordinal - 1) else {
                throw PostgresError(.unexpectedResult, "a stored report for identity \(ordinal) of \(reports.count)")
            }
            hashes[reports[ordinal - 1].identityKey] = hash
        }
        return hashes
    }

    private func copyOriginals(_ files: [BatchedFile]) throws {
        guard !files.isEmpty else { return }
        var copy = try CopyWriter(
            connection, "COPY originals (sha256, size, first_path, content) FROM STDIN (FORMAT binary)")
        try BinaryCopyFormat.header.withUnsafeBytes { try copy.writeFormatted($0) }
        for file in files {
            let fields =
                BinaryCopyFormat.fieldCount(4) + BinaryCopyFormat.field(file.digest) + BinaryCopyFormat.field(file.size)
                + BinaryCopyFormat.field(Array(file.path.utf8)) + BinaryCopyFormat.fieldLength(Int32(file.contents.count))
            try fields.withUnsafeBytes { try copy.writeFormatted($0) }
            try file.contents.withUnsafeBytes { try copy.writeFormatted($0) }
        }
        try BinaryCopyFormat.trailer.withUnsafeBytes { try copy.writeFormatted($0) }
        try copy.finish()
    }

    /// The reports, their header From rows and their records, each table in one COPY.
    private func copyReports(_ reports: [(report: BatchedReport, file: BatchedFile)]) throws {
        guard !reports.isEmpty else { return }
        let ids = try connection.query(
            "SELECT nextval(pg_get_serial_sequence('reports', 'id'))::text AS id FROM generate_series(1, $1::integer)",
            [String(reports.count)]
        ).rows.map { try $0.decode("id", as: Int64.self) }
        guard ids.count == reports.count else {
            throw PostgresError(.unexpectedResult, "nextval gave \(ids.count) report ids for \(reports.count) reports")
        }

        try ReportRow.table.copy(
            zip(reports, ids).lazy.map { (entry, id) in
                let batched = entry.report
                return ReportRow(
                    id: id, report: batched.report, message: batched.message, warnings: batched.warnings,
                    sourceSHA256: entry.file.digest, contentSHA256: batched.contentSHA256,
                    recordCount: batched.rowCount, messageCount: batched.messageCount)
            }, on: connection)
        try FromDomainRow.table.copy(
            zip(reports, ids).flatMap { entry, id in
                FromDomainRow.rows(ofReport: id, entry.report.report, entry.report.fromDomains)
            }, on: connection)

        var copy = try CopyWriter(connection, ReportEncoding.copyRecords)
        var expected: Int64 = 0
        for ((batched, _), id) in zip(reports, ids) {
            let key = Array("\(id)\t".utf8)
            var start = 0
            for end in batched.rowEnds {
                copy.encoder.appendFormatted(key)
                copy.encoder.appendFormatted(batched.rows.buffer[start..<end])
                try copy.endRowFormatted()
                start = end
            }
            expected += batched.rowCount
        }
        let stored = try copy.finish()
        guard stored == expected else {
            throw PostgresError(.unexpectedResult, "COPY stored \(stored) records of \(expected)")
        }
    }

    /// A ledger row for every file of the batch.
    private func copyLedger(_ files: [BatchedFile], _ outcomes: [FileOutcome]) throws {
        try LedgerRow.table.copy(
            zip(files, outcomes).map { file, outcome in
                LedgerRow(sha256: file.digest, path: file.path, size: file.size, outcome: outcome)
            }, on: connection)
    }
}

/// The order in which the units of work of one parallel run take their locks: unit n waits until
/// units 0 to n-1 have taken theirs (or finished without). Every unit must `pass` its turn, at the
/// latest when it is done, or the units after it wait forever.
final class LockTurns: @unchecked Sendable {
    // @unchecked: `next` is only read and written with `condition` locked.
    private let condition = NSCondition()
    private var next = 0

    func turn(_ unit: Int) -> LockTurn { LockTurn(turns: self, unit: unit) }

    fileprivate func wait(for unit: Int) {
        condition.lock()
        while next < unit { condition.wait() }
        condition.unlock()
    }

    fileprivate func pass(_ unit: Int) {
        condition.lock()
        if next == unit {
            next = unit + 1
            condition.broadcast()
        }
        condition.unlock()
    }
}

/// One unit's turn in `LockTurns`.
struct LockTurn: Sendable {
    let turns: LockTurns
    let unit: Int

    /// Returns when every earlier unit has passed its turn (at once if this one has too).
    func wait() { turns.wait(for: unit) }

    /// Passes the turn on; only after `wait`, else nothing happens. Passing twice does nothing.
    func pass() { turns.pass(unit) }

    /// Waits for the turn, if it has not come yet, and passes it on: for a unit that is done.
    func finish() {
        wait()
        pass()
    }
}
