import ComplianceReport
import DMARC
import Diagnosis
import Foundation
import Postgres

/// Reads a tenant's month from the database: the one query layer behind every format.
///
/// Rows are diagnosed here with the configuration in force (history by `since`), exactly as
/// `dmarc failures` does, so the report and support never disagree.
public struct MonthlyReportQuery {
    /// The connection, and a second one kept for the next report (`--all`).
    private let connections: ConnectionPair
    var connection: PostgresConnection { connections.connection }

    public init(connection: PostgresConnection) { connections = ConnectionPair(connection) }

    /// The tenant's monthly report: `MonthlyReport.build(input(…))`, with the rows summed as they are
    /// read (`MonthlyReportTally`) instead of collected first. What `report monthly` prints.
    ///
    /// Each problem gets the DNS evidence of its domains' latest `dns check` (`DNSEvidence`, as
    /// `failures` shows it), stale when older than `dnsMaxAgeSeconds` at `now` (epoch seconds,
    /// default the clock).
    ///
    /// Errors: no configuration, unknown tenant (`QueryError`), or PostgreSQL's own.
    public func report(
        tenantID: String, month: ReportMonth, language: Language? = nil, today: Day? = nil,
        dnsMaxAgeSeconds: Int64 = DNSEvidence.defaultMaxAgeSeconds, now: Int64? = nil
    ) throws -> MonthlyReport {
        let (configuration, tenant) = try configuration(of: tenantID)
        let (rows, previous) = try read(tenant: tenant, configuration: configuration, month: month) {
            connection, selection in
            var rows = TalliedRows(month: month)
            try Self.forEachRow(on: connection, tenant: tenant, configuration: configuration, month: month, only: selection) { row in
                rows.tally.add(ReportedRow(row), ofReport: row.reportKey, Self.report(of: row))
                rows.examples.consider(row)
            }
            return rows
        } merge: { $0.add($1) }
        let input = MonthlyReportInput(
            tenant: tenant, providerName: configuration.provider.name, month: month, language: language, reports: [],
            previousMonth: previous?.totals, examples: rows.examples.ordered, generatedOn: today,
            previousCoverage: previous?.coverage)
        var report = MonthlyReport.build(input, from: rows.tally)
        try addDNSEvidence(
            to: &report, maxAgeSeconds: dnsMaxAgeSeconds, now: now ?? Int64(Date().timeIntervalSince1970))
        return report
    }

    /// Fills each problem's `dnsEvidence` from the latest check of its domains, each domain read
    /// once; a problem of several domains names the domain before each line.
    private func addDNSEvidence(to report: inout MonthlyReport, maxAgeSeconds: Int64, now: Int64) throws {
        var checks: [String: DNSEvidence?] = [:]
        for index in report.problems.indices {
            let problem = report.problems[index]
            var lines: [String] = []
            for domain in problem.domains {
                if checks[domain] == nil { checks[domain] = .some(try connection.latestDNSEvidence(domain: domain)) }
                guard let evidence = checks[domain] ?? nil,
                    let line = evidence.reportLine(
                        for: problem.class, language: report.language, now: now, maxAgeSeconds: maxAgeSeconds)
                else { continue }
                lines.append(problem.domains.count > 1 ? "\(DomainDisplay.named(domain)): \(line)" : line)
            }
            report.problems[index].dnsEvidence = lines.isEmpty ? nil : lines.joined(separator: " ")
        }
    }

    /// The facts behind `report`: every report of the month with its diagnosed rows.
    ///
    /// Errors: no configuration, unknown tenant (`QueryError`), or PostgreSQL's own.
    public func input(tenantID: String, month: ReportMonth, language: Language? = nil, today: Day? = nil) throws -> MonthlyReportInput {
        let (configuration, tenant) = try configuration(of: tenantID)
        let (rows, previous) = try read(tenant: tenant, configuration: configuration, month: month) {
            connection, selection in
            var rows = MonthRows()
            try Self.forEachRow(on: connection, tenant: tenant, configuration: configuration, month: month, only: selection) { row in
                rows.reports[row.reportKey, default: Self.report(of: row)].rows.append(ReportedRow(row))
                rows.examples.consider(row)
            }
            return rows
        } merge: { $0.add($1) }
        return MonthlyReportInput(
            tenant: tenant, providerName: configuration.provider.name, month: month, language: language,
            reports: rows.orderedReports, previousMonth: previous?.totals, examples: rows.examples.ordered,
            generatedOn: today, previousCoverage: previous?.coverage)
    }

    /// Tenant ids in configuration order, for `--all`.
    public func tenantIDs() throws -> [String] {
        try TenantStore(connection: connection).current()?.tenants.map(\.id) ?? []
    }

    private func configuration(of tenantID: String) throws -> (TenantConfiguration, Tenant) {
        let configuration = try TenantStore(connection: connection).required()
        return (configuration, try TenantStore.tenant(tenantID, in: configuration))
    }

    /// The month's rows, in parts that `part` reads and `merge` adds up, and the previous month's
    /// totals.
    ///
    /// A big tenant's month is 600,000 rows. Its failing rows are read on this connection while a
    /// second one reads the sums of its passes and then the previous month, wanted only for its
    /// totals and read summed by verdict (`totals(on:…)`): two server backends and two client
    /// threads share the work (`ConnectionPair`; one connection reads all of it in turn without a second).
    private func read<Part: Sendable>(
        tenant: Tenant, configuration: TenantConfiguration, month: ReportMonth,
        _ part: @escaping @Sendable (PostgresConnection, StoredRowSelection) throws -> Part,
        merge: (inout Part, Part) -> Void
    ) throws -> (Part, MonthTotalsTally?) {
        var (failing, (passing, previous)) = try connections.both(
            { try part($0, .exceptReportedPasses) },
            { connection in
                let passing = try part(connection, .reportedPassesSummed)
                let previous = try Self.tally(
                    on: connection, tenant: tenant, configuration: configuration, month: month.previous)
                return (passing, previous)
            })
        merge(&failing, passing)
        return (failing, previous)
    }

    /// The month's rows of the tenant that `selection` picks (rows reported as passing come summed,
    /// without their results: a pass needs none), each kind diagnosed once (`forEachDiagnosedRow`).
    private static func forEachRow(
        on connection: PostgresConnection, tenant: Tenant, configuration: TenantConfiguration, month: ReportMonth,
        only selection: StoredRowSelection, _ body: (DiagnosedRow) throws -> Void
    ) throws {
        for domain in rootDomains(of: tenant) {
            try connection.forEachDiagnosedRow(
                domain: domain, period: readPeriod(of: month), only: selection, report: .all,
                configuration: configuration
            ) { row in
                // Another tenant may own a subdomain of this tenant's domain; rows of no tenant
                // (unknown-domain) are not this report's.
                guard row.tenantID == tenant.id else { return }
                try body(row)
            }
        }
    }

    /// The report a row came in, without rows.
    private static func report(of row: DiagnosedRow) -> ReceivedReport {
        ReceivedReport(
            receiver: row.reporter, reportID: row.reportID, period: DateRange(begin: row.begin, end: row.end),
            sha256: row.sourceSHA256, policy: PublishedPolicy(row.policy), rows: [])
    }

    /// `MonthlyReport.totals` of the month's input, nil when it would have no reports, without reading
    /// the rows whose class their receiver's verdict decides (`Diagnoser.reportedVerdict`): the server
    /// sums those by report, header From, verdict and provider network (`forEachVerdictVolume`), a few
    /// rows per report. The others are read and diagnosed whole.
    static func totals(
        on connection: PostgresConnection, tenant: Tenant, configuration: TenantConfiguration, month: ReportMonth
    ) throws -> ComplianceTotals? {
        try tally(on: connection, tenant: tenant, configuration: configuration, month: month)?.totals
    }

    /// The sums behind `totals`, with the month's coverage (days and receivers with data).
    static func tally(
        on connection: PostgresConnection, tenant: Tenant, configuration: TenantConfiguration, month: ReportMonth
    ) throws -> MonthTotalsTally? {
        var tally = MonthTotalsTally(month: month)
        var reported = false
        var owners: [OwnerKey: String?] = [:]
        for domain in rootDomains(of: tenant) {
            let leftOut = try connection.forEachVerdictVolume(
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
                    passed: volume.reportedPass, providerNetwork: volume.fromProviderNetworks, receiver: volume.receiver)
            }
            guard leftOut else { continue }
            try connection.forEachDiagnosedRow(
                domain: domain, period: readPeriod(of: month), only: .outsideVerdictVolumes, report: .forDiagnosis,
                configuration: configuration
            ) { row in
                guard row.tenantID == tenant.id else { return }
                reported = true
                tally.add(
                    row.count, over: DateRange(begin: row.begin, end: row.end), passed: row.diagnosisClass == .pass,
                    providerNetwork: row.origin == .providerNetwork, receiver: row.reporter)
            }
        }
        return reported ? tally : nil
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

}

/// One month's diagnosed reports, by key, and the examples for its recommendation texts.
private struct MonthRows: Sendable {
    var reports: [Int64: ReceivedReport] = [:]
    var examples = Examples()

    /// Adds rows read apart, after these: another selection of the same month.
    mutating func add(_ other: MonthRows) {
        for (key, report) in other.reports {
            if reports[key] == nil {
                reports[key] = report
            } else {
                reports[key]?.rows.append(contentsOf: report.rows)
            }
        }
        examples.add(other.examples)
    }

    var orderedReports: [ReceivedReport] {
        reports.values.sorted { ($0.period.begin, $0.receiver, $0.reportID) < ($1.period.begin, $1.receiver, $1.reportID) }
    }
}

/// One month's rows tallied as read, and the examples for its recommendation texts.
private struct TalliedRows: Sendable {
    var tally: MonthlyReportTally
    var examples = Examples()

    init(month: ReportMonth) { tally = MonthlyReportTally(month: month) }

    mutating func add(_ other: TalliedRows) {
        tally.add(other.tally)
        examples.add(other.examples)
    }
}

/// Per domain and class, the failing row with the most messages (the first read of equals): the
/// example its recommendation text is written from.
private struct Examples: Sendable {
    private var examples: [ExampleKey: Diagnosis] = [:]
    /// The count of each example's row, apart: reading it out of a stored diagnosis copied all of it.
    private var counts: [ExampleKey: Int64] = [:]

    mutating func consider(_ row: DiagnosedRow) {
        guard row.diagnosisClass.isDMARCFailure else { return }
        let key = ExampleKey(domain: row.domain, diagnosisClass: row.diagnosisClass)
        if (counts[key] ?? -1) < row.count {
            counts[key] = row.count
            examples[key] = row.diagnosis
        }
    }

    /// Adds examples of rows read after these.
    mutating func add(_ other: Examples) {
        for (key, count) in other.counts where (counts[key] ?? -1) < count {
            counts[key] = count
            examples[key] = other.examples[key]
        }
    }

    var ordered: [Diagnosis] {
        examples.values.sorted { ($0.headerFrom, $0.class.rawValue) < ($1.headerFrom, $1.class.rawValue) }
    }
}

extension ReportedRow {
    /// The row as diagnosed, read in place from its kind's diagnosis.
    fileprivate init(_ row: DiagnosedRow) {
        self.init(
            domain: row.domain, sourceIP: row.sourceIP, origin: row.origin, class: row.diagnosisClass,
            disposition: row.disposition, messages: row.count)
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
