import Crypto
import DMARC
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
        case store(id: Int64, report: AggregateReport)
        case compare(storedHash: [UInt8], description: String)
    }
    private var mode: Mode?
    private var source = ""
    private var records: CopyWriter?
    /// `<report id>`: the key every row of the current report starts with.
    private var prefix: [UInt8] = []
    private var line = CopyTextEncoder(capacity: 4096)
    private var hasher = SHA256()
    private var recordNumber = 0
    /// The report's rows by header From (`report_from_domains`, sql/022).
    private var fromDomains: [String: FromDomainVolume] = [:]

    init(connection: PostgresConnection, sourceSHA256: [UInt8]) {
        self.connection = connection
        self.sourceSHA256 = FileDigest.byteaLiteral(sourceSHA256)
    }

    // MARK: ReportHandler

    mutating func beginReport(_ report: AggregateReport) throws {
        reportsSeen += 1
        source = report.source
        recordNumber = 0
        fromDomains = [:]
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
        try connection.query("SELECT pg_advisory_xact_lock($1)", [String(key)], prepared: true)

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

        // The id is drawn now (a duplicate wastes one number) and the report row written at its end,
        // complete: one statement instead of an insert and an update.
        let stored = try connection.query(
            """
            SELECT (SELECT content_sha256 FROM reports
                    WHERE org_name = $1 AND report_id = $2 AND policy_domain = $3
                      AND begin_time = to_timestamp($4::double precision)
                      AND end_time = to_timestamp($5::double precision)),
                   nextval(pg_get_serial_sequence('reports', 'id'))::text
            """, identity, binaryResults: true, prepared: true)
        guard let row = stored.first, let id = row.int64(1) else {
            throw PostgresError(.unexpectedResult, "nextval returned no report id")
        }
        if let storedHash = row.bytes(0) {
            let description =
                "report \(meta.reportID) from \(meta.orgName) for \(policy.domain) (\(meta.dateRange.begin)–\(meta.dateRange.end))"
            mode = .compare(storedHash: storedHash, description: description)
            return
        }
        mode = .store(id: id, report: report)
        var rowKey = CopyTextEncoder(capacity: 64)
        rowKey.field(id)
        prefix = rowKey.buffer
        records = try CopyWriter(
            connection,
            """
            COPY records (report, record_no, source_ip, count, disposition, dkim, spf, \
            header_from, envelope_from, envelope_to, dkim_domain, dkim_selector, dkim_result, dkim_human_result, \
            spf_domain, spf_scope, spf_result, spf_human_result, reason_type, reason_comment) FROM STDIN
            """)
    }

    mutating func record(_ record: Record) throws {
        guard let mode else { return }
        recordNumber += 1
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
            records?.encoder.appendFields(of: line)
        }

        // The content hash is the same as when the results were rows of their own tables (before
        // sql/020), so a resend of a report stored then is still recognised as the same.
        let authResults = record.authResults
        for (ordinal, result) in authResults.dkim.enumerated() {
            line.reset()
            line.field(recordNumber)
            line.field(ordinal + 1)
            line.field(result.domain)
            line.field(result.selector)
            line.field(result.result?.rawValue)
            line.field(result.humanResult)
            line.endRow()
            hashLine(tag: 1)
        }
        for (ordinal, result) in authResults.spf.enumerated() {
            line.reset()
            line.field(recordNumber)
            line.field(ordinal + 1)
            line.field(result.domain)
            line.field(result.scope?.rawValue)
            line.field(result.result?.rawValue)
            line.field(result.humanResult)
            line.endRow()
            hashLine(tag: 2)
        }
        let reasons = record.policyEvaluated.reasons
        for (ordinal, reason) in reasons.enumerated() {
            line.reset()
            line.field(recordNumber)
            line.field(ordinal + 1)
            line.field(reason.type?.rawValue)
            line.field(reason.comment)
            line.endRow()
            hashLine(tag: 3)
        }
        guard storing, var copy = records else { return }
        fromDomains[record.identifiers.headerFrom, default: FromDomainVolume()].add(record)
        records = nil  // one owner of the buffer while it grows: no copy on write
        copy.encoder.arrayField(authResults.dkim) { $0.domain }
        copy.encoder.arrayField(authResults.dkim) { $0.selector }
        copy.encoder.arrayField(authResults.dkim) { $0.result?.rawValue }
        copy.encoder.arrayField(authResults.dkim) { $0.humanResult }
        copy.encoder.arrayField(authResults.spf) { $0.domain }
        copy.encoder.arrayField(authResults.spf) { $0.scope?.rawValue }
        copy.encoder.arrayField(authResults.spf) { $0.result?.rawValue }
        copy.encoder.arrayField(authResults.spf) { $0.humanResult }
        copy.encoder.arrayField(reasons) { $0.type?.rawValue }
        copy.encoder.arrayField(reasons) { $0.comment }
        try copy.endRow()
        records = copy
    }

    /// Hashes the row in `line`, tagged by its table so that rows cannot pose as another table's.
    private mutating func hashLine(tag: UInt8) {
        withUnsafeBytes(of: tag) { hasher.update(bufferPointer: $0) }
        line.withBytes(from: 0) { hasher.update(bufferPointer: $0) }
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
        case .store(let id, let report):
            guard var copy = records else { return }
            records = nil
            let stored = try copy.finish()
            try insertReport(id: id, report, warnings: warnings, contentSHA256: digest, records: stored)
            reportsStored += 1
            rowsStored += stored
        }
    }

    private func insertReport(
        id: Int64, _ report: AggregateReport, warnings: [String], contentSHA256: [UInt8], records: Int64
    ) throws {
        let meta = report.metadata
        let policy = report.policy
        // The report's header From domains go in with it, in the same statement: one round trip.
        let domains = fromDomains.sorted { $0.key < $1.key }
        func integers(_ value: (FromDomainVolume) -> Int64) -> String {
            "{" + domains.map { String(value($0.value)) }.joined(separator: ",") + "}"
        }
        try connection.query(
            """
            WITH report AS (
            INSERT INTO reports (id, org_name, report_id, policy_domain, begin_time, end_time, email,
                extra_contact_info, generator, errors, schema, adkim, aspf, p, sp, np, pct, fo, testing,
                discovery_method, source_sha256, source_name, message_id, message_subject, message_from,
                message_date, warnings, content_sha256, record_count, message_count)
            VALUES ($1, $2, $3, $4, to_timestamp($5::double precision), to_timestamp($6::double precision), $7,
                $8, $9, $10::text[], $11, $12, $13, $14, $15, $16, $17::integer, $18, $19,
                $20, $21::bytea, $22, $23, $24, $25,
                to_timestamp($26::double precision), $27::text[], $28::bytea, $29, $30))
            INSERT INTO report_from_domains (report, header_from, begin_time, end_time, record_count, message_count,
                passed_messages)
            SELECT $1, v.header_from, to_timestamp($5::double precision), to_timestamp($6::double precision),
                v.record_count, v.message_count, v.passed_messages
            FROM unnest($31::text[], $32::integer[], $33::bigint[], $34::bigint[])
                AS v(header_from, record_count, message_count, passed_messages)
            """,
            [
                String(id), meta.orgName, meta.reportID, policy.domain, String(meta.dateRange.begin),
                String(meta.dateRange.end), meta.email, meta.extraContactInfo, meta.generator,
                PostgresArray.textLiteral(meta.errors), report.schema.rawValue, policy.adkim?.rawValue,
                policy.aspf?.rawValue, policy.p?.rawValue, policy.sp?.rawValue, policy.np?.rawValue,
                policy.pct.map { String($0) }, policy.fo, policy.testing, policy.discoveryMethod, sourceSHA256,
                report.source, message?.messageID, message?.subject, message?.from,
                message?.dateEpoch.map { String($0) }, PostgresArray.textLiteral(warnings),
                FileDigest.byteaLiteral(contentSHA256), String(records),
                String(fromDomains.values.reduce(Int64(0)) { $0 &+ $1.messages }),
                PostgresArray.textLiteral(domains.map(\.key)), integers(\.rows), integers(\.messages), integers(\.passed),
            ], prepared: true)
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

/// One header From's share of a report: a row of `report_from_domains`.
private struct FromDomainVolume {
    var rows: Int64 = 0
    var messages: Int64 = 0
    /// Messages the receiver reported as DMARC pass (`Record.dmarcPass`, with messages).
    var passed: Int64 = 0

    mutating func add(_ record: Record) {
        rows += 1
        messages &+= record.count
        if record.count > 0, record.dmarcPass { passed &+= record.count }
    }
}
