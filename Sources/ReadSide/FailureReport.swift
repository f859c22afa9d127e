import DMARC
import Diagnosis
import Postgres

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
public struct FailureReport: Sendable, Encodable {
    public var domain: String
    public var tenantID: String?
    public var period: DayRange
    /// All messages under the domain in the period, passing or not: the base of every share.
    public var totalMessages: Int64
    public var failingMessages: Int64
    public var groups: [FailureGroup]
}

/// One source IP failing for one reason.
public struct FailureGroup: Sendable, Encodable {
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
    /// The diagnosis of one of the group's rows, with the group's message count: the texts below are
    /// written from it when they are read. Writing them for every group in both languages up front
    /// was a fifth of the query, for texts that the table prints in one language and `domain` for five groups.
    public var evidence: Diagnosis
    /// What the latest `dns check` of the domain says about this row's class; filled by the caller
    /// that prints it (`DNSEvidence.note`), nil where none bears on it.
    public var dns: DNSEvidence.Note? = nil

    public var expected: String { evidence.expected }
    public var observed: String { evidence.observed }

    public func recommendation(_ language: Language) -> String { evidence.recommendation(language) }

    enum CodingKeys: String, CodingKey {
        case sourceIP, diagnosisClass, origin, responsible, messages, share, receivers, firstSeen, lastSeen
        case dispositions, expected, observed, recommendationEnglish, recommendationGerman, dns
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sourceIP, forKey: .sourceIP)
        try container.encode(diagnosisClass, forKey: .diagnosisClass)
        try container.encode(origin, forKey: .origin)
        try container.encode(responsible, forKey: .responsible)
        try container.encode(messages, forKey: .messages)
        try container.encode(share, forKey: .share)
        try container.encode(receivers, forKey: .receivers)
        try container.encode(firstSeen, forKey: .firstSeen)
        try container.encode(lastSeen, forKey: .lastSeen)
        try container.encode(dispositions, forKey: .dispositions)
        try container.encode(expected, forKey: .expected)
        try container.encode(observed, forKey: .observed)
        try container.encode(recommendation(.en), forKey: .recommendationEnglish)
        try container.encode(recommendation(.de), forKey: .recommendationGerman)
        // Always present (null without a check that bears on the row), so scripts need not test for the key.
        try container.encode(dns, forKey: .dns)
    }
}

/// Answers support's questions from stored rows and the tenant configuration in force.
public struct SupportQueries {
    /// The connection, and a second one for reading a domain's failing rows in two halves at once,
    /// kept for the next query.
    private let connections: ConnectionPair
    var connection: PostgresConnection { connections.connection }
    /// False: one connection reads all failing rows (tests compare both ways).
    var readsInTwoHalves = true
    /// Kinds of row remembered while reading (`RowDiagnoses`); tests make it small.
    var rememberedKinds = RowDiagnoses.defaultCapacity
    /// Whether a second connection is open (tests).
    var hasSecondConnection: Bool { connections.hasSecond }

    public init(connection: PostgresConnection) { connections = ConnectionPair(connection) }

    public func failures(_ query: FailureQuery) throws -> FailureReport {
        let configuration = try requireConfiguration()
        let domain = Normalise.domain(query.domain) ?? query.domain.lowercased()
        if let tenantID = query.tenantID {
            let tenant = try TenantStore.tenant(tenantID, in: configuration)
            let owns = tenant.domains.contains { domain == $0.domain || domain.hasSuffix("." + $0.domain) }
            guard owns else {
                throw QueryError(.badArgument, "\(domain) is not a domain of tenant \(tenantID)")
            }
        }
        // The failing rows are most of the work: a second connection, opened meanwhile, reads and
        // diagnoses half of them (by record number) on a second thread and server backend, while
        // this one sums the passes and reads the other half. Without one, one scan reads them all.
        var tally: FailureTally
        if !readsInTwoHalves || connections.secondIsUnavailable {
            tally = try Self.reportedPasses(on: connection, domain: domain, query, configuration)
            try tally.addFailing(on: connection, domain: domain, query, configuration, part: nil, kinds: rememberedKinds)
        } else {
            let kinds = rememberedKinds
            let (first, second) = try connections.both(
                { connection in
                    var tally = try Self.reportedPasses(on: connection, domain: domain, query, configuration)
                    try tally.addFailing(on: connection, domain: domain, query, configuration, part: RowPart(0, of: 2), kinds: kinds)
                    return tally
                },
                { connection in
                    var tally = FailureTally()
                    try tally.addFailing(on: connection, domain: domain, query, configuration, part: RowPart(1, of: 2), kinds: kinds)
                    return tally
                })
            tally = consume first
            tally.merge(second)
        }
        let rowCount = tally.rows, total = tally.messages
        if rowCount == 0, configuration.entry(forDomain: domain, onDay: query.period.from) == nil,
            configuration.entry(forDomain: domain, onDay: Day(daysSinceEpoch: query.period.to.daysSinceEpoch - 1)) == nil
        {
            throw try unknownDomain(domain, configuration: configuration)
        }
        let built = tally.groups.build(total: total)
        return FailureReport(
            domain: domain, tenantID: query.tenantID ?? configuration.entry(forDomain: domain, onDay: query.period.from)?.0.id,
            period: query.period, totalMessages: total, failingMessages: built.reduce(0) { $0 + $1.messages },
            groups: built)
    }

    /// Rows the receiver reported as passing are passes wherever their domain is configured on
    /// their day: only their messages count. Elsewhere (an unknown subdomain, a day before the
    /// tenant's `since`) they are unknown-domain failures and are read one by one after all.
    private static func reportedPasses(
        on connection: PostgresConnection, domain: String, _ query: FailureQuery, _ configuration: TenantConfiguration
    ) throws -> FailureTally {
        var tally = FailureTally()
        for volume in try connection.reportedPassVolumes(domain: domain, period: query.period) {
            if Diagnoser.reportedPassOwner(headerFrom: volume.headerFrom, day: volume.day, configuration: configuration) != nil {
                tally.rows += 1
                tally.messages += volume.messages
            } else {
                try connection.forEachDiagnosedRow(
                    domain: domain, period: query.period, only: .reportedPasses(headerFrom: volume.headerFrom, begin: volume.begin),
                    report: .forDiagnosis, configuration: configuration
                ) { tally.add($0, query) }
            }
        }
        return tally
    }

    func requireConfiguration() throws -> TenantConfiguration { try TenantStore(connection: connection).required() }

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

/// What `failures` adds up over a domain's rows, or a part of them.
private struct FailureTally: Sendable {
    var rows = 0
    /// All messages, passing or not: the base of every share.
    var messages: Int64 = 0
    var groups = FailureGrouping()

    mutating func add(_ row: DiagnosedRow, _ query: FailureQuery) {
        rows += 1
        messages += row.count
        guard row.diagnosisClass.isDMARCFailure else { return }
        if let wanted = query.diagnosisClass, row.diagnosisClass != wanted { return }
        if let tenantID = query.tenantID, row.tenantID != tenantID { return }
        if let network = query.source, !network.contains(ip: row.sourceIP) { return }
        groups.add(row)
    }

    /// The rows the receiver did not report as passing (of `part`, or all).
    mutating func addFailing(
        on connection: PostgresConnection, domain: String, _ query: FailureQuery, _ configuration: TenantConfiguration,
        part: RowPart?, kinds: Int
    ) throws {
        try connection.forEachDiagnosedRow(
            domain: domain, period: query.period, only: .exceptReportedPasses, report: .forDiagnosis, part: part,
            configuration: configuration, rememberingKinds: kinds
        ) { add($0, query) }
    }

    /// Adds `other`'s, as if one had read both parts.
    mutating func merge(_ other: FailureTally) {
        rows += other.rows
        messages += other.messages
        groups.merge(other.groups)
    }
}

private struct GroupKey: Hashable {
    let ip: String
    let diagnosisClass: DiagnosisClass
}

/// Failing rows grouped by source IP and class as they arrive.
///
/// The sums live in an array found through a dictionary of positions (growing a dictionary of
/// large values moved them all, a tenth of the query). A group's texts are written from one of its
/// kinds of row: the one with the most messages, among equals the one whose advice sorts first,
/// so that the texts do not depend on the order the rows were read in.
private struct FailureGrouping: Sendable {
    private var positions: [GroupKey: Int] = [:]
    private var keys: [GroupKey] = []
    private var sums: [GroupSums] = []
    private var addresses: [String] = []
    private var kinds: [[KindShare]] = []

    init() {
        positions.reserveCapacity(1024)
        keys.reserveCapacity(1024)
        sums.reserveCapacity(1024)
        addresses.reserveCapacity(1024)
        kinds.reserveCapacity(1024)
    }

    mutating func add(_ row: DiagnosedRow) {
        let key = GroupKey(ip: row.sourceIP, diagnosisClass: row.diagnosisClass)
        if let position = positions[key] {
            sums[position].add(row)
            // By identity first (the common case); by content when the memory of kinds started over.
            let share = KindShare(kind: row.kind, messages: row.count)
            if let same = kinds[position].firstIndex(where: { $0.kind === row.kind })
                ?? kinds[position].firstIndex(where: { $0.isSameKind(as: share) })
            {
                kinds[position][same].messages += row.count
            } else {
                kinds[position].append(share)
            }
        } else {
            positions[key] = sums.count
            keys.append(key)
            var first = GroupSums()
            first.add(row)
            sums.append(first)
            addresses.append(row.sourceIP)
            kinds.append([KindShare(kind: row.kind, messages: row.count)])
        }
    }

    /// Adds the groups of another part of the rows (read with kinds of its own).
    mutating func merge(_ other: FailureGrouping) {
        for (otherPosition, key) in other.keys.enumerated() {
            guard let position = positions[key] else {
                positions[key] = sums.count
                keys.append(key)
                sums.append(other.sums[otherPosition])
                addresses.append(other.addresses[otherPosition])
                kinds.append(other.kinds[otherPosition])
                continue
            }
            sums[position].merge(other.sums[otherPosition])
            for share in other.kinds[otherPosition] {
                if let same = kinds[position].firstIndex(where: { $0.isSameKind(as: share) }) {
                    kinds[position][same].messages += share.messages
                } else {
                    kinds[position].append(share)
                }
            }
        }
    }

    /// The groups, largest first, then by address and class, so that equal groups always print in
    /// one order. Positions are sorted, not the groups: moving these large values was slow too.
    func build(total: Int64) -> [FailureGroup] {
        let classes = kinds.map { $0[0].kind.diagnosis.class.rawValue }
        let order = sums.indices.sorted { a, b in
            (sums[a].messages, addresses[b], classes[b]) > (sums[b].messages, addresses[a], classes[a])
        }
        return order.map { position in
            let sums = sums[position]
            // The texts quote the row's address and count ("… sent 12 messages …"): the group's.
            var diagnosis = Self.evidence(kinds[position])
            diagnosis.record.sourceIP = addresses[position]
            diagnosis.record.count = sums.messages
            return FailureGroup(
                sourceIP: addresses[position], diagnosisClass: diagnosis.class, origin: diagnosis.origin,
                responsible: diagnosis.responsible, messages: sums.messages,
                share: total > 0 ? Double(sums.messages) / Double(total) : 0, receivers: sums.receivers.sorted(),
                firstSeen: Day(daysSinceEpoch: sums.firstSeen), lastSeen: Day(daysSinceEpoch: sums.lastSeen),
                dispositions: sums.dispositionsByName, evidence: diagnosis)
        }
    }

    /// The kind with the most messages; among equals, the one whose advice sorts first.
    private static func evidence(_ shares: [KindShare]) -> Diagnosis {
        guard shares.count > 1 else { return shares[0].kind.diagnosis }
        let most = shares.map(\.messages).max() ?? 0
        let candidates = shares.filter { $0.messages == most }
        guard candidates.count > 1 else { return candidates[0].kind.diagnosis }
        return candidates.map(\.kind.diagnosis).min { $0.recommendation(.en) < $1.recommendation(.en) } ?? candidates[0].kind.diagnosis
    }
}

/// Messages of one kind of row in a group.
private struct KindShare: Sendable {
    let kind: DiagnosedKind
    var messages: Int64

    /// The same kind read in another part: equal diagnoses but for the representative row's address and count.
    func isSameKind(as other: KindShare) -> Bool {
        if kind === other.kind { return true }
        var mine = kind.diagnosis, theirs = other.kind.diagnosis
        mine.record.sourceIP = ""
        mine.record.count = 0
        theirs.record.sourceIP = ""
        theirs.record.count = 0
        return mine == theirs
    }
}

/// What one group adds up.
private struct GroupSums: Sendable {
    var messages: Int64 = 0
    /// A handful at most (one per receiver), so a list searched in order beats a set.
    var receivers: [String] = []
    var firstSeen = Int.max
    var lastSeen = Int.min
    /// Messages by what the receivers did; `unreported` where the report said nothing.
    var none: Int64 = 0
    var quarantine: Int64 = 0
    var reject: Int64 = 0
    var pass: Int64 = 0
    var unreported: Int64 = 0

    mutating func add(_ row: DiagnosedRow) {
        let count = row.count
        messages += count
        let reporter = row.reporter
        if !receivers.contains(reporter) { receivers.append(reporter) }
        firstSeen = min(firstSeen, Day(epochSeconds: row.begin).daysSinceEpoch)
        lastSeen = max(lastSeen, Day(epochSeconds: max(row.begin, row.end - 1)).daysSinceEpoch)
        switch row.disposition {
        case .some(.none): none += count
        case .some(.quarantine): quarantine += count
        case .some(.reject): reject += count
        case .some(.pass): pass += count
        case nil: unreported += count
        }
    }

    mutating func merge(_ other: GroupSums) {
        messages += other.messages
        for receiver in other.receivers where !receivers.contains(receiver) { receivers.append(receiver) }
        firstSeen = min(firstSeen, other.firstSeen)
        lastSeen = max(lastSeen, other.lastSeen)
        none += other.none
        quarantine += other.quarantine
        reject += other.reject
        pass += other.pass
        unreported += other.unreported
    }

    /// As `FailureGroup.dispositions` has them: by the receivers' word, `unknown` where there was none.
    var dispositionsByName: [String: Int64] {
        var named: [String: Int64] = Dictionary(minimumCapacity: 2)
        if none > 0 { named[Disposition.none.rawValue] = none }
        if quarantine > 0 { named[Disposition.quarantine.rawValue] = quarantine }
        if reject > 0 { named[Disposition.reject.rawValue] = reject }
        if pass > 0 { named[Disposition.pass.rawValue] = pass }
        if unreported > 0 { named["unknown"] = unreported }
        return named
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
