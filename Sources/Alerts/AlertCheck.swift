import DMARC
import Diagnosis
import Postgres
import ReadSide
import SiteConfiguration

/// One evaluation of the rules over the stored data, applied to the alerts table: what
/// `dmarc alerts check` and the nightly run's step do.
public enum AlertCheck {
    /// Nil when no tenants are loaded (nothing to judge rows against). `today` is the last day of
    /// data evaluated; `now` (epoch seconds) stamps the alerts and notifications.
    public static func run(
        connection: PostgresConnection, settings: AlertSettings, today: Day, now: Int64
    ) throws -> AlertCheckResult? {
        guard let configuration = try TenantStore(connection: connection).current() else { return nil }
        let rules = AlertRules(settings: settings, today: today)
        let history = try AlertHistory.read(from: connection, configuration: configuration, period: rules.period)
        let store = AlertStore(connection: connection)
        let findings = rules.findings(history, open: try store.unresolvedFingerprints())
        return try store.apply(
            findings, evaluated: rules.evaluatedKinds, now: now, reminderDays: settings.reminderDays, channel: "log",
            recipient: { audience in
                switch audience {
                case .operators: settings.operators ?? "operators"
                case .tenant(let id): id
                }
            })
    }
}

extension AlertCheckResult {
    /// One line for the nightly run and the end of `alerts check`.
    public var line: String {
        "\(opened.count) opened, \(stillOpen) still open, \(resolved.count) resolved, \(told.count) told"
    }

    /// One line per change, for the log: `opened #3 warning new-failing-source to acme: …`.
    public var changeLines: [String] {
        told.map { notice in
            "\(notice.reason.rawValue) #\(notice.alertID) \(notice.finding.severity.rawValue) \(notice.finding.kind.rawValue) to \(notice.finding.audience.text): \(notice.finding.summary)"
        } + resolved.map { "resolved #\($0.id) \($0.fingerprint)" }
    }
}
