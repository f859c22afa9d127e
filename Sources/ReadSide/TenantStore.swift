import Diagnosis
import Foundation
import Postgres
import Synchronization

/// The tenants' configuration in the database: applied from a YAML file, versioned, read back for
/// every query so that a change shows at once. The lookups are here; `apply`, the one write, is in
/// Store (`TenantStore+Apply.swift`).
public struct TenantStore {
    package let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// The text read last and what it parsed to. It is read again for every query, so that a change
    /// shows at once, but parsed only when it changed: parsing was 4 ms of a 70 ms `failures`, and
    /// `report monthly --all` reads it once per tenant.
    private static let lastParsed = Mutex<(yaml: String, configuration: TenantConfiguration)?>(nil)

    /// The configuration in force, or nil before the first `tenants apply`.
    public func current() throws -> TenantConfiguration? {
        guard let row = try connection.query("SELECT yaml FROM tenant_configurations ORDER BY version DESC LIMIT 1").first
        else { return nil }
        let yaml = try row.decode("yaml", as: String.self)
        if let parsed = Self.lastParsed.withLock({ $0 }), parsed.yaml == yaml { return parsed.configuration }
        do {
            let configuration = try TenantConfiguration(yaml: yaml)
            Self.lastParsed.withLock { $0 = (yaml, configuration) }
            return configuration
        } catch {
            // Stored files were valid when applied; a newer, stricter loader may disagree.
            throw QueryError(.noConfiguration, "the stored tenants configuration no longer loads: \(error)")
        }
    }

    /// When each version was applied, newest first.
    public func history(limit: Int = 20) throws -> [(version: Int64, appliedAt: String, path: String, changes: Int)] {
        try connection.query(
            """
            SELECT version, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS applied_at,
                   source_path, coalesce(cardinality(changes), 0) AS changes
            FROM tenant_configurations ORDER BY version DESC LIMIT $1
            """, [String(limit)]
        ).rows.map {
            (
                try $0.decode("version"), try $0.decode("applied_at"), try $0.decodeIfPresent("source_path") ?? "",
                try $0.decode("changes")
            )
        }
    }
}

extension TenantStore {
    /// The configuration in force, for a query that cannot answer without one: every read-side
    /// question (support, the monthly report) looks its tenants up here, so they say alike what to do.
    public func required() throws -> TenantConfiguration {
        guard let configuration = try current() else {
            throw QueryError(.noConfiguration, "no tenants configured yet: run `dmarc tenants apply tenants.yaml` first")
        }
        return configuration
    }

    /// The configured tenant `id`; an error naming the configured ones when there is none.
    public static func tenant(_ id: String, in configuration: TenantConfiguration) throws -> Tenant {
        guard let tenant = configuration.tenants.first(where: { $0.id == id }) else {
            let known = configuration.tenants.map(\.id).joined(separator: ", ")
            throw QueryError(.unknownTenant, "no tenant \"\(id)\" (configured: \(known)); `dmarc tenants list` shows them")
        }
        return tenant
    }
}
