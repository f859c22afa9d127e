import DMARC
import Diagnosis

/// `dmarc domain D` on one screen: whose domain it is, how it is set up, how it fared week by week,
/// when a receiver last reported on it, and what fails most.
public struct DomainOverview: Sendable, Encodable {
    public struct Week: Sendable, Codable {
        public var start: Day
        public var messages: Int64
        public var passing: Int64
        public var passRate: Double? { messages > 0 ? Double(passing) / Double(messages) : nil }
    }

    public var domain: String
    public var tenantID: String?
    public var tenantName: String?
    /// Every configuration entry that covers the domain, oldest first (history by `since`).
    public var entries: [TenantDomain]
    public var weeks: [Week]
    public var lastReportEnd: Day?
    public var lastReporter: String?
    public var topProblems: [FailureGroup]
}

extension SupportQueries {
    /// `weeks` whole weeks (Monday to Sunday, UTC) up to `today`; problems over the last 30 days.
    public func domainOverview(_ domainText: String, today: Day, weeks: Int = 8) throws -> DomainOverview {
        let configuration = try requireConfiguration()
        let domain = Normalise.domain(domainText) ?? domainText.lowercased()
        // 1970-01-01 was a Thursday: Monday-based weeks start 3 days later in that count.
        let weekStart = Day(daysSinceEpoch: today.daysSinceEpoch - ((today.daysSinceEpoch + 3) % 7) - 7 * (weeks - 1))
        let period = DayRange(from: weekStart, to: Day(daysSinceEpoch: today.daysSinceEpoch + 1))
        let owner = configuration.entry(forDomain: domain, onDay: today)
        var rowCount = 0
        var buckets = (0..<weeks).map { DomainOverview.Week(start: Day(daysSinceEpoch: weekStart.daysSinceEpoch + 7 * $0), messages: 0, passing: 0) }
        var lastEnd: Int64 = .min
        var lastReporter: String?
        try connection.forEachDiagnosedRow(
            domain: domain, period: period, only: .allWithReportedPassesSummed, report: .forDiagnosis,
            configuration: configuration
        ) { row in
            rowCount += 1
            let index = (row.day.daysSinceEpoch - weekStart.daysSinceEpoch) / 7
            if buckets.indices.contains(index) {
                buckets[index].messages += row.count
                if !row.diagnosisClass.isDMARCFailure { buckets[index].passing += row.count }
            }
            if row.end > lastEnd {
                lastEnd = row.end
                lastReporter = row.reporter
            }
        }
        if rowCount == 0, owner == nil { throw try unknownDomain(domain, configuration: configuration) }
        let problems = try failures(FailureQuery(domain: domain, period: .last(30, today: today)))
        let tenant = owner?.0
        let covering = tenant?.domains.filter { domain == $0.domain || domain.hasSuffix("." + $0.domain) } ?? []
        let mostSpecific = covering.map(\.domain).max { $0.count < $1.count }
        return DomainOverview(
            domain: domain, tenantID: tenant?.id, tenantName: tenant?.name,
            entries: covering.filter { $0.domain == mostSpecific }.sorted { ($0.since ?? Day(daysSinceEpoch: .min)) < ($1.since ?? Day(daysSinceEpoch: .min)) },
            weeks: buckets, lastReportEnd: lastEnd == .min ? nil : Day(epochSeconds: lastEnd - 1), lastReporter: lastReporter,
            topProblems: Array(problems.groups.prefix(5)))
    }
}
