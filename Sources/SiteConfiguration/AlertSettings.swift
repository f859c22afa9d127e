/// What every rule of `alerts:` has: a switch.
public protocol AlertRuleSettings: Sendable {
    var enabled: Bool { get set }
}

/// The `alerts:` section of `dmarc.yaml`: which rules `dmarc alerts check` evaluates and their
/// thresholds. Every value has a default, so an absent section means every rule with its defaults.
public struct AlertSettings: Sendable, Equatable {
    /// A source failing DMARC for a tenant's domain that did not fail there before.
    public struct NewFailingSource: AlertRuleSettings, Equatable {
        public var enabled = true
        /// Failing messages in the recent days needed to raise it: one stray message is no news.
        public var minMessages = 10
        /// The recent days looked at, today included.
        public var recentDays = 2
        /// Days before those in which the source must not have failed for the domain.
        public var quietDays = 30
        public init() {}
    }

    /// A domain's pass rate this week (the last 7 days) low, or far under its trailing 4 weeks.
    public struct PassRateDrop: AlertRuleSettings, Equatable {
        public var enabled = true
        /// Below this share of passing messages (percent) this week: an alert.
        public var belowPercent = 90
        /// This many points under the rate of the 4 weeks before: an alert.
        public var dropPoints = 10
        /// Messages needed this week (and in the 4 weeks, for the comparison): little mail, noisy rates.
        public var minMessages = 100
        public init() {}
    }

    /// A receiver that reported on most days stops: the `rua` or the mailbox likely broke.
    public struct ReportsMissing: AlertRuleSettings, Equatable {
        public var enabled = true
        /// Days without a report from the receiver, today included.
        public var silentDays = 3
        /// The days before those that tell its habit.
        public var baselineDays = 28
        /// Share of the baseline days with a report (percent) that makes it a regular reporter.
        public var minDaysPercent = 50
        public init() {}
    }

    /// One provider network or signing setup failing for several tenants at once.
    public struct ProviderWide: AlertRuleSettings, Equatable {
        public var enabled = true
        /// Tenants affected, at least.
        public var minTenants = 3
        /// Failing messages per affected tenant, at least.
        public var minMessages = 10
        /// The recent days looked at, today included.
        public var recentDays = 2
        public init() {}
    }

    public var newFailingSource = NewFailingSource()
    public var passRateDrop = PassRateDrop()
    public var reportsMissing = ReportsMissing()
    public var providerWide = ProviderWide()
    /// An alert still open and not acknowledged is told again after this many days.
    public var reminderDays = 7
    /// Where operator alerts go (provider-side and operator classes); nil: only the log.
    public var operators: String?

    public init() {}
}

/// The `dns:` section of `dmarc.yaml`: whether `dmarc nightly` runs `dns check --all`, and how.
public struct DNSSettings: Sendable, Equatable {
    /// Run the DNS checks as a nightly step (before the alerts).
    public var enabled = false
    /// IP:PORT or [IPv6]:PORT of the resolver to ask; nil: the system's (/etc/resolv.conf).
    public var resolver: String?
    /// Milliseconds per try, and tries per question, as `dns check`'s options.
    public var timeoutMilliseconds = 2_000
    public var tries = 3

    public init() {}
}
