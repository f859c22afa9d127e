import DMARC
import Diagnosis

/// What `dmarc failures` asks.
public struct FailureQuery: Sendable {
    public var domain: String
    public var period: DayRange
    public var diagnosisClass: DiagnosisClass?
    public var source: IPNetwork?
    public var tenantID: String?

    public init(domain: String, period: DayRange, diagnosisClass: DiagnosisClass? = nil, source: IPNetwork? = nil, tenantID: String? = nil) {
        self.domain = domain
        self.period = period
        self.diagnosisClass = diagnosisClass
        self.source = source
        self.tenantID = tenantID
    }
}

/// Failures of one domain, grouped by source IP and diagnosis class, largest first.
public struct FailureReport: Sendable, Codable {
    public var domain: String
    public var tenantID: String?
    public var period: DayRange
    /// All messages under the domain in the period, passing or not: the base of every share.
    public var totalMessages: Int64
    public var failingMessages: Int64
    public var groups: [FailureGroup]
}

/// One source IP failing for one reason.
public struct FailureGroup: Sendable, Codable {
    public var sourceIP: String
    public var diagnosisClass: DiagnosisClass
    public var origin: SendingOrigin
    public var responsible: ResponsibleParty
    public var messages: Int64
    /// Of all the domain's messages in the period.
    public var share: Double
    public var receivers: [String]
    public var firstSeen: Day
    public var lastSeen: Day
    /// Messages by what the receivers did: none, quarantine, reject.
    public var dispositions: [String: Int64]
    public var expected: String
    public var observed: String
    public var recommendationEnglish: String
    public var recommendationGerman: String

    public func recommendation(_ language: Language) -> String {
        language == .de ? recommendationGerman : recommendationEnglish
    }
}

/// Answers support's questions from stored rows and the tenant configuration in force.
public struct SupportQueries {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    public func failures(_ query: FailureQuery) throws -> FailureReport {
        let configuration = try requireConfiguration()
        let domain = Normalise.domain(query.domain) ?? query.domain.lowercased()
        if let tenantID = query.tenantID {
            guard let tenant = configuration.tenants.first(where: { $0.id == tenantID }) else {
                throw QueryError(.unknownTenant, "no tenant \"\(tenantID)\"; `dmarc tenants list` shows them")
            }
            let owns = tenant.domains.contains { domain == $0.domain || domain.hasSuffix("." + $0.domain) }
            guard owns else {
                throw QueryError(.badArgument, "\(domain) is not a domain of tenant \(tenantID)")
            }
        }
        var rowCount = 0
        var total: Int64 = 0
        var groups: [GroupKey: GroupBuilder] = [:]
        func add(_ row: StoredRow) {
            rowCount += 1
            total += row.record.count
            let diagnosis = Diagnoser.diagnose(row.record, day: row.day, configuration: configuration, policy: row.policy)
            guard diagnosis.class.isDMARCFailure else { return }
            if let wanted = query.diagnosisClass, diagnosis.class != wanted { return }
            if let tenantID = query.tenantID, diagnosis.tenantID != tenantID { return }
            if let network = query.source, !network.contains(ip: row.record.sourceIP) { return }
            groups[GroupKey(ip: row.record.sourceIP, diagnosisClass: diagnosis.class), default: GroupBuilder(diagnosis)]
                .add(row, diagnosis)
        }
        // Rows the receiver reported as passing are passes wherever their domain is configured on
        // their day: only their messages count. Elsewhere (an unknown subdomain, a day before the
        // tenant's `since`) they are unknown-domain failures and are read one by one after all.
        for volume in try connection.reportedPassVolumes(domain: domain, period: query.period) {
            if Diagnoser.reportedPassOwner(headerFrom: volume.headerFrom, day: volume.day, configuration: configuration) != nil {
                rowCount += 1
                total += volume.messages
            } else {
                try connection.forEachStoredRow(
                    domain: domain, period: query.period,
                    only: .reportedPasses(headerFrom: volume.headerFrom, begin: volume.begin), add)
            }
        }
        try connection.forEachStoredRow(domain: domain, period: query.period, only: .exceptReportedPasses, add)
        if rowCount == 0, configuration.entry(forDomain: domain, onDay: query.period.from) == nil,
            configuration.entry(forDomain: domain, onDay: Day(daysSinceEpoch: query.period.to.daysSinceEpoch - 1)) == nil
        {
            throw try unknownDomain(domain, configuration: configuration)
        }
        // Largest first, then by address. Indices are sorted, not the groups: moving thousands of
        // these large values around was a tenth of the query.
        let unordered = groups.values.map { $0.build(total: total) }
        let built = unordered.indices.sorted { a, b in
            (unordered[a].messages, unordered[b].sourceIP) > (unordered[b].messages, unordered[a].sourceIP)
        }.map { unordered[$0] }
        return FailureReport(
            domain: domain, tenantID: query.tenantID ?? configuration.entry(forDomain: domain, onDay: query.period.from)?.0.id,
            period: query.period, totalMessages: total, failingMessages: built.reduce(0) { $0 + $1.messages },
            groups: built)
    }

    func requireConfiguration() throws -> TenantConfiguration {
        guard let configuration = try TenantStore(connection: connection).current() else {
            throw QueryError(.noConfiguration, "no tenants configured yet: run `dmarc tenants apply tenants.yaml` first")
        }
        return configuration
    }

    /// A clear message naming the closest configured or reported domains.
    func unknownDomain(_ domain: String, configuration: TenantConfiguration) throws -> QueryError {
        let configured = configuration.tenants.flatMap { $0.domains.map(\.domain) }
        let candidates = Set(configured + (try connection.knownDomains()))
        let close = candidates.map { ($0, EditDistance.between($0, domain)) }
            .filter { $0.1 <= max(2, domain.count / 4) }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            .prefix(3).map(\.0)
        var message = "\(domain) is no tenant's domain and appears in no stored report"
        if !close.isEmpty { message += "; did you mean \(close.joined(separator: ", "))?" }
        return QueryError(.unknownDomain, message)
    }
}

private struct GroupKey: Hashable {
    let ip: String
    let diagnosisClass: DiagnosisClass
}

private struct GroupBuilder {
    let first: Diagnosis
    var messages: Int64 = 0
    var receivers: Set<String> = []
    var firstSeen: Day
    var lastSeen: Day
    var dispositions: [String: Int64] = [:]

    init(_ diagnosis: Diagnosis) {
        first = diagnosis
        firstSeen = Day(daysSinceEpoch: Int.max)
        lastSeen = Day(daysSinceEpoch: Int.min)
    }

    mutating func add(_ row: StoredRow, _ diagnosis: Diagnosis) {
        messages += row.record.count
        receivers.insert(row.reporter)
        firstSeen = min(firstSeen, Day(epochSeconds: row.begin))
        lastSeen = max(lastSeen, Day(epochSeconds: max(row.begin, row.end - 1)))
        dispositions[row.record.policyEvaluated.disposition?.rawValue ?? "unknown", default: 0] += row.record.count
    }

    func build(total: Int64) -> FailureGroup {
        FailureGroup(
            sourceIP: first.record.sourceIP, diagnosisClass: first.class, origin: first.origin,
            responsible: first.responsible, messages: messages, share: total > 0 ? Double(messages) / Double(total) : 0,
            receivers: receivers.sorted(), firstSeen: firstSeen, lastSeen: lastSeen, dispositions: dispositions,
            expected: first.expected, observed: first.observed, recommendationEnglish: first.recommendation(.en),
            recommendationGerman: first.recommendation(.de))
    }
}

/// Levenshtein distance, for suggesting the domain a person probably meant.
enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
