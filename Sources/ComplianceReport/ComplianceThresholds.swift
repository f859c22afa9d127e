/// The limits the status and the readiness verdicts are measured against; printed in the report.
public struct ComplianceThresholds: Sendable, Hashable, Codable {
    /// A side must act when the failures it can fix exceed this share (percent) of the mail sent via
    /// the provider's servers or the tenant's relay.
    public var actionSharePercent: Double
    /// Readiness for the next policy step: the authorised traffic of the last `readinessWindowDays`
    /// days must pass DMARC at least at this rate (percent), forwarded mail and temporary errors excluded.
    public var readinessPassRatePercent: Double
    public var readinessWindowDays: Int
    /// …and reports must cover at least this many of those days.
    public var readinessMinimumDaysWithData: Int

    public init(
        actionSharePercent: Double, readinessPassRatePercent: Double, readinessWindowDays: Int,
        readinessMinimumDaysWithData: Int
    ) {
        self.actionSharePercent = actionSharePercent
        self.readinessPassRatePercent = readinessPassRatePercent
        self.readinessWindowDays = readinessWindowDays
        self.readinessMinimumDaysWithData = readinessMinimumDaysWithData
    }

    public static let standard = ComplianceThresholds(
        actionSharePercent: 1.0, readinessPassRatePercent: 99.0, readinessWindowDays: 30,
        readinessMinimumDaysWithData: 20)
}

extension ComplianceThresholds {
    /// A problem counts as resolved after reports covered this many days of its domains without it:
    /// one quiet day may be a receiver that did not report, three in a row are a fix.
    public static let resolvedAfterDaysWithData = 3
    /// Two months' volumes are compared only when each month's days with data and receivers are at
    /// least this share of the other's (`ReportCoverage.isComparable`).
    public static let comparableCoverageShare = 0.5
}
