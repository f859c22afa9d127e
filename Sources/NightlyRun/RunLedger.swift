import Foundation
import Postgres

/// The `runs` table: a row when a run starts, completed when it ends; what `dmarc runs` lists.
/// A run that died keeps `finished_at` NULL, which is how `dmarc runs` tells it apart.
public struct RunLedger {
    private let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Starts a run; returns its id.
    public func start(command: String) throws -> Int64 {
        let result = try connection.query("INSERT INTO runs (command) VALUES ($1) RETURNING id", [command])
        guard let id = result.first?.int64(0) else { throw PostgresError(.unexpectedResult, "INSERT … RETURNING gave no id") }
        return id
    }

    public func finish(_ summary: RunSummary) throws {
        try connection.query(
            "UPDATE runs SET finished_at = now(), exit_status = $2, steps = $3::jsonb WHERE id = $1",
            [String(summary.id), String(summary.exitStatus), summary.stepsJSON])
    }

    /// The latest end of a run that exited 0, as seconds since the epoch; nil before the first.
    public func lastSuccess() throws -> Double? {
        let result = try connection.query(
            "SELECT extract(epoch FROM max(finished_at))::float8 FROM runs WHERE exit_status = 0 AND command = 'nightly'")
        return result.first?.string(0).flatMap(Double.init)
    }

    /// One run as `dmarc runs` shows it.
    public struct Entry: Sendable {
        public var id: Int64
        public var command: String
        public var started: String
        public var seconds: Double?
        public var exitStatus: Int32?
        /// The steps as stored (a JSON array).
        public var steps: String
        /// `fetch rua: 0 · ingest: 65 · …`
        public var stepLine: String
    }

    /// The latest `limit` runs, newest first.
    public func recent(limit: Int) throws -> [Entry] {
        let result = try connection.query(
            """
            SELECT id, command, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS started,
                   extract(epoch FROM finished_at - started_at)::float8 AS seconds, exit_status, steps::text AS steps,
                   coalesce((SELECT string_agg((s->>'step') || ': ' || (s->>'status'), ' · ' ORDER BY n)
                             FROM jsonb_array_elements(steps) WITH ORDINALITY AS e(s, n)), '') AS step_line
            FROM runs ORDER BY id DESC LIMIT $1
            """, [String(limit)])
        return try result.rows.map { row in
            Entry(
                id: try row.decode("id"), command: try row.decode("command"), started: try row.decode("started"),
                seconds: try row.decodeIfPresent("seconds", as: String.self).flatMap(Double.init),
                exitStatus: try row.decodeIfPresent("exit_status", as: Int.self).map { Int32(clamping: $0) },
                steps: try row.decode("steps"), stepLine: try row.decode("step_line"))
        }
    }
}
