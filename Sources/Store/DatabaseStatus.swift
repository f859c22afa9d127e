import LocalCluster
import Postgres

/// What `dmarc db status` shows.
public struct DatabaseStatus: Sendable {
    public var target: String
    public var managedDirectory: String?
    public var managedState: ManagedPostgres.State?
    /// Nil when the server could not be reached; `connectionError` says why.
    public var server: String?
    public var connectionError: String?
    public var appliedMigrations: [Int] = []
    public var latestMigration: Int?
    public var reports: Int64?
    public var rows: Int64?
    public var originals: Int64?

    /// Looks without changing anything: a stopped managed cluster is not started.
    public static func inspect(_ target: DatabaseTarget) -> DatabaseStatus {
        var status = DatabaseStatus(target: target.summary)
        status.latestMigration = (try? Migrator.located())?.latestVersion
        let connection: PostgresConnection
        do {
            switch target {
            case .managed(let cluster):
                status.managedDirectory = cluster.directory
                let state = cluster.state()
                status.managedState = state
                guard case .running = state else { return status }
                connection = try PostgresConnection(conninfo: cluster.conninfo)
            default:
                connection = try target.connect()
            }
        } catch {
            status.connectionError = "\(error)"
            return status
        }
        let endpoint = connection.endpoint
        status.server =
            "PostgreSQL \(connection.serverVersion / 10000).\(connection.serverVersion % 10000) "
            + "at \(endpoint.host):\(endpoint.port), database \(endpoint.database), user \(endpoint.user)"
        if let migrator = try? Migrator.located() {
            status.appliedMigrations = (try? migrator.appliedVersions(on: connection)) ?? []
        }
        if status.appliedMigrations.contains(1),
            let counts = try? connection.query(
                "SELECT (SELECT count(*) FROM reports) AS reports, "
                    + "(SELECT coalesce(sum(record_count), 0) FROM reports) AS rows, "
                    + "(SELECT count(*) FROM originals) AS originals"
            ).first
        {
            status.reports = try? counts.decode("reports", as: Int64.self)
            status.rows = try? counts.decode("rows", as: Int64.self)
            status.originals = try? counts.decode("originals", as: Int64.self)
        }
        return status
    }

    public var lines: [String] {
        var out = ["database: \(target)"]
        if let managedState {
            switch managedState {
            case .notCreated: out.append("managed cluster: not created yet (the first ingest creates it)")
            case .stopped: out.append("managed cluster: stopped (the next ingest starts it)")
            case .running(let pid): out.append("managed cluster: running, pid \(pid)")
            }
        }
        if let server { out.append("server: \(server)") }
        if let connectionError { out.append("not reachable: \(connectionError)") }
        if server != nil {
            let applied = appliedMigrations.max() ?? 0
            let latest = latestMigration.map(String.init) ?? "?"
            out.append(
                "schema: migration \(applied) of \(latest)\(applied < (latestMigration ?? 0) ? " (run dmarc db migrate)" : "")"
            )
        }
        if let reports, let rows, let originals {
            out.append(
                "stored: \(IngestSummary.grouped(reports)) reports, \(IngestSummary.grouped(rows)) rows, "
                    + "\(IngestSummary.grouped(originals)) original files")
        }
        return out
    }
}
