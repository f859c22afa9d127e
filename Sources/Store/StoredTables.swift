import DMARC
import Postgres
import ReportReading

// The rows ingest writes, each table's columns and their values defined once: a file streamed
// (`ReportStorer`, INSERT) and a file of a batch (`Ingestor+Batch`, COPY) store the same row. The
// `records` rows are `ReportEncoding`'s, shared the same way.

/// A `reports` row: the report's header and what ingest learned of it.
struct ReportRow {
    let id: Int64
    /// The report (its records are not read here).
    let report: AggregateReport
    /// The mail message the report came in, if any.
    let message: MessageOrigin?
    let warnings: [String]
    /// The original file's SHA-256.
    let sourceSHA256: [UInt8]
    let contentSHA256: [UInt8]
    let recordCount: Int64
    let messageCount: Int64

    static let table = TableDefinition<ReportRow>(
        "reports",
        [
            .integer("id") { $0.id },
            .text("org_name") { $0.report.metadata.orgName },
            .text("report_id") { $0.report.metadata.reportID },
            .text("policy_domain") { $0.report.policy.domain },
            .timestamp("begin_time") { $0.report.metadata.dateRange.begin },
            .timestamp("end_time") { $0.report.metadata.dateRange.end },
            .text("email") { $0.report.metadata.email },
            .text("extra_contact_info") { $0.report.metadata.extraContactInfo },
            .text("generator") { $0.report.metadata.generator },
            .textArray("errors") { $0.report.metadata.errors },
            .text("schema") { $0.report.schema.rawValue },
            .text("adkim") { $0.report.policy.adkim?.rawValue },
            .text("aspf") { $0.report.policy.aspf?.rawValue },
            .text("p") { $0.report.policy.p?.rawValue },
            .text("sp") { $0.report.policy.sp?.rawValue },
            .text("np") { $0.report.policy.np?.rawValue },
            .integer("pct") { $0.report.policy.pct.map { Int64($0) } },
            .text("fo") { $0.report.policy.fo },
            .text("testing") { $0.report.policy.testing },
            .text("discovery_method") { $0.report.policy.discoveryMethod },
            .bytea("source_sha256") { $0.sourceSHA256 },
            .text("source_name") { $0.report.source },
            .text("message_id") { $0.message?.messageID },
            .text("message_subject") { $0.message?.subject },
            .text("message_from") { $0.message?.from },
            .timestamp("message_date") { $0.message?.dateEpoch },
            .textArray("warnings") { $0.warnings },
            .bytea("content_sha256") { $0.contentSHA256 },
            .integer("record_count") { $0.recordCount },
            .integer("message_count") { $0.messageCount },
        ])

    /// Whether COPY can write its timestamps (`CopyTimestamp.isCopyable`); a report that cannot
    /// streams through an INSERT, where PostgreSQL's `to_timestamp` judges its dates.
    static func hasCopyableDates(_ report: AggregateReport, message: MessageOrigin?) -> Bool {
        let range = report.metadata.dateRange
        return CopyTimestamp.isCopyable(range.begin) && CopyTimestamp.isCopyable(range.end)
            && (message?.dateEpoch).map(CopyTimestamp.isCopyable) ?? true
    }
}

/// A `report_from_domains` row: one header From's share of a report (sql/022).
struct FromDomainRow {
    let report: Int64
    let headerFrom: String
    /// The report's period, epoch seconds.
    let begin: Int64
    let end: Int64
    let volume: FromDomainVolume

    static let table = TableDefinition<FromDomainRow>(
        "report_from_domains",
        [
            .integer("report") { $0.report },
            .text("header_from") { $0.headerFrom },
            .timestamp("begin_time") { $0.begin },
            .timestamp("end_time") { $0.end },
            .integer("record_count") { $0.volume.rows },
            .integer("message_count") { $0.volume.messages },
            .integer("passed_messages") { $0.volume.passed },
        ])

    /// The rows of a report with key `id`, by header From in order.
    static func rows(
        ofReport id: Int64, _ report: AggregateReport, _ domains: [(headerFrom: String, volume: FromDomainVolume)]
    ) -> [FromDomainRow] {
        let range = report.metadata.dateRange
        return domains.map {
            FromDomainRow(report: id, headerFrom: $0.headerFrom, begin: range.begin, end: range.end, volume: $0.volume)
        }
    }
}

/// An `input_files` row: the ledger's record of one input of one run.
struct LedgerRow {
    /// The file's SHA-256; nil when it could not be read.
    let sha256: [UInt8]?
    let path: String
    let size: Int64?
    let status: InputStatus
    let reason: String?
    var reports = 0
    var rows: Int64 = 0
    var duplicateReports = 0
    var conflicts = 0

    static let table = TableDefinition<LedgerRow>(
        "input_files",
        [
            .bytea("sha256") { $0.sha256 },
            // Reasons quote the input and paths are what the file system holds: the ledger is read
            // back by support, so both pass the one sanitiser.
            .text("path") { Printable.text($0.path) },
            .integer("size") { $0.size },
            .text("status") { $0.status.rawValue },
            .text("reason") { $0.reason.map(Printable.text) },
            .integer("reports") { Int64($0.reports) },
            .integer("rows") { $0.rows },
            .integer("duplicate_reports") { Int64($0.duplicateReports) },
            .integer("conflicts") { Int64($0.conflicts) },
        ])
}

extension LedgerRow {
    /// The row of a file whose outcome is `outcome`.
    init(sha256: [UInt8]?, path: String, size: Int64?, outcome: Ingestor.FileOutcome) {
        self.init(sha256: sha256, path: path, size: size, status: outcome.status, reason: outcome.reason)
        reports = outcome.reports
        rows = outcome.rows
        duplicateReports = outcome.duplicateReports
        conflicts = outcome.conflicts.count
    }
}
