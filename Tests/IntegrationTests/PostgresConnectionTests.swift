import DMARC
import Diagnosis
import Foundation
@_spi(Testing) import Postgres
@testable import ReadSide
import Testing

@_spi(Testing) @testable import Store

@Suite("libpq wrapper", .dropsTestDatabases)
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

    @Test("a prepared statement is reused after a rolled-back transaction and after its own error")
    func preparedStatements() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        let sql = "SELECT 10 / $1::int"
        #expect(try connection.query(sql, ["2"], prepared: true).first?.int(0) == 5)
        #expect(throws: PostgresError.self) {
            try connection.transaction { _ = try connection.query(sql, ["0"], prepared: true) }
        }
        #expect(try connection.query(sql, ["5"], prepared: true).first?.int(0) == 2)
        #expect(try connection.query("SELECT count(*) FROM pg_prepared_statements").first?.int(0) == 1)
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

    @Test(
        "COPY text format escapes backslash, tab, newline and CR; NULL is \\N",
        arguments: [
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

@Suite("migrations", .dropsTestDatabases)
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
        let name = try cluster.emptyDatabase().name
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
        #expect(
            try connection.query("SELECT count(*) FROM schema_migrations").first?.int(0)
                == (try Migrator.located().migrations.count))
    }

    @Test("every sql/NNN_name.sql of the checkout is a migration, in number order, each number once")
    func files() throws {
        // Read apart from the Migrator: the checkout's sql/ folder, named as the README says.
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("sql").path
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sql") }.sorted()
        let numbers = names.compactMap { name in name.dropFirst(3).first == "_" ? Int(name.prefix(3)) : nil }
        #expect(numbers.count == names.count && !numbers.isEmpty, "a file not named NNN_name.sql: \(names)")
        #expect(Set(numbers).count == numbers.count, "a number used twice: \(names)")
        #expect(numbers.first == 1, "\(names)")
        let migrator = try Migrator.located()
        #expect(migrator.migrations.map(\.version) == numbers)
        #expect(migrator.latestVersion == numbers.last)
        // A migrated database has applied exactly those.
        let connection = try TestCluster.get().freshDatabase().connect()
        let applied = try connection.query("SELECT version FROM schema_migrations ORDER BY version").rows
            .compactMap { $0.int64(0) }.map { Int($0) }
        #expect(applied == numbers)
    }
}

@Suite("COPY text values", .dropsTestDatabases)
struct CopyTextValueTests {
    @Test("arrays with NULL elements, quotes, backslashes, tabs and newlines survive a real COPY")
    func arrays() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        try connection.execute("CREATE TEMP TABLE t (n integer, a text[])")
        let cases: [[String?]] = [
            [], ["a"], [nil], ["NULL", nil, ""], ["q\"uote", "back\\slash", "tab\there", "new\nline", "cr\rx"],
            ["{brace}", "a,b", " spaced "],
        ]
        var copy = try CopyWriter(connection, "COPY t (n, a) FROM STDIN")
        for (index, values) in cases.enumerated() {
            copy.encoder.field(index)
            copy.encoder.arrayField(values)
            try copy.endRow()
        }
        try copy.finish()
        let rows = try connection.query("SELECT a FROM t ORDER BY n")
        #expect(rows.rows.map { PostgresArray.parseTextWithNulls($0.string(0) ?? "") } == cases)
        #expect(try connection.query("SELECT a[1] IS NULL FROM t WHERE n = 2").first?.bool(0) == true)
    }
}

@Suite("migrations 020 to 022: results on the record, reports found by domain", .dropsTestDatabases)
struct RowLayoutMigrationTests {
    @Test("rows stored before 020 keep their results, order and NULLs; the old tables are views of them")
    func upgrade() throws {
        let cluster = try TestCluster.get()
        let name = try cluster.emptyDatabase().name
        let connection = try PostgresConnection(conninfo: cluster.baseConninfo, overrides: [("dbname", name)])
        let all = try Migrator.located()
        try Migrator(migrations: all.migrations.filter { $0.version < 20 }).migrate(connection)
        try connection.execute(
            """
            INSERT INTO originals (sha256, size, first_path, content) VALUES (decode(repeat('ab', 32), 'hex'), 1, 'f', 'x');
            INSERT INTO reports (id, org_name, report_id, policy_domain, begin_time, end_time, email, schema,
                source_sha256, source_name, content_sha256)
            VALUES (7, 'google.com', 'r1', 'example.com', to_timestamp(1795996800), to_timestamp(1796083199),
                'noreply@google.com', 'rfc7489', decode(repeat('ab', 32), 'hex'), 'f', decode(repeat('cd', 32), 'hex'));
            INSERT INTO records (report, record_no, source_ip, count, disposition, dkim, spf, header_from)
            VALUES (7, 1, '192.0.2.1', 3, 'none', 'fail', 'pass', 'example.com'),
                   (7, 2, '2001:db8::1', 1, 'reject', 'fail', 'fail', 'mail.example.com');
            INSERT INTO dkim_results VALUES (7, 1, 2, 'provider.net', NULL, 'pass', NULL),
                                            (7, 1, 1, 'example.com', 's1', 'fail', 'no key');
            INSERT INTO spf_results VALUES (7, 1, 1, 'example.com', 'mfrom', 'pass', NULL);
            INSERT INTO override_reasons VALUES (7, 2, 1, 'local_policy', NULL);
            """)
        let applied = try all.migrate(connection)
        #expect(applied.map(\.version).contains(20))
        let first = try connection.query(
            """
            SELECT dkim_domain, dkim_selector, dkim_result, dkim_human_result, spf_domain, spf_scope
            FROM records WHERE report = 7 AND record_no = 1
            """
        ).first
        #expect(first.map { PostgresArray.parseTextWithNulls($0.string(0) ?? "") } == ["example.com", "provider.net"])
        #expect(first.map { PostgresArray.parseTextWithNulls($0.string(1) ?? "") } == ["s1", nil])
        #expect(first.map { PostgresArray.parseTextWithNulls($0.string(2) ?? "") } == ["fail", "pass"])
        #expect(first.map { PostgresArray.parseTextWithNulls($0.string(3) ?? "") } == ["no key", nil])
        #expect(first.map { PostgresArray.parseTextWithNulls($0.string(4) ?? "") } == ["example.com"])
        #expect(
            try connection.query("SELECT reason_type FROM records WHERE record_no = 2").first?.string(0)
                == "{local_policy}")
        // The views give the old rows back.
        let view = try connection.query(
            "SELECT ordinal, domain, selector IS NULL FROM dkim_results WHERE report = 7 ORDER BY ordinal")
        #expect(view.rows.map { "\($0.int(0) ?? 0) \($0.string(1) ?? "") \($0.string(2) ?? "")" } == [
            "1 example.com f", "2 provider.net t",
        ])
        #expect(try connection.query("SELECT count(*) FROM override_reasons").first?.int(0) == 1)
        // Queries read the migrated rows like new ones.
        let rows = try connection.storedRows(
            domain: "example.com", period: DayRange(from: Day(epochSeconds: 1_795_996_800), to: Day(epochSeconds: 1_796_083_200)))
        #expect(rows.count == 2)
        let signed = rows.first { $0.record.sourceIP == "192.0.2.1" }
        #expect(signed?.record.authResults.dkim.map(\.selector) == ["s1", nil])
        #expect(signed?.record.authResults.dkim.map(\.result) == [.fail, .pass])
        #expect(rows.first { $0.record.sourceIP == "2001:db8::1" }?.record.policyEvaluated.reasons.map(\.type) == [.localPolicy])
        // 021 sums what the receiver reported as passing per report and header From; 022 keeps that
        // with the report's rows and messages per header From, and the old table as a view.
        #expect(applied.map(\.version).contains(21) && applied.map(\.version).contains(22))
        let passes = try connection.query("SELECT report, header_from, messages FROM reported_passes")
        #expect(passes.rows.map { "\($0.int(0) ?? 0) \($0.string(1) ?? "") \($0.int(2) ?? 0)" } == ["7 example.com 3"])
        let domains = try connection.query(
            """
            SELECT header_from, record_count, message_count, passed_messages, extract(epoch FROM end_time)::bigint
            FROM report_from_domains WHERE report = 7 ORDER BY header_from
            """)
        #expect(domains.rows.map { row in (0...4).map { row.string($0) ?? "NULL" }.joined(separator: " ") } == [
            "example.com 1 3 3 1796083199", "mail.example.com 1 1 0 1796083199",
        ])
        // The records' own index and period are gone: they are found through report_from_domains, and
        // the period is the report's (020 had copied it onto them; the domains' period above is from there).
        #expect(try connection.query("SELECT count(*) FROM pg_indexes WHERE tablename = 'records'").first?.int(0) == 1)
        #expect(
            try connection.query(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'records' AND column_name LIKE '%_time'"
            ).first?.int(0) == 0)
        // Deleting a report still deletes its rows, and its header From volumes.
        try connection.execute("DELETE FROM reports WHERE id = 7")
        #expect(try connection.query("SELECT count(*) FROM records").first?.int(0) == 0)
        #expect(try connection.query("SELECT count(*) FROM report_from_domains").first?.int(0) == 0)
    }
}

@Suite("rows visited in place", .dropsTestDatabases)
struct ForEachRowTests {
    struct Stop: Error {}

    @Test("every row arrives once, in order, with NULLs and integers read in place")
    func visitsAll() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        var seen: [Int64] = []
        var texts: [String?] = []
        try connection.forEachRow(
            "SELECT g, CASE WHEN g % 2 = 0 THEN NULL ELSE 'x' || g END FROM generate_series(1, $1::int) g", ["5000"],
            batchSize: 100  // a multiple of it: the last fetch is empty
        ) { row in
            seen.append(row.int64(0) ?? -1)
            texts.append(row.string(1))
        }
        #expect(seen == Array(1...5000))
        #expect(texts.prefix(3) == ["x1", nil, "x3"])
    }

    @Test("planner settings hold for the query only, or to the end of the caller's transaction; a bad one changes nothing")
    func settings() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        func workMem() throws -> String? { try connection.query("SHOW work_mem").first?.string(0) }
        let before = try workMem()
        var seen: [String?] = []
        try connection.forEachRow("SELECT current_setting('work_mem')", settings: ["work_mem": "32MB"]) {
            seen.append($0.string(0))
        }
        #expect(seen == ["32MB"])
        #expect(try workMem() == before)
        // Inside a transaction of the caller's: until it ends.
        try connection.transaction {
            try connection.forEachRow("SELECT 1", settings: ["work_mem": "48MB"]) { _ in }
            #expect(try workMem() == "48MB")
        }
        #expect(try workMem() == before)
        // A setting the server refuses: the error, no transaction left open, the connection usable.
        #expect(throws: PostgresError.self) {
            try connection.forEachRow("SELECT 1", settings: ["work_mem": "lots"]) { _ in }
        }
        #expect(try connection.query("SELECT 2").first?.int(0) == 2)
        #expect(try workMem() == before)
    }

    @Test("batches that grow from small to batchSize, each asked for before the last is visited, keep every row once and in order")
    func growingPrefetchedBatches() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        for (rows, batchSize) in [(5_000, 2_000), (249, 2_000), (250, 2_000), (251, 2_000), (7, 1)] {
            var seen: [Int64] = []
            try connection.forEachRow("SELECT g FROM generate_series(1, $1::int) g", [String(rows)], batchSize: batchSize) {
                seen.append($0.int64(0) ?? -1)
            }
            #expect(seen == (1...Int64(rows)).map { $0 }, "\(rows) rows in batches up to \(batchSize)")
        }
    }

    @Test("a server error in a batch asked for ahead is thrown once; the connection stays usable")
    func errorInPrefetchedBatch() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        var visits = 0
        #expect(throws: PostgresError.self) {
            // Row 3000 divides by zero: the batch holding it is fetched while an earlier one is visited.
            try connection.forEachRow("SELECT 1 / (g - 3000) FROM generate_series(1, 5000) g") { _ in visits += 1 }
        }
        #expect(visits > 0 && visits < 3000)
        #expect(try connection.query("SELECT 42").first?.int(0) == 42)
    }

    @Test("integers at the edges; text that is no integer is nil")
    func integers() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        var values: [Int64?] = []
        try connection.forEachRow(
            "SELECT v FROM unnest(ARRAY['-9223372036854775808', '9223372036854775807', '9223372036854775808', '-', '', '1x', NULL, '0', '-17']) v"
        ) { row in values.append(row.int64(0)) }
        #expect(values == [Int64.min, Int64.max, nil, nil, nil, nil, nil, 0, -17])
    }

    @Test("a visitor that throws stops the visits; the connection stays usable")
    func throwing() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        var visits = 0
        #expect(throws: Stop.self) {
            try connection.forEachRow("SELECT g FROM generate_series(1, 10000) g") { _ in
                visits += 1
                if visits == 10 { throw Stop() }
            }
        }
        #expect(visits == 10)
        #expect(try connection.query("SELECT 42").first?.int(0) == 42)
    }

    @Test("inside a transaction: the cursor is closed again and the transaction goes on")
    func insideTransaction() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        try connection.transaction {
            try connection.execute("CREATE TEMP TABLE t AS SELECT g FROM generate_series(1, 10) g")
            var sum: Int64 = 0
            try connection.forEachRow("SELECT g FROM t", batchSize: 3) { sum += $0.int64(0) ?? 0 }
            #expect(sum == 55)
            #expect(try connection.query("SELECT count(*) FROM pg_cursors WHERE name LIKE 'dmarc_rows%'").first?.int(0) == 0)
            try connection.execute("INSERT INTO t VALUES (11)")
        }
        #expect(try connection.query("SELECT 1").first?.int(0) == 1)
    }

    @Test("a server error is thrown as PostgresError; the connection stays usable")
    func serverError() throws {
        let connection = try TestCluster.get().freshDatabase().connect()
        #expect(throws: PostgresError.self) {
            try connection.forEachRow("SELECT 1 / (g - 3) FROM generate_series(1, 5) g") { _ in }
        }
        #expect(try connection.query("SELECT 42").first?.int(0) == 42)
    }
}
