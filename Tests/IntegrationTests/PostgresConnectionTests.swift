import Foundation
import Testing
@testable import Store

@Suite("libpq wrapper")
struct PostgresConnectionTests {
    @Test("parameters are sent apart from the SQL: quotes and comment markers survive")
    func parameters() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        let hostile = "O'Brien\"; DROP TABLE reports; --'"
        let row = try connection.query("SELECT $1::text, $2::text IS NULL, length($1)", [hostile, nil]).first
        #expect(row?.string(0) == hostile)
        #expect(row?.bool(1) == true)
        #expect(row?.int(2) == hostile.count)
    }

    @Test("server errors carry SQLSTATE and a code to match")
    func sqlState() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        try connection.execute("CREATE TABLE t (id int PRIMARY KEY)")
        try connection.execute("INSERT INTO t VALUES (1)")
        let error = #expect(throws: PostgresError.self) { try connection.execute("INSERT INTO t VALUES (1)") }
        #expect(error?.code == .server)
        #expect(error?.sqlState == "23505")
        #expect(error?.isDataProblem == true)
        #expect(error?.isConnectionProblem == false)
        // The connection is still usable after an error.
        #expect(try connection.query("SELECT count(*) FROM t").first?.int(0) == 1)
    }

    @Test("a NUL byte in a parameter is refused, not silently cut")
    func nulByte() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        #expect(throws: PostgresError.self) { try connection.query("SELECT $1::text", ["a\u{0}b"]) }
    }

    @Test("a transaction rolls back when its body throws, even with a COPY open")
    func rollback() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        try connection.execute("CREATE TABLE t (a text)")
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try connection.transaction {
                var copy = try CopyWriter(connection, "COPY t (a) FROM STDIN")
                copy.encoder.field("x")
                try copy.endRow()
                try copy.flush()
                throw Boom()
            }
        }
        #expect(try connection.query("SELECT count(*) FROM t").first?.int(0) == 0)
        try connection.transaction { try connection.execute("INSERT INTO t VALUES ('y')") }
        #expect(try connection.query("SELECT count(*) FROM t").first?.int(0) == 1)
    }

    @Test("COPY text format escapes backslash, tab, newline and CR; NULL is \\N", arguments: [
        "plain", "tab\there", "line\nbreak", "cr\rhere", "back\\slash", "\\N", "quote ' and \" ;--", "ümlaut ✓", "",
    ])
    func copyEscaping(_ value: String) throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        try connection.execute("CREATE TABLE t (a text, b bigint, c text)")
        var copy = try CopyWriter(connection, "COPY t (a, b, c) FROM STDIN")
        copy.encoder.field(value)
        copy.encoder.field(Int64.min)
        copy.encoder.field(nil as String?)
        try copy.endRow()
        #expect(try copy.finish() == 1)
        let row = try connection.query("SELECT a, b, c IS NULL FROM t").first
        #expect(row?.string(0) == value)
        #expect(row?.int64(1) == Int64.min)
        #expect(row?.bool(2) == true)
    }

    @Test("a COPY the server refuses reports the error and leaves the connection usable")
    func copyError() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        try connection.execute("CREATE TABLE t (ip inet)")
        var copy = try CopyWriter(connection, "COPY t (ip) FROM STDIN")
        copy.encoder.field("not an address")
        try copy.endRow()
        let error = #expect(throws: PostgresError.self) { try copy.finish() }
        #expect(error?.sqlState == "22P02")
        #expect(try connection.query("SELECT 1").first?.int(0) == 1)
    }

    @Test("connecting to nowhere is a connection problem")
    func unreachable() throws {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(conninfo: "host=/nonexistent-dmarc-socket-dir port=1 connect_timeout=2")
        }
        #expect(error?.isConnectionProblem == true)
    }

    @Test("text arrays round-trip")
    func arrays() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        let values = ["a", "b,c", "q\"uote", "back\\slash", "{brace}", "", "NULL"]
        let row = try connection.query("SELECT $1::text[]", [PostgresArray.textLiteral(values)]).first
        #expect(PostgresArray.parseText(row?.string(0) ?? "") == values)
    }
}

@Suite("migrations")
struct MigrationTests {
    @Test("a migrated database is up to date; migrating again does nothing")
    func idempotent() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        let migrator = try Migrator.located()
        #expect(try migrator.pending(on: connection).isEmpty)
        #expect(try migrator.migrate(connection).isEmpty)
        #expect(try migrator.appliedVersions(on: connection) == migrator.migrations.map(\.version))
    }

    @Test("two processes migrating an empty database at once apply each file once")
    func concurrent() throws {
        let cluster = try TestCluster.get()
        let name = "m_\(UInt64.random(in: 0...UInt64.max))"
        try PostgresConnection(conninfo: cluster.baseConninfo).execute("CREATE DATABASE \(name)")
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let connection = try PostgresConnection(conninfo: cluster.baseConninfo, overrides: [("dbname", name)])
                try Migrator.located().migrate(connection)
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let connection = try PostgresConnection(conninfo: cluster.baseConninfo, overrides: [("dbname", name)])
        #expect(try connection.query("SELECT count(*) FROM schema_migrations").first?.int(0)
            == (try Migrator.located().migrations.count))
    }

    @Test("migration files are found and numbered")
    func files() throws {
        let migrator = try Migrator.located()
        #expect(migrator.migrations.first?.version == 1)
        #expect(migrator.latestVersion >= 1)
    }
}
