import Foundation
@testable import LocalCluster
import Postgres
import Testing

@_spi(Testing) @testable import Store

@Suite("managed local PostgreSQL", .dropsTestDatabases)
struct ManagedPostgresTests {
    @Test("two processes starting a new cluster at once: one initdb, one server, both connect; stop and restart")
    func concurrentStart() throws {
        let root = try makeTemporaryDirectory(prefix: "dmarc-managed-")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cluster = ManagedPostgres(directory: root + "/postgres", settings: ["fsync": "off"])
        #expect(cluster.state() == .notCreated)
        let errors = Locked<[String]>([])
        let started = Locked<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            do {
                if try cluster.start() { started.withLock { $0 += 1 } }
                _ = try PostgresConnection(conninfo: cluster.conninfo).query("SELECT 1")
            } catch {
                errors.withLock { $0.append("\(error)") }
            }
        }
        defer { _ = try? cluster.stop(immediate: true) }
        #expect(errors.withLock { $0 }.isEmpty)
        #expect(started.withLock { $0 } == 1)
        guard case .running = cluster.state() else {
            Issue.record("not running after start")
            return
        }
        #expect(try cluster.start() == false)  // idempotent
        let settings = try PostgresConnection(conninfo: cluster.conninfo)
            .query("SELECT current_setting('listen_addresses'), current_database()").first
        #expect(settings?.string(0) == "")
        #expect(settings?.string(1) == "dmarc")
        #expect(try cluster.stop() == true)
        #expect(cluster.state() == .stopped)
        #expect(try cluster.stop() == false)
        #expect(try cluster.start() == true)
    }

    @Test("database selection: --database, DATABASE_URL, libpq variables, else the managed cluster")
    func targetResolution() {
        let env = ["HOME": "/nonexistent-home", "XDG_DATA_HOME": "/data"]
        if case .conninfo(let info, let origin) = DatabaseTarget.resolve(explicit: "postgresql://a/b", environment: env)
        {
            #expect(info == "postgresql://a/b" && origin == "--database")
        } else {
            Issue.record("explicit URL not used")
        }
        if case .conninfo(_, let origin) = DatabaseTarget.resolve(
            explicit: nil, environment: env.merging(["DATABASE_URL": "x"]) { $1 })
        {
            #expect(origin == "DATABASE_URL")
        } else {
            Issue.record("DATABASE_URL not used")
        }
        if case .libpqEnvironment(let variables) = DatabaseTarget.resolve(
            explicit: nil, environment: env.merging(["PGHOST": "db"]) { $1 })
        {
            #expect(variables == ["PGHOST"])
        } else {
            Issue.record("PGHOST not used")
        }
        if case .managed(let cluster) = DatabaseTarget.resolve(explicit: nil, environment: env) {
            #expect(cluster.directory == (ManagedPostgres.isRoot ? "/var/lib/dmarc/postgres" : "/data/dmarc/postgres"))
        } else {
            Issue.record("managed cluster not chosen")
        }
        #expect(DatabaseTarget.redacted("postgresql://me:secret@host/db") == "postgresql://me:***@host/db")
        #expect(DatabaseTarget.redacted("host=x password=secret dbname=y") == "host=x password=*** dbname=y")
    }

    @Test("the summary line groups thousands and names what was not stored")
    func summaryLine() {
        var summary = IngestSummary()
        summary.files = 1_240
        summary.reports = 1_234
        summary.rows = 56_789
        summary.duplicateFiles = 2
        summary.duplicateReports = 1
        summary.rejections = (0..<3).map { .init(path: "f\($0)", reason: "bad") }
        summary.quarantine = "/q"
        #expect(
            summary.line
                == "ingested 1,234 reports (56,789 rows) from 1,240 files · 3 duplicates · 3 rejected (see /q and the input_files table)"
        )
        #expect(summary.outcome == .someRefused)
        summary.databaseFailure = "gone"
        #expect(summary.outcome == .databaseUnavailable)
        #expect(summary.json(exitCode: 75).contains("\"rows\":56789"))
    }
}
