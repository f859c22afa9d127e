import DMARC
import Foundation
@testable import LocalCluster
import Postgres
@_spi(Testing) import ReportReading
import Testing

@_spi(Testing) @testable import Store

/// The real `dmarc` binary against a real PostgreSQL: what cron and people run.
@Suite("dmarc ingest end to end", .dropsTestDatabases)
struct EndToEndTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ReportReadingTests/Fixtures").path
    /// Other tools' test data, with its NOTICE and README (read as inputs too: rejected as not XML).
    static let corpus = fixtures + "/corpus"

    /// Writes `count` files of `records` rows each; returns the directory.
    static func batch(files count: Int, records: Int, prefix: String = "batch") throws -> String {
        let directory = try makeTemporaryDirectory(prefix: "dmarc-\(prefix)-")
        for index in 0..<count {
            let report = Synthetic.report(
                id: "\(prefix)-\(index)", begin: 1_700_000_000 + Int64(index) * 86_400,
                records: records, recordOffset: index)
            try Synthetic.writeXML(report, to: directory + "/" + String(format: "%04d.xml", index))
        }
        return directory
    }

    static func totals(_ database: TestDatabase) throws -> [Int64] {
        [
            try database.count("SELECT count(*) FROM reports"), try database.count("SELECT count(*) FROM records"),
            try database.count("SELECT count(*) FROM dkim_results"),
            try database.count("SELECT count(*) FROM spf_results"),
            try database.count("SELECT count(*) FROM input_files WHERE status = 'ingested'"),
        ]
    }

    @Test("the conformance corpus: totals match what the reader finds; a second run adds nothing")
    func corpusTotals() throws {
        let database = try TestCluster.get().freshDatabase()
        // Expected, independently: read every file, one transaction each, dedup as the spec says.
        let files = try InputFiles.expand([Self.corpus])
        var seenFiles = Set<[UInt8]>()
        var seenReports: [String: AggregateReport] = [:]
        var expected = (reports: 0, rows: 0, rejected: 0, duplicates: 0, conflicts: 0, conflictFiles: 0)
        for file in files {
            let digest = try FileDigest.sha256(of: file).digest
            var collector = ReportCollector()
            try ReportReader().read(file: file, into: &collector)
            if !collector.rejections.isEmpty || collector.reports.isEmpty {
                expected.rejected += 1
                continue
            }
            if !seenFiles.insert(digest).inserted {
                expected.duplicates += 1
                continue
            }
            let conflictsBefore = expected.conflicts
            for report in collector.reports {
                let meta = report.metadata
                let key =
                    "\(meta.orgName)\u{0}\(meta.reportID)\u{0}\(report.policy.domain)\u{0}\(meta.dateRange.begin)\u{0}\(meta.dateRange.end)"
                if let stored = seenReports[key] {
                    var a = stored
                    var b = report
                    a.warnings = []
                    b.warnings = []
                    a.source = ""
                    b.source = ""
                    if a == b { expected.duplicates += 1 } else { expected.conflicts += 1 }
                    continue
                }
                seenReports[key] = report
                expected.reports += 1
                expected.rows += report.records.count
            }
            if expected.conflicts > conflictsBefore { expected.conflictFiles += 1 }
        }
        let first = try DMARCBinary.run(["ingest", "--json", "--database", database.conninfo, Self.corpus])
        #expect(first.status == (expected.rejected + expected.conflicts > 0 ? 65 : 0), "\(first.stderr)")
        #expect(first.stdout.contains("\"reports\":\(expected.reports),\"rows\":\(expected.rows)"), "\(first.stdout)")
        #expect(first.stdout.contains("\"duplicates\":\(expected.duplicates),"), "\(first.stdout)")
        #expect(first.stdout.contains("\"rejected\":\(expected.rejected),"), "\(first.stdout)")
        #expect(try database.count("SELECT count(*) FROM reports") == Int64(expected.reports))
        #expect(try database.count("SELECT count(*) FROM records") == Int64(expected.rows))
        #expect(
            try database.count("SELECT count(*) FROM input_files WHERE status = 'rejected'") == Int64(expected.rejected)
        )
        // A file with a conflicting report is a conflict in the ledger, each report in the summary.
        #expect(
            try database.count("SELECT count(*) FROM input_files WHERE status = 'conflict'")
                == Int64(expected.conflictFiles))
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any], "\(first.stdout)")
        #expect((summary["conflicts"] as? [Any])?.count == expected.conflicts, "\(first.stdout)")
        #expect(expected.reports > 20 && expected.rows > 1000)

        let before = try Self.totals(database)
        let second = try DMARCBinary.run(["ingest", "--database", database.conninfo, Self.corpus])
        #expect(second.stdout.hasPrefix("ingested 0 reports (0 rows) from \(files.count) files"), "\(second.stdout)")
        #expect(try Self.totals(database) == before)

        // Reparse from the stored originals reproduces the same rows.
        let reparse = try DMARCBinary.run(["reparse", "--database", database.conninfo])
        #expect(reparse.status == 0, "\(reparse.stderr)")
        #expect(try Self.totals(database) == before)
    }

    /// Large files (streamed, one transaction each) for the crash tests, and the state one clean run
    /// of a copy of them leaves: what a crashed and rerun run must end with.
    static func streamedInbox(prefix: String) throws -> (directory: String, clean: StoredState) {
        // 3,000 records make a file of about 1.8 MiB: over the 1 MiB of the batched path.
        let directory = try Self.batch(files: 8, records: 3_000, prefix: prefix)
        let copy = try makeTemporaryDirectory(prefix: "dmarc-clean-") + "/inbox"
        defer { try? FileManager.default.removeItem(atPath: (copy as NSString).deletingLastPathComponent) }
        try FileManager.default.copyItem(atPath: directory, toPath: copy)
        for file in try InputFiles.expand([directory]) {
            #expect(try FileDigest.sha256(of: file).size > FileBatch.maxFileBytes, "\(file) is not streamed")
        }
        let database = try TestCluster.get().freshDatabase()
        let run = try DMARCBinary.run(["ingest", "--jobs", "1", "--database", database.conninfo, copy])
        #expect(run.status == 0, "the clean run: \(run.stderr)")
        let clean = try StoredState(database.connect())
        #expect(clean.reports == 8 && clean.records == 8 * 3_000, "the clean run: \(run.stdout)")
        return (directory, clean)
    }

    @Test(
        "streamed files: SIGKILL after the 4th file's COPY or after the 3rd file's commit, then a rerun: exactly one clean run",
        arguments: ["after-file-copy:4", "after-file-commit:3"])
    func killAndRerun(fault: String) throws {
        let (directory, clean) = try Self.streamedInbox(prefix: "kill")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try TestCluster.get().freshDatabase()
        let run = try FaultedRun(
            ["ingest", "--jobs", "1", "--database", database.conninfo, directory], fault: fault + ":kill")
        #expect(run.wait() == 128 + SIGKILL, "\(run.stdout)\n\(run.stderr)")
        // Three files committed, each whole.
        let crashed = try StoredState(database.connect())
        #expect(crashed.reports == 3 && crashed.records == 3 * 3_000 && crashed.ledger.count == 3)
        #expect(crashed.partialReports == 0)

        let rerun = try DMARCBinary.run(["ingest", "--jobs", "1", "--database", database.conninfo, directory])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let after = try StoredState(database.connect())
        #expect(after.reports == clean.reports && after.records == clean.records)
        #expect(after.messagesByDomain == clean.messagesByDomain)
        #expect(after.fingerprint == clean.fingerprint)
        // Without --archive the committed files stay, and the rerun records them as duplicates.
        let stored = crashed.ledger.map { String($0.prefix { $0 != " " }) }
        #expect(after.ledger == StoredState.ledger(clean.ledger, plusDuplicates: stored))
    }

    @Test("streamed files: the server crashed hard after the 3rd file's commit: exit 75, 3 files kept and archived, a rerun completes")
    func databaseStops() throws {
        let (directory, clean) = try Self.streamedInbox(prefix: "stop")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try CrashableCluster()
        let archive = server.root + "/archive"
        let arguments = ["ingest", "--jobs", "1", "--database", server.conninfo, "--archive", archive, directory]
        guard try server.crash(during: arguments, at: "after-file-commit:3:stop") else { return }

        try server.restart()
        let crashed = try server.state()
        #expect(crashed.ledger.count == 3 && crashed.reports == 3 && crashed.partialReports == 0)
        // Exactly the committed files were archived, the 3rd after the crash too.
        let archived = try CrashInbox.names(under: archive)
        #expect(archived == crashed.ledger.map { String($0.prefix { $0 != " " }) })
        #expect(try InputFiles.expand([directory]).count == 5)

        let rerun = try DMARCBinary.run(arguments)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let after = try server.state()
        #expect(after.reports == clean.reports && after.records == clean.records)
        #expect(after.messagesByDomain == clean.messagesByDomain)
        #expect(after.ledger == clean.ledger)
        #expect(after.fingerprint == clean.fingerprint)
        #expect(try InputFiles.expand([directory]).isEmpty)
        #expect(try CrashInbox.names(under: archive).count == 8)
    }

    @Test("two concurrent runs of the binary store each report once")
    func concurrentBinaries() throws {
        let database = try TestCluster.get().freshDatabase()
        let directory = try Self.batch(files: 40, records: 200, prefix: "conc")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outputs = [
            try makeTemporaryDirectory(prefix: "dmarc-out-"), try makeTemporaryDirectory(prefix: "dmarc-out-"),
        ]
        let pids = try outputs.map {
            try DMARCBinary.spawn(["ingest", "--database", database.conninfo, directory], outputDirectory: $0)
        }
        for pid in pids { #expect(DMARCBinary.wait(pid) == 0) }
        #expect(try Self.totals(database) == [40, 8_000, 8_000, 8_000, 40])
        #expect(try database.count("SELECT count(*) FROM input_files WHERE status = 'duplicate'") == 40)
    }

    /// What is stored, without ids or times of storing: equal for two databases that hold the same.
    static func fingerprint(_ database: TestDatabase) throws -> String {
        try fingerprint(database.connect())
    }

    static func fingerprint(_ connection: PostgresConnection) throws -> String {
        try connection.query(
            """
            SELECT count(*), md5(coalesce(string_agg(line, E'\\n' ORDER BY line), '')) FROM (
                SELECT concat_ws('|', p.org_name, p.report_id, p.policy_domain, p.begin_time, p.end_time,
                    p.content_sha256, r.record_no, r.source_ip, r.count, r.disposition,
                    r.dkim, r.spf, r.header_from, r.envelope_from, r.dkim_domain::text, r.dkim_selector::text,
                    r.dkim_result::text, r.spf_domain::text, r.spf_scope::text, r.spf_result::text,
                    r.reason_type::text, r.reason_comment::text) AS line
                FROM records r JOIN reports p ON p.id = r.report) rows
            """
        ).first.map { "\($0.string(0) ?? "") \($0.string(1) ?? "")" } ?? ""
    }

    @Test("--jobs 4 stores exactly what --jobs 1 stores, with the same summary and ledger")
    func parallelEqualsSerial() throws {
        let directory = try Self.batch(files: 30, records: 40, prefix: "jobs")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Copies under other names: duplicates by file hash, whichever worker gets them first.
        for index in 0..<5 {
            try FileManager.default.copyItem(
                atPath: directory + String(format: "/%04d.xml", index), toPath: directory + "/copy-\(index).xml")
        }
        try Data("<feedback>".utf8).write(to: URL(fileURLWithPath: directory + "/broken.xml"))
        let inputs = [directory, Self.fixtures + "/mail"]
        var outcomes: [(summary: String, ledger: [String], fingerprint: String)] = []
        for jobs in ["1", "4"] {
            let database = try TestCluster.get().freshDatabase()
            let run = try DMARCBinary.run(["ingest", "--jobs", jobs, "--database", database.conninfo] + inputs)
            #expect(run.status == 65, "\(run.stderr)")
            let ledger = try database.connect().query(
                "SELECT status, count(*) FROM input_files GROUP BY status ORDER BY status"
            ).rows.map { "\($0.string(0) ?? "") \($0.string(1) ?? "")" }
            outcomes.append((run.stdout, ledger, try Self.fingerprint(database)))
        }
        #expect(outcomes[0].summary == outcomes[1].summary)
        #expect(outcomes[0].ledger == outcomes[1].ledger)
        #expect(outcomes[0].fingerprint == outcomes[1].fingerprint)
        // The 5 copies, and 2 reports the mail fixtures carry twice.
        #expect(outcomes[0].summary.contains(" · 7 duplicates · 1 rejected"), "\(outcomes[0].summary)")
        #expect((Int(outcomes[0].fingerprint.prefix { $0 != " " }) ?? 0) >= 30 * 40)
    }

    @Test("hostile and broken inputs end in the ledger as rejected; nothing of them is stored")
    func hostileInputs() throws {
        let database = try TestCluster.get().freshDatabase()
        let directory = try makeTemporaryDirectory(prefix: "dmarc-hostile-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let manager = FileManager.default
        for name in [
            "bomb.xml.gz", "bomb.zip", "bad-crc.zip", "corrupt.xml.gz", "truncated.xml", "truncated.xml.gz",
            "truncated.zip",
        ] {
            try manager.copyItem(atPath: Self.fixtures + "/" + name, toPath: directory + "/" + name)
        }
        let doctype = """
            <?xml version="1.0"?><!DOCTYPE feedback [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <feedback><report_metadata><org_name>&xxe;</org_name></report_metadata></feedback>
            """
        try Data(doctype.utf8).write(to: URL(fileURLWithPath: directory + "/xxe.xml"))
        // Bytes no reader takes for XML, gzip or zip, the same every run.
        try Data([0x00, 0x01, 0xff] + (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 151 &+ 7) })
            .write(to: URL(fileURLWithPath: directory + "/random.bin"))
        try Data().write(to: URL(fileURLWithPath: directory + "/empty.xml"))
        let quarantine = directory + "-quarantine"
        defer { try? manager.removeItem(atPath: quarantine) }
        let result = try DMARCBinary.run([
            "ingest", "--database", database.conninfo, "--quarantine", quarantine, directory,
        ])
        #expect(result.status == 65, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("· 10 rejected (see \(quarantine)"), "\(result.stdout)\n\(result.stderr)")
        #expect(try database.count("SELECT count(*) FROM input_files WHERE status = 'rejected' AND reason <> ''") == 10)
        #expect(try database.count("SELECT count(*) FROM reports") == 0)
        #expect(try database.count("SELECT count(*) FROM originals") == 0)
        #expect(try InputFiles.expand([quarantine]).count == 10)
        #expect(try database.count("SELECT count(*) FROM input_files WHERE reason LIKE '%doctype%'") == 1)
    }

    @Test("`';--` and quotes in report text survive the whole way")
    func hostileText() throws {
        let database = try TestCluster.get().freshDatabase()
        let directory = try makeTemporaryDirectory(prefix: "dmarc-text-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let org = "Evil'; DROP TABLE reports;-- \"Inc\" \\ <&>"
        let report = Synthetic.report(org: org, id: "id';--\"", records: 2)
        try Synthetic.writeXML(report, to: directory + "/it's.xml")
        let result = try DMARCBinary.run(["ingest", "--database", database.conninfo, directory])
        #expect(result.status == 0, "\(result.stderr)")
        let row = try database.connect().query("SELECT org_name, report_id FROM reports").first
        #expect(row?.string(0) == org)
        #expect(row?.string(1) == "id';--\"")
        #expect(try database.count("SELECT count(*) FROM reports") == 1)
    }

    @Test("exit codes: 66 for a missing path, 64 for bad usage, 75 for an unreachable database")
    func exitCodes() throws {
        let database = try TestCluster.get().freshDatabase()
        #expect(
            try DMARCBinary.run(["ingest", "--database", database.conninfo, "/nonexistent/dmarc/input"]).status == 66)
        #expect(try DMARCBinary.run(["ingest", "--no-such-option", "x"]).status == 64)
        #expect(try DMARCBinary.run(["reparse", "--since", "yesterday"]).status == 64)
        let unreachable = try DMARCBinary.run([
            "ingest", "--database", "host=/nonexistent-dmarc port=1", Self.fixtures + "/report.xml",
        ])
        #expect(unreachable.status == 75)
        #expect(unreachable.stderr.contains("database unavailable"))
    }
}
