import DMARC
import Diagnosis

/// A stored record with what the queries need of its report: who sent it and for which period.
public struct StoredRow: Sendable {
    public var record: Record
    public var reporter: String
    public var reportID: String
    public var begin: Int64
    public var end: Int64
    public var policy: PolicyPublished
    /// The stored report's key: rows with the same key came in one report.
    public var reportKey: Int64
    /// Hex SHA-256 of the original file the report came in, for audit evidence.
    public var sourceSHA256: String

    /// The day the diagnosis judges the row by: the first day of its report's period.
    public var day: Day { Day(epochSeconds: begin) }
}

/// Which of a domain's rows `forEachStoredRow` reads.
public enum StoredRowSelection: Sendable {
    case all
    /// Rows the receiver did not report as DMARC pass.
    case exceptReportedPasses
    /// Rows reported as DMARC pass with this header From, from reports beginning then.
    case reportedPasses(headerFrom: String, begin: Int64)
    /// Rows reported as DMARC pass, read without their DKIM/SPF results and override reasons (left
    /// empty): for callers that need only the pass verdict, where its domain is configured.
    case reportedPassesWithoutResults
}

/// Messages reported as DMARC pass for one header From in reports beginning at one time.
public struct ReportedPassVolume: Sendable, Equatable {
    public var headerFrom: String
    public var begin: Int64
    public var messages: Int64

    /// The day the diagnosis judges these rows by, as `StoredRow.day`.
    public var day: Day { Day(epochSeconds: begin) }
}

/// A UTC period of whole days, `from` inclusive, `to` exclusive.
public struct DayRange: Sendable, Equatable, Codable {
    public var from: Day
    public var to: Day

    public init(from: Day, to: Day) {
        self.from = from
        self.to = to
    }

    /// The last `days` days up to and including today.
    public static func last(_ days: Int, today: Day) -> DayRange {
        DayRange(from: Day(daysSinceEpoch: today.daysSinceEpoch - days + 1), to: Day(daysSinceEpoch: today.daysSinceEpoch + 1))
    }

    var fromSeconds: Int64 { Int64(from.daysSinceEpoch) * 86_400 }
    var toSeconds: Int64 { Int64(to.daysSinceEpoch) * 86_400 }
}

extension PostgresConnection {
    /// Every row whose header From is `domain` or one of its subdomains, from reports whose period
    /// overlaps `period`. Parameters only: the domain is attacker-influenced text.
    public func storedRows(domain: String, period: DayRange) throws -> [StoredRow] {
        var rows: [StoredRow] = []
        try forEachStoredRow(domain: domain, period: period) { rows.append($0) }
        return rows
    }

    /// The rows of `storedRows`, one at a time as they arrive: the memory of one batch, whatever the
    /// domain's volume (a big tenant's month is a million rows). `selection` narrows them.
    public func forEachStoredRow(
        domain: String, period: DayRange, only selection: StoredRowSelection = .all, _ body: (StoredRow) throws -> Void
    ) throws {
        var parameters = Self.domainAndPeriod(domain, period)
        var selected = ""
        var results = """
            r.dkim_domain, r.dkim_selector, r.dkim_result, r.spf_domain, r.spf_scope, r.spf_result,
                   r.reason_type, r.reason_comment
            """
        switch selection {
        case .all: break
        case .exceptReportedPasses: selected = "AND NOT (\(Self.reportedPass))"
        case .reportedPasses(let headerFrom, let begin):
            selected = "AND \(Self.reportedPass) AND r.header_from = $5 AND r.begin_time = to_timestamp($6)"
            parameters += [headerFrom, String(begin)]
        case .reportedPassesWithoutResults:
            selected = "AND \(Self.reportedPass)"
            results = Array(repeating: "'{}'::text[]", count: 8).joined(separator: ", ")
        }
        // A report's own columns repeat on each of its rows; they are converted once per report.
        var reports: [Int64: StoredReport] = [:]
        try forEachRow(
            """
            SELECT r.report, host(r.source_ip), r.count, r.disposition, r.dkim, r.spf, r.header_from, r.envelope_from,
                   r.envelope_to, extract(epoch FROM r.begin_time)::bigint, extract(epoch FROM r.end_time)::bigint,
                   \(results),
                   p.org_name, p.report_id, p.policy_domain, p.adkim, p.aspf, p.p, p.sp, p.np, p.pct, p.testing,
                   encode(p.source_sha256, 'hex')
            FROM records r
            JOIN reports p ON p.id = r.report
            WHERE \(Self.domainAndPeriodCondition) \(selected)
            """, parameters
        ) { row in
            guard let key = row.int64(0) else { return }
            let report: StoredReport
            if let known = reports[key] {
                report = known
            } else {
                report = Self.storedReport(row)
                reports[key] = report
            }
            if let stored = Self.storedRow(row, report: report, key: key) { try body(stored) }
        }
    }

    /// Messages of the rows that the receiver itself reported as DMARC pass, summed by header From
    /// and report begin. Such a row is a pass for the diagnosis whenever its header From has a
    /// configuration entry on its day (see `Diagnoser`), so `failures` needs only its count — for
    /// most domains the larger part of the rows, never converted or diagnosed one by one.
    public func reportedPassVolumes(domain: String, period: DayRange) throws -> [ReportedPassVolume] {
        var volumes: [ReportedPassVolume] = []
        try forEachRow(
            """
            SELECT r.header_from, extract(epoch FROM r.begin_time)::bigint, sum(r.count)::bigint
            FROM records r
            WHERE \(Self.domainAndPeriodCondition) AND \(Self.reportedPass)
            GROUP BY r.header_from, r.begin_time
            """, Self.domainAndPeriod(domain, period)
        ) { row in
            guard let headerFrom = row.string(0), let begin = row.int64(1), let messages = row.int64(2) else { return }
            volumes.append(ReportedPassVolume(headerFrom: headerFrom, begin: begin, messages: messages))
        }
        return volumes
    }

    /// The receiver's own verdict was DMARC pass, for a row with messages (`Record.dmarcPass`).
    private static let reportedPass = "(r.count > 0 AND (r.dkim = 'pass' OR r.spf = 'pass'))"

    /// `domain` and its subdomains, reports overlapping the period: parameters $1 to $4.
    ///
    /// The index `records_from_period` (reversed header From, end of period) is read twice: for the
    /// domain itself (an equality) and for its subdomains (a prefix), each only from the period's
    /// start to its end plus the longest report period stored (`reports_span`), so old and new
    /// periods alike read only their own rows.
    private static let domainAndPeriodCondition = """
        (reverse(r.header_from) = $1 OR reverse(r.header_from) LIKE $2)
          AND r.end_time >= to_timestamp($3)
          AND r.end_time < to_timestamp($4) + (SELECT greatest(max(end_time - begin_time), interval '0') FROM reports)
          AND r.begin_time < to_timestamp($4)
        """

    private static func domainAndPeriod(_ domain: String, _ period: DayRange) -> [String?] {
        let escaped = domain.replacingAll("\\", with: "\\\\").replacingAll("%", with: "\\%").replacingAll("_", with: "\\_")
        return [
            String(domain.reversed()), String(("." + escaped).reversed()) + "%", String(period.fromSeconds),
            String(period.toSeconds),
        ]
    }

    /// What a row needs of its report.
    private struct StoredReport {
        var reporter: String
        var reportID: String
        var policy: PolicyPublished
        var sourceSHA256: String
    }

    private static func storedReport(_ row: borrowing PostgresRowView) -> StoredReport {
        var policy = PolicyPublished(domain: row.string(21) ?? "")
        policy.adkim = row.string(22).flatMap(Alignment.init(rawValue:))
        policy.aspf = row.string(23).flatMap(Alignment.init(rawValue:))
        policy.p = row.string(24).flatMap(PolicyAction.init(rawValue:))
        policy.sp = row.string(25).flatMap(PolicyAction.init(rawValue:))
        policy.np = row.string(26).flatMap(PolicyAction.init(rawValue:))
        policy.pct = row.int(27)
        policy.testing = row.string(28)
        return StoredReport(
            reporter: row.string(19) ?? "", reportID: row.string(20) ?? "", policy: policy,
            sourceSHA256: row.string(29) ?? "")
    }

    private static func storedRow(_ row: borrowing PostgresRowView, report: StoredReport, key: Int64) -> StoredRow? {
        guard let ip = row.string(1), let count = row.int64(2), let headerFrom = row.string(6) else { return nil }
        func array(_ column: Int) -> [String?] { row.withBytes(column, PostgresArray.parseTextWithNulls) ?? [] }
        // Element i of each group of arrays belongs together (a CHECK in sql/020 keeps them equally long).
        let dkimDomains = array(11), selectors = array(12), dkimResults = array(13)
        let spfDomains = array(14), scopes = array(15), spfResults = array(16)
        let types = array(17), comments = array(18)
        let dkim = dkimDomains.indices.map { index in
            DKIMAuthResult(
                domain: dkimDomains[index] ?? "", selector: selectors[safe: index] ?? nil,
                result: (dkimResults[safe: index] ?? nil).flatMap(DKIMResult.init(rawValue:)))
        }
        let spf = spfDomains.indices.map { index in
            SPFAuthResult(
                domain: spfDomains[index] ?? "", scope: (scopes[safe: index] ?? nil).flatMap(SPFScope.init(rawValue:)),
                result: (spfResults[safe: index] ?? nil).flatMap(SPFResult.init(rawValue:)))
        }
        let reasons = types.indices.map { index in
            PolicyOverrideReason(
                type: types[index].flatMap(PolicyOverride.init(rawValue:)), comment: comments[safe: index] ?? nil)
        }
        let record = Record(
            sourceIP: ip, count: count,
            policyEvaluated: PolicyEvaluated(
                disposition: row.string(3).flatMap(Disposition.init(rawValue:)),
                dkim: row.string(4).flatMap(DMARCResult.init(rawValue:)),
                spf: row.string(5).flatMap(DMARCResult.init(rawValue:)), reasons: reasons),
            identifiers: Identifiers(headerFrom: headerFrom, envelopeFrom: row.string(7), envelopeTo: row.string(8)),
            authResults: AuthResults(dkim: dkim, spf: spf))
        return StoredRow(
            record: record, reporter: report.reporter, reportID: report.reportID, begin: row.int64(9) ?? 0,
            end: row.int64(10) ?? 0, policy: report.policy, reportKey: key, sourceSHA256: report.sourceSHA256)
    }

    /// Policy domains and header From domains seen in reports, for "did you mean" suggestions.
    func knownDomains() throws -> [String] {
        try query("SELECT DISTINCT policy_domain FROM reports").rows.compactMap { $0.string(0) }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
