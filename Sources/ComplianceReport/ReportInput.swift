import DMARC
import Diagnosis

/// What the database knows about one tenant's month: the facts `MonthlyReport.build` turns into a report.
///
/// The query layer fills this from stored reports; tests build it by hand. It holds report rows
/// already diagnosed (class and origin), so building the report needs no tenant configuration
/// beyond the tenant itself.
public struct MonthlyReportInput: Sendable {
    public var tenant: Tenant
    public var providerName: String
    public var month: ReportMonth
    /// Nil: the tenant's language.
    public var language: Language?
    /// Every stored report with rows for the tenant's domains whose period overlaps the month or the
    /// 30 days before its end (the readiness window, which reaches into the previous month in February).
    public var reports: [ReceivedReport]
    /// The previous month's totals, for the change line (`MonthlyReport.build(previousMonthInput).summary.totals`);
    /// nil when there was no data or it was not asked.
    public var previousMonth: ComplianceTotals?
    /// The previous month's days and receivers with data (`MonthTotalsTally.coverage`), nil with `previousMonth`.
    public var previousCoverage: ReportCoverage?
    /// Failing rows as diagnosed, for the recommendation texts; one per (domain, class) is used, the one
    /// with the most messages. Classes without an example get the class's general description.
    public var examples: [Diagnosis]
    public var thresholds: ComplianceThresholds
    /// The day the report is made, printed in its header; nil leaves it out (tests, reproducible output).
    public var generatedOn: Day?

    public init(
        tenant: Tenant, providerName: String, month: ReportMonth, language: Language? = nil,
        reports: [ReceivedReport], previousMonth: ComplianceTotals? = nil, examples: [Diagnosis] = [],
        thresholds: ComplianceThresholds = .standard, generatedOn: Day? = nil, previousCoverage: ReportCoverage? = nil
    ) {
        self.previousCoverage = previousCoverage
        self.generatedOn = generatedOn
        self.tenant = tenant
        self.providerName = providerName
        self.month = month
        self.language = language
        self.reports = reports
        self.previousMonth = previousMonth
        self.examples = examples
        self.thresholds = thresholds
    }
}

/// One stored aggregate report, reduced to the tenant's rows.
public struct ReceivedReport: Sendable, Hashable {
    /// `report_metadata.org_name`: google.com, Enterprise Outlook, GMX, …
    public var receiver: String
    public var reportID: String
    public var period: DateRange
    /// Hex SHA-256 of the original file as received (the zip or gzip, not the XML inside).
    public var sha256: String
    public var policy: PublishedPolicy
    public var rows: [ReportedRow]

    public init(
        receiver: String, reportID: String, period: DateRange, sha256: String, policy: PublishedPolicy,
        rows: [ReportedRow]
    ) {
        self.receiver = receiver
        self.reportID = reportID
        self.period = period
        self.sha256 = sha256
        self.policy = policy
        self.rows = rows
    }

    public var messages: Int64 { rows.reduce(0) { $0 + $1.messages } }
}

/// One diagnosed row of a report.
public struct ReportedRow: Sendable, Hashable {
    /// The tenant's configured domain the header From falls under (`acme-hr.ch` for `jobs.acme-hr.ch`
    /// unless that is configured itself).
    public var domain: String
    public var sourceIP: String
    public var origin: SendingOrigin
    public var `class`: DiagnosisClass
    /// As the receiver reported it; nil when the report left it out.
    public var disposition: Disposition?
    public var messages: Int64

    public init(
        domain: String, sourceIP: String, origin: SendingOrigin, class: DiagnosisClass, disposition: Disposition?,
        messages: Int64
    ) {
        self.domain = domain
        self.sourceIP = sourceIP
        self.origin = origin
        self.class = `class`
        self.disposition = disposition
        self.messages = messages
    }

    /// The row of a diagnosed record; the domain is the configuration entry's (header From when none).
    public init(_ diagnosis: Diagnosis) {
        self.init(
            domain: diagnosis.entry?.domain ?? diagnosis.headerFrom, sourceIP: diagnosis.record.sourceIP,
            origin: diagnosis.origin, class: diagnosis.class,
            disposition: diagnosis.record.policyEvaluated.disposition, messages: diagnosis.record.count)
    }
}

/// The DMARC record a receiver found for the domain, as reported (`policy_published`).
public struct PublishedPolicy: Sendable, Hashable, Codable {
    public var domain: String
    public var p: String?
    public var sp: String?
    public var np: String?
    public var pct: Int?
    /// RFC 9990: `y` while the owner is testing the policy.
    public var testing: String?

    public init(
        domain: String, p: String?, sp: String? = nil, np: String? = nil, pct: Int? = nil, testing: String? = nil
    ) {
        self.domain = domain
        self.p = p
        self.sp = sp
        self.np = np
        self.pct = pct
        self.testing = testing
    }

    public init(_ policy: PolicyPublished) {
        self.init(
            domain: policy.domain, p: policy.p?.rawValue, sp: policy.sp?.rawValue, np: policy.np?.rawValue,
            pct: policy.pct, testing: policy.testing)
    }

    /// True while only part of the mail is subject to the policy (pct below 100, or RFC 9990 testing).
    public var isPartial: Bool { (pct.map { $0 < 100 } ?? false) || testing == "y" }

    /// A fixed order over all fields, for listing policies reported equally often always alike.
    func precedes(_ other: PublishedPolicy) -> Bool {
        func key(_ policy: PublishedPolicy) -> [String] {
            [policy.p, policy.sp, policy.np, policy.pct.map { String($0) }, policy.testing, policy.domain].map { $0 ?? "" }
        }
        return key(self).lexicographicallyPrecedes(key(other))
    }
}
