import Postgres

/// Where each column of a stored record is in the rows `scan` reads: looked up by name once per
/// query (`PostgresColumns`), so that the loop over a million rows reads by position and a select
/// list that lost a column fails with its name. A class: each row takes it by reference.
final class RecordPositions {
    /// The columns `scan` selects, by the names they are read by, and their SQL.
    private static let columns: [(name: String, expression: String)] = [
        ("report", "r.report"), ("source_ip", "host(r.source_ip)"), ("count", "r.count"),
        ("disposition", "r.disposition"), ("dkim", "r.dkim"), ("spf", "r.spf"), ("header_from", "r.header_from"),
        ("envelope_from", "r.envelope_from"), ("envelope_to", "r.envelope_to"), ("dkim_domain", "r.dkim_domain"),
        ("dkim_selector", "r.dkim_selector"), ("dkim_result", "r.dkim_result"), ("spf_domain", "r.spf_domain"),
        ("spf_scope", "r.spf_scope"), ("spf_result", "r.spf_result"), ("reason_type", "r.reason_type"),
        ("reason_comment", "r.reason_comment"),
    ]
    /// What a sum of pass rows alike has (`StoredRowSelection.allWithReportedPassesSummed`): no
    /// envelope identifiers and no result arrays, which read as NULL.
    private static let summedColumns: Set<String> = [
        "report", "source_ip", "count", "disposition", "dkim", "spf", "header_from",
    ]

    /// The select list: the record's columns, or those of a sum (its count a `bigint`, the rest NULL).
    static func selectList(summed: Bool) -> String {
        columns.map { name, expression in
            if !summed { return "\(expression) AS \(name)" }
            if name == "count" { return "r.count::bigint AS count" }
            return summedColumns.contains(name) ? "\(expression) AS \(name)" : "NULL AS \(name)"
        }.joined(separator: ", ")
    }

    let report, sourceIP, count, disposition, dkim, spf, headerFrom, envelopeFrom, envelopeTo: Int
    let dkimDomain, dkimSelector, dkimResult, spfDomain, spfScope, spfResult, reasonType, reasonComment: Int
    /// The columns a row's diagnosis depends on (`RowDiagnoses`): all but the report, address and count.
    let kind: [Int]
    private let of: PostgresColumns

    private init(_ columns: PostgresColumns) throws(PostgresError) {
        of = columns
        func at(_ name: String) throws(PostgresError) -> Int { try columns.position(of: name) }
        (report, sourceIP, count) = (try at("report"), try at("source_ip"), try at("count"))
        (disposition, dkim, spf) = (try at("disposition"), try at("dkim"), try at("spf"))
        (headerFrom, envelopeFrom, envelopeTo) = (try at("header_from"), try at("envelope_from"), try at("envelope_to"))
        (dkimDomain, dkimSelector, dkimResult) = (try at("dkim_domain"), try at("dkim_selector"), try at("dkim_result"))
        (spfDomain, spfScope, spfResult) = (try at("spf_domain"), try at("spf_scope"), try at("spf_result"))
        (reasonType, reasonComment) = (try at("reason_type"), try at("reason_comment"))
        kind = [
            disposition, dkim, spf, headerFrom, envelopeFrom, envelopeTo, dkimDomain, dkimSelector, dkimResult,
            spfDomain, spfScope, spfResult, reasonType, reasonComment,
        ]
    }

    /// The positions in `columns`, from `remembered` when they were looked up for these columns.
    static func of(_ columns: PostgresColumns, remembered: inout RecordPositions?) throws(PostgresError) -> RecordPositions {
        if let known = remembered, known.of === columns { return known }
        let found = try RecordPositions(columns)
        remembered = found
        return found
    }
}
