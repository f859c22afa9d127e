import Crypto
import DMARC
import ReportReading

/// An input (or one of its reports) turned out unreadable: the whole input is rolled back.
struct InputRejected: Error {
    let source: String
    let error: ReadError
}

/// Receives the reader's stream for one input inside that input's transaction and writes it to
/// PostgreSQL as it comes: the report row first, its records through COPY, DKIM/SPF results and
/// override reasons spooled to temporary files and copied after the records (PostgreSQL runs one
/// COPY at a time on a connection). Memory stays flat whatever the report's size.
///
/// A report whose identity (reporter, report id, policy domain, begin, end) is already stored is
/// not written again: its content is hashed on the way and compared with the stored hash, which
/// makes it a duplicate (same content, a resend) or a conflict (same identity, different content).
/// An advisory transaction lock on the identity makes concurrent ingesters take turns per report.
struct ReportStorer: ReportHandler {
    private let connection: PostgresConnection
    private let sourceSHA256: String

    private(set) var reportsStored = 0
    private(set) var rowsStored: Int64 = 0
    private(set) var duplicateReports = 0
    private(set) var conflicts: [String] = []
    private(set) var reportsSeen = 0
    /// Mail messages that held no aggregate report (bounces, TLS reports, spam).
    private(set) var messagesWithoutReport = 0
    /// The message the current reports came in, when the input is e-mail.
    private var message: MessageOrigin?

    private enum Mode {
        case store(id: Int64)
        case compare(storedHash: [UInt8], description: String)
    }
    private var mode: Mode?
    private var source = ""
    private var records: CopyWriter?
    /// `<report id>\t`: the key every row of the current report starts with.
    private var prefix: [UInt8] = []
    private var line = CopyTextEncoder(capacity: 4096)
    private var dkim = CopyTextEncoder()
    private var spf = CopyTextEncoder()
    private var reasons = CopyTextEncoder()
    private var dkimRows: Int64 = 0
    private var spfRows: Int64 = 0
    private var reasonRows: Int64 = 0
    private let dkimSpool: SpoolFile
    private let spfSpool: SpoolFile
    private let reasonSpool: SpoolFile
    private var hasher = SHA256()
    private var recordNumber = 0
    private var messages: Int64 = 0

    static let spoolThreshold = 1 << 16

    init(connection: PostgresConnection, sourceSHA256: [UInt8]) throws {
        self.connection = connection
        self.sourceSHA256 = FileDigest.byteaLiteral(sourceSHA256)
        dkimSpool = try SpoolFile()
        spfSpool = try SpoolFile()
        reasonSpool = try SpoolFile()
    }

    // MARK: ReportHandler

    mutating func beginReport(_ report: AggregateReport) throws {
        reportsSeen += 1
        source = report.source
        recordNumber = 0
        messages = 0
        hasher = SHA256()
        let meta = report.metadata
        let policy = report.policy
        let identity = [
            meta.orgName, meta.reportID, policy.domain, String(meta.dateRange.begin), String(meta.dateRange.end),
        ]
        // Hash of the identity fields joined by NUL (which no field can contain) as the lock key.
        var identityHasher = SHA256()
        for field in identity {
            identityHasher.update(data: Array(field.utf8))
            identityHasher.update(data: [0])
        }
        let key = FileDigest.lockKey(identityHasher.finalize())
        try connection.query("SELECT pg_advisory_xact_lock($1)", [String(key)])

        // The content hash covers everything but warnings (a newer reader may word those differently).
        line.reset()
        line.field(report.schema.rawValue)
        for field in identity { line.field(field) }
        line.field(meta.email)
        line.field(meta.extraContactInfo)
        line.field(meta.generator)
        line.field(PostgresArray.textLiteral(meta.errors))
        line.field(policy.adkim?.rawValue)
        line.field(policy.aspf?.rawValue)
        line.field(policy.p?.rawValue)
        line.field(policy.sp?.rawValue)
        line.field(policy.np?.rawValue)
        line.field(policy.pct.map { Int64($0) })
        line.field(policy.fo)
        line.field(policy.testing)
        line.field(policy.discoveryMethod)
        line.endRow()
        line.withBytes(from: 0) { hasher.update(bufferPointer: $0) }

        let stored = try connection.query(
            """
            SELECT content_sha256 FROM reports
            WHERE org_name = $1 AND report_id = $2 AND policy_domain = $3
              AND begin_time = to_timestamp($4::double precision) AND end_time = to_timestamp($5::double precision)
            """, identity, binaryResults: true)
        if let row = stored.first {
            let description =
                "report \(meta.reportID) from \(meta.orgName) for \(policy.domain) (\(meta.dateRange.begin)–\(meta.dateRange.end))"
            mode = .compare(storedHash: row.bytes(0) ?? [], description: description)
            return
        }
        let inserted = try connection.query(
            """
            INSERT INTO reports (org_name, report_id, policy_domain, begin_time, end_time, email, extra_contact_info,
                generator, errors, schema, adkim, aspf, p, sp, np, pct, fo, testing, discovery_method,
                source_sha256, source_name, message_id, message_subject, message_from, message_date)
            VALUES ($1, $2, $3, to_timestamp($4::double precision), to_timestamp($5::double precision), $6, $7,
                $8, $9::text[], $10, $11, $12, $13, $14, $15, $16::integer, $17, $18, $19, $20::bytea, $21,
                $22, $23, $24, to_timestamp($25::double precision))
            RETURNING id
            """,
            identity + [
                meta.email, meta.extraContactInfo, meta.generator, PostgresArray.textLiteral(meta.errors),
                report.schema.rawValue, policy.adkim?.rawValue, policy.aspf?.rawValue, policy.p?.rawValue,
                policy.sp?.rawValue, policy.np?.rawValue, policy.pct.map { String($0) }, policy.fo, policy.testing,
                policy.discoveryMethod, sourceSHA256, report.source, message?.messageID, message?.subject,
                message?.from, message?.dateEpoch.map { String($0) },
            ])
        guard let id = inserted.first?.int64(0) else {
            throw PostgresError(.unexpectedResult, "INSERT INTO reports returned no id")
        }
        mode = .store(id: id)
        prefix = Array("\(id)\t".utf8)
        records = try CopyWriter(
            connection,
            """
            COPY records (report, record_no, source_ip, count, disposition, dkim, spf, header_from, envelope_from, \
            envelope_to) FROM STDIN
            """)
    }

    mutating func record(_ record: Record) throws {
        guard let mode else { return }
        recordNumber += 1
        messages &+= record.count
        let storing: Bool
        if case .store = mode { storing = true } else { storing = false }

        line.reset()
        line.field(recordNumber)
        line.field(record.sourceIP)
        line.field(record.count)
        line.field(record.policyEvaluated.disposition?.rawValue)
        line.field(record.policyEvaluated.dkim?.rawValue)
        line.field(record.policyEvaluated.spf?.rawValue)
        line.field(record.identifiers.headerFrom)
        line.field(record.identifiers.envelopeFrom)
        line.field(record.identifiers.envelopeTo)
        line.endRow()
        line.withBytes(from: 0) { hasher.update(bufferPointer: $0) }
        if storing {
            records?.encoder.appendFormatted(prefix)
            records?.encoder.appendFormatted(line.buffer)
            try records?.endRowFormatted()
        }

        for (ordinal, result) in record.authResults.dkim.enumerated() {
            line.reset()
            line.field(recordNumber)
            line.field(ordinal + 1)
            line.field(result.domain)
            line.field(result.selector)
            line.field(result.result?.rawValue)
            line.field(result.humanResult)
            line.endRow()
            hashLine(tag: 1)
            if storing { try Self.spool(prefix, line, into: &dkim, rows: &dkimRows, file: dkimSpool) }
        }
        for (ordinal, result) in record.authResults.spf.enumerated() {
            line.reset()
            line.field(recordNumber)
            line.field(ordinal + 1)
            line.field(result.domain)
            line.field(result.scope?.rawValue)
            line.field(result.result?.rawValue)
            line.field(result.humanResult)
            line.endRow()
            hashLine(tag: 2)
            if storing { try Self.spool(prefix, line, into: &spf, rows: &spfRows, file: spfSpool) }
        }
        for (ordinal, reason) in record.policyEvaluated.reasons.enumerated() {
            line.reset()
            line.field(recordNumber)
            line.field(ordinal + 1)
            line.field(reason.type?.rawValue)
            line.field(reason.comment)
            line.endRow()
            hashLine(tag: 3)
            if storing { try Self.spool(prefix, line, into: &reasons, rows: &reasonRows, file: reasonSpool) }
        }
    }

    /// Hashes the row in `line`, tagged by its table so that rows cannot pose as another table's.
    private mutating func hashLine(tag: UInt8) {
        withUnsafeBytes(of: tag) { hasher.update(bufferPointer: $0) }
        line.withBytes(from: 0) { hasher.update(bufferPointer: $0) }
    }

    /// Adds the row in `line`, keyed by the report, to a child table's buffer; full buffers go to
    /// the spool file.
    private static func spool(
        _ prefix: [UInt8], _ line: CopyTextEncoder, into encoder: inout CopyTextEncoder, rows: inout Int64,
        file: SpoolFile
    ) throws {
        encoder.appendFormatted(prefix)
        encoder.appendFormatted(line.buffer)
        rows += 1
        if encoder.count >= spoolThreshold {
            try file.append(&encoder, rows: rows)
            rows = 0
        }
    }

    mutating func endReport(warnings: [String]) throws {
        guard let mode else { return }
        self.mode = nil
        let digest = Array(hasher.finalize())
        switch mode {
        case .compare(let storedHash, let description):
            if storedHash == digest {
                duplicateReports += 1
            } else {
                conflicts.append("\(description) differs from the stored copy")
            }
        case .store(let id):
            guard var copy = records else { return }
            records = nil
            let stored = try copy.finish()
            try copyChildren(
                \.dkim, rows: \.dkimRows, spool: dkimSpool,
                table: "dkim_results (report, record_no, ordinal, domain, selector, result, human_result)")
            try copyChildren(
                \.spf, rows: \.spfRows, spool: spfSpool,
                table: "spf_results (report, record_no, ordinal, domain, scope, result, human_result)")
            try copyChildren(
                \.reasons, rows: \.reasonRows, spool: reasonSpool,
                table: "override_reasons (report, record_no, ordinal, type, comment)")
            try connection.query(
                """
                UPDATE reports SET warnings = $2::text[], content_sha256 = $3::bytea, record_count = $4,
                    message_count = $5
                WHERE id = $1
                """,
                [
                    String(id), PostgresArray.textLiteral(warnings), FileDigest.byteaLiteral(digest), String(stored),
                    String(messages),
                ])
            reportsStored += 1
            rowsStored += stored
        }
    }

    private mutating func copyChildren(
        _ encoder: WritableKeyPath<ReportStorer, CopyTextEncoder>, rows: WritableKeyPath<ReportStorer, Int64>,
        spool: SpoolFile, table: String
    ) throws {
        if self[keyPath: encoder].count == 0 && spool.bytesWritten == 0 { return }
        var copy = try CopyWriter(connection, "COPY \(table) FROM STDIN")
        if spool.bytesWritten > 0 { try spool.replay(into: &copy) }
        if self[keyPath: encoder].count > 0 {
            try self[keyPath: encoder].buffer.withUnsafeBytes { try copy.writeFormatted($0) }
            self[keyPath: encoder].reset()
        }
        self[keyPath: rows] = 0
        try copy.finish()
    }

    mutating func abandonReport(_ error: ReadError) throws {
        throw InputRejected(source: source, error: error)
    }

    mutating func rejected(source: String, error: ReadError) throws {
        throw InputRejected(source: source, error: error)
    }

    mutating func beginMessage(_ origin: MessageOrigin) throws { message = origin }

    mutating func endMessage(_ origin: MessageOrigin, outcome: MessageOutcome) throws {
        if outcome.hasNoAggregateReport { messagesWithoutReport += 1 }
        message = nil
    }
}
