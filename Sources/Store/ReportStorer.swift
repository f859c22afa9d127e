import Crypto
import DMARC
import Postgres
import ReportReading

/// An input (or one of its reports) turned out unreadable: the whole input is rolled back.
struct InputRejected: Error {
    let source: String
    let error: ReadError
}

/// Receives the reader's stream for one input inside that input's transaction and writes it to
/// PostgreSQL as it comes: each record is one row of one COPY, its DKIM and SPF results and override
/// reasons as arrays on that row (see sql/020_row_layout.sql), and the report row is inserted when
/// its last record is through, with its counts and content hash. Memory stays flat whatever the
/// report's size.
///
/// A report whose identity (reporter, report id, policy domain, begin, end) is already stored is
/// not written again: its content is hashed on the way and compared with the stored hash, which
/// makes it a duplicate (same content, a resend) or a conflict (same identity, different content).
/// An advisory transaction lock on the identity makes concurrent ingesters take turns per report.
struct ReportStorer: StoringHandler {
    private let connection: PostgresConnection
    private let sourceSHA256: [UInt8]

    private(set) var reportsStored = 0
    private(set) var rowsStored: Int64 = 0
    private(set) var duplicateReports = 0
    private(set) var conflicts: [String] = []
    var tally = InputTally()

    private enum Mode {
        case store(id: Int64, report: AggregateReport)
        case compare(storedHash: [UInt8], description: String)
    }
    private var mode: Mode?
    private var source = ""
    private var records: CopyWriter?
    /// `<report id>`: the key every row of the current report starts with.
    private var prefix: [UInt8] = []
    private var encoding = ReportEncoding()

    init(connection: PostgresConnection, sourceSHA256: [UInt8]) {
        self.connection = connection
        self.sourceSHA256 = sourceSHA256
    }

    // MARK: ReportHandler

    mutating func beginReport(_ report: AggregateReport) throws {
        tally.reportBegins()
        source = report.source
        let identity = ReportEncoding.identity(of: report)
        try connection.query(
            "SELECT pg_advisory_xact_lock($1)", [String(ReportEncoding.lockKey(ofIdentity: identity))], prepared: true)
        encoding.begin(report, identity: identity)

        // The id is drawn now (a duplicate wastes one number) and the report row written at its end,
        // complete: one statement instead of an insert and an update.
        let stored = try connection.query(
            """
            SELECT (SELECT content_sha256 FROM reports
                    WHERE org_name = $1 AND report_id = $2 AND policy_domain = $3
                      AND begin_time = to_timestamp($4::double precision)
                      AND end_time = to_timestamp($5::double precision)) AS stored_hash,
                   nextval(pg_get_serial_sequence('reports', 'id'))::text AS id
            """, identity, binaryResults: true, prepared: true)
        guard let row = stored.first else {
            throw PostgresError(.unexpectedResult, "nextval returned no report id")
        }
        let id = try row.decode("id", as: Int64.self)
        if let storedHash = try row.decodeIfPresent("stored_hash", as: [UInt8].self) {
            mode = .compare(storedHash: storedHash, description: ReportEncoding.description(of: report))
            return
        }
        mode = .store(id: id, report: report)
        var rowKey = CopyTextEncoder(capacity: 64)
        rowKey.field(id)
        prefix = rowKey.buffer
        records = try CopyWriter(connection, ReportEncoding.copyRecords)
    }

    mutating func record(_ record: Record) throws {
        guard let mode else { return }
        encoding.add(record)
        guard case .store = mode, var copy = records else { return }
        records = nil  // one owner of the buffer while it grows: no copy on write
        copy.encoder.appendFormatted(prefix)
        encoding.appendRow(of: record, to: &copy.encoder)
        try copy.endRow()
        records = copy
    }

    mutating func endReport(warnings: [String]) throws {
        guard let mode else { return }
        self.mode = nil
        let digest = encoding.finish()
        switch mode {
        case .compare(let storedHash, let description):
            if storedHash == digest {
                duplicateReports += 1
            } else {
                conflicts.append("\(description) differs from the stored copy")
            }
        case .store(let id, let report):
            guard var copy = records else { return }
            records = nil
            let stored = try copy.finish()
            try insertReport(id: id, report, warnings: warnings, contentSHA256: digest, records: stored)
            reportsStored += 1
            rowsStored += stored
        }
    }

    /// The report's row and its rows by header From, in one statement: one round trip.
    private static let insertReport =
        "WITH report AS (\(ReportRow.table.insertStatement()))\n"
        + FromDomainRow.table.unnestInsertStatement(firstParameter: ReportRow.table.columns.count + 1)

    private func insertReport(
        id: Int64, _ report: AggregateReport, warnings: [String], contentSHA256: [UInt8], records: Int64
    ) throws {
        let domains = encoding.fromDomains.sorted { $0.key < $1.key }.map { (headerFrom: $0.key, volume: $0.value) }
        let row = ReportRow(
            id: id, report: report, message: tally.message, warnings: warnings, sourceSHA256: sourceSHA256,
            contentSHA256: contentSHA256, recordCount: records,
            messageCount: MessageCount.sum(domains.lazy.map(\.volume.messages)))
        try connection.query(
            Self.insertReport,
            ReportRow.table.parameters(of: row)
                + FromDomainRow.table.unnestParameters(of: FromDomainRow.rows(ofReport: id, report, domains)),
            prepared: true)
    }

    mutating func abandonReport(_ error: ReadError) throws {
        throw InputRejected(source: source, error: error)
    }

}
