import DMARC
import Postgres

/// An alert as stored, for `alerts list` and the console.
public struct StoredAlert: Sendable, Equatable {
    public var id: Int64
    public var fingerprint: String
    public var kind: String
    public var tenantID: String?
    public var domain: String?
    public var severity: String
    public var status: AlertStatus
    public var summary: String
    public var details: String
    /// UTC, `YYYY-MM-DD HH:MM`.
    public var firstSeen: String
    public var lastSeen: String
    /// How often it was told.
    public var notifications: Int
}

/// Why an alert is told (again).
public enum NotificationReason: String, Sendable, Hashable {
    /// It just opened.
    case opened
    /// Its severity went up.
    case worse
    /// Still open, not acknowledged, and last told the reminder interval ago.
    case reminder
}

/// What one `alerts check` did to the alerts table.
public struct AlertCheckResult: Sendable {
    /// An alert to tell now, and why.
    public struct Notice: Sendable, Equatable {
        public var alertID: Int64
        public var reason: NotificationReason
        public var finding: AlertFinding
    }

    public var opened: [Notice] = []
    /// Alerts that still hold (updated in place), whether told again or not.
    public var stillOpen = 0
    public var resolved: [(id: Int64, fingerprint: String)] = []
    /// Everything told by this evaluation: opened, worse and reminders.
    public var told: [Notice] = []
}

/// The alerts table: opening, updating and resolving alerts from the conditions found, once.
public struct AlertStore {
    public let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    private struct Current {
        var id: Int64
        var kind: String
        var status: AlertStatus
        var severity: AlertSeverity
        /// Epoch seconds of the last notification; nil: never told.
        var lastTold: Int64?
    }

    /// The fingerprints of alerts not resolved.
    public func unresolvedFingerprints() throws -> Set<String> {
        Set(try connection.query("SELECT fingerprint FROM alerts WHERE status <> 'resolved'").rows.map { try $0.decode("fingerprint") })
    }

    /// Applies one evaluation in one transaction: a finding without an unresolved alert opens one;
    /// one with an alert updates it (told again when worse, or as a reminder); an unresolved alert
    /// of an evaluated kind without a finding resolves. `now` is epoch seconds; `channel` and
    /// `recipient(_:)` record who was told.
    public func apply(
        _ findings: [AlertFinding], evaluated: Set<AlertKind>, now: Int64, reminderDays: Int, channel: String,
        recipient: (AlertAudience) -> String
    ) throws -> AlertCheckResult {
        try connection.transaction {
            var current: [String: Current] = [:]
            let rows = try connection.query(
                """
                SELECT a.id, a.fingerprint, a.kind, a.status, a.severity,
                       (SELECT extract(epoch FROM max(n.sent_at))::bigint FROM alert_notifications n WHERE n.alert = a.id) AS told
                FROM alerts a WHERE a.status <> 'resolved' FOR UPDATE
                """
            ).rows
            for row in rows {
                guard let status = AlertStatus(rawValue: try row.decode("status")),
                    let severity = AlertSeverity(rawValue: try row.decode("severity"))
                else { continue }
                current[try row.decode("fingerprint")] = Current(
                    id: try row.decode("id"), kind: try row.decode("kind"), status: status, severity: severity,
                    lastTold: try row.decodeIfPresent("told"))
            }
            let time = String(now)
            var result = AlertCheckResult()
            var found = Set<String>()
            for finding in findings where found.insert(finding.fingerprint).inserted {
                let notice: AlertCheckResult.Notice?
                if let alert = current[finding.fingerprint] {
                    try connection.query(
                        """
                        UPDATE alerts SET last_seen = to_timestamp($2), severity = $3, summary = $4, details = $5::jsonb
                        WHERE id = $1
                        """, [String(alert.id), time, finding.severity.rawValue, finding.summary, finding.details])
                    result.stillOpen += 1
                    if finding.severity > alert.severity {
                        notice = .init(alertID: alert.id, reason: .worse, finding: finding)
                    } else if alert.status == .open, let told = alert.lastTold, now - told >= Int64(reminderDays) * 86_400 {
                        notice = .init(alertID: alert.id, reason: .reminder, finding: finding)
                    } else {
                        notice = nil
                    }
                } else {
                    let inserted = try connection.query(
                        """
                        INSERT INTO alerts (fingerprint, kind, tenant_id, domain, severity, summary, details, first_seen, last_seen)
                        VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, to_timestamp($8), to_timestamp($8))
                        RETURNING id
                        """,
                        [
                            finding.fingerprint, finding.kind.rawValue, finding.tenantID, finding.domain,
                            finding.severity.rawValue, finding.summary, finding.details, time,
                        ]
                    ).first
                    guard let inserted else { throw PostgresError(.unexpectedResult, "INSERT … RETURNING id gave no row") }
                    let opened = AlertCheckResult.Notice(alertID: try inserted.decode("id"), reason: .opened, finding: finding)
                    result.opened.append(opened)
                    notice = opened
                }
                if let notice {
                    try connection.query(
                        """
                        INSERT INTO alert_notifications (alert, audience, channel, recipient, reason, severity, sent_at)
                        VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7))
                        """,
                        [
                            String(notice.alertID), finding.audience.text, channel, recipient(finding.audience),
                            notice.reason.rawValue, finding.severity.rawValue, time,
                        ])
                    result.told.append(notice)
                }
            }
            let evaluatedKinds = Set(evaluated.map(\.rawValue))
            for (fingerprint, alert) in current.sorted(by: { $0.value.id < $1.value.id })
            where !found.contains(fingerprint) && evaluatedKinds.contains(alert.kind) {
                try connection.query(
                    "UPDATE alerts SET status = 'resolved', resolved_at = to_timestamp($2), resolved_by = 'check' WHERE id = $1",
                    [String(alert.id), time])
                result.resolved.append((alert.id, fingerprint))
            }
            return result
        }
    }

    /// Alerts with one of `statuses`, newest first.
    public func list(statuses: Set<AlertStatus>, limit: Int = 200) throws -> [StoredAlert] {
        let wanted = statuses.map(\.rawValue).sorted()
        return try connection.query(
            """
            SELECT a.id, a.fingerprint, a.kind, a.tenant_id, a.domain, a.severity, a.status, a.summary, a.details::text AS details,
                   to_char(a.first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS first_seen,
                   to_char(a.last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS last_seen,
                   (SELECT count(*) FROM alert_notifications n WHERE n.alert = a.id) AS notifications
            FROM alerts a WHERE a.status = ANY ($1::text[])
            ORDER BY a.last_seen DESC, a.id DESC LIMIT $2
            """, [PostgresArray.textLiteral(wanted), String(max(1, limit))]
        ).rows.map { row in
            StoredAlert(
                id: try row.decode("id"), fingerprint: try row.decode("fingerprint"), kind: try row.decode("kind"),
                tenantID: try row.decodeIfPresent("tenant_id"), domain: try row.decodeIfPresent("domain"),
                severity: try row.decode("severity"), status: AlertStatus(rawValue: try row.decode("status")) ?? .open,
                summary: try row.decode("summary"), details: try row.decode("details"),
                firstSeen: try row.decode("first_seen"), lastSeen: try row.decode("last_seen"),
                notifications: try row.decode("notifications"))
        }
    }

    /// Someone took the alert: no reminders while its condition holds. False: no such open alert.
    public func acknowledge(_ id: Int64, now: Int64) throws -> Bool {
        try connection.query(
            "UPDATE alerts SET status = 'acknowledged', acknowledged_at = to_timestamp($2) WHERE id = $1 AND status = 'open'",
            [String(id), String(now)]
        ).affectedRows == 1
    }

    /// Closes the alert by hand; if its condition still holds, the next check opens a new one.
    /// False: no such unresolved alert.
    public func resolve(_ id: Int64, now: Int64) throws -> Bool {
        try connection.query(
            """
            UPDATE alerts SET status = 'resolved', resolved_at = to_timestamp($2), resolved_by = 'user'
            WHERE id = $1 AND status <> 'resolved'
            """, [String(id), String(now)]
        ).affectedRows == 1
    }
}
