import DMARC
import Diagnosis

extension MonthlyReport {
    /// `build(input).summary.totals` without the rest of the report: what the previous month is
    /// read for (the change line), at a fraction of the cost for a tenant with 600,000 rows a month.
    public static func totals(_ input: MonthlyReportInput) -> ComplianceTotals {
        var tally = MonthTotalsTally(month: input.month)
        for report in input.reports {
            for row in report.rows {
                tally.add(
                    row.messages, over: report.period, passed: row.class == .pass,
                    providerNetwork: row.origin == .providerNetwork)
            }
        }
        return tally.totals
    }

    /// Builds the report from the month's diagnosed report rows: a pure function, no I/O.
    ///
    /// Each report's counts are first split by UTC day (`DayApportioning`); only days inside the month
    /// count towards the month, and the days of the 30-day window before the month's end towards readiness.
    public static func build(_ input: MonthlyReportInput) -> MonthlyReport {
        var accumulator = Accumulator(input: input)
        for report in input.reports { accumulator.add(report) }
        return accumulator.finish()
    }
}

/// The running sums of `MonthlyReport.totals`: a report row's messages inside the month, apportioned
/// by day as `build` does, passed or not, from the provider's networks or not.
public struct MonthTotalsTally: Sendable {
    public let month: ReportMonth
    public private(set) var totals = ComplianceTotals()

    public init(month: ReportMonth) { self.month = month }

    public mutating func add(_ messages: Int64, over period: DateRange, passed: Bool, providerNetwork: Bool) {
        guard messages > 0 else { return }
        var inMonth: Int64 = 0
        if let day = DayApportioning.singleDay(of: period) {
            inMonth = month.contains(day) ? messages : 0
        } else {
            for share in DayApportioning.split(messages, over: period) where month.contains(share.day) {
                inMonth += share.messages
            }
        }
        let count = PassCount(messages: inMonth, passed: passed ? inMonth : 0)
        if providerNetwork {
            totals.providerInfrastructure = totals.providerInfrastructure + count
        } else {
            totals.other = totals.other + count
        }
    }
}

/// The running sums of `MonthlyReport.build`.
private struct Accumulator {
    struct RowKey: Hashable {
        var domain: String
        var day: Day
        var sourceIP: String
        var origin: SendingOrigin
        var `class`: DiagnosisClass
    }

    struct ReadinessSums {
        var days: Set<Day> = []
        var authorised = PassCount()
        var problems: Set<DiagnosisClass> = []
    }

    /// One report's sums, per domain of its rows.
    struct ReportSums {
        struct Domain {
            let name: String
            var inMonth = false
            var inWindow = false
            /// Messages in the month by disposition, in `dispositionOrder`.
            var dispositions: [Int64] = Array(repeating: 0, count: Accumulator.dispositionOrder.count)
            var provider = PassCount()
            var readiness = ReadinessSums()
        }

        var domains: [Domain] = []
        /// The report's messages in the month: its receiver's traffic.
        var traffic = PassCount()
        private var last = 0

        /// The index of `name` in `domains`, added when new. A report has a domain or two, and its rows
        /// share one string per domain, so comparing with the previous row's is mostly a pointer test.
        mutating func slot(of name: String) -> Int {
            if last < domains.count, domains[last].name == name { return last }
            if let found = domains.firstIndex(where: { $0.name == name }) {
                last = found
            } else {
                domains.append(Domain(name: name))
                last = domains.count - 1
            }
            return last
        }
    }

    let input: MonthlyReportInput
    let language: Language
    let window: ClosedRange<Day>
    var rows: [RowKey: Int64] = [:]
    var dispositions: [String: [String: Int64]] = [:]
    var providerByDomain: [String: PassCount] = [:]
    var receivers: [String: (traffic: PassCount, reports: Int)] = [:]
    var policies: [String: [PublishedPolicy: Int]] = [:]
    var readiness: [String: ReadinessSums] = [:]
    var evidence: [EvidenceReport] = []
    /// The domains of `rows`.
    var domainsInMonth: Set<String> = []

    init(input: MonthlyReportInput) {
        self.input = input
        self.language = input.language ?? input.tenant.language
        let end = input.month.lastDay
        let days = max(input.thresholds.readinessWindowDays, 1)
        window = Day(daysSinceEpoch: end.daysSinceEpoch - days + 1)...end
        rows.reserveCapacity(input.reports.reduce(0) { $0 + $1.rows.count })
    }

    mutating func add(_ report: ReceivedReport) {
        let month = input.month
        let overlapsMonth =
            report.period.begin < Int64(month.lastDay.daysSinceEpoch + 1) * 86_400
            && max(report.period.end, report.period.begin + 1) > Int64(month.firstDay.daysSinceEpoch) * 86_400
        // Summed per report first and added to the month's dictionaries once: a big tenant's report
        // has 150,000 rows of one or two domains, and a lookup per row and sum was most of building.
        var sums = ReportSums()
        let singleDay = DayApportioning.singleDay(of: report.period)
        for row in report.rows where row.messages > 0 {
            if let day = singleDay {
                add(row, DayShare(day: day, messages: row.messages), to: &sums)
            } else {
                for share in DayApportioning.split(row.messages, over: report.period) { add(row, share, to: &sums) }
            }
        }
        for domain in sums.domains {
            if domain.inMonth { domainsInMonth.insert(domain.name) }
            if domain.inWindow { Self.merge(domain.readiness, into: &readiness[domain.name, default: ReadinessSums()]) }
            guard domain.inMonth else { continue }
            for (index, messages) in domain.dispositions.enumerated() where messages > 0 {
                dispositions[domain.name, default: [:]][Accumulator.dispositionOrder[index], default: 0] += messages
            }
            if domain.provider.messages > 0 {
                providerByDomain[domain.name, default: PassCount()] =
                    providerByDomain[domain.name, default: PassCount()] + domain.provider
            }
        }
        if sums.traffic.messages > 0 {
            receivers[report.receiver, default: (PassCount(), 0)].traffic =
                receivers[report.receiver, default: (PassCount(), 0)].traffic + sums.traffic
        }
        let inMonth = sums.traffic.messages
        // Apportioned: the period crosses a UTC day boundary, so its counts were split by day.
        let apportioned =
            Day(epochSeconds: report.period.begin) != Day(epochSeconds: max(report.period.begin, report.period.end - 1))
        // A report belongs to the month when some of its messages do, or when it reports nothing at all
        // for a period in the month (it still shows the receiver saw no mail).
        guard inMonth > 0 || (report.messages == 0 && overlapsMonth) else { return }
        receivers[report.receiver, default: (PassCount(), 0)].reports += 1
        let domainsInMonth = Set(sums.domains.filter(\.inMonth).map(\.name))
        for domain in domainsInMonth.isEmpty ? Set(report.rows.map(\.domain)) : domainsInMonth {
            policies[domain, default: [:]][report.policy, default: 0] += 1
        }
        evidence.append(
            EvidenceReport(
                receiver: report.receiver, reportID: report.reportID, begin: report.period.begin,
                end: report.period.end, sha256: report.sha256, messages: report.messages, messagesInMonth: inMonth,
                isApportioned: apportioned))
    }

    private mutating func add(_ row: ReportedRow, _ share: DayShare, to sums: inout ReportSums) {
        let slot = sums.slot(of: row.domain)
        if window.contains(share.day) {
            sums.domains[slot].inWindow = true
            Self.update(&sums.domains[slot].readiness, row, share)
        }
        guard input.month.contains(share.day) else { return }
        sums.domains[slot].inMonth = true
        let key = RowKey(
            domain: row.domain, day: share.day, sourceIP: row.sourceIP, origin: row.origin, class: row.class)
        rows[key, default: 0] += share.messages
        sums.domains[slot].dispositions[Self.dispositionIndex(row.disposition)] += share.messages
        let count = PassCount(messages: share.messages, passed: row.class == .pass ? share.messages : 0)
        if row.origin == .providerNetwork { sums.domains[slot].provider = sums.domains[slot].provider + count }
        sums.traffic = sums.traffic + count
    }

    /// Position in `dispositionOrder`.
    private static func dispositionIndex(_ disposition: Disposition?) -> Int {
        switch disposition {
        case .none?: 0
        case .pass?: 1
        case .quarantine?: 2
        case .reject?: 3
        case nil: 4
        }
    }

    private static func merge(_ report: ReadinessSums, into sums: inout ReadinessSums) {
        sums.days.formUnion(report.days)
        sums.authorised = sums.authorised + report.authorised
        sums.problems.formUnion(report.problems)
    }

    private static func update(_ sums: inout ReadinessSums, _ row: ReportedRow, _ share: DayShare) {
        sums.days.insert(share.day)
        // Forwarders and DNS hiccups are outside anyone's control; foreign senders are what the next
        // policy step is meant to stop. What remains is the mail the tenant authorised.
        if row.origin != .other, row.class != .forwarded, row.class != .transient, row.class != .empty {
            sums.authorised =
                sums.authorised + PassCount(messages: share.messages, passed: row.class == .pass ? share.messages : 0)
            if row.class.isActionable { sums.problems.insert(row.class) }
        }
    }

    func finish() -> MonthlyReport {
        let month = input.month
        // Ordered by domain, day, source IP and class. A big tenant's month is 200,000 rows: sorting
        // them whole, or ranking every address first, was half of building the report. Indices are
        // sorted, by integers but for the addresses of rows of one domain's day.
        let domainNames = domainsInMonth.sorted()
        let domainRank = Dictionary(uniqueKeysWithValues: domainNames.enumerated().map { ($0.element, $0.offset) })
        let entries = Array(rows)
        // Domain and day packed into one integer: the strings compared only between rows of a domain's day.
        let prefixes = entries.map { entry in
            (domainRank[entry.key.domain] ?? 0) << 32 | (entry.key.day.daysSinceEpoch - month.firstDay.daysSinceEpoch)
        }
        let classRanks = entries.map { Self.classRank[$0.key.class] ?? 0 }
        let order = entries.indices.sorted { a, b in
            if prefixes[a] != prefixes[b] { return prefixes[a] < prefixes[b] }
            let first = entries[a].key.sourceIP, second = entries[b].key.sourceIP
            if first != second { return first < second }
            return classRanks[a] < classRanks[b]
        }
        let trafficRows = order.map { index in
            let (key, messages) = entries[index]
            return TrafficRow(
                domain: key.domain, day: key.day, sourceIP: key.sourceIP, origin: key.origin, class: key.class,
                messages: messages)
        }

        var totals = ComplianceTotals()
        var authorised = PassCount()
        var tenantAction: Int64 = 0
        var providerAction: Int64 = 0
        // By the rank of the domain, the day in the month and the class: no hashing per row.
        var byDay = Array(repeating: PassCount(), count: month.days.count)
        var byClass = Array(repeating: Int64(0), count: Self.classRank.count)
        var byDomain = Array(repeating: PassCount(), count: domainNames.count)
        var sources: [DiagnosisClass: [SourceKey: Int64]] = [:]
        var problemDomains = Array(repeating: Set<Int>(), count: Self.classRank.count)
        for (row, index) in zip(trafficRows, order) {
            let domain = prefixes[index] >> 32, kind = classRanks[index]
            let count = PassCount(messages: row.messages, passed: row.class == .pass ? row.messages : 0)
            if row.origin == .providerNetwork {
                totals.providerInfrastructure = totals.providerInfrastructure + count
            } else {
                totals.other = totals.other + count
            }
            if row.origin != .other { authorised = authorised + count }
            if row.class.isActionable {
                switch row.class.responsible {
                case .tenant: tenantAction += row.messages
                case .provider: providerAction += row.messages
                case .none, .operator: break
                }
            }
            let day = row.day.daysSinceEpoch - month.firstDay.daysSinceEpoch
            byDay[day] = byDay[day] + count
            byClass[kind] += row.messages
            byDomain[domain] = byDomain[domain] + count
            if row.class.isDMARCFailure {
                sources[row.class, default: [:]][SourceKey(ip: row.sourceIP, origin: row.origin), default: 0] +=
                    row.messages
                problemDomains[kind].insert(domain)
            }
        }

        let thresholds = input.thresholds
        let status: ComplianceStatus
        if totals.messages == 0 {
            status = .noData
        } else {
            func exceeds(_ messages: Int64) -> Bool {
                guard messages > 0 else { return false }
                guard authorised.messages > 0 else { return true }
                return Double(messages) * 100 / Double(authorised.messages) > thresholds.actionSharePercent
            }
            switch (exceeds(tenantAction), exceeds(providerAction)) {
            case (false, false): status = .compliant
            case (true, false): status = .tenantAction
            case (false, true): status = .providerAction
            case (true, true): status = .bothAction
            }
        }

        let daysWithData = trafficRows.map(\.day)
        let summary = ComplianceSummary(
            totals: totals, previousMonth: input.previousMonth, authorised: authorised,
            tenantActionMessages: tenantAction, providerActionMessages: providerAction, status: status,
            receiverNames: receivers.filter { $0.value.traffic.messages > 0 }.keys
                .sorted { ($0.lowercased(), $0) < ($1.lowercased(), $1) },
            reportCount: evidence.count, apportionedReportCount: evidence.filter(\.isApportioned).count,
            firstDayWithData: daysWithData.min(), lastDayWithData: daysWithData.max())

        let days = month.days.map { DailyVolume(day: $0, traffic: byDay[$0.daysSinceEpoch - month.firstDay.daysSinceEpoch]) }

        // Configured domains in the order written, then any reported domain the configuration lacks.
        var domainOrder: [String] = []
        for entry in input.tenant.domains where !domainOrder.contains(entry.domain) { domainOrder.append(entry.domain) }
        for domain in domainNames where !domainOrder.contains(domain) { domainOrder.append(domain) }
        let domains = domainOrder.map { domain in
            DomainReport(
                domain: domain, methods: methods(of: domain, in: month),
                policies: (policies[domain] ?? [:]).map { ReportedPolicy(policy: $0.key, reports: $0.value) }
                    .sorted { $0.reports != $1.reports ? $0.reports > $1.reports : $0.policy.precedes($1.policy) },
                traffic: domainRank[domain].map { byDomain[$0] } ?? PassCount(),
                providerInfrastructure: providerByDomain[domain] ?? PassCount(),
                dispositions: Accumulator.dispositionOrder.compactMap { name in
                    (dispositions[domain]?[name]).map { DispositionVolume(disposition: name, messages: $0) }
                })
        }

        let classes = Self.classRank.compactMap { kind, rank in
            byClass[rank] > 0 ? ClassVolume(class: kind, responsible: kind.responsible, messages: byClass[rank]) : nil
        }
            .sorted { ($1.messages, $0.class.rawValue) < ($0.messages, $1.class.rawValue) }

        let receiverVolumes = receivers.map {
            ReceiverVolume(receiver: $0.key, traffic: $0.value.traffic, reports: $0.value.reports)
        }
        .sorted { ($1.traffic.messages, $0.receiver) < ($0.traffic.messages, $1.receiver) }

        let strings = ReportStrings(language)
        let exampleMessages = monthlyMessagesOfExampleSources()
        let problems = classes.filter(\.class.isDMARCFailure).map { volume -> Problem in
            let classSources = (sources[volume.class] ?? [:]).map {
                SourceVolume(sourceIP: $0.key.ip, origin: $0.key.origin, messages: $0.value)
            }.sorted { ($1.messages, $0.sourceIP) < ($0.messages, $1.sourceIP) }
            let domains = problemDomains[Self.classRank[volume.class] ?? 0].map { domainNames[$0] }.sorted()
            return Problem(
                class: volume.class, responsible: volume.responsible, messages: volume.messages, domains: domains,
                sources: classSources, recommendations: recommendations(for: volume.class, domains: domains, exampleMessages, strings))
        }.sorted { a, b in
            // Whoever has to act comes first; forwarded mail and temporary errors last.
            (a.class.isActionable ? 0 : 1, b.messages, a.class.rawValue)
                < (b.class.isActionable ? 0 : 1, a.messages, b.class.rawValue)
        }

        let readinessList = domains.compactMap { readiness(for: $0) }

        return MonthlyReport(
            tenant: ReportTenant(id: input.tenant.id, name: input.tenant.name), providerName: input.providerName,
            month: month, language: language, thresholds: thresholds, generatedOn: input.generatedOn,
            summary: summary, days: days, domains: domains,
            classes: classes, receivers: receiverVolumes, problems: problems, readiness: readinessList,
            evidence: evidence.sorted {
                ($0.begin, $0.receiver, $0.reportID) < ($1.begin, $1.receiver, $1.reportID)
            }, rows: trafficRows)
    }

    /// Each class's position in the order of their names.
    static let classRank = Dictionary(
        uniqueKeysWithValues: DiagnosisClass.allCases.sorted { $0.rawValue < $1.rawValue }.enumerated().map { ($0.element, $0.offset) })

    struct SourceKey: Hashable {
        var ip: String
        var origin: SendingOrigin
    }

    static let dispositionOrder = ["none", "pass", "quarantine", "reject", "unreported"]

    /// The methods of the entries valid on some day of the month: the one in force on its first day
    /// and any that start later in it.
    func methods(of domain: String, in month: ReportMonth) -> [SendingMethod] {
        let entries = input.tenant.domains.filter { $0.domain == domain }
        let started = entries.filter { ($0.since ?? Day(daysSinceEpoch: Int.min)) <= month.firstDay }
        let first = started.max { ($0.since?.daysSinceEpoch ?? Int.min) < ($1.since?.daysSinceEpoch ?? Int.min) }
        let later = entries.filter { $0.since.map { month.contains($0) && $0 > month.firstDay } ?? false }
            .sorted { ($0.since?.daysSinceEpoch ?? 0) < ($1.since?.daysSinceEpoch ?? 0) }
        var methods: [SendingMethod] = []
        for entry in (first.map { [$0] } ?? []) + later where !methods.contains(entry.method) {
            methods.append(entry.method)
        }
        return methods
    }

    /// The month's messages per domain, class and source address, of the addresses that some example
    /// was sent from: what the recommendation texts quote. One pass over the rows, not one per text.
    func monthlyMessagesOfExampleSources() -> [RowSource: Int64] {
        let addresses = Set(input.examples.map(\.record.sourceIP))
        var messages: [RowSource: Int64] = [:]
        guard !addresses.isEmpty else { return messages }
        for (key, count) in rows where addresses.contains(key.sourceIP) {
            messages[RowSource(domain: key.domain, class: key.class, sourceIP: key.sourceIP), default: 0] += count
        }
        return messages
    }

    struct RowSource: Hashable {
        var domain: String
        var `class`: DiagnosisClass
        var sourceIP: String
    }

    func recommendations(
        for kind: DiagnosisClass, domains: [String], _ exampleMessages: [RowSource: Int64], _ strings: ReportStrings
    ) -> [String] {
        var texts: [String] = []
        for domain in domains {
            let example = input.examples.filter {
                $0.class == kind && ($0.entry?.domain ?? $0.headerFrom) == domain
            }.max { $0.record.count < $1.record.count }
            guard var example else { continue }
            // The texts quote the row's count ("… sent 12 messages …"); in a monthly report that must be the
            // month's count from that source, not one report's.
            let monthly = exampleMessages[RowSource(domain: domain, class: kind, sourceIP: example.record.sourceIP)] ?? 0
            if monthly > 0 { example.record.count = monthly }
            let text = example.recommendation(language)
            if !texts.contains(text) { texts.append(text) }
        }
        return texts.isEmpty ? [strings.classAdvice(kind)] : texts
    }

    func readiness(for domain: DomainReport) -> PolicyReadiness? {
        // A subdomain reported under its organisational domain's record is governed by `sp`.
        guard let policy = domain.policies.first?.policy,
            let current = policy.domain == domain.domain ? policy.p : (policy.sp ?? policy.p),
            current == "none" || current == "quarantine"
        else { return nil }
        let sums = readiness[domain.domain] ?? ReadinessSums()
        let thresholds = input.thresholds
        var blockers: [ReadinessBlocker] = []
        if sums.days.count < thresholds.readinessMinimumDaysWithData {
            blockers.append(
                .tooFewDaysWithData(days: sums.days.count, required: thresholds.readinessMinimumDaysWithData))
        }
        if sums.authorised.messages == 0 {
            blockers.append(.noAuthorisedTraffic)
        } else if let rate = sums.authorised.passRate, rate < thresholds.readinessPassRatePercent {
            blockers.append(.passRateBelowTarget)
        }
        if !sums.problems.isEmpty {
            blockers.append(.openProblems(sums.problems.sorted { $0.rawValue < $1.rawValue }))
        }
        return PolicyReadiness(
            domain: domain.domain, currentPolicy: current, nextPolicy: current == "none" ? "quarantine" : "reject",
            windowStart: window.lowerBound, windowEnd: window.upperBound, daysWithData: sums.days.count,
            authorised: sums.authorised, blockers: blockers)
    }
}

extension DiagnosisClass {
    /// A failure the tenant or the provider can fix. Foreign senders are left out: they are why a
    /// policy exists, not a fault of either side.
    var isActionable: Bool {
        isDMARCFailure && self != .unauthorizedSource && (responsible == .tenant || responsible == .provider)
    }
}
