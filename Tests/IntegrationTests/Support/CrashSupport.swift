import Foundation
import LocalCluster
import Postgres
import Testing

@_spi(Testing) @testable import Store

/// What the crash tests compare between a run that crashed and was rerun and one clean run: every
/// count a user would look at, the ledger file by file, and the stored rows themselves.
struct StoredState: Equatable {
    var reports: Int64
    var records: Int64
    var originals: Int64
    /// `policy_domain=sum(message_count)`, by domain.
    var messagesByDomain: [String]
    /// One line per ledger row: `name status reports rows duplicate_reports conflicts`, sorted.
    var ledger: [String]
    /// Reports whose stored `record_count` is not the number of their rows: a half-stored report.
    var partialReports: Int64
    var fingerprint: String

    init(_ connection: PostgresConnection) throws {
        func count(_ sql: String) throws -> Int64 { try connection.query(sql).first?.int64(0) ?? -1 }
        reports = try count("SELECT count(*) FROM reports")
        records = try count("SELECT count(*) FROM records")
        originals = try count("SELECT count(*) FROM originals")
        messagesByDomain = try connection.query(
            "SELECT policy_domain || '=' || sum(message_count) FROM reports GROUP BY policy_domain ORDER BY 1"
        ).rows.map { $0.string(0) ?? "" }
        ledger = try connection.query(
            """
            SELECT concat_ws(' ', regexp_replace(path, '^.*/', ''), status, reports, rows, duplicate_reports, conflicts)
            FROM input_files ORDER BY 1
            """
        ).rows.map { $0.string(0) ?? "" }
        partialReports = try count(
            "SELECT count(*) FROM reports p WHERE record_count <> (SELECT count(*) FROM records WHERE report = p.id)")
        fingerprint = try EndToEndTests.fingerprint(connection)
    }

    /// The ledger lines of a rerun that found `names` stored but still in the inbox: one
    /// `duplicate` row more for each.
    static func ledger(_ ledger: [String], plusDuplicates names: [String]) -> [String] {
        (ledger + names.map { "\($0) duplicate 0 0 0 0" }).sorted()
    }
}

/// An inbox for the crash tests: 153 small files (the batched path, 64 to a batch with `--jobs 1`)
/// over three policy domains, one a byte copy of another (a duplicate file), one a report resent in
/// other bytes (a duplicate report) and one broken (rejected, last in name order).
struct CrashInbox {
    let root: String
    var inbox: String { root + "/inbox" }
    var archive: String { root + "/archive" }
    var quarantine: String { root + "/quarantine" }

    static let domains = ["alpha.example", "beta.example", "gamma.example"]
    static let fileCount = 153

    init(prefix: String) throws {
        root = try makeTemporaryDirectory(prefix: "dmarc-\(prefix)-")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        for index in 0..<150 {
            let report = Synthetic.report(
                org: "Receiver \(index % 4)", id: "\(prefix)-\(index)",
                domain: Self.domains[index % Self.domains.count], begin: 1_700_000_000 + Int64(index) * 3_600,
                records: 3 + index % 9, recordOffset: index)
            try Synthetic.writeXML(report, to: inbox + String(format: "/f%03d.xml", index))
        }
        try FileManager.default.copyItem(atPath: inbox + "/f005.xml", toPath: inbox + "/g-copy.xml")
        let resent = try String(contentsOfFile: inbox + "/f010.xml", encoding: .utf8) + "<!-- sent again -->\n"
        try resent.write(toFile: inbox + "/g-resent.xml", atomically: false, encoding: .utf8)
        try "<feedback>".write(toFile: inbox + "/z-broken.xml", atomically: false, encoding: .utf8)
    }

    /// A copy of the inbox (same names, same bytes) in a new place, for the clean run.
    func copy(prefix: String) throws -> CrashInbox {
        let other = CrashInbox(root: try makeTemporaryDirectory(prefix: "dmarc-\(prefix)-"))
        try FileManager.default.copyItem(atPath: inbox, toPath: other.inbox)
        return other
    }

    private init(root: String) { self.root = root }

    /// The inbox's file names in name order: `names[64 * (n - 1) ..< 64 * n]` is batch n with `--jobs 1`.
    func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: inbox).sorted()
    }

    /// Names of the files under `directory` (any depth), sorted.
    static func names(under directory: String) throws -> [String] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        return try InputFiles.expand([directory]).map { ($0 as NSString).lastPathComponent }.sorted()
    }

    func ingestArguments(_ conninfo: String) -> [String] {
        ["ingest", "--jobs", "1", "--database", conninfo, "--archive", archive, "--quarantine", quarantine, inbox]
    }

    /// One clean run of a copy of this inbox into a fresh database of the shared test cluster: what
    /// every crashed-and-rerun run must end with.
    func cleanRun() throws -> StoredState {
        let clean = try copy(prefix: "clean")
        defer { try? FileManager.default.removeItem(atPath: clean.root) }
        let database = try TestCluster.get().freshDatabase()
        let run = try DMARCBinary.run(clean.ingestArguments(database.conninfo))
        #expect(run.status == 65, "the clean run: \(run.stdout)\n\(run.stderr)")
        #expect(
            run.stdout.hasPrefix("ingested 150 reports"), "the clean run: \(run.stdout)")
        #expect(try Self.names(under: clean.inbox).isEmpty)
        return try StoredState(database.connect())
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

/// A PostgreSQL cluster of one test's own, to crash hard (`pg_ctl stop -m immediate`: every server
/// process killed, no checkpoint). Commits are durable in the server's sense (`synchronous_commit`
/// on, the default, so a commit the client saw is in the WAL); `fsync = off` is safe here because the
/// machine does not crash, only the server.
final class CrashableCluster {
    let root: String
    let cluster: ManagedPostgres

    init() throws {
        root = try makeTemporaryDirectory(prefix: "dmarc-crash-pg-")
        cluster = ManagedPostgres(directory: root + "/pg", settings: ["fsync": "off"])
        try cluster.start()
    }

    var conninfo: String { cluster.conninfo }

    func crash() throws { try cluster.stop(immediate: true) }

    /// Runs `arguments` (an ingest into this cluster) until it pauses at `fault` (a `…:stop` point),
    /// crashes the server there, lets the run go on and checks that it stops as a lost database does:
    /// exit 75, "database unavailable". False when the run never reached the point (the test fails).
    func crash(during arguments: [String], at fault: String) throws -> Bool {
        let run = try FaultedRun(arguments, fault: fault)
        guard run.waitUntilStopped() else { return false }
        try crash()
        run.resume()
        #expect(run.wait() == 75, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        #expect(run.stdout.contains("stopped: database unavailable"), "\(run.stdout)")
        return true
    }

    func restart() throws { try cluster.start() }

    func state() throws -> StoredState { try StoredState(PostgresConnection(conninfo: conninfo)) }

    func count(_ sql: String) throws -> Int64 {
        try PostgresConnection(conninfo: conninfo).query(sql).first?.int64(0) ?? -1
    }

    deinit {
        _ = try? cluster.stop(immediate: true)
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// `dmarc` started with a fault point armed (`DMARC_FAULT_POINT`, see `FaultPoint` in Store). A run
/// the test did not wait for is killed when this goes away: a stopped process is never left behind.
final class FaultedRun {
    let pid: pid_t
    let output: String
    private var reaped = false

    init(_ arguments: [String], fault: String) throws {
        output = try makeTemporaryDirectory(prefix: "dmarc-out-")
        pid = try DMARCBinary.spawn(arguments, outputDirectory: output, environment: ["DMARC_FAULT_POINT": fault])
    }

    /// Waits for the process to end; its exit status.
    func wait() -> Int32 {
        reaped = true
        return DMARCBinary.wait(pid)
    }

    /// Waits for the process to stop itself at the fault point. False (and the test fails) when it
    /// ended instead: the point was never reached.
    func waitUntilStopped() -> Bool {
        var status: Int32 = 0
        let stopped = DMARCBinary.waitUntilStopped(pid, ended: &status)
        reaped = !stopped
        #expect(
            stopped,
            "dmarc ended with \(status) before its fault point (a release build ignores DMARC_FAULT_POINT)\n\(stdout)\n\(stderr)"
        )
        return stopped
    }

    func resume() { kill(pid, SIGCONT) }

    var stdout: String { (try? String(contentsOfFile: output + "/stdout", encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: output + "/stderr", encoding: .utf8)) ?? "" }

    deinit {
        if !reaped {
            kill(pid, SIGKILL)
            _ = DMARCBinary.wait(pid)
        }
        try? FileManager.default.removeItem(atPath: output)
    }
}
