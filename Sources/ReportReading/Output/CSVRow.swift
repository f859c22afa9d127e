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
        return fields.map(escape).joined(separator: ",")
    }

    /// RFC 4180 quoting; a leading `=`, `+`, `-` or `@` is prefixed with `'` so that a spreadsheet
    /// never runs a formula an attacker put in a report.
    public static func escape(_ field: String) -> String {
        // Bytes, not characters: "\r\n" is one Character, equal to neither "\r" nor "\n", and a
        // field holding it went out unquoted; bytes are also what makes this cheap on every field.
        let bytes = field.utf8
        let formulaStart = bytes.first.map { "=+-@".utf8.contains($0) } ?? false
        let formula = formulaStart && Double(field) == nil
        let quoted = bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard quoted else { return formula ? "'" + field : field }
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(bytes.count + 4)
        if formula { out.append(UInt8(ascii: "'")) }
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
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
