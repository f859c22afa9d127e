import DMARC
import Diagnosis
import Store

/// Fills a `MonthlyReportInput` from the database: the one query layer behind every format.
///
/// Rows are diagnosed here with the configuration in force (history by `since`), exactly as
/// `dmarc failures` does, so the report and support never disagree.
public struct MonthlyReportQuery {
    let connection: PostgresConnection

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
        let current = try collect(tenant: tenant, configuration: configuration, month: month)
        let previous = try collect(tenant: tenant, configuration: configuration, month: month.previous)
        var previousTotals: ComplianceTotals?
        if !previous.reports.isEmpty {
            let input = MonthlyReportInput(
                tenant: tenant, providerName: configuration.provider.name, month: month.previous,
                reports: previous.reports, examples: previous.examples)
            previousTotals = MonthlyReport.build(input).summary.totals
        }
        return MonthlyReportInput(
            tenant: tenant, providerName: configuration.provider.name, month: month, language: language,
            reports: current.reports, previousMonth: previousTotals, examples: current.examples, generatedOn: today)
    }

    /// Tenant ids in configuration order, for `--all`.
    public func tenantIDs() throws -> [String] {
        try TenantStore(connection: connection).current()?.tenants.map(\.id) ?? []
    }

    private func collect(tenant: Tenant, configuration: TenantConfiguration, month: ReportMonth) throws
        -> (reports: [ReceivedReport], examples: [Diagnosis])
    {
        // The month, and the 30 days before its end for the readiness check.
        let from = Day(daysSinceEpoch: min(month.firstDay.daysSinceEpoch, month.lastDay.daysSinceEpoch - 29))
        let period = DayRange(from: from, to: Day(daysSinceEpoch: month.lastDay.daysSinceEpoch + 1))
        // A configured subdomain is found by its parent's query already.
        let domains = Set(tenant.domains.map(\.domain))
        let roots = domains.filter { domain in !domains.contains { domain.hasSuffix("." + $0) } }.sorted()
        var reports: [Int64: ReceivedReport] = [:]
        var examples: [ExampleKey: Diagnosis] = [:]
        func report(of row: StoredRow) -> ReceivedReport {
            ReceivedReport(
                receiver: row.reporter, reportID: row.reportID, period: DateRange(begin: row.begin, end: row.end),
                sha256: row.sourceSHA256, policy: PublishedPolicy(row.policy), rows: [])
        }
        for domain in roots {
            // Rows the receiver reported as passing are passes wherever the domain is configured on
            // their day (see `Diagnoser`); they are read without their results and not diagnosed one
            // by one. Where it is not, they are no tenant's (unknown-domain) and not this report's.
            try connection.forEachStoredRow(domain: domain, period: period, only: .reportedPassesWithoutResults) { row in
                guard
                    let (owner, entry) = Diagnoser.reportedPassOwner(
                        headerFrom: row.record.identifiers.headerFrom, day: row.day, configuration: configuration),
                    owner.id == tenant.id
                else { return }
                reports[row.reportKey, default: report(of: row)].rows.append(
                    ReportedRow(
                        domain: entry.domain, sourceIP: row.record.sourceIP,
                        origin: Diagnoser.origin(ofSourceIP: row.record.sourceIP, entry: entry, provider: configuration.provider),
                        class: .pass, disposition: row.record.policyEvaluated.disposition, messages: row.record.count))
            }
            try connection.forEachStoredRow(domain: domain, period: period, only: .exceptReportedPasses) { row in
                let diagnosis = Diagnoser.diagnose(row.record, day: row.day, configuration: configuration, policy: row.policy)
                // Another tenant may own a subdomain of this tenant's domain.
                guard diagnosis.tenantID == tenant.id else { return }
                reports[row.reportKey, default: report(of: row)].rows.append(ReportedRow(diagnosis))
                if diagnosis.class.isDMARCFailure {
                    let key = ExampleKey(domain: diagnosis.entry?.domain ?? diagnosis.headerFrom, diagnosisClass: diagnosis.class)
                    if (examples[key]?.record.count ?? -1) < diagnosis.record.count { examples[key] = diagnosis }
                }
            }
        }
        let ordered = reports.values.sorted { ($0.period.begin, $0.receiver, $0.reportID) < ($1.period.begin, $1.receiver, $1.reportID) }
        return (ordered, examples.values.sorted { ($0.headerFrom, $0.class.rawValue) < ($1.headerFrom, $1.class.rawValue) })
    }
}

private struct ExampleKey: Hashable {
    let domain: String
    let diagnosisClass: DiagnosisClass
}
