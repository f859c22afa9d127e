import DMARC
import Diagnosis
import Store

/// Fills a `MonthlyReportInput` from the database: the one query layer behind every format.
///
/// Rows are diagnosed here with the configuration in force (history by `since`), exactly as
/// `dmarc failures` does, so the report and support never disagree.
public struct MonthlyReportQuery {
    let connection: PostgresConnection
    /// A second connection for the previous month, opened for the first report and kept for the
    /// next (`--all`); nil when it could not be opened, and the months are then read in turn.
    private let spare = SiblingConnection()

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Errors: no configuration, unknown tenant (`QueryError`), or PostgreSQL's own.
    public func input(tenantID: String, month: ReportMonth, language: Language? = nil, today: Day? = nil) throws -> MonthlyReportInput {
        guard let configuration = try TenantStore(connection: connection).current() else {
            throw QueryError(.noConfiguration, "no tenants configured yet: run `dmarc tenants apply tenants.yaml` first")
        }
        guard let tenant = configuration.tenants.first(where: { $0.id == tenantID }) else {
            let known = configuration.tenants.map(\.id).joined(separator: ", ")
            throw QueryError(.unknownTenant, "no tenant \"\(tenantID)\" (configured: \(known))")
        }
        // The previous month is wanted only for its totals, yet costs as much to read as this one:
        // both are read at once, on two connections, so that two server backends and two client
        // threads share the work (a big tenant's month is 600,000 rows).
        let current: MonthRows
        let previous: MonthRows
        if let second = spare.connection(siblingOf: connection) {
            let first = SharedConnection(connection), other = SharedConnection(second)
            (current, previous) = try bothAtOnce(
                { try Self.collect(on: first.connection, tenant: tenant, configuration: configuration, month: month) },
                {
                    try Self.collect(
                        on: other.connection, tenant: tenant, configuration: configuration, month: month.previous,
                        report: .forDiagnosis)
                })
        } else {
            current = try Self.collect(on: connection, tenant: tenant, configuration: configuration, month: month)
            previous = try Self.collect(
                on: connection, tenant: tenant, configuration: configuration, month: month.previous, report: .forDiagnosis)
        }
        var previousTotals: ComplianceTotals?
        if !previous.reports.isEmpty {
            let input = MonthlyReportInput(
                tenant: tenant, providerName: configuration.provider.name, month: month.previous,
                reports: previous.reports, examples: previous.examples)
            previousTotals = MonthlyReport.totals(input)
        }
        return MonthlyReportInput(
            tenant: tenant, providerName: configuration.provider.name, month: month, language: language,
            reports: current.reports, previousMonth: previousTotals, examples: current.examples, generatedOn: today)
    }

    /// Tenant ids in configuration order, for `--all`.
    public func tenantIDs() throws -> [String] {
        try TenantStore(connection: connection).current()?.tenants.map(\.id) ?? []
    }

    /// `report: .forDiagnosis` leaves out what only the evidence shows (report ids, file hashes,
    /// published policies): enough for `MonthlyReport.totals`.
    private static func collect(
        on connection: PostgresConnection, tenant: Tenant, configuration: TenantConfiguration, month: ReportMonth,
        report columns: StoredReportColumns = .all
    ) throws -> MonthRows {
        // The month, and the 30 days before its end for the readiness check.
        let from = Day(daysSinceEpoch: min(month.firstDay.daysSinceEpoch, month.lastDay.daysSinceEpoch - 29))
        let period = DayRange(from: from, to: Day(daysSinceEpoch: month.lastDay.daysSinceEpoch + 1))
        // A configured subdomain is found by its parent's query already.
        let domains = Set(tenant.domains.map(\.domain))
        let roots = domains.filter { domain in !domains.contains { domain.hasSuffix("." + $0) } }.sorted()
        var reports: [Int64: ReceivedReport] = [:]
        var examples: [ExampleKey: Diagnosis] = [:]
        func report(of row: DiagnosedRow) -> ReceivedReport {
            ReceivedReport(
                receiver: row.reporter, reportID: row.reportID, period: DateRange(begin: row.begin, end: row.end),
                sha256: row.sourceSHA256, policy: PublishedPolicy(row.policy), rows: [])
        }
        for domain in roots {
            // Rows the receiver reported as passing are summed without their results (a pass needs
            // none), in the same query as the others; each kind of row is diagnosed once
            // (`forEachDiagnosedRow`).
            try connection.forEachDiagnosedRow(
                domain: domain, period: period, only: .allWithReportedPassesSummed, report: columns,
                configuration: configuration
            ) { row in
                // Another tenant may own a subdomain of this tenant's domain; rows of no tenant
                // (unknown-domain) are not this report's.
                guard row.tenantID == tenant.id else { return }
                reports[row.reportKey, default: report(of: row)].rows.append(
                    ReportedRow(
                        domain: row.domain, sourceIP: row.sourceIP, origin: row.origin, class: row.diagnosisClass,
                        disposition: row.disposition, messages: row.count))
                if row.diagnosisClass.isDMARCFailure {
                    let key = ExampleKey(domain: row.domain, diagnosisClass: row.diagnosisClass)
                    if (examples[key]?.record.count ?? -1) < row.count { examples[key] = row.diagnosis }
                }
            }
        }
        let ordered = reports.values.sorted { ($0.period.begin, $0.receiver, $0.reportID) < ($1.period.begin, $1.receiver, $1.reportID) }
        return MonthRows(
            reports: ordered,
            examples: examples.values.sorted { ($0.headerFrom, $0.class.rawValue) < ($1.headerFrom, $1.class.rawValue) })
    }
}

/// One month's diagnosed reports and the examples for its recommendation texts.
private struct MonthRows: Sendable {
    var reports: [ReceivedReport]
    var examples: [Diagnosis]
}

private struct ExampleKey: Hashable {
    let domain: String
    let diagnosisClass: DiagnosisClass
}
