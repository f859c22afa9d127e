import DMARC
import Foundation
import Postgres
import Testing

/// `dmarc fetch` against a real Dovecot on loopback: each message stored once, moved only after its
/// commit, messages without a report left alone, and the same end state after a kill, a lost
/// server, a server without MOVE or a new UIDVALIDITY. Expected figures come from how the mails
/// were made (`ReportMail`: one report of two rows, counts 1 and 2, per message).
@Suite("dmarc fetch (IMAP, Dovecot)", .dropsTestDatabases)
struct FetchTests {
    /// What the database holds after fetching: reports, rows, messages counted, fetched messages.
    struct Stored: Equatable, CustomStringConvertible {
        var reports: Int64
        var records: Int64
        var messages: Int64
        var imapMessages: Int64
        var pendingMoves: Int64

        init(_ database: TestDatabase) throws {
            reports = try database.count("SELECT count(*) FROM reports")
            records = try database.count("SELECT count(*) FROM records")
            messages = try database.count("SELECT coalesce(sum(count), 0)::bigint FROM records")
            imapMessages = try database.count("SELECT count(*) FROM imap_messages")
            pendingMoves = try database.count(
                "SELECT count(*) FROM imap_messages WHERE target IS NOT NULL AND moved_at IS NULL")
        }

        init(reports: Int64, imapMessages: Int64) {
            self.reports = reports
            records = 2 * reports
            messages = 3 * reports
            self.imapMessages = imapMessages
            pendingMoves = 0
        }

        var description: String {
            "\(reports) reports, \(records) rows, \(messages) messages, \(imapMessages) fetched, \(pendingMoves) pending moves"
        }
    }

    /// A Dovecot holding `messages` in INBOX, a configuration for it in a new directory, a fresh database.
    static func setUp(
        _ messages: [String], capabilities: String? = nil, imapExtra: String = ""
    ) throws -> (server: TestDovecot, directory: String, configuration: String, database: TestDatabase) {
        let server = try TestDovecot(capabilities: capabilities)
        try server.deliver(messages)
        try server.start()
        let directory = try makeTemporaryDirectory(prefix: "dmarc-fetch-")
        let configuration = try server.configuration(in: directory, imapExtra: imapExtra)
        return (server, directory, configuration, try TestCluster.get().freshDatabase())
    }

    static func fetch(_ configuration: String, _ database: TestDatabase, _ extra: [String] = [], environment: [String: String] = [:])
        throws -> DMARCBinary.Result
    {
        try DMARCBinary.run(["fetch", "--config", configuration, "--database", database.conninfo] + extra, environment: environment)
    }

    @Test("reports are stored once and moved to the processed folder; a message without a report stays, unread")
    func storesAndMoves() throws {
        let (server, directory, configuration, database) = try Self.setUp(
            (0..<5).map { ReportMail.message($0) } + [ReportMail.withoutReport(0)])

        let first = try Self.fetch(configuration, database)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(
            first.stdout
                == "fetched 6 messages from rua · 5 stored (5 new reports, 10 rows) · 1 without a report · 0 rejected · 5 moved (MOVE)\n")
        #expect(first.stderr.contains("fetch-batch mailbox=rua batch=1 fetched=6 stored=5"), "\(first.stderr)")
        #expect(try Stored(database) == Stored(reports: 5, imapMessages: 6))
        #expect(server.messages(in: "dmarc-processed").count == 5)
        #expect(server.messages(in: "dmarc-processed").allSatisfy { $0.flags.contains("S") })
        // The note stays in INBOX and stays unread; nothing was deleted.
        let inbox = server.messages()
        #expect(inbox.count == 1 && !inbox[0].flags.contains("S") && !inbox[0].flags.contains("T"), "\(inbox)")
        #expect(server.contents() == [ReportMail.withoutReport(0)])
        // The spool keeps nothing once the messages are recorded (no archive configured).
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/spool/rua").isEmpty)

        let second = try Self.fetch(configuration, database)
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(second.stdout.hasPrefix("fetched 0 messages from rua"), "\(second.stdout)")
        #expect(try Stored(database) == Stored(reports: 5, imapMessages: 6))
    }

    @Test("a server without MOVE: COPY, \\Deleted and UID EXPUNGE give the same end state; --leave-unread keeps them unread")
    func withoutMove() throws {
        let (server, _, configuration, database) = try Self.setUp(
            (0..<7).map { ReportMail.message($0) }, capabilities: "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE UIDPLUS",
            imapExtra: "      batch_size: 3")

        let run = try Self.fetch(configuration, database, ["--leave-unread", "--json"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("\"move_method\":\"COPY + EXPUNGE\""), "\(run.stdout)")
        #expect(run.stdout.contains("\"fetched\":7") && run.stdout.contains("\"moved\":7"), "\(run.stdout)")
        #expect(run.stderr.contains("batch=3 fetched=1"), "\(run.stderr)")
        #expect(try Stored(database) == Stored(reports: 7, imapMessages: 7))
        #expect(server.messages().isEmpty, "\(server.messages())")
        let processed = server.messages(in: "dmarc-processed")
        #expect(processed.count == 7 && processed.allSatisfy { !$0.flags.contains("S") && !$0.flags.contains("T") })
        #expect(server.contents(in: "dmarc-processed") == (0..<7).map { ReportMail.message($0) }.sorted())
    }

    enum Fault: String, CaseIterable, CustomTestStringConvertible {
        /// The sixth message (batch 2) fetched into the spool, nothing of batch 2 ingested.
        case afterFetch = "after-imap-fetch:6"
        /// Batch 1 ingested and recorded, not moved.
        case afterRecord = "after-imap-record:1"
        /// Batch 1 moved on the server, the moves not recorded.
        case afterMove = "after-imap-move:1"
        var testDescription: String { rawValue }
    }

    @Test("dmarc killed (SIGKILL) at each point of the fetch, then a rerun: every report once, every message moved", arguments: Fault.allCases)
    func killAndRerun(_ fault: Fault) throws {
        let (server, _, configuration, database) = try Self.setUp(
            (0..<10).map { ReportMail.message($0) }, imapExtra: "      batch_size: 4")

        let killed = try Self.fetch(configuration, database, environment: ["DMARC_FAULT_POINT": fault.rawValue + ":kill"])
        #expect(killed.status == 128 + SIGKILL, "\(killed.stdout)\n\(killed.stderr)")
        // Whatever was committed is whole: batch 1's four reports (two rows each), never part of one.
        #expect(try database.count("SELECT count(*) FROM reports") == 4)
        #expect(try database.count("SELECT count(*) FROM records") == 8)

        let rerun = try Self.fetch(configuration, database)
        #expect(rerun.status == 0, "\(rerun.stdout)\n\(rerun.stderr)")
        #expect(try Stored(database) == Stored(reports: 10, imapMessages: 10))
        #expect(server.messages().isEmpty, "\(server.messages())")
        #expect(server.contents(in: "dmarc-processed") == (0..<10).map { ReportMail.message($0) }.sorted())
    }

    @Test("the server lost in the middle of a batch: exit 75, nothing moved that is not stored; a rerun completes")
    func serverLostMidFetch() throws {
        let (server, _, configuration, database) = try Self.setUp(
            (0..<10).map { ReportMail.message($0) }, imapExtra: "      batch_size: 4")

        let output = try makeTemporaryDirectory(prefix: "dmarc-fetch-out-")
        let pid = try DMARCBinary.spawn(
            ["fetch", "--config", configuration, "--database", database.conninfo], outputDirectory: output,
            environment: ["DMARC_FAULT_POINT": "after-imap-fetch:6:stop"])
        var ended: Int32 = 0
        let stopped = DMARCBinary.waitUntilStopped(pid, ended: &ended)
        #expect(stopped, "fetch ended with \(ended) before the fault point")
        server.stop()
        kill(pid, SIGCONT)
        let status = DMARCBinary.wait(pid)
        let stderr = (try? String(contentsOfFile: output + "/stderr", encoding: .utf8)) ?? ""
        #expect(status == 75, "\(stderr)")
        #expect(stderr.contains("fetch-failed mailbox=rua"), "\(stderr)")
        #expect(try database.count("SELECT count(*) FROM reports") == 4)
        #expect(server.messages(in: "dmarc-processed").count == 4)
        #expect(server.messages().count == 6)

        try server.start()
        let rerun = try Self.fetch(configuration, database)
        #expect(rerun.status == 0, "\(rerun.stdout)\n\(rerun.stderr)")
        #expect(try Stored(database) == Stored(reports: 10, imapMessages: 10))
        #expect(server.contents(in: "dmarc-processed") == (0..<10).map { ReportMail.message($0) }.sorted())
    }

    @Test("a new UIDVALIDITY (the folder rebuilt): messages are fetched again, content hashes keep them from being stored twice")
    func uidValidityChange() throws {
        let (server, _, configuration, database) = try Self.setUp(
            (0..<6).map { ReportMail.message($0) }, imapExtra: "      leave_unread: true")
        let first = try Self.fetch(configuration, database, ["--limit", "4"])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(try database.count("SELECT count(*) FROM reports") == 4)

        // Rebuild INBOX: the processed messages come back and Dovecot forgets its UIDs.
        server.stop()
        let maildir = server.maildir
        for sub in ["new", "cur"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: "\(maildir)/.dmarc-processed/\(sub)") {
                try FileManager.default.moveItem(
                    atPath: "\(maildir)/.dmarc-processed/\(sub)/\(name)", toPath: "\(maildir)/new/back-\(name)")
            }
        }
        // Dovecot's UIDs and indexes go; dovecot-uidvalidity stays, so the next UIDVALIDITY is a new one.
        for name in try FileManager.default.contentsOfDirectory(atPath: maildir)
        where name == "dovecot-uidlist" || name.hasPrefix("dovecot.index") {
            try FileManager.default.removeItem(atPath: "\(maildir)/\(name)")
        }
        try server.start()
        let second = try Self.fetch(configuration, database)
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(second.stdout.hasPrefix("fetched 6 messages from rua · 6 stored (2 new reports"), "\(second.stdout)")
        #expect(try database.count("SELECT count(*) FROM reports") == 6)
        #expect(try database.count("SELECT count(DISTINCT uidvalidity) FROM imap_messages") == 2)
        #expect(server.contents(in: "dmarc-processed") == (0..<6).map { ReportMail.message($0) }.sorted())
    }
}

/// The backlog parsedmarc's users meet: thousands of report mails waiting. All stored once in
/// batches of 200, all moved; the peak memory stays that of a batch, not of the backlog.
/// `DMARC_TEST_FETCH_BACKLOG=10000` for the size BENCHMARKS.md measures (the suite runs 1,000:
/// 10,000 take minutes in a debug build).
@Suite("dmarc fetch: a backlog", .dropsTestDatabases)
struct FetchBacklogTests {
    static let count = ProcessInfo.processInfo.environment["DMARC_TEST_FETCH_BACKLOG"].flatMap { Int($0) } ?? 1_000

    @Test("a backlog fetched in batches of 200: one report and two rows per message, all moved, bounded memory")
    func backlog() throws {
        let (server, directory, configuration, database) = try FetchTests.setUp(
            (0..<Self.count).map { ReportMail.message($0) })
        let peakFile = directory + "/peak"

        let started = Date()
        let run = try FetchTests.fetch(configuration, database, environment: ["DMARC_TEST_PEAK_RSS_FILE": peakFile])
        let seconds = Date().timeIntervalSince(started)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        let n = NumberText.grouped(Self.count)
        let rows = NumberText.grouped(2 * Self.count)
        #expect(
            run.stdout
                == "fetched \(n) messages from rua · \(n) stored (\(n) new reports, \(rows) rows) · 0 without a report · 0 rejected · \(n) moved (MOVE)\n"
        )
        #expect(run.stderr.components(separatedBy: "fetch-batch ").count - 1 == (Self.count + 199) / 200)
        #expect(try FetchTests.Stored(database) == FetchTests.Stored(reports: Int64(Self.count), imapMessages: Int64(Self.count)))
        #expect(server.messages().isEmpty)
        #expect(server.messages(in: "dmarc-processed").count == Self.count)
        let peak = (try? String(contentsOfFile: peakFile, encoding: .utf8)) ?? "?"
        // A figure for BENCHMARKS.md, not an assertion on time (debug build, shared machine).
        print("fetch backlog: \(Self.count) messages in \(String(format: "%.1f", seconds)) s, peak \(peak)")
        let kibibytes = Int(peak.split(separator: " ").dropFirst().first ?? "") ?? 0
        // A batch is 200 messages of ~2 KiB; the whole backlog in memory would be over 20 MiB more.
        #expect(kibibytes > 0 && kibibytes < 200 * 1024, "peak \(peak)")
    }
}

/// IMAP over TLS: IMAPS and STARTTLS against Dovecot with a certificate made by the test, trusted
/// through `ca_file`; without it the certificate is refused and nothing is fetched.
@Suite("dmarc fetch over TLS", .dropsTestDatabases)
struct FetchTLSTests {
    @Test("IMAPS and STARTTLS with the server's certificate as ca_file; an untrusted certificate is refused")
    func tls() throws {
        let server = try TestDovecot(tls: true)
        try server.deliver((0..<3).map { ReportMail.message($0) })
        try server.start()
        let database = try TestCluster.get().freshDatabase()
        let tlsPort = try #require(server.tlsPort)

        let untrusted = try server.configuration(
            in: try makeTemporaryDirectory(prefix: "dmarc-fetch-"), security: "tls", port: tlsPort)
        let refused = try FetchTests.fetch(untrusted, database)
        #expect(refused.status == 75, "\(refused.stdout)\n\(refused.stderr)")
        #expect(refused.stderr.contains("certificate"), "\(refused.stderr)")
        #expect(server.messages().count == 3)

        let imaps = try server.configuration(
            in: try makeTemporaryDirectory(prefix: "dmarc-fetch-"), imapExtra: "      ca_file: \(server.certificate)\n      limit: 2",
            security: "tls", port: tlsPort)
        let first = try FetchTests.fetch(imaps, database)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(first.stdout.hasPrefix("fetched 2 messages from rua · 2 stored (2 new reports, 4 rows)"), "\(first.stdout)")

        let startTLS = try server.configuration(
            in: try makeTemporaryDirectory(prefix: "dmarc-fetch-"), imapExtra: "      ca_file: \(server.certificate)",
            security: "starttls")
        let second = try FetchTests.fetch(startTLS, database)
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(second.stdout.hasPrefix("fetched 1 message from rua · 1 stored (1 new report, 2 rows)"), "\(second.stdout)")
        #expect(try database.count("SELECT count(*) FROM reports") == 3)
        #expect(server.messages(in: "dmarc-processed").count == 3)
    }
}
