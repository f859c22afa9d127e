import DMARC
import Diagnosis
import SiteConfiguration

/// The rules of `dmarc alerts check`: pure functions of the stored history, the settings, the day
/// evaluated and the alerts already open. Each rule gives the conditions that hold; the store opens,
/// updates and resolves alerts from them.
public struct AlertRules: Sendable {
    public var settings: AlertSettings
    /// The last day evaluated (data up to and including it).
    public var today: Day

    public init(settings: AlertSettings, today: Day) {
        self.settings = settings
        self.today = today
    }

    /// The days of stored rows the rules read: enough for the longest look-back of an enabled rule.
    public var period: DayRange {
        let s = settings
        let days = max(
            s.newFailingSource.recentDays + s.newFailingSource.quietDays, 35,
            s.reportsMissing.silentDays + s.reportsMissing.baselineDays, s.providerWide.recentDays)
        return .ending(today, days: days)
    }

    /// The kinds evaluated: an alert of a disabled rule is left as it is, not resolved.
    public var evaluatedKinds: Set<AlertKind> {
        var kinds = Set<AlertKind>()
        if settings.newFailingSource.enabled { kinds.insert(.newFailingSource) }
        if settings.passRateDrop.enabled { kinds.insert(.passRateDrop) }
        if settings.reportsMissing.enabled { kinds.insert(.reportsMissing) }
        if settings.providerWide.enabled { kinds.insert(.providerWide) }
        return kinds
    }

    /// Every condition that holds, operator alerts first. `open` are the fingerprints of alerts not
    /// resolved: a failing source already alerted stays alerted while it fails, though it is no
    /// longer new.
    public func findings(_ history: AlertHistory, open: Set<String>) -> [AlertFinding] {
        var findings: [AlertFinding] = []
        var coveredByProvider = Set<ProviderSetup>()
        if settings.providerWide.enabled {
            let wide = providerWide(history)
            findings += wide.map(\.finding)
            coveredByProvider = Set(wide.map(\.setup))
        }
        for key in history.domains.sorted() {
            if settings.newFailingSource.enabled {
                findings += newFailingSources(history, key, open: open, covered: coveredByProvider)
            }
            if settings.passRateDrop.enabled, let finding = passRateDrop(history, key) { findings.append(finding) }
            if settings.reportsMissing.enabled { findings += reportsMissing(history, key) }
        }
        return findings
    }

    // MARK: New failing source

    func newFailingSources(
        _ history: AlertHistory, _ key: AlertHistory.DomainKey, open: Set<String>, covered: Set<ProviderSetup>
    ) -> [AlertFinding] {
        let rule = settings.newFailingSource
        let recent = DayRange.ending(today, days: rule.recentDays)
        let before = DayRange.ending(Day(daysSinceEpoch: recent.from.daysSinceEpoch - 1), days: rule.quietDays)
        var findings: [AlertFinding] = []
        for (ip, source) in (history.failingSources[key] ?? [:]).sorted(by: { $0.key < $1.key }) {
            let messages = source.messages(in: recent)
            guard messages > 0, let mainClass = source.mainClass else { continue }
            let subject = [key.tenantID, key.domain, ip]
            let fingerprint = ([AlertKind.newFailingSource.rawValue] + subject).joined(separator: "|")
            let isNew = messages >= Int64(rule.minMessages) && source.messages(in: before) == 0
            guard isNew || open.contains(fingerprint) else { continue }
            // A provider setup failing for several tenants is one operator alert, not one per tenant.
            if let network = source.providerNetwork,
                source.byClass.keys.contains(where: { covered.contains(ProviderSetup(diagnosisClass: $0, network: network)) })
            {
                continue
            }
            let firstDay = source.byDay.keys.filter { recent.contains($0) }.min() ?? recent.from
            var json = JSONWriter()
            json.beginObject()
            json.string("source_ip", ip)
            json.string("class", mainClass.rawValue)
            json.string("origin", source.origin.rawValue)
            json.optionalString("provider_network", source.providerNetwork)
            json.number("messages", messages)
            json.string("first_failing_day", firstDay.description)
            json.number("quiet_days", Int64(rule.quietDays))
            json.string("responsible", mainClass.responsible.rawValue)
            json.endObject()
            findings.append(
                AlertFinding(
                    kind: .newFailingSource, subject: subject, tenantID: key.tenantID, domain: key.domain,
                    severity: messages >= Int64(rule.minMessages) * 10 ? .critical : .warning,
                    audience: mainClass.responsible == .tenant ? .tenant(key.tenantID) : .operators,
                    summary: "\(ip) fails DMARC for \(key.domain) (\(mainClass.rawValue)): \(messages) messages since \(firstDay), none failing in the \(rule.quietDays) days before",
                    details: json.output))
        }
        return findings
    }

    // MARK: Pass-rate drop

    func passRateDrop(_ history: AlertHistory, _ key: AlertHistory.DomainKey) -> AlertFinding? {
        let rule = settings.passRateDrop
        let week = DayRange.ending(today, days: 7)
        let trailing = DayRange.ending(Day(daysSinceEpoch: week.from.daysSinceEpoch - 1), days: 28)
        let now = history.volume(key, in: week), then = history.volume(key, in: trailing)
        guard now.messages >= Int64(rule.minMessages) else { return nil }
        // Rates as doubles: products of message counts could overflow Int64 for hostile reports.
        let nowRate = Double(now.passing) / Double(now.messages) * 100
        let below = nowRate < Double(rule.belowPercent)
        var dropped = false
        if then.messages >= Int64(rule.minMessages) {
            dropped = Double(then.passing) / Double(then.messages) * 100 - nowRate >= Double(rule.dropPoints)
        }
        guard below || dropped else { return nil }
        let rate = percent(now.passing, of: now.messages)
        var json = JSONWriter()
        json.beginObject()
        json.string("week_from", week.from.description)
        json.number("week_messages", now.messages)
        json.number("week_passing", now.passing)
        json.string("week_rate_percent", rate)
        json.number("trailing_messages", then.messages)
        json.number("trailing_passing", then.passing)
        json.optionalString("trailing_rate_percent", then.messages > 0 ? percent(then.passing, of: then.messages) : nil)
        json.number("below_percent", Int64(rule.belowPercent))
        json.number("drop_points", Int64(rule.dropPoints))
        json.endObject()
        var summary = "\(key.domain) passed DMARC for \(rate) % of \(now.messages) messages in the 7 days to \(today)"
        if then.messages > 0 { summary += " (the 4 weeks before: \(percent(then.passing, of: then.messages)) %)" }
        return AlertFinding(
            kind: .passRateDrop, subject: [key.tenantID, key.domain], tenantID: key.tenantID, domain: key.domain,
            severity: below && dropped ? .critical : .warning, audience: .tenant(key.tenantID), summary: summary,
            details: json.output)
    }

    // MARK: Reports missing

    func reportsMissing(_ history: AlertHistory, _ key: AlertHistory.DomainKey) -> [AlertFinding] {
        let rule = settings.reportsMissing
        let silent = DayRange.ending(today, days: rule.silentDays)
        let baseline = DayRange.ending(Day(daysSinceEpoch: silent.from.daysSinceEpoch - 1), days: rule.baselineDays)
        var findings: [AlertFinding] = []
        for (receiver, days) in (history.receiverDays[key] ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard !days.contains(where: silent.contains) else { continue }
            let regular = days.filter(baseline.contains).count
            guard regular > 0, regular * 100 >= rule.minDaysPercent * rule.baselineDays else { continue }
            let last = days.max() ?? baseline.from
            let silentFor = today.daysSinceEpoch - last.daysSinceEpoch
            var json = JSONWriter()
            json.beginObject()
            json.string("receiver", receiver)
            json.string("last_report_day", last.description)
            json.number("days_with_reports", Int64(regular))
            json.number("baseline_days", Int64(rule.baselineDays))
            json.number("silent_days", Int64(silentFor))
            json.endObject()
            findings.append(
                AlertFinding(
                    kind: .reportsMissing, subject: [key.tenantID, key.domain, receiver], tenantID: key.tenantID,
                    domain: key.domain, severity: silentFor >= 2 * rule.silentDays ? .critical : .warning,
                    audience: .operators,
                    summary: "\(receiver) reported on \(regular) of \(rule.baselineDays) days for \(key.domain), none since \(last) (\(silentFor) days): check the domain's rua and the report mailbox",
                    details: json.output))
        }
        return findings
    }

    // MARK: Provider-wide

    /// A failure of the provider's side in one of its networks: the setup that several tenants share.
    struct ProviderSetup: Sendable, Hashable {
        var diagnosisClass: DiagnosisClass
        var network: String
    }

    func providerWide(_ history: AlertHistory) -> [(setup: ProviderSetup, finding: AlertFinding)] {
        let rule = settings.providerWide
        let recent = DayRange.ending(today, days: rule.recentDays)
        // setup → tenant → (messages, sources)
        var affected: [ProviderSetup: [String: (messages: Int64, sources: Set<String>)]] = [:]
        for (key, sources) in history.failingSources {
            for (ip, source) in sources {
                guard let network = source.providerNetwork else { continue }
                for (diagnosisClass, _) in source.byClass where diagnosisClass.responsible == .provider {
                    let messages = source.messages(in: recent)
                    guard messages > 0 else { continue }
                    let setup = ProviderSetup(diagnosisClass: diagnosisClass, network: network)
                    var entry = affected[setup, default: [:]][key.tenantID] ?? (0, [])
                    entry.messages += messages
                    entry.sources.insert(ip)
                    affected[setup, default: [:]][key.tenantID] = entry
                }
            }
        }
        var results: [(setup: ProviderSetup, finding: AlertFinding)] = []
        for (setup, tenants) in affected.sorted(by: { ($0.key.diagnosisClass.rawValue, $0.key.network) < ($1.key.diagnosisClass.rawValue, $1.key.network) }) {
            let hit = tenants.filter { $0.value.messages >= Int64(rule.minMessages) }
            guard hit.count >= rule.minTenants else { continue }
            let ids = hit.keys.sorted()
            let messages = hit.values.reduce(0) { $0 + $1.messages }
            let sources = hit.values.reduce(into: Set<String>()) { $0.formUnion($1.sources) }.sorted()
            var json = JSONWriter()
            json.beginObject()
            json.string("class", setup.diagnosisClass.rawValue)
            json.string("provider_network", setup.network)
            json.number("messages", messages)
            json.beginArray("tenants")
            for id in ids { json.string(nil, id) }
            json.endArray()
            json.beginArray("sources")
            for ip in sources { json.string(nil, ip) }
            json.endArray()
            json.endObject()
            let finding = AlertFinding(
                kind: .providerWide, subject: [setup.diagnosisClass.rawValue, setup.network], tenantID: nil, domain: nil,
                severity: .critical, audience: .operators,
                summary: "\(setup.diagnosisClass.rawValue) from the provider network \(setup.network) for \(ids.count) tenants (\(ids.joined(separator: ", "))): \(messages) messages since \(recent.from)",
                details: json.output)
            results.append((setup, finding))
        }
        return results
    }

    /// `87.5`: one decimal.
    func percent(_ part: Int64, of whole: Int64) -> String {
        NumberText.fixed(whole > 0 ? Double(part) / Double(whole) * 100 : 0, digits: 1)
    }
}
