import Foundation
import LocalCluster
import Postgres
import Store

/// The PostgreSQL server all integration tests of this process share: a throwaway cluster
/// (initdb into a temporary directory, `fsync = off`, unix socket only, run as `postgres` when we
/// are root), or the server named by `DMARC_TEST_DATABASE_URL`. Each test gets a fresh database
/// cloned from a migrated template.
struct TestCluster: Sendable {
    /// Connection string of the server (any database); tests add `dbname`.
    let baseConninfo: String
    let template: String
    /// The managed cluster when we started one (nil with DMARC_TEST_DATABASE_URL).
    let cluster: ManagedPostgres?

    static let shared: Result<TestCluster, any Error> = Result { try TestCluster.start() }

    static func get() throws -> TestCluster { try shared.get() }

    private static func start() throws -> TestCluster {
        let template = "dmarc_template_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        if let url = ProcessInfo.processInfo.environment["DMARC_TEST_DATABASE_URL"], !url.isEmpty {
            let info = TestCluster(baseConninfo: url, template: template, cluster: nil)
            try info.createTemplate()
            return info
        }
        let directory = try makeTemporaryDirectory(prefix: "dmarc-it-")
        let cluster = ManagedPostgres(
            directory: directory + "/pg",
            settings: [
                "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "100",
            ],
            database: "postgres")
        try cluster.start()
        ClusterCleanup.register(cluster)
        let info = TestCluster(
            baseConninfo: cluster.conninfo(database: "postgres"), template: template, cluster: cluster)
        try info.createTemplate()
        return info
    }

    private func createTemplate() throws {
        let admin = try PostgresConnection(conninfo: baseConninfo)
        try admin.execute("CREATE DATABASE \(PostgresConnection.quoteIdentifier(template))")
        let connection = try PostgresConnection(conninfo: baseConninfo, overrides: [("dbname", template)])
        try Migrator.located().migrate(connection)
    }

    /// A new, migrated, empty database; returns a conninfo string that the binary accepts too.
    func freshDatabase() throws -> TestDatabase {
        let name = "t_\(UInt64.random(in: 0...UInt64.max))"
        let admin = try PostgresConnection(conninfo: baseConninfo)
        // CREATE DATABASE … TEMPLATE fails while another session copies the same template; retry.
        var attempt = 0
        while true {
            do {
                try admin.execute(
                    "CREATE DATABASE \(PostgresConnection.quoteIdentifier(name)) TEMPLATE \(PostgresConnection.quoteIdentifier(template))"
                )
                break
            } catch let error as PostgresError where error.sqlState == "55006" && attempt < 50 {
                attempt += 1
                usleep(100_000)
            }
        }
        return TestDatabase(cluster: self, name: name)
    }
}

struct TestDatabase: Sendable {
    let cluster: TestCluster
    let name: String

    func connect() throws -> PostgresConnection {
        try PostgresConnection(conninfo: cluster.baseConninfo, overrides: [("dbname", name)])
    }

    /// For `dmarc --database`: libpq conninfo with this database.
    var conninfo: String {
        if cluster.baseConninfo.contains("://") {
            // A URL: replace its path (the database name) and keep the query.
            var url = cluster.baseConninfo
            var query = ""
            if let mark = url.firstIndex(of: "?") {
                query = String(url[mark...])
                url = String(url[..<mark])
            }
            if let scheme = url.range(of: "://"), let slash = url[scheme.upperBound...].firstIndex(of: "/") {
                url = String(url[..<slash])
            }
            return url + "/" + name + query
        }
        return cluster.baseConninfo + " dbname='\(name)'"
    }

    /// Integer result of a query with one value.
    func count(_ sql: String) throws -> Int64 {
        try connect().query(sql).first?.int64(0) ?? -1
    }
}

func makeTemporaryDirectory(prefix: String) throws -> String {
    var template = Array((NSTemporaryDirectory() + "/" + prefix + "XXXXXX").utf8CString)
    guard let pointer = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw StoreError(.io, "mkdtemp failed")
    }
    let path = String(cString: pointer)
    chmod(path, 0o755)  // the postgres user must reach the cluster inside it
    ClusterCleanup.removeAtExit(path)
    return path
}

/// Stops the test cluster and removes temporary directories when the test process exits (Swift
/// Testing has no global teardown).
enum ClusterCleanup {
    private static let state = Locked<(cluster: ManagedPostgres?, directories: [String], installed: Bool)>(
        (nil, [], false))

    static func register(_ cluster: ManagedPostgres) {
        state.withLock { $0.cluster = cluster }
    }

    static func removeAtExit(_ directory: String) {
        let install = state.withLock { value -> Bool in
            value.directories.append(directory)
            defer { value.installed = true }
            return !value.installed
        }
        guard install else { return }
        atexit {
            let (cluster, directories, _) = ClusterCleanup.state.withLock { $0 }
            _ = try? cluster?.stop(immediate: true)
            for directory in directories { try? FileManager.default.removeItem(atPath: directory) }
        }
    }
}
