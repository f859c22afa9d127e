import Foundation
import LocalCluster
import Postgres
import Testing

@_spi(Testing) @testable import Store

@Suite("test support: what a trapped test process left behind is removed by the next", .dropsTestDatabases)
struct LeftoverCleanupTests {
    @Test("a dead owner's directories are removed and the server running in one of them is stopped; a live owner's are kept")
    func deadOwnersLeftoversRemoved() throws {
        // A pid that was alive and has ended: /bin/true, waited for.
        let dead = try DMARCBinary.spawn([], outputDirectory: try makeTemporaryDirectory(prefix: "dmarc-out-"), executable: "/bin/true")
        _ = DMARCBinary.wait(dead)
        #expect(!LeftoverTestFiles.isAlive(dead))

        let left = try makeTemporaryDirectory(prefix: "dmarc-left-")
        let cluster = ManagedPostgres(directory: left + "/pg", settings: ["fsync": "off"])
        try cluster.start()
        defer { _ = try? cluster.stop(immediate: true) }
        guard case .running(let postmaster) = cluster.state() else {
            Issue.record("the cluster did not start")
            return
        }
        // Two levels down, as a managed cluster lies in its XDG_DATA_HOME (stopped: only found).
        let managed = left + "/dmarc/postgres"
        try FileManager.default.createDirectory(atPath: managed + "/data", withIntermediateDirectories: true)
        try "15\n".write(toFile: managed + "/data/PG_VERSION", atomically: false, encoding: .utf8)
        #expect(LeftoverTestFiles.clusters(in: left).sorted() == [left + "/dmarc/postgres", left + "/pg"])
        let kept = try makeTemporaryDirectory(prefix: "dmarc-kept-")
        let deadList = NSTemporaryDirectory() + "/" + LeftoverTestFiles.listPrefix + String(dead)
        try (left + "\n").write(toFile: deadList, atomically: false, encoding: .utf8)
        // Our own list names `kept` (makeTemporaryDirectory wrote it): we are alive, so it stays.

        LeftoverTestFiles.remove()

        #expect(!FileManager.default.fileExists(atPath: left))
        #expect(!FileManager.default.fileExists(atPath: deadList))
        #expect(!LeftoverTestFiles.isAlive(pid_t(postmaster)), "postmaster \(postmaster) still runs")
        #expect(FileManager.default.fileExists(atPath: kept))
        let ownList = try String(
            contentsOfFile: NSTemporaryDirectory() + "/" + LeftoverTestFiles.listPrefix + String(getpid()),
            encoding: .utf8)
        #expect(ownList.split(separator: "\n").contains { $0 == kept })
    }
}

@Suite("test support: each test's databases are dropped when it ends")
struct DroppedDatabaseTests {
    static func existing(_ names: [String]) throws -> Int64? {
        try PostgresConnection(conninfo: TestCluster.get().baseConninfo).query(
            "SELECT count(*) FROM pg_database WHERE datname = ANY ($1::text[])", ["{" + names.joined(separator: ",") + "}"]
        ).first?.int64(0)
    }

    @Test("the databases made inside a test's scope exist in it and are gone after it")
    func droppedAfterTheScope() async throws {
        let test = try #require(Test.current), testCase = try #require(Test.Case.current)
        let made = Locked<[String]>([])
        // A connection still open when the test ends: the drop must not wait for it.
        let open = Locked<PostgresConnection?>(nil)
        try await DropsTestDatabases().provideScope(for: test, testCase: testCase) {
            let fresh = try TestCluster.get().freshDatabase()
            let names = [fresh.name, try TestCluster.get().emptyDatabase().name]
            made.withLock { $0 += names }
            let connection = try fresh.connect()
            open.withLock { $0 = connection }
            #expect(try Self.existing(names) == 2)
        }
        let names = made.withLock { $0 }
        #expect(names.count == 2)
        #expect(try Self.existing(names) == 0)
        #expect(throws: PostgresError.self) { try open.withLock { try $0?.query("SELECT 1") } }
    }
}
