import Foundation
import Postgres

/// One numbered file of `sql/`: `001_schema.sql` is version 1.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
}

/// Applies the migrations of `sql/` in order, each in its own transaction, recorded in
/// `schema_migrations`. A session advisory lock makes concurrent runs (two cron jobs, an ingest and
/// a `db migrate`) wait for each other instead of applying a file twice.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    /// Key of the advisory lock held while migrating ("dmarc" in ASCII, arbitrary but fixed).
    static let lockKey: Int64 = 0x64_6d_61_72_63

    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Reads `NNN_name.sql` files from `directory`; other files are ignored.
    public init(directory: String) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw StoreError(
                .migrationsNotFound, "cannot list migrations in \(directory): \(error.localizedDescription)")
        }
        var found: [Int: Migration] = [:]
        for name in names where name.hasSuffix(".sql") {
            let digits = name.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let version = Int(digits), name.dropFirst(digits.count).first == "_" else {
                throw StoreError(.badMigration, "\(directory)/\(name): migration names are NNN_name.sql")
            }
            if let other = found[version] {
                throw StoreError(.badMigration, "\(name) and \(other.name) have the same number \(version)")
            }
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw StoreError(.io, "cannot read \(path)")
            }
            found[version] = Migration(version: version, name: name, sql: String(decoding: data, as: UTF8.self))
        }
        guard !found.isEmpty else { throw StoreError(.migrationsNotFound, "no NNN_name.sql files in \(directory)") }
        self.init(migrations: Array(found.values))
    }

    /// Loads from the directory `MigrationDirectory.locate()` finds.
    public static func located() throws -> Migrator {
        try Migrator(directory: try MigrationDirectory.locate())
    }

    @_spi(Testing) public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Versions recorded in the database; empty for a fresh one.
    @_spi(Testing) public func appliedVersions(on connection: PostgresConnection) throws -> [Int] {
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
        guard try exists.first?.decode("present", as: Bool.self) == true else { return [] }
        return try connection.query("SELECT version FROM schema_migrations ORDER BY version").rows.map {
            try $0.decode("version", as: Int.self)
        }
    }

    /// The migrations not yet applied, in order.
    public func pending(on connection: PostgresConnection) throws -> [Migration] {
        let applied = Set(try appliedVersions(on: connection))
        if let unknown = applied.subtracting(migrations.map(\.version)).max(), unknown > latestVersion {
            throw StoreError(
                .databaseTooNew,
                "the database has migration \(unknown) but this dmarc knows only up to \(latestVersion); update dmarc")
        }
        return migrations.filter { !applied.contains($0.version) }
    }

    /// Applies what is pending and returns what it applied.
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws -> [Migration] {
        // Cheap check first, so ingest runs on an up-to-date database take no lock at all.
        if try pending(on: connection).isEmpty { return [] }
        try connection.query("SELECT pg_advisory_lock($1)", [String(Self.lockKey)])
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [String(Self.lockKey)]) }
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        // Read again under the lock: another process may have migrated while we waited.
        var applied: [Migration] = []
        for migration in try pending(on: connection) {
            do {
                try connection.transaction {
                    try connection.execute(migration.sql)
                    try connection.query(
                        "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                        [String(migration.version), migration.name])
                }
            } catch let error as PostgresError where !error.isConnectionProblem {
                throw StoreError(.migrationFailed, "migration \(migration.name) failed: \(error)")
            }
            applied.append(migration)
        }
        return applied
    }
}
