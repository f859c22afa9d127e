#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DMARC

/// One CSV row per record, with parsedmarc's aggregate column names where the meaning is the same
/// (so existing spreadsheets keep working), and `source` added. parsedmarc's DNS-derived columns
/// (country, reverse DNS, base domain) are left out: `parse` makes no network lookups.
public enum CSVRow {
    static let columns = [
        "xml_schema", "org_name", "org_email", "org_extra_contact_info", "report_id", "begin_date", "end_date",
        "errors", "domain", "adkim", "aspf", "p", "sp", "np", "pct", "fo", "testing", "source_ip_address", "count",
        "spf_aligned", "dkim_aligned", "dmarc_aligned", "disposition", "policy_override_reasons",
        "policy_override_comments", "envelope_from", "header_from", "envelope_to", "dkim_domains", "dkim_selectors",
        "dkim_results", "spf_domains", "spf_scopes", "spf_results", "source",
    ]
    static let header = columns.joined(separator: ",")

    static func line(report: AggregateReport, record: Record) -> String {
        let metadata = report.metadata, policy = report.policy, evaluated = record.policyEvaluated
        let fields: [String] = [
            report.schema.rawValue, metadata.orgName, metadata.email, metadata.extraContactInfo ?? "",
            metadata.reportID, utcTimestamp(metadata.dateRange.begin), utcTimestamp(metadata.dateRange.end),
            metadata.errors.joined(separator: "|"), policy.domain, policy.adkim?.rawValue ?? "",
            policy.aspf?.rawValue ?? "", policy.p?.rawValue ?? "", policy.sp?.rawValue ?? "",
            policy.np?.rawValue ?? "", policy.pct.map(String.init) ?? "", policy.fo ?? "", policy.testing ?? "",
            record.sourceIP, String(record.count),
            evaluated.spf == .pass ? "True" : "False", evaluated.dkim == .pass ? "True" : "False",
            record.dmarcPass ? "True" : "False", evaluated.disposition?.rawValue ?? "",
            evaluated.reasons.map { $0.type?.rawValue ?? "" }.joined(separator: ","),
            evaluated.reasons.map { $0.comment ?? "" }.joined(separator: ","),
            record.identifiers.envelopeFrom ?? "", record.identifiers.headerFrom, record.identifiers.envelopeTo ?? "",
            record.authResults.dkim.map(\.domain).joined(separator: ","),
            record.authResults.dkim.map { $0.selector ?? "" }.joined(separator: ","),
            record.authResults.dkim.map { $0.result?.rawValue ?? "" }.joined(separator: ","),
            record.authResults.spf.map(\.domain).joined(separator: ","),
            record.authResults.spf.map { $0.scope?.rawValue ?? "" }.joined(separator: ","),
            record.authResults.spf.map { $0.result?.rawValue ?? "" }.joined(separator: ","),
            report.source,
        ]
        return fields.map(CSVField.escaped).joined(separator: ",")
    }

    /// `YYYY-MM-DD HH:MM:SS` in UTC, as parsedmarc writes dates.
    static func utcTimestamp(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&time, &parts) != nil else { return String(seconds) }
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
}
