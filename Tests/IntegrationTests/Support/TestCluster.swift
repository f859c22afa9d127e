import Foundation
import LocalCluster
import Postgres
import Testing
@_spi(Testing) import Store

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
    private static let templateCopy = NSLock()

    static func get() throws -> TestCluster { try shared.get() }

    private static func start() throws -> TestCluster {
        LeftoverTestFiles.remove()
        let template = "dmarc_template_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        if let url = ProcessInfo.processInfo.environment["DMARC_TEST_DATABASE_URL"], !url.isEmpty {
            let info = TestCluster(baseConninfo: url, template: template, cluster: nil)
            ClusterCleanup.dropAtExit(template, on: url)
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
        // CREATE DATABASE … TEMPLATE fails while another session copies the same template: this
        // process's tests, the only ones that use it, take turns. (The retry is for anything else.)
        Self.templateCopy.lock()
        defer { Self.templateCopy.unlock() }
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
        registerMade(name)
        return TestDatabase(cluster: self, name: name)
    }

    /// A new database without the schema (for migration tests).
    func emptyDatabase() throws -> TestDatabase {
        let name = "e_\(UInt64.random(in: 0...UInt64.max))"
        try PostgresConnection(conninfo: baseConninfo).execute("CREATE DATABASE \(PostgresConnection.quoteIdentifier(name))")
        registerMade(name)
        return TestDatabase(cluster: self, name: name)
    }

    /// Dropped when the test ends (`DropsTestDatabases`), else at exit on a server of the user's.
    private func registerMade(_ name: String) {
        if let made = DropsTestDatabases.made {
            made.withLock { $0.append(name) }
        } else if cluster == nil {
            ClusterCleanup.dropAtExit(name, on: baseConninfo)
        }
    }
}

/// Drops the databases each test made when the test ends, passed or failed: a suite trait
/// (`@Suite(.dropsTestDatabases)`) that reaches every test and every case of a parameterised one.
struct DropsTestDatabases: SuiteTrait, TestTrait, TestScoping {
    @TaskLocal static var made: Locked<[String]>?

    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard testCase != nil else { return try await function() }
        let made = Locked<[String]>([])
        defer {
            let names = made.withLock { $0 }
            if !names.isEmpty, let cluster = try? TestCluster.get(),
                let admin = try? PostgresConnection(conninfo: cluster.baseConninfo)
            {
                for name in names {
                    _ = try? admin.execute("DROP DATABASE IF EXISTS \(PostgresConnection.quoteIdentifier(name)) WITH (FORCE)")
                }
            }
        }
        try await Self.$made.withValue(made) { try await function() }
    }
}

extension Trait where Self == DropsTestDatabases {
    static var dropsTestDatabases: Self { Self() }
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
    LeftoverTestFiles.register(path)
    return path
}

/// What a test process that could not clean up (it trapped, or was killed) left behind: its
/// temporary directories and the PostgreSQL servers running in them. Each process lists its
/// directories as it makes them in `dmarc-test-owner-PID` in the temporary directory; the next
/// test process that starts a cluster stops the servers and removes the directories of every
/// listed owner that is no longer alive.
enum LeftoverTestFiles {
    static let listPrefix = "dmarc-test-owner-"

    static func register(_ directory: String) {
        let list = NSTemporaryDirectory() + "/" + listPrefix + String(getpid())
        let fd = open(list, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let line = Array((directory + "\n").utf8)
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Whether `pid` names a process that runs (any user's): not gone, not a zombie waiting to be reaped.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.range(of: ") ", options: .backwards)
        else { return false }
        return stat[end.upperBound...].first != "Z"
    }

    /// The clusters in `directory`: folders up to two levels down holding `data/PG_VERSION`
    /// (`dmarc-it-…/pg`, a managed cluster's `…/dmarc/postgres`).
    static func clusters(in directory: String) -> [String] {
        let manager = FileManager.default
        var found: [String] = []
        for child in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] {
            let level1 = directory + "/" + child
            if manager.fileExists(atPath: level1 + "/data/PG_VERSION") {
                found.append(level1)
                continue
            }
            for grandchild in (try? manager.contentsOfDirectory(atPath: level1)) ?? []
            where manager.fileExists(atPath: level1 + "/" + grandchild + "/data/PG_VERSION") {
                found.append(level1 + "/" + grandchild)
            }
        }
        return found
    }

    static func remove() {
        let manager = FileManager.default
        let temporary = NSTemporaryDirectory()
        for entry in (try? manager.contentsOfDirectory(atPath: temporary)) ?? [] where entry.hasPrefix(listPrefix) {
            guard let owner = pid_t(entry.dropFirst(listPrefix.count)), owner != getpid(), !isAlive(owner) else {
                continue
            }
            let list = temporary + "/" + entry
            let directories = ((try? String(contentsOfFile: list, encoding: .utf8)) ?? "").split(separator: "\n")
            for directory in directories.map(String.init) {
                for cluster in clusters(in: directory) { _ = try? ManagedPostgres(directory: cluster).stop(immediate: true) }
                try? manager.removeItem(atPath: directory)
            }
            unlink(list)
        }
    }
}

/// Stops the test cluster and removes temporary directories when the test process exits (Swift
/// Testing has no global teardown).
enum ClusterCleanup {
    private struct State {
        var cluster: ManagedPostgres?
        var directories: [String] = []
        /// Databases made on a server that outlives the tests (`DMARC_TEST_DATABASE_URL`).
        var databases: [(name: String, conninfo: String)] = []
        var installed = false
    }

    private static let state = Locked(State())

    static func register(_ cluster: ManagedPostgres) {
        state.withLock { $0.cluster = cluster }
    }

    static func removeAtExit(_ directory: String) {
        install { $0.directories.append(directory) }
    }

    static func dropAtExit(_ database: String, on conninfo: String) {
        install { $0.databases.append((database, conninfo)) }
    }

    private static func install(_ change: (inout State) -> Void) {
        let first = state.withLock { value -> Bool in
            change(&value)
            defer { value.installed = true }
            return !value.installed
        }
        guard first else { return }
        atexit {
            let state = ClusterCleanup.state.withLock { $0 }
            // Newest first: the template, made first, has no copies left when it is dropped.
            for (name, conninfo) in state.databases.reversed() {
                _ = try? PostgresConnection(conninfo: conninfo).execute(
                    "DROP DATABASE IF EXISTS \(PostgresConnection.quoteIdentifier(name)) WITH (FORCE)")
            }
            _ = try? state.cluster?.stop(immediate: true)
            for directory in state.directories { try? FileManager.default.removeItem(atPath: directory) }
            unlink(NSTemporaryDirectory() + "/" + LeftoverTestFiles.listPrefix + String(getpid()))
        }
    }
}
