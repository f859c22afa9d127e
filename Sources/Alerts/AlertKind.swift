/// What an alert is about: one rule of `dmarc alerts check`.
public enum AlertKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// A source that fails DMARC for a tenant's domain and did not fail there before.
    case newFailingSource = "new-failing-source"
    /// A domain's pass rate this week low, or far under its trailing four weeks.
    case passRateDrop = "pass-rate-drop"
    /// A receiver that reported on most days went silent.
    case reportsMissing = "reports-missing"
    /// One provider network or signing setup failing for several tenants at once.
    case providerWide = "provider-wide"
}

/// How bad: `critical` outranks `warning`; an alert that moves up is told again.
public enum AlertSeverity: String, Sendable, Hashable, Comparable, Codable {
    case warning, critical

    public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool { lhs == .warning && rhs == .critical }
}

/// Where an alert stands.
public enum AlertStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// The condition holds and nobody took it yet.
    case open
    /// The condition holds; someone took it: no reminders, but a worsening is still told.
    case acknowledged
    /// The condition cleared (or someone closed it by hand).
    case resolved
}

/// Who acts on an alert: the provider's operators, or a tenant (by id).
public enum AlertAudience: Sendable, Hashable {
    case operators
    case tenant(String)

    /// As stored in `alert_notifications.audience`.
    public var text: String {
        switch self {
        case .operators: "operators"
        case .tenant(let id): id
        }
    }
}

/// One condition a rule found in the stored data, as it stands at this evaluation.
public struct AlertFinding: Sendable, Equatable {
    public var kind: AlertKind
    /// Stable across evaluations: kind, tenant, domain and what it is about, joined by `|`.
    public var fingerprint: String
    public var tenantID: String?
    public var domain: String?
    public var severity: AlertSeverity
    public var audience: AlertAudience
    /// One line for people, in English (the log, `alerts list`).
    public var summary: String
    /// The evidence as a JSON object (`alerts.details`).
    public var details: String

    public init(
        kind: AlertKind, subject: [String], tenantID: String?, domain: String?, severity: AlertSeverity,
        audience: AlertAudience, summary: String, details: String
    ) {
        self.kind = kind
        fingerprint = ([kind.rawValue] + subject).joined(separator: "|")
        self.tenantID = tenantID
        self.domain = domain
        self.severity = severity
        self.audience = audience
        self.summary = summary
        self.details = details
    }
}
