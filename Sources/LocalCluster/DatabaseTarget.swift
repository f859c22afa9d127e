import Foundation
import Postgres

/// Which PostgreSQL the commands use: `--database URL`, else `DATABASE_URL`, else libpq's own
/// environment (`PGHOST`, `PGSERVICE`, `~/.pgpass`, …), else the managed local cluster.
public enum DatabaseTarget: Sendable {
    /// A connection string from the command line or `DATABASE_URL`; `origin` says which.
    case conninfo(String, origin: String)
    /// Empty conninfo: libpq resolves everything from its environment variables and files.
    case libpqEnvironment(variables: [String])
    case managed(ManagedPostgres)

    /// Variables libpq reads that mean "a server is configured".
    static let libpqVariables = [
        "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGPASSFILE", "PGSERVICE",
        "PGSERVICEFILE", "PGSSLMODE", "PGOPTIONS",
    ]

    public static func resolve(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> DatabaseTarget {
        if let explicit, !explicit.isEmpty { return .conninfo(explicit, origin: "--database") }
        if let url = environment["DATABASE_URL"], !url.isEmpty { return .conninfo(url, origin: "DATABASE_URL") }
        var present = libpqVariables.filter { environment[$0].map { !$0.isEmpty } ?? false }
        if let home = environment["HOME"] {
            // A password or service file is the other way people point libpq at a server.
            for file in [".pgpass", ".pg_service.conf"] where FileManager.default.fileExists(atPath: home + "/" + file)
            {
                present.append("~/" + file)
            }
        }
        if !present.isEmpty { return .libpqEnvironment(variables: present) }
        return .managed(ManagedPostgres.defaultLocation(environment: environment))
    }

    /// Connects; the managed cluster is created and started first if needed.
    public func connect() throws -> PostgresConnection {
        switch self {
        case .conninfo(let info, _):
            return try PostgresConnection(conninfo: info)
        case .libpqEnvironment:
            return try PostgresConnection(conninfo: "")
        case .managed(let cluster):
            try cluster.start()
            return try PostgresConnection(conninfo: cluster.conninfo)
        }
    }

    /// One line for people: where the data goes. Passwords in URLs are not shown.
    public var summary: String {
        switch self {
        case .conninfo(let info, let origin): "\(origin): \(Self.redacted(info))"
        case .libpqEnvironment(let variables): "libpq environment (\(variables.joined(separator: ", ")))"
        case .managed(let cluster): "managed local PostgreSQL in \(cluster.directory) (unix socket only)"
        }
    }

    static func redacted(_ info: String) -> String {
        // postgresql://user:secret@host → postgresql://user:***@host; key=value password=… likewise.
        var text = info
        if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") {
            let credentials = text[scheme.upperBound..<at]
            if let colon = credentials.firstIndex(of: ":") {
                text.replaceSubrange(text.index(after: colon)..<at, with: "***")
            }
        }
        if let range = text.range(of: "password=") {
            let end = text[range.upperBound...].firstIndex(of: " ") ?? text.endIndex
            text.replaceSubrange(range.upperBound..<end, with: "***")
        }
        return text
    }
}
