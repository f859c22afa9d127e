import DMARC
import Diagnosis

/// One tenant's monthly compliance report: every number each format shows, computed once.
///
/// HTML, PDF, CSV and JSON are all rendered from this value, so they cannot disagree. It holds
/// counts, not rates: a rate is derived where it is shown, and an empty month has no rate.
public struct MonthlyReport: Sendable, Hashable, Codable {
    public var tenant: ReportTenant
    public var providerName: String
    public var month: ReportMonth
    public var language: Language
    public var thresholds: ComplianceThresholds
    /// The day the report was made; nil when the caller left it out.
    public var generatedOn: Day?
    public var summary: ComplianceSummary
    /// Every day of the month, in order, also days without messages.
    public var days: [DailyVolume]
    public var domains: [DomainReport]
    /// Messages per diagnosis class, most first; classes without messages left out.
    public var classes: [ClassVolume]
    /// Messages per reporting receiver, most first.
    public var receivers: [ReceiverVolume]
    /// The failure classes somebody has to look at, most messages first.
    public var problems: [Problem]
    /// Domains at p=none or p=quarantine: may they move to the next step?
    public var readiness: [PolicyReadiness]
    /// The reports behind the month.
    public var evidence: [EvidenceReport]
    /// One row per (domain, day, source, class): the CSV and the base of every other number.
    public var rows: [TrafficRow]

    public var isEmpty: Bool { summary.totals.messages == 0 }
}

public struct ReportTenant: Sendable, Hashable, Codable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// Messages and how many of them passed DMARC.
public struct PassCount: Sendable, Hashable, Codable {
    public var messages: Int64
    public var passed: Int64

    public init(messages: Int64 = 0, passed: Int64 = 0) {
        self.messages = messages
        self.passed = passed
    }

    public var failed: Int64 { messages - passed }

    /// Percent passed; nil without messages (an empty month shows "no data", not 0 % or a crash).
    public var passRate: Double? { messages > 0 ? Double(passed) * 100 / Double(messages) : nil }

    public static func + (lhs: PassCount, rhs: PassCount) -> PassCount {
        PassCount(messages: lhs.messages + rhs.messages, passed: lhs.passed + rhs.passed)
    }
}

/// The month's headline numbers, split by who is responsible for the sending.
public struct ComplianceTotals: Sendable, Hashable, Codable {
    /// Mail sent from the provider's servers: the provider's responsibility.
    public var providerInfrastructure: PassCount
    /// Everything else: the tenant's relay, forwarders, the tenant's other senders, spoofers.
    public var other: PassCount

    public init(providerInfrastructure: PassCount = PassCount(), other: PassCount = PassCount()) {
        self.providerInfrastructure = providerInfrastructure
        self.other = other
    }

    public var all: PassCount { providerInfrastructure + other }
    public var messages: Int64 { all.messages }
}

/// The verdict on the month, from the thresholds in `ComplianceThresholds`.
public enum ComplianceStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case compliant
    case tenantAction = "tenant-action"
    case providerAction = "provider-action"
    case bothAction = "both-action"
    /// No report covered the month.
    case noData = "no-data"
}

public struct ComplianceSummary: Sendable, Hashable, Codable {
    public var totals: ComplianceTotals
    public var previousMonth: ComplianceTotals?
    /// Mail sent via the provider's servers or the tenant's relay: what the action shares are measured on.
    public var authorised: PassCount
    /// Failures the tenant can fix (its DNS, its relay); foreign senders not counted.
    public var tenantActionMessages: Int64
    /// Failures the provider can fix (signing, bounce domain, routing).
    public var providerActionMessages: Int64
    public var status: ComplianceStatus
    /// Distinct receivers that sent reports with messages in the month.
    public var receiverNames: [String]
    public var reportCount: Int
    /// Reports whose period crossed a day boundary and were apportioned by day.
    public var apportionedReportCount: Int
    /// First and last day with messages; nil in an empty month.
    public var firstDayWithData: Day?
    public var lastDayWithData: Day?
    /// How much of the month reports covered: what a change from the previous month is read against.
    public var coverage: ReportCoverage
    /// The previous month's coverage; nil when there was no data or it was not asked.
    public var previousCoverage: ReportCoverage?
    /// The mail not sent from the provider's servers, by who sent it: the tenant's relay, forwarders,
    /// unauthorised senders, other servers that passed. Groups without messages left out.
    public var otherSenders: [SenderGroup]
}

/// Days with messages and receivers with messages in a month: a month with reports on one day from
/// one receiver is no base for comparing volumes with one of thirty days from six.
public struct ReportCoverage: Sendable, Hashable, Codable {
    public var daysWithData: Int
    public var receivers: Int

    /// Whether volumes of the two months may be compared: neither the days nor the receivers of one
    /// are less than `ComplianceThresholds.comparableCoverageShare` of the other's.
    public func isComparable(with other: ReportCoverage) -> Bool {
        func close(_ a: Int, _ b: Int) -> Bool {
            guard a > 0, b > 0 else { return false }
            return Double(min(a, b)) >= Double(max(a, b)) * ComplianceThresholds.comparableCoverageShare
        }
        return close(daysWithData, other.daysWithData) && close(receivers, other.receivers)
    }
}

/// Mail from outside the provider's servers, by who sent it.
public struct SenderGroup: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The tenant's own relay (its configured relay networks).
        case relay
        /// Forwarders and mailing lists (override reasons or the forwarding pattern).
        case forwarded
        /// Servers neither the provider's nor the tenant's relay, failing DMARC: spoofing, or the
        /// tenant's other senders not yet authorised.
        case unauthorised
        /// Other servers whose mail passed DMARC: most likely the tenant's own other services.
        case otherPassing = "other-passing"
        /// The rest: temporary DNS errors and empty rows from other servers.
        case otherRest = "other-rest"
    }

    public var kind: Kind
    public var traffic: PassCount
    /// Distinct sending addresses.
    public var sources: Int
}

public struct DailyVolume: Sendable, Hashable, Codable {
    public var day: Day
    public var traffic: PassCount
    /// Some report's period covered the day: false is "no data", not a day without mail.
    public var reported: Bool
}

public struct DomainReport: Sendable, Hashable, Codable {
    public var domain: String
    /// The configured methods valid in the month (two when the tenant switched during it).
    public var methods: [SendingMethod]
    /// The distinct DMARC records receivers reported, most reported first.
    public var policies: [ReportedPolicy]
    public var traffic: PassCount
    public var providerInfrastructure: PassCount
    public var dispositions: [DispositionVolume]
}

public struct ReportedPolicy: Sendable, Hashable, Codable {
    public var policy: PublishedPolicy
    public var reports: Int
}

public struct DispositionVolume: Sendable, Hashable, Codable {
    /// `none`, `quarantine`, `reject`, `pass` (RFC 9990), or `unreported`.
    public var disposition: String
    public var messages: Int64
}

public struct ClassVolume: Sendable, Hashable, Codable {
    public var `class`: DiagnosisClass
    public var responsible: ResponsibleParty
    public var messages: Int64
}

public struct ReceiverVolume: Sendable, Hashable, Codable {
    public var receiver: String
    public var traffic: PassCount
    public var reports: Int
}

public struct Problem: Sendable, Hashable, Codable {
    public var `class`: DiagnosisClass
    public var responsible: ResponsibleParty
    public var messages: Int64
    public var domains: [String]
    /// The sending IPs, most messages first.
    public var sources: [SourceVolume]
    /// What to do, in the report's language: the Diagnosis module's text for the largest example of
    /// each domain, or the class's general description when no example was given.
    public var recommendations: [String]
    /// The first and last day in the month with messages of this class.
    public var firstSeen: Day
    public var lastSeen: Day
    /// The first day with data after the last one seen, when reports covered at least
    /// `ComplianceThresholds.resolvedAfterDaysWithData` days of its domains since without it: the
    /// problem stopped (a DNS record fixed, a domain moved to DKIM). Nil while it is open, and for
    /// classes nobody fixes (forwarded mail, foreign senders).
    public var resolvedSince: Day?
    /// What the latest DNS check of its domains says about this problem, worded in the report's
    /// language for the customer ("no key is published at …", "the key is published now: fixed?"),
    /// stale checks named as such. Nil where no check bears on the class or none was stored.
    public var dnsEvidence: String?

    public var isOpen: Bool { resolvedSince == nil }
}

public struct SourceVolume: Sendable, Hashable, Codable {
    public var sourceIP: String
    public var origin: SendingOrigin
    public var messages: Int64
}

public struct PolicyReadiness: Sendable, Hashable, Codable {
    public var domain: String
    /// `none` or `quarantine`, as most reports of the month published it.
    public var currentPolicy: String
    /// `quarantine` or `reject`.
    public var nextPolicy: String
    public var windowStart: Day
    public var windowEnd: Day
    public var daysWithData: Int
    /// Provider and relay traffic in the window, forwarded mail and temporary errors excluded.
    public var authorised: PassCount
    public var blockers: [ReadinessBlocker]

    public var isReady: Bool { blockers.isEmpty }
}

/// Why a domain should not move to the next policy step yet.
public enum ReadinessBlocker: Sendable, Hashable, Codable {
    case tooFewDaysWithData(days: Int, required: Int)
    case noAuthorisedTraffic
    case passRateBelowTarget
    /// Failure classes someone can fix, with messages in the window.
    case openProblems([DiagnosisClass])
}

public struct EvidenceReport: Sendable, Hashable, Codable {
    public var receiver: String
    public var reportID: String
    public var begin: Int64
    public var end: Int64
    public var sha256: String
    /// The tenant's messages in the whole report.
    public var messages: Int64
    /// The part counted in this month (less when the period crosses the month boundary).
    public var messagesInMonth: Int64
    public var isApportioned: Bool
}

public struct TrafficRow: Sendable, Hashable, Codable {
    public var domain: String
    public var day: Day
    public var sourceIP: String
    public var origin: SendingOrigin
    public var `class`: DiagnosisClass
    public var messages: Int64
}

extension ReadinessBlocker {
    // Written by hand: the synthesised form (`{"openProblems":{"_0":[…]}}`) is no format to promise to
    // readers of the JSON. This one is `{"kind":"open-problems","classes":[…]}`.
    private enum CodingKeys: String, CodingKey {
        case kind, days, required, classes
    }

    private enum Kind: String, Codable {
        case tooFewDaysWithData = "too-few-days-with-data"
        case noAuthorisedTraffic = "no-authorised-traffic"
        case passRateBelowTarget = "pass-rate-below-target"
        case openProblems = "open-problems"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Kind.self, forKey: .kind) {
        case .tooFewDaysWithData:
            self = .tooFewDaysWithData(
                days: try container.decode(Int.self, forKey: .days),
                required: try container.decode(Int.self, forKey: .required))
        case .noAuthorisedTraffic: self = .noAuthorisedTraffic
        case .passRateBelowTarget: self = .passRateBelowTarget
        case .openProblems: self = .openProblems(try container.decode([DiagnosisClass].self, forKey: .classes))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .tooFewDaysWithData(let days, let required):
            try container.encode(Kind.tooFewDaysWithData, forKey: .kind)
            try container.encode(days, forKey: .days)
            try container.encode(required, forKey: .required)
        case .noAuthorisedTraffic:
            try container.encode(Kind.noAuthorisedTraffic, forKey: .kind)
        case .passRateBelowTarget:
            try container.encode(Kind.passRateBelowTarget, forKey: .kind)
        case .openProblems(let classes):
            try container.encode(Kind.openProblems, forKey: .kind)
            try container.encode(classes, forKey: .classes)
        }
    }
}
