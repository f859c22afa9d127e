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
                    providerNetwork: row.origin == .providerNetwork, receiver: report.receiver)
            }
        }
        return tally.totals
    }

    /// Builds the report from the month's diagnosed report rows: a pure function, no I/O.
    ///
    /// Each report's counts are first split by UTC day (`DayApportioning`); only days inside the month
    /// count towards the month, and the days of the 30-day window before the month's end towards readiness.
    public static func build(_ input: MonthlyReportInput) -> MonthlyReport {
        var tally = MonthlyReportTally(month: input.month, thresholds: input.thresholds)
        for (index, report) in input.reports.enumerated() {
            tally.add(report, key: Int64(index))
            for row in report.rows { tally.add(row, ofReport: Int64(index), report) }
        }
        return build(input, from: tally)
    }

    /// `build` of an input whose rows were tallied as they were read (`MonthlyReportTally`, of the
    /// same month and thresholds); `input.reports` is not read.
    public static func build(_ input: MonthlyReportInput, from tally: MonthlyReportTally) -> MonthlyReport {
        precondition(
            tally.window == MonthlyReportTally(month: input.month, thresholds: input.thresholds).window,
            "a tally of \(tally.month) or of another readiness window than the report of \(input.month)")
        var accumulator = Accumulator(input: input, tally: tally)
        // In the order of the evidence list, so that equal entries keep the order of their keys.
        let reports = tally.reports.sorted { a, b in
            let (x, y) = (a.value.report, b.value.report)
            return (x.period.begin, x.receiver, x.reportID, a.key) < (y.period.begin, y.receiver, y.reportID, b.key)
        }
        for (_, report) in reports { accumulator.close(report) }
        return accumulator.finish()
    }
}

/// The running sums of `MonthlyReport.totals`: a report row's messages inside the month, apportioned
/// by day as `build` does, passed or not, from the provider's networks or not.
public struct MonthTotalsTally: Sendable {
    public let month: ReportMonth
    public private(set) var totals = ComplianceTotals()
    private var days: Set<Day> = []
    private var receivers: Set<String> = []

    public init(month: ReportMonth) { self.month = month }

    /// The days and receivers with messages in the month, receivers by common name (two of
    /// Microsoft's are one), as the report's own coverage counts them.
    public var coverage: ReportCoverage {
        ReportCoverage(daysWithData: days.count, receivers: Set(receivers.map(ReceiverNames.common)).count)
    }

    public mutating func add(
        _ messages: Int64, over period: DateRange, passed: Bool, providerNetwork: Bool, receiver: String
    ) {
        var inMonth: Int64 = 0
        DayApportioning.forEachShare(of: messages, over: period) { share in
            if month.contains(share.day) {
                inMonth += share.messages
                days.insert(share.day)
            }
        }
        // As written: named commonly once, in `coverage`, not on each of a month's rows.
        if inMonth > 0 { receivers.insert(receiver) }
        let count = PassCount(messages: inMonth, passed: passed ? inMonth : 0)
        if providerNetwork {
            totals.providerInfrastructure = totals.providerInfrastructure + count
        } else {
            totals.other = totals.other + count
        }
    }
}

/// The running sums of `MonthlyReport.build`: a tally's rows, and its reports closed one by one.
private struct Accumulator {
    typealias RowKey = MonthlyReportTally.RowKey
    typealias ReadinessSums = MonthlyReportTally.ReadinessSums

    let input: MonthlyReportInput
    let language: Language
    let rows: [RowKey: Int64]
    /// The readiness window: the days before the month's end that readiness is judged on.
    let window: ClosedRange<Day>
    var dispositions: [String: [String: Int64]] = [:]
    var providerByDomain: [String: PassCount] = [:]
    var receivers: [String: (traffic: PassCount, reports: Int)] = [:]
    var policies: [String: [PublishedPolicy: Int]] = [:]
    var readiness: [String: ReadinessSums] = [:]
    var evidence: [EvidenceReport] = []
    /// The domains of `rows`.
    var domainsInMonth: Set<String> = []
    /// Days of the month some report of it covered, with messages or without.
    var reportedDays: Set<Day> = []

    init(input: MonthlyReportInput, tally: MonthlyReportTally) {
        self.input = input
        self.language = input.language ?? input.tenant.language
        self.rows = tally.rows
        self.window = tally.window
    }

    /// Adds a report's sums to the month's, once: a big tenant's report has 150,000 rows of one or
    /// two domains, and a lookup per row and sum was most of building.
    mutating func close(_ report: MonthlyReportTally.ReportTally) {
        let month = input.month
        let period = report.report.period
        let overlapsMonth =
            period.begin < Int64(month.lastDay.daysSinceEpoch + 1) * 86_400
            && max(period.end, period.begin + 1) > Int64(month.firstDay.daysSinceEpoch) * 86_400
        for domain in report.domains {
            if domain.inMonth { domainsInMonth.insert(domain.name) }
            if domain.inWindow { readiness[domain.name, default: ReadinessSums()].add(domain.readiness) }
            guard domain.inMonth else { continue }
            for (index, messages) in domain.dispositions.enumerated() where messages > 0 {
                dispositions[domain.name, default: [:]][MonthlyReportTally.dispositionOrder[index], default: 0] +=
                    messages
            }
            if domain.provider.messages > 0 {
                providerByDomain[domain.name, default: PassCount()] =
                    providerByDomain[domain.name, default: PassCount()] + domain.provider
            }
        }
        let receiver = ReceiverNames.common(report.report.receiver)
        if report.traffic.messages > 0 {
            receivers[receiver, default: (PassCount(), 0)].traffic =
                receivers[receiver, default: (PassCount(), 0)].traffic + report.traffic
        }
        let inMonth = report.traffic.messages
        // Apportioned: the period crosses a UTC day boundary, so its counts were split by day.
        let apportioned = Day(epochSeconds: period.begin) != Day(epochSeconds: max(period.begin, period.end - 1))
        // A report belongs to the month when some of its messages do, or when it reports nothing at all
        // for a period in the month (it still shows the receiver saw no mail).
        guard inMonth > 0 || (report.messages == 0 && overlapsMonth) else { return }
        receivers[receiver, default: (PassCount(), 0)].reports += 1
        let lastDay = Day(epochSeconds: max(period.begin, min(period.end, period.begin &+ DayApportioning.maximumDays * 86_400) - 1))
        for index in Day(epochSeconds: period.begin).daysSinceEpoch...max(Day(epochSeconds: period.begin).daysSinceEpoch, lastDay.daysSinceEpoch) {
            let day = Day(daysSinceEpoch: index)
            if month.contains(day) { reportedDays.insert(day) }
        }
        let reportDomainsInMonth = Set(report.domains.filter(\.inMonth).map(\.name))
        for domain in reportDomainsInMonth.isEmpty ? report.rowDomains : reportDomainsInMonth {
            policies[domain, default: [:]][report.report.policy, default: 0] += 1
        }
        evidence.append(
            EvidenceReport(
                receiver: report.report.receiver, reportID: report.report.reportID, begin: period.begin, end: period.end,
                sha256: report.report.sha256, messages: report.messages, messagesInMonth: inMonth,
                isApportioned: apportioned))
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
        // Days with messages per domain, and the first and last day of each failure class, in all and
        // per domain: when a problem started, whether it stopped.
        var domainDays = Array(repeating: Set<Day>(), count: domainNames.count)
        var classSeen: [DiagnosisClass: ClosedRange<Day>] = [:]
        var lastSeenInDomain: [ClassInDomain: Day] = [:]
        var others: [SenderGroup.Kind: (traffic: PassCount, sources: Set<String>)] = [:]
        var lastPrefix = -1
        for (row, index) in zip(trafficRows, order) {
            let domain = prefixes[index] >> 32, kind = classRanks[index]
            let count = PassCount(messages: row.messages, passed: row.class == .pass ? row.messages : 0)
            if row.origin == .providerNetwork {
                totals.providerInfrastructure = totals.providerInfrastructure + count
            } else {
                totals.other = totals.other + count
            }
            if row.origin != .other { authorised = authorised + count }
            let day = row.day.daysSinceEpoch - month.firstDay.daysSinceEpoch
            byDay[day] = byDay[day] + count
            byClass[kind] += row.messages
            byDomain[domain] = byDomain[domain] + count
            // The rows come by domain and day: one insertion per domain's day, not per row.
            if prefixes[index] != lastPrefix {
                domainDays[domain].insert(row.day)
                lastPrefix = prefixes[index]
            }
            if row.class.isDMARCFailure {
                sources[row.class, default: [:]][SourceKey(ip: row.sourceIP, origin: row.origin), default: 0] +=
                    row.messages
                problemDomains[kind].insert(domain)
                let seen = classSeen[row.class].map { min($0.lowerBound, row.day)...max($0.upperBound, row.day) }
                classSeen[row.class] = seen ?? row.day...row.day
                let key = ClassInDomain(class: row.class, domain: domain)
                lastSeenInDomain[key] = max(lastSeenInDomain[key] ?? row.day, row.day)
            }
            if let group = SenderGroup.Kind(row) {
                others[group, default: (PassCount(), [])].traffic = others[group, default: (PassCount(), [])].traffic + count
                others[group, default: (PassCount(), [])].sources.insert(row.sourceIP)
            }
        }
        /// The first day with data after `lastSeen` in `days`, when there are enough of them.
        func resolvedSince(_ lastSeen: Day?, days: Set<Day>) -> Day? {
            let after = days.filter { day in lastSeen.map { day > $0 } ?? true }.sorted()
            return after.count >= ComplianceThresholds.resolvedAfterDaysWithData ? after.first : nil
        }

        let days = month.days.map {
            DailyVolume(
                day: $0, traffic: byDay[$0.daysSinceEpoch - month.firstDay.daysSinceEpoch],
                reported: reportedDays.contains($0))
        }

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
                dispositions: MonthlyReportTally.dispositionOrder.compactMap { name in
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
            let ranks = problemDomains[Self.classRank[volume.class] ?? 0]
            let seen = classSeen[volume.class] ?? month.firstDay...month.firstDay
            let problemDays = ranks.reduce(into: Set<Day>()) { $0.formUnion(domainDays[$1]) }
            return Problem(
                class: volume.class, responsible: volume.responsible, messages: volume.messages, domains: domains,
                sources: classSources, recommendations: recommendations(for: volume.class, domains: domains, exampleMessages, strings),
                firstSeen: seen.lowerBound, lastSeen: seen.upperBound,
                // Only a fix can be done: forwarded mail or spoofing that paused has not been resolved.
                resolvedSince: volume.class.isActionable ? resolvedSince(seen.upperBound, days: problemDays) : nil)
        }.sorted { a, b in
            // Whoever has to act comes first; forwarded mail and temporary errors last.
            (a.class.isActionable ? 0 : 1, b.messages, a.class.rawValue)
                < (b.class.isActionable ? 0 : 1, a.messages, b.class.rawValue)
        }

        // A problem that stopped is no fix to make: it neither needs action nor blocks the next step.
        for problem in problems where problem.isOpen && problem.class.isActionable {
            switch problem.responsible {
            case .tenant: tenantAction += problem.messages
            case .provider: providerAction += problem.messages
            case .none, .operator: break
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
            firstDayWithData: daysWithData.min(), lastDayWithData: daysWithData.max(),
            coverage: ReportCoverage(
                daysWithData: Set(daysWithData).count, receivers: receivers.filter { $0.value.traffic.messages > 0 }.count),
            previousCoverage: input.previousMonth == nil ? nil : input.previousCoverage,
            otherSenders: SenderGroup.Kind.allCases.compactMap { kind in
                others[kind].map { SenderGroup(kind: kind, traffic: $0.traffic, sources: $0.sources.count) }
            })


        let readinessList = domains.compactMap { domain in
            readiness(for: domain) { kind in
                // Open in this domain: seen in the month and not stopped since (a class seen only before
                // the month counts as stopped once the month has enough days with data).
                guard let rank = domainRank[domain.domain] else { return true }
                let last = lastSeenInDomain[ClassInDomain(class: kind, domain: rank)]
                return resolvedSince(last, days: domainDays[rank]) == nil
            }
        }

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

    struct ClassInDomain: Hashable {
        var `class`: DiagnosisClass
        var domain: Int
    }

    struct SourceKey: Hashable {
        var ip: String
        var origin: SendingOrigin
    }

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

    /// `isOpen` tells whether a failure class seen in the window is still open in the domain.
    func readiness(for domain: DomainReport, isOpen: (DiagnosisClass) -> Bool) -> PolicyReadiness? {
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
        let open = sums.problems.filter(isOpen)
        if !open.isEmpty {
            blockers.append(.openProblems(open.sorted { $0.rawValue < $1.rawValue }))
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

extension SenderGroup.Kind {
    /// The group of a row not sent from the provider's servers; nil for one that was.
    init?(_ row: TrafficRow) {
        switch (row.origin, row.class) {
        case (.providerNetwork, _): return nil
        case (.tenantRelay, _): self = .relay
        case (.other, .forwarded): self = .forwarded
        case (.other, .unauthorizedSource): self = .unauthorised
        case (.other, .pass): self = .otherPassing
        case (.other, _): self = .otherRest
        }
    }
}
