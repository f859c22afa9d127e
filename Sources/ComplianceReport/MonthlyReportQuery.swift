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
        // A big tenant's month is 600,000 rows. Its failing rows are read on this connection while a
        // second one reads the sums of its passes and then the previous month, wanted only for its
        // totals and read summed by verdict (`totals(on:…)`): two server backends and two client
        // threads share the work.
        var current: MonthRows
        let previousTotals: ComplianceTotals?
        if let second = spare.connection(siblingOf: connection) {
            let first = SharedConnection(connection), other = SharedConnection(second)
            let (failing, (passing, previous)) = try bothAtOnce(
                {
                    try Self.collect(
                        on: first.connection, tenant: tenant, configuration: configuration, month: month,
                        only: .exceptReportedPasses)
                },
                {
                    let passing = try Self.collect(
                        on: other.connection, tenant: tenant, configuration: configuration, month: month,
                        only: .reportedPassesSummed)
                    let previous = try Self.totals(
                        on: other.connection, tenant: tenant, configuration: configuration, month: month.previous)
                    return (passing, previous)
                })
            current = failing
            current.add(passing)
            previousTotals = previous
        } else {
            current = try Self.collect(
                on: connection, tenant: tenant, configuration: configuration, month: month,
                only: .allWithReportedPassesSummed)
            previousTotals = try Self.totals(
                on: connection, tenant: tenant, configuration: configuration, month: month.previous)
        }
        return MonthlyReportInput(
            tenant: tenant, providerName: configuration.provider.name, month: month, language: language,
            reports: current.orderedReports, previousMonth: previousTotals, examples: current.orderedExamples,
            generatedOn: today)
    }

    /// Tenant ids in configuration order, for `--all`.
    public func tenantIDs() throws -> [String] {
        try TenantStore(connection: connection).current()?.tenants.map(\.id) ?? []
    }

    /// `MonthlyReport.totals` of the month's input, nil when it would have no reports, without reading
    /// the rows whose class their receiver's verdict decides (`Diagnoser.reportedVerdict`): the server
    /// sums those by report, header From, verdict and provider network (`forEachVerdictVolume`), a few
    /// rows per report. The others are read and diagnosed whole.
    static func totals(
        on connection: PostgresConnection, tenant: Tenant, configuration: TenantConfiguration, month: ReportMonth
    ) throws -> ComplianceTotals? {
        var tally = MonthTotalsTally(month: month)
        var reported = false
        var owners: [OwnerKey: String?] = [:]
        for domain in rootDomains(of: tenant) {
            try connection.forEachVerdictVolume(
                domain: domain, period: readPeriod(of: month), providerNetworks: configuration.provider.networks
            ) { volume in
                let key = OwnerKey(headerFrom: volume.headerFrom, day: volume.day)
                let owner: String?
                if let known = owners[key] {
                    owner = known
                } else {
                    owner = Diagnoser.reportedPassOwner(
                        headerFrom: volume.headerFrom, day: volume.day, configuration: configuration)?.0.id
                    owners[key] = owner
                }
                // As `collect`: another tenant's subdomain, or no tenant's, is not this report's.
                guard owner == tenant.id else { return }
                reported = true
                tally.add(
                    volume.messages, over: DateRange(begin: volume.begin, end: volume.end),
                    passed: volume.reportedPass, providerNetwork: volume.fromProviderNetworks)
            }
            try connection.forEachDiagnosedRow(
                domain: domain, period: readPeriod(of: month), only: .outsideVerdictVolumes, report: .forDiagnosis,
                configuration: configuration
            ) { row in
                guard row.tenantID == tenant.id else { return }
                reported = true
                tally.add(
                    row.count, over: DateRange(begin: row.begin, end: row.end), passed: row.diagnosisClass == .pass,
                    providerNetwork: row.origin == .providerNetwork)
            }
        }
        return reported ? tally.totals : nil
    }

    /// The month, and the 30 days before its end for the readiness check.
    private static func readPeriod(of month: ReportMonth) -> DayRange {
        let from = Day(daysSinceEpoch: min(month.firstDay.daysSinceEpoch, month.lastDay.daysSinceEpoch - 29))
        return DayRange(from: from, to: Day(daysSinceEpoch: month.lastDay.daysSinceEpoch + 1))
    }

    /// The tenant's domains but those under another of them: a configured subdomain is found by its
    /// parent's query already.
    private static func rootDomains(of tenant: Tenant) -> [String] {
        let domains = Set(tenant.domains.map(\.domain))
        return domains.filter { domain in !domains.contains { domain.hasSuffix("." + $0) } }.sorted()
    }

    /// The month's rows that `selection` picks (rows reported as passing come summed, without their
    /// results: a pass needs none), diagnosed (each kind once, `forEachDiagnosedRow`), by report.
    private static func collect(
        on connection: PostgresConnection, tenant: Tenant, configuration: TenantConfiguration, month: ReportMonth,
        only selection: StoredRowSelection
    ) throws -> MonthRows {
        var rows = MonthRows()
        func report(of row: DiagnosedRow) -> ReceivedReport {
            ReceivedReport(
                receiver: row.reporter, reportID: row.reportID, period: DateRange(begin: row.begin, end: row.end),
                sha256: row.sourceSHA256, policy: PublishedPolicy(row.policy), rows: [])
        }
        for domain in rootDomains(of: tenant) {
            try connection.forEachDiagnosedRow(
                domain: domain, period: readPeriod(of: month), only: selection, report: .all,
                configuration: configuration
            ) { row in
                // Another tenant may own a subdomain of this tenant's domain; rows of no tenant
                // (unknown-domain) are not this report's.
                guard row.tenantID == tenant.id else { return }
                rows.reports[row.reportKey, default: report(of: row)].rows.append(
                    ReportedRow(
                        domain: row.domain, sourceIP: row.sourceIP, origin: row.origin, class: row.diagnosisClass,
                        disposition: row.disposition, messages: row.count))
                if row.diagnosisClass.isDMARCFailure {
                    let key = ExampleKey(domain: row.domain, diagnosisClass: row.diagnosisClass)
                    // The counts apart: reading one out of a stored diagnosis copied all of it, per row.
                    if (rows.exampleCounts[key] ?? -1) < row.count {
                        rows.exampleCounts[key] = row.count
                        rows.examples[key] = row.diagnosis
                    }
                }
            }
        }
        return rows
    }
}

/// One month's diagnosed reports, by key, and the examples for its recommendation texts: per domain
/// and class, the failing row with the most messages (the first read of equals).
private struct MonthRows: Sendable {
    var reports: [Int64: ReceivedReport] = [:]
    var examples: [ExampleKey: Diagnosis] = [:]
    /// The count of each example's row.
    var exampleCounts: [ExampleKey: Int64] = [:]

    /// Adds rows read apart, after these: `collect` of another selection of the same month.
    mutating func add(_ other: MonthRows) {
        for (key, report) in other.reports {
            if reports[key] == nil {
                reports[key] = report
            } else {
                reports[key]?.rows.append(contentsOf: report.rows)
            }
        }
        for (key, count) in other.exampleCounts where (exampleCounts[key] ?? -1) < count {
            exampleCounts[key] = count
            examples[key] = other.examples[key]
        }
    }

    var orderedReports: [ReceivedReport] {
        reports.values.sorted { ($0.period.begin, $0.receiver, $0.reportID) < ($1.period.begin, $1.receiver, $1.reportID) }
    }

    var orderedExamples: [Diagnosis] {
        examples.values.sorted { ($0.headerFrom, $0.class.rawValue) < ($1.headerFrom, $1.class.rawValue) }
    }
}

private struct OwnerKey: Hashable {
    let headerFrom: String
    let day: Day
}

private struct ExampleKey: Hashable {
    let domain: String
    let diagnosisClass: DiagnosisClass
}
