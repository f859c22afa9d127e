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
    ///
    /// The index `records_from_period` (reversed header From, end of period) is read twice: for the
    /// domain itself (an equality, so only the period's rows) and for its subdomains (a prefix).
    public func storedRows(domain: String, period: DayRange) throws -> [StoredRow] {
        let escaped = domain.replacingAll("\\", with: "\\\\").replacingAll("%", with: "\\%").replacingAll("_", with: "\\_")
        let reversedSubdomainPrefix = String(("." + escaped).reversed()) + "%"
        let result = try query(
            """
            SELECT host(r.source_ip), r.count, r.disposition, r.dkim, r.spf, r.header_from, r.envelope_from,
                   r.envelope_to, p.org_name, p.report_id, extract(epoch FROM r.begin_time)::bigint,
                   extract(epoch FROM r.end_time)::bigint, p.policy_domain, p.adkim, p.aspf, p.p, p.sp, p.np, p.pct,
                   p.testing, r.dkim_domain, r.dkim_selector, r.dkim_result, r.spf_domain, r.spf_scope, r.spf_result,
                   r.reason_type, r.reason_comment, p.id, encode(p.source_sha256, 'hex')
            FROM records r
            JOIN reports p ON p.id = r.report
            WHERE (reverse(r.header_from) = $1 OR reverse(r.header_from) LIKE $2)
              AND r.end_time >= to_timestamp($3) AND r.begin_time < to_timestamp($4)
            """,
            [String(domain.reversed()), reversedSubdomainPrefix, String(period.fromSeconds), String(period.toSeconds)])
        return result.rows.compactMap(Self.storedRow)
    }

    private static func storedRow(_ row: PostgresRow) -> StoredRow? {
        guard let ip = row.string(0), let count = row.int64(1), let headerFrom = row.string(5) else { return nil }
        func array(_ column: Int) -> [String?] { row.string(column).map(PostgresArray.parseTextWithNulls) ?? [] }
        // Element i of each group of arrays belongs together (a CHECK in sql/020 keeps them equally long).
        let dkimDomains = array(20), selectors = array(21), dkimResults = array(22)
        let spfDomains = array(23), scopes = array(24), spfResults = array(25)
        let types = array(26), comments = array(27)
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
                disposition: row.string(2).flatMap(Disposition.init(rawValue:)),
                dkim: row.string(3).flatMap(DMARCResult.init(rawValue:)),
                spf: row.string(4).flatMap(DMARCResult.init(rawValue:)), reasons: reasons),
            identifiers: Identifiers(headerFrom: headerFrom, envelopeFrom: row.string(6), envelopeTo: row.string(7)),
            authResults: AuthResults(dkim: dkim, spf: spf))
        var policy = PolicyPublished(domain: row.string(12) ?? "")
        policy.adkim = row.string(13).flatMap(Alignment.init(rawValue:))
        policy.aspf = row.string(14).flatMap(Alignment.init(rawValue:))
        policy.p = row.string(15).flatMap(PolicyAction.init(rawValue:))
        policy.sp = row.string(16).flatMap(PolicyAction.init(rawValue:))
        policy.np = row.string(17).flatMap(PolicyAction.init(rawValue:))
        policy.pct = row.int(18)
        policy.testing = row.string(19)
        return StoredRow(
            record: record, reporter: row.string(8) ?? "", reportID: row.string(9) ?? "", begin: row.int64(10) ?? 0,
            end: row.int64(11) ?? 0, policy: policy, reportKey: row.int64(28) ?? 0, sourceSHA256: row.string(29) ?? "")
    }

    /// Policy domains and header From domains seen in reports, for "did you mean" suggestions.
    func knownDomains() throws -> [String] {
        try query("SELECT DISTINCT policy_domain FROM reports").rows.compactMap { $0.string(0) }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
