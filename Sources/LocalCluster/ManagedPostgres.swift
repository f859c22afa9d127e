import Foundation
import POSIXCalls
import Postgres

/// A private PostgreSQL cluster that dmarc creates and starts itself when no database is configured,
/// so the tool works out of the box. It listens on a unix socket only (`listen_addresses = ''`).
///
/// Location: `$XDG_DATA_HOME/dmarc/postgres`, else `~/.local/share/dmarc/postgres`. As root it is
/// `/var/lib/dmarc/postgres`, owned by and run as the `postgres` user (PostgreSQL refuses to run as
/// root, and root's home is mode 0700, where `postgres` could not reach its socket).
/// The data directory is `<directory>/data`; the socket (`.s.PGSQL.<port>`) and `server.log` are in
/// `<directory>` itself, which only its owner (and root) may enter, so local trust authentication
/// admits nobody else.
public struct ManagedPostgres: Sendable {
    public enum State: Sendable, Equatable {
        case notCreated
        case stopped
        case running(pid: Int)
    }

    public let directory: String
    public let port: Int
    /// Extra `postgresql.conf` settings (tests use `fsync = off`).
    public let settings: [String: String]
    /// The account the server runs as when we are root.
    public let serverUser: String?
    public let database: String

    public init(
        directory: String, port: Int = 5432, settings: [String: String] = [:], database: String = "dmarc",
        serverUser: String? = ManagedPostgres.isRoot ? "postgres" : nil
    ) {
        self.directory = directory
        self.port = port
        self.settings = settings
        self.serverUser = serverUser
        self.database = database
    }

    public static var isRoot: Bool { geteuid() == 0 }

    /// The default location for the current user (see the type's documentation).
    public static func defaultLocation(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> ManagedPostgres
    {
        if isRoot { return ManagedPostgres(directory: "/var/lib/dmarc/postgres") }
        let base: String
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        }
        return ManagedPostgres(directory: base + "/dmarc/postgres")
    }

    public var dataDirectory: String { directory + "/data" }
    public var logFile: String { directory + "/server.log" }
    public var socketDirectory: String { directory }

    /// libpq connection string for the cluster's database.
    public var conninfo: String { conninfo(database: database) }

    public func conninfo(database: String) -> String {
        "host='\(socketDirectory)' port=\(port) user=postgres dbname='\(database)'"
    }

    // MARK: State

    public func state() -> State {
        guard FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") else { return .notCreated }
        // postmaster.pid's first line is the pid; a stale file (after a crash) names a dead process.
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
            let first = text.split(separator: "\n").first, let pid = Int32(first), pid > 0
        else { return .stopped }
        if kill(pid, 0) == 0 || errno == EPERM { return .running(pid: Int(pid)) }
        return .stopped
    }

    // MARK: Start and stop

    /// Creates the cluster if needed, starts it if it is not running and makes sure the database
    /// exists. Idempotent; a file lock makes two processes starting it at once take turns.
    /// Returns true when this call started the server.
    @discardableResult
    public func start() throws -> Bool {
        let binaries = try PostgresBinaries.locate()
        try prepareDirectory()
        return try withLock {
            if state() == .notCreated { try initialise(binaries) }
            var started = false
            if case .running = state() {
                // already up (started by us earlier or by another process)
            } else {
                try run(
                    [binaries.pgCtl, "start", "-w", "-t", "60", "-D", dataDirectory, "-l", logFile],
                    failure: "pg_ctl start failed (see \(logFile))")
                started = true
            }
            try createDatabaseIfMissing()
            return started
        }
    }

    /// Stops the server (fast shutdown: open sessions are ended, their transactions rolled back).
    /// Returns false when it was not running.
    @discardableResult
    public func stop(immediate: Bool = false) throws -> Bool {
        guard case .running = state() else { return false }
        let binaries = try PostgresBinaries.locate()
        try run(
            [binaries.pgCtl, "stop", "-w", "-D", dataDirectory, "-m", immediate ? "immediate" : "fast"],
            failure: "pg_ctl stop failed")
        return true
    }

    // MARK: Internals

    private func prepareDirectory() throws {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
            if let serverUser {
                guard let account = getpwnam(serverUser) else {
                    throw ClusterError(.clusterFailed, "user \(serverUser) does not exist; PostgreSQL cannot run as root")
                }
                let uid = account.pointee.pw_uid
                let gid = account.pointee.pw_gid
                guard chown(directory, uid, gid) == 0 else {
                    throw ClusterError(
                        .clusterFailed, "cannot give \(directory) to \(serverUser): \(SystemCall.lastError)"
                    )
                }
                // Every parent up to the root must be enterable by the server user.
                var parent = URL(fileURLWithPath: directory).deletingLastPathComponent().path
                while parent != "/" && !parent.isEmpty {
                    if access(parent, F_OK) == 0, !canEnter(parent, uid: uid, gid: gid) {
                        throw ClusterError(
                            .clusterFailed,
                            "\(serverUser) cannot enter \(parent); choose a directory outside it (root's default is /var/lib/dmarc)"
                        )
                    }
                    parent = URL(fileURLWithPath: parent).deletingLastPathComponent().path
                }
            }
        } catch let error as ClusterError {
            throw error
        } catch {
            throw ClusterError(.clusterFailed, "cannot create \(directory): \(error.localizedDescription)")
        }
        // Socket path limit of unix domain sockets (sun_path is 108 bytes with the NUL).
        if (socketDirectory + "/.s.PGSQL.\(port)").utf8.count > 107 {
            throw ClusterError(
                .clusterFailed,
                "the path \(socketDirectory) is too long for a unix socket; set XDG_DATA_HOME to a shorter one")
        }
    }

    private func canEnter(_ path: String, uid: uid_t, gid: gid_t) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let mode = info.st_mode
        if info.st_uid == uid { return mode & 0o100 != 0 }
        if info.st_gid == gid { return mode & 0o010 != 0 }
        return mode & 0o001 != 0
    }

    private func initialise(_ binaries: PostgresBinaries) throws {
        // initdb into a scratch directory and rename: a crash halfway leaves no half cluster behind.
        let scratch = directory + "/data.initdb"
        try? FileManager.default.removeItem(atPath: scratch)
        try run(
            [
                binaries.initdb, "-D", scratch, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C",
                "--no-instructions",
            ],
            failure: "initdb failed", captureTo: directory + "/initdb.log")
        var conf = "\n# dmarc managed cluster: unix socket only\n"
        conf += "listen_addresses = ''\n"
        conf += "unix_socket_directories = '\(socketDirectory)'\n"
        conf += "unix_socket_permissions = 0700\n"
        conf += "port = \(port)\n"
        for (key, value) in settings.sorted(by: { $0.key < $1.key }) { conf += "\(key) = \(value)\n" }
        guard let handle = FileHandle(forWritingAtPath: scratch + "/postgresql.conf") else {
            throw ClusterError(.clusterFailed, "cannot open \(scratch)/postgresql.conf")
        }
        handle.seekToEndOfFile()
        handle.write(Data(conf.utf8))
        handle.closeFile()
        guard rename(scratch, dataDirectory) == 0 else {
            throw ClusterError(.clusterFailed, "cannot rename \(scratch): \(SystemCall.lastError)")
        }
    }

    private func createDatabaseIfMissing() throws {
        let admin = try PostgresConnection(conninfo: conninfo(database: "postgres"))
        let exists = try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database])
        if exists.rows.isEmpty {
            try admin.execute("CREATE DATABASE \(PostgresConnection.quoteIdentifier(database))")
        }
    }

    private func withLock<T>(_ body: () throws -> T) throws -> T {
        let path = directory + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ClusterError(.clusterFailed, "cannot open \(path): \(SystemCall.lastError)")
        }
        defer { close(fd) }  // closing releases the lock
        guard SystemCall.retrying({ flock(fd, LOCK_EX) }) == 0 else {
            throw ClusterError(.clusterFailed, "cannot lock \(path): \(SystemCall.lastError)")
        }
        return try body()
    }

    /// Runs a PostgreSQL tool, as the server user when we are root.
    private func run(_ arguments: [String], failure: String, captureTo capture: String? = nil) throws {
        var argv = arguments
        if let serverUser { argv = [PostgresBinaries.runuser(), "-u", serverUser, "--"] + argv }
        let outputPath = capture ?? "/dev/null"
        let status = try Subprocess.run(argv, output: outputPath)
        guard status == 0 else {
            var message = "\(failure) (exit \(status))"
            if let capture, let text = try? String(contentsOfFile: capture, encoding: .utf8) {
                message += ": " + text.split(separator: "\n").suffix(3).joined(separator: " ")
            }
            throw ClusterError(.clusterFailed, message)
        }
    }
}

/// Where `initdb` and `pg_ctl` are: the highest `/usr/lib/postgresql/<version>/bin` (Debian keeps
/// them off PATH), else PATH.
public struct PostgresBinaries: Sendable {
    public let initdb: String
    public let pgCtl: String

    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> PostgresBinaries
    {
        let manager = FileManager.default
        let versions = ((try? manager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap { name -> (Int, String)? in Int(name).map { ($0, name) } }
            .sorted { $0.0 > $1.0 }
        for (_, name) in versions {
            let bin = "/usr/lib/postgresql/\(name)/bin"
            if manager.isExecutableFile(atPath: bin + "/initdb"), manager.isExecutableFile(atPath: bin + "/pg_ctl") {
                return PostgresBinaries(initdb: bin + "/initdb", pgCtl: bin + "/pg_ctl")
            }
        }
        let path = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        for directory in path {
            if manager.isExecutableFile(atPath: directory + "/initdb"),
                manager.isExecutableFile(atPath: directory + "/pg_ctl")
            {
                return PostgresBinaries(initdb: directory + "/initdb", pgCtl: directory + "/pg_ctl")
            }
        }
        throw ClusterError(
            .postgresNotInstalled,
            "PostgreSQL server programs (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin or PATH; "
                + "install the server (Debian/Ubuntu: apt-get install postgresql) or point --database / DATABASE_URL at a server"
        )
    }

    static func runuser() -> String {
        for candidate in ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "runuser"
    }
}
