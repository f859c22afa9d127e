import DMARC
import Foundation
import Postgres
import ReportReading

/// What `dmarc reparse` did.
public struct ReparseSummary: Sendable {
    public var files = 0
    public var reports = 0
    public var rows: Int64 = 0
    /// Originals the current reader rejects: their stored rows were left as they were.
    public var failures: [IngestSummary.Rejection] = []
    public var conflicts: [String] = []

    public init() {}

    public var line: String {
        var text =
            "reparsed \(IngestSummary.grouped(files)) \(files == 1 ? "file" : "files"): "
            + "\(IngestSummary.grouped(reports)) reports (\(IngestSummary.grouped(rows)) rows)"
        if !conflicts.isEmpty { text += " · \(conflicts.count) conflicts" }
        if !failures.isEmpty { text += " · \(failures.count) failed (old rows kept)" }
        return text
    }
}

/// Reads stored originals again with the current reader and replaces their reports: after a reader
/// fix, history is corrected without the original files. Each original is one transaction: its old
/// reports (and, by cascade, their rows) are deleted and the new ones stored, or nothing changes.
public final class Reparser {
    let connection: PostgresConnection
    let reader: ReportReader
    var readBytes: (_ bytes: [UInt8], _ source: String, _ handler: inout ReportStorer) throws -> Void

    public init(connection: PostgresConnection, limits: ReadingLimits = ReadingLimits()) {
        self.connection = connection
        let reader = ReportReader(limits: limits)
        self.reader = reader
        readBytes = { bytes, source, handler in
            // Through a file, so the reader tells e-mail, mbox, zip and XML apart exactly as ingest did.
            let path = NSTemporaryDirectory() + "/dmarc-reparse-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
            guard
                FileManager.default.createFile(
                    atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
            else { throw StoreError(.io, "cannot write a temporary file \(path)") }
            defer { try? FileManager.default.removeItem(atPath: path) }
            try reader.read(file: path, source: source, into: &handler)
        }
    }

    /// `since`: only originals holding a report whose period ends at or after it (epoch seconds);
    /// nil for all originals, including those that held only duplicates.
    public func reparse(since: Int64?, progress: ((Int, Int, String) -> Void)? = nil) throws -> ReparseSummary {
        let list: PostgresResult
        if let since {
            list = try connection.query(
                """
                SELECT o.sha256, o.first_path FROM originals o
                WHERE EXISTS (SELECT 1 FROM reports r WHERE r.source_sha256 = o.sha256
                              AND r.end_time >= to_timestamp($1::double precision))
                ORDER BY o.received_at, o.sha256
                """, [String(since)], binaryResults: true)
        } else {
            list = try connection.query(
                "SELECT sha256, first_path FROM originals ORDER BY received_at, sha256", binaryResults: true)
        }
        var summary = ReparseSummary()
        for (index, row) in list.rows.enumerated() {
            let digest = try row.decode("sha256", as: [UInt8].self), path = try row.decode("first_path", as: String.self)
            progress?(index, list.rows.count, path)
            summary.files += 1
            do {
                let storer = try connection.transaction { () throws -> ReportStorer in
                    let sha = FileDigest.byteaLiteral(digest)
                    try connection.query("SELECT pg_advisory_xact_lock($1)", [String(FileDigest.lockKey(digest))])
                    let content = try connection.query(
                        "SELECT content FROM originals WHERE sha256 = $1::bytea", [sha], binaryResults: true)
                    guard let bytes = try content.first?.decode("content", as: [UInt8].self) else {
                        throw InputRejected(source: path, error: ReadError(.unreadable, "original vanished"))
                    }
                    try connection.query("DELETE FROM reports WHERE source_sha256 = $1::bytea", [sha])
                    var storer = ReportStorer(connection: connection, sourceSHA256: digest)
                    try readBytes(bytes, path, &storer)
                    return storer
                }
                summary.reports += storer.reportsStored
                summary.rows += storer.rowsStored
                summary.conflicts += storer.conflicts
            } catch let rejection as InputRejected {
                summary.failures.append(
                    .init(path: path, reason: "\(rejection.error.code): \(rejection.error.message)"))
            } catch let error as PostgresError where error.isDataProblem {
                summary.failures.append(.init(path: path, reason: "refused by the database: \(error)"))
            }
        }
        return summary
    }
}
