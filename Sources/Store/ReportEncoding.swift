import Crypto
import DMARC
import Postgres
import ReportReading

/// What ingest makes of one report as it is read: the COPY fields of its records, the content hash
/// that tells a resend (same content) from a conflict (same identity, other content), and its
/// rows by header From. One type for both ways a report is stored, streamed into COPY
/// (`ReportStorer`) or held for a shared transaction (`BatchedFileReader`), so that a report stored
/// one way is recognised when it comes again the other way.
struct ReportEncoding {
    /// The record's own fields (record number to envelope To): hashed, then written before its arrays.
    private var recordLine = CopyTextEncoder(capacity: 1024)
    /// One DKIM or SPF result or override reason, hashed as a row of its own.
    private var resultLine = CopyTextEncoder(capacity: 1024)
    private var hasher = SHA256()
    private(set) var recordNumber = 0
    /// The report's rows by header From (`report_from_domains`, sql/022).
    private(set) var fromDomains: [String: FromDomainVolume] = [:]

    /// The COPY that `appendRow`'s fields are written for, after the report's key.
    static let copyRecords = """
        COPY records (report, record_no, source_ip, count, disposition, dkim, spf, \
        header_from, envelope_from, envelope_to, dkim_domain, dkim_selector, dkim_result, dkim_human_result, \
        spf_domain, spf_scope, spf_result, spf_human_result, reason_type, reason_comment) FROM STDIN
        """

    /// The fields that identify a report: reporter, report id, policy domain, begin, end.
    static func identity(of report: AggregateReport) -> [String] {
        let meta = report.metadata
        return [
            meta.orgName, meta.reportID, report.policy.domain, String(meta.dateRange.begin),
            String(meta.dateRange.end),
        ]
    }

    /// The advisory-lock key of an identity: its fields joined by NUL (which no field can contain), hashed.
    static func lockKey(ofIdentity identity: [String]) -> Int64 {
        var identityHasher = SHA256()
        for field in identity {
            identityHasher.update(data: Array(field.utf8))
            identityHasher.update(data: [0])
        }
        return FileDigest.lockKey(identityHasher.finalize())
    }

    /// How a conflict names the report.
    static func description(of report: AggregateReport) -> String {
        let meta = report.metadata
        return "report \(meta.reportID) from \(meta.orgName) for \(report.policy.domain) "
            + "(\(meta.dateRange.begin)–\(meta.dateRange.end))"
    }

    /// Starts a report (`identity` is `identity(of: report)`): hashes its header. The content hash
    /// covers everything but warnings (a newer reader may word those differently).
    mutating func begin(_ report: AggregateReport, identity: [String]) {
        recordNumber = 0
        fromDomains = [:]
        hasher = SHA256()
        let meta = report.metadata
        let policy = report.policy
        var line = CopyTextEncoder(capacity: 1024)
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
    }

    /// Hashes the next record and counts it by header From; `appendRow` then writes it.
    ///
    /// The hash is the same as when the results were rows of their own tables (before sql/020), so
    /// a resend of a report stored then is still recognised as the same.
    mutating func add(_ record: Record) {
        recordNumber += 1
        recordLine.reset()
        recordLine.field(recordNumber)
        recordLine.field(record.sourceIP)
        recordLine.field(record.count)
        recordLine.field(record.policyEvaluated.disposition?.rawValue)
        recordLine.field(record.policyEvaluated.dkim?.rawValue)
        recordLine.field(record.policyEvaluated.spf?.rawValue)
        recordLine.field(record.identifiers.headerFrom)
        recordLine.field(record.identifiers.envelopeFrom)
        recordLine.field(record.identifiers.envelopeTo)
        recordLine.endRow()
        recordLine.withBytes(from: 0) { hasher.update(bufferPointer: $0) }

        for (ordinal, result) in record.authResults.dkim.enumerated() {
            resultLine.reset()
            resultLine.field(recordNumber)
            resultLine.field(ordinal + 1)
            resultLine.field(result.domain)
            resultLine.field(result.selector)
            resultLine.field(result.result?.rawValue)
            resultLine.field(result.humanResult)
            resultLine.endRow()
            hashResultLine(tag: 1)
        }
        for (ordinal, result) in record.authResults.spf.enumerated() {
            resultLine.reset()
            resultLine.field(recordNumber)
            resultLine.field(ordinal + 1)
            resultLine.field(result.domain)
            resultLine.field(result.scope?.rawValue)
            resultLine.field(result.result?.rawValue)
            resultLine.field(result.humanResult)
            resultLine.endRow()
            hashResultLine(tag: 2)
        }
        for (ordinal, reason) in record.policyEvaluated.reasons.enumerated() {
            resultLine.reset()
            resultLine.field(recordNumber)
            resultLine.field(ordinal + 1)
            resultLine.field(reason.type?.rawValue)
            resultLine.field(reason.comment)
            resultLine.endRow()
            hashResultLine(tag: 3)
        }
        fromDomains[record.identifiers.headerFrom, default: FromDomainVolume()].add(record)
    }

    /// Appends the `records` columns after the report key of the record just `add`ed: its own fields,
    /// then its DKIM and SPF results and override reasons as arrays (sql/020). The row is not ended.
    func appendRow(of record: Record, to encoder: inout CopyTextEncoder) {
        encoder.appendFields(of: recordLine)
        let authResults = record.authResults
        encoder.arrayField(authResults.dkim) { $0.domain }
        encoder.arrayField(authResults.dkim) { $0.selector }
        encoder.arrayField(authResults.dkim) { $0.result?.rawValue }
        encoder.arrayField(authResults.dkim) { $0.humanResult }
        encoder.arrayField(authResults.spf) { $0.domain }
        encoder.arrayField(authResults.spf) { $0.scope?.rawValue }
        encoder.arrayField(authResults.spf) { $0.result?.rawValue }
        encoder.arrayField(authResults.spf) { $0.humanResult }
        let reasons = record.policyEvaluated.reasons
        encoder.arrayField(reasons) { $0.type?.rawValue }
        encoder.arrayField(reasons) { $0.comment }
    }

    /// The content hash of the report so far: call once, at its end.
    mutating func finish() -> [UInt8] {
        let digest = Array(hasher.finalize())
        hasher = SHA256()
        return digest
    }

    /// Hashes the row in `resultLine`, tagged by its table so that rows cannot pose as another table's.
    private mutating func hashResultLine(tag: UInt8) {
        withUnsafeBytes(of: tag) { hasher.update(bufferPointer: $0) }
        resultLine.withBytes(from: 0) { hasher.update(bufferPointer: $0) }
    }
}

/// One header From's share of a report: a row of `report_from_domains`.
struct FromDomainVolume: Sendable {
    var rows: Int64 = 0
    var messages: Int64 = 0
    /// Messages the receiver reported as DMARC pass (`Record.dmarcPass`, with messages).
    var passed: Int64 = 0

    mutating func add(_ record: Record) {
        rows += 1
        messages = MessageCount.adding(record.count, to: messages)
        if record.count > 0, record.dmarcPass { passed = MessageCount.adding(record.count, to: passed) }
    }
}

/// What reading one input yielded besides its reports, whichever way they are stored: how many
/// began, the mail message they came in, and the messages that carried none.
struct InputTally {
    private(set) var reportsSeen = 0
    /// Mail messages that held no aggregate report (bounces, TLS reports, spam).
    private(set) var messagesWithoutReport = 0
    /// The message the current reports came in, when the input is e-mail.
    private(set) var message: MessageOrigin?

    mutating func reportBegins() { reportsSeen += 1 }

    /// The ledger's reason for an input without reports: mail without a report is expected in a rua
    /// mailbox, recorded and not an error. Nil when the input had reports; throws when it had
    /// neither reports nor messages.
    func reasonWithoutReports(in path: String) throws -> String? {
        guard reportsSeen == 0 else { return nil }
        guard messagesWithoutReport > 0 else {
            throw InputRejected(source: path, error: ReadError(.notAReport, "no aggregate report in the input"))
        }
        let count = messagesWithoutReport
        return count == 1 ? "a message with no aggregate report" : "\(count) messages with no aggregate report"
    }

    fileprivate mutating func begin(_ origin: MessageOrigin) { message = origin }

    fileprivate mutating func end(_ outcome: MessageOutcome) {
        if outcome.hasNoAggregateReport { messagesWithoutReport += 1 }
        message = nil
    }
}

/// A handler that stores an input's reports: a rejected input or member rejects the whole input,
/// and its messages are tallied (`InputTally`).
protocol StoringHandler: ReportHandler {
    var tally: InputTally { get set }
}

extension StoringHandler {
    mutating func rejected(source: String, error: ReadError) throws {
        throw InputRejected(source: source, error: error)
    }

    mutating func beginMessage(_ origin: MessageOrigin) throws { tally.begin(origin) }

    mutating func endMessage(_ origin: MessageOrigin, outcome: MessageOutcome) throws { tally.end(outcome) }
}
