import DMARC
import Diagnosis

/// The report's rows as CSV: one row per (domain, day, source, class) with its message count.
///
/// The columns are fixed identifiers (not translated) so spreadsheets and scripts keep working in
/// either language; `responsible` and `origin` are spelled as in the JSON.
public struct CSVRenderer: Sendable {
    public static let columns = [
        "tenant", "month", "domain", "day", "source_ip", "origin", "class", "responsible", "messages",
    ]

    public init() {}

    public func render(_ report: MonthlyReport) -> String {
        var out = CSVRenderer.columns.joined(separator: ",") + "\r\n"
        for row in report.rows {
            let fields = [
                report.tenant.id, report.month.description, row.domain, row.day.description, row.sourceIP,
                row.origin.rawValue, row.class.rawValue, row.class.responsible.rawValue, String(row.messages),
            ]
            out += fields.map(CSVField.escaped).joined(separator: ",") + "\r\n"
        }
        return out
    }
}
