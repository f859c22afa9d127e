import DMARC
import Foundation
@_spi(Testing) import Postgres
import ReportReading
import Testing

@_spi(Testing) @testable import Store

@Suite("ingest (in process, fake reader)", .dropsTestDatabases)
struct IngestTests {
    func totals(_ database: TestDatabase) throws -> (
        reports: Int64, rows: Int64, dkim: Int64, spf: Int64, reasons: Int64
    ) {
        (
            try database.count("SELECT count(*) FROM reports"), try database.count("SELECT count(*) FROM records"),
            try database.count("SELECT count(*) FROM dkim_results"),
            try database.count("SELECT count(*) FROM spf_results"),
            try database.count("SELECT count(*) FROM override_reasons")
        )
    }

    @Test("exact totals; a second run stores nothing more and counts duplicates", arguments: [1, 64])
    func idempotent(filesPerTransaction: Int) throws {
        let database = try TestCluster.get().freshDatabase()
        var inputs = try FakeInputs()
        let files = [
            inputs.add("a.xml", [.report(Synthetic.report(id: "a", records: 10))]),
            inputs.add("b.xml", [.report(Synthetic.report(id: "b", records: 25))]),
            inputs.add(
                "c.zip",
                [.report(Synthetic.report(id: "c1", records: 3)), .report(Synthetic.report(id: "c2", records: 4))]),
        ]
        let first = try inputs.ingestor(database.connect(), options: IngestOptions(filesPerTransaction: filesPerTransaction)).ingest(files: files)
        #expect(first.reports == 4)
        #expect(first.rows == 42)
        #expect(first.files == 3)
        #expect(first.outcome == .allStored)
        #expect(first.line == "ingested 4 reports (42 rows) from 3 files · 0 duplicates · 0 rejected")
        let stored = try totals(database)
        #expect(stored.reports == 4 && stored.rows == 42 && stored.dkim == 42 && stored.spf == 42)
        #expect(stored.reasons == 6)  // record 0 of each report, and 10 and 20 of the 25-record one
        let messages = [10, 25, 3, 4].reduce(Int64(0)) { sum, count in
            sum + (0..<count).reduce(0) { $0 + Int64($1 % 7 + 1) }
        }
        #expect(try database.count("SELECT sum(message_count) FROM reports") == messages)

        let second = try inputs.ingestor(database.connect(), options: IngestOptions(filesPerTransaction: filesPerTransaction)).ingest(files: files)
        #expect(second.reports == 0 && second.rows == 0)
        #expect(second.duplicateFiles == 3)
        #expect(second.outcome == .allStored)
        let again = try totals(database)
        #expect(again.reports == stored.reports && again.rows == stored.rows && again.dkim == stored.dkim)
        #expect(try database.count("SELECT count(*) FROM input_files WHERE status = 'duplicate'") == 3)
    }

    @Test("a file with one bad report stores nothing from it; the batch goes on", arguments: [1, 64])
    func badReportStoresNothing(filesPerTransaction: Int) throws {
        let database = try TestCluster.get().freshDatabase()
        var inputs = try FakeInputs()
        let bad = inputs.add(
            "bad.zip",
            [
                .report(Synthetic.report(id: "good-in-bad", records: 50)),
                .abandoned(Synthetic.report(id: "broken", records: 20), records: 7),
            ])
        let rejectedMember = inputs.add(
            "member.zip",
            [
                .report(Synthetic.report(id: "good2", records: 5)), .rejected("member 2 is HTML"),
            ])
        let good = inputs.add("good.xml", [.report(Synthetic.report(id: "fine", records: 5))])
        let summary = try inputs.ingestor(database.connect(), options: IngestOptions(filesPerTransaction: filesPerTransaction)).ingest(files: [bad, rejectedMember, good])
        #expect(summary.reports == 1 && summary.rows == 5)
        #expect(summary.rejected == 2)
        #expect(summary.outcome == .someRefused)
        #expect(summary.rejections.map(\.path) == [bad, rejectedMember])
        #expect(try database.count("SELECT count(*) FROM reports") == 1)
        #expect(try database.count("SELECT count(*) FROM records") == 5)
        #expect(try database.count("SELECT count(*) FROM originals") == 1)
        #expect(
            try database.count(
                "SELECT count(*) FROM input_files WHERE status = 'rejected' AND reason LIKE '%truncated%'") == 1)
    }

    @Test("a report dated beyond PostgreSQL's range rejects its file, not the run")
    func periodOutOfRange() throws {
        let database = try TestCluster.get().freshDatabase()
        var inputs = try FakeInputs()
        var far = Synthetic.report(id: "far", records: 3)
        // Year 35 million: PostgreSQL's timestamps end in 294276 AD.
        far.metadata.dateRange = DateRange(begin: 1 << 50, end: (1 << 50) + 86_399)
        let bad = inputs.add("far.xml", [.report(far)])
        let good = inputs.add("good.xml", [.report(Synthetic.report(id: "fine", records: 5))])
        let summary = try inputs.ingestor(database.connect()).ingest(files: [bad, good])
        #expect(summary.reports == 1 && summary.rows == 5)
        #expect(summary.rejections.map(\.path) == [bad])
        #expect(summary.outcome == .someRefused)
        #expect(try database.count("SELECT count(*) FROM records") == 5)
        #expect(try database.count("SELECT count(*) FROM input_files WHERE status = 'rejected'") == 1)
    }

    @Test("a resent report is a duplicate; the same identity with other content is a conflict", arguments: [1, 64])
    func duplicateAndConflict(filesPerTransaction: Int) throws {
        let database = try TestCluster.get().freshDatabase()
        var inputs = try FakeInputs()
        let original = inputs.add("r.xml", [.report(Synthetic.report(id: "r1", records: 8))])
        let resent = inputs.add("r-again.xml.gz", [.report(Synthetic.report(id: "r1", records: 8))])
        let changed = inputs.add("r-changed.xml", [.report(Synthetic.report(id: "r1", records: 9))])
        let mixed = inputs.add(
            "mixed.zip",
            [
                .report(Synthetic.report(id: "r1", records: 8)), .report(Synthetic.report(id: "new", records: 2)),
            ])
        let summary = try inputs.ingestor(database.connect(), options: IngestOptions(filesPerTransaction: filesPerTransaction)).ingest(files: [original, resent, changed, mixed])
        #expect(summary.reports == 2)
        #expect(summary.rows == 10)
        #expect(summary.duplicateReports == 2)
        #expect(summary.conflicts.count == 1)
        #expect(summary.line.contains("2 duplicates · 1 conflict"))
        #expect(try database.count("SELECT count(*) FROM records") == 10)
        let statuses = try database.connect().query("SELECT path, status FROM input_files ORDER BY id").rows
            .map { "\((($0.string(0) ?? "") as NSString).lastPathComponent)=\($0.string(1) ?? "")" }
        #expect(
            statuses == ["r.xml=ingested", "r-again.xml.gz=duplicate", "r-changed.xml=conflict", "mixed.zip=ingested"])
    }

    @Test("quotes, `';--`, tabs, newlines and backslashes in text fields survive", arguments: [1, 64])
    func hostileText(filesPerTransaction: Int) throws {
        let database = try TestCluster.get().freshDatabase()
        var inputs = try FakeInputs()
        let nasty = "Robert'); DROP TABLE reports;-- \"x\"\t\\N\nline2\\"
        var report = Synthetic.report(org: nasty, id: "id';--", domain: "kunde.example", records: 3)
        report.records[0].policyEvaluated.reasons = [PolicyOverrideReason(type: .other, comment: nasty)]
        report.records[1].authResults.dkim[0].humanResult = nasty
        report.metadata.errors = [nasty, "{,}"]
        report.warnings = [nasty]
        let file = inputs.add("it's;--.xml", [.report(report)])
        let summary = try inputs.ingestor(database.connect(), options: IngestOptions(filesPerTransaction: filesPerTransaction)).ingest(files: [file])
        #expect(summary.reports == 1)
        let connection = try database.connect()
        let row = try connection.query("SELECT org_name, report_id, errors, warnings, source_name FROM reports").first
        #expect(row?.string(0) == nasty)
        #expect(row?.string(1) == "id';--")
        #expect(PostgresArray.parseText(row?.string(2) ?? "") == [nasty, "{,}"])
        #expect(PostgresArray.parseText(row?.string(3) ?? "") == [nasty])
        #expect(
            try connection.query("SELECT comment FROM override_reasons WHERE record_no = 1 AND type = 'other'").first?
                .string(0) == nasty)
        #expect(
            try connection.query("SELECT human_result FROM dkim_results WHERE record_no = 2").first?.string(0) == nasty)
        #expect(try connection.query("SELECT path FROM input_files").first?.string(0) == file)
        // Same again: the identity with those characters is found, so it is a duplicate, not a new row.
        var again = try FakeInputs()
        let second = again.add("again.xml", [.report(report)])
        #expect(try again.ingestor(database.connect(), options: IngestOptions(filesPerTransaction: filesPerTransaction)).ingest(files: [second]).duplicateReports == 1)
    }

    @Test("two concurrent runs over the same and overlapping files store each report once", arguments: [1, 64])
    func concurrentRuns(filesPerTransaction: Int) throws {
        let database = try TestCluster.get().freshDatabase()
        var inputs = try FakeInputs()
        var files: [String] = []
        for index in 0..<30 {
            // Files i and i+1 share report i+1: the same report arrives in different files.
            files.append(
                inputs.add(
                    "f\(index).zip",
                    [
                        .report(Synthetic.report(id: "r\(index)", records: 20)),
                        .report(Synthetic.report(id: "r\(index + 1)", records: 20)),
                    ]))
        }
        let fixed = inputs
        let allFiles = files
        let errors = Locked<[String]>([])
        let summaries = Locked<[IngestSummary]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            do {
                let order = worker == 0 ? allFiles : allFiles.reversed()
                let summary = try fixed.ingestor(database.connect(), options: IngestOptions(filesPerTransaction: filesPerTransaction)).ingest(files: order)
                summaries.withLock { $0.append(summary) }
            } catch {
                errors.withLock { $0.append("\(error)") }
            }
        }
        #expect(errors.withLock { $0 }.isEmpty)
        #expect(try database.count("SELECT count(*) FROM reports") == 31)
        #expect(try database.count("SELECT count(*) FROM records") == 31 * 20)
        #expect(try database.count("SELECT count(*) FROM originals") == 30)
        let stored = summaries.withLock { $0 }.reduce(0) { $0 + $1.reports }
        #expect(stored == 31)
    }

    @Test("a large report streams through COPY")
    func largeReport() throws {
        let database = try TestCluster.get().freshDatabase()
        var inputs = try FakeInputs()
        let file = inputs.add("big.xml", [.report(Synthetic.report(id: "big", records: 100_000))])
        let summary = try inputs.ingestor(database.connect()).ingest(files: [file])
        #expect(summary.rows == 100_000)
        #expect(try database.count("SELECT count(*) FROM dkim_results") == 100_000)
        #expect(try database.count("SELECT count(*) FROM override_reasons") == 10_000)
        #expect(try database.count("SELECT record_count FROM reports") == 100_000)
    }

    @Test(
        "ingested inputs go to --archive, rejected ones to --quarantine, both in the folder of the run's day",
        arguments: [1, 64])
    func archiveAndQuarantine(filesPerTransaction: Int) throws {
        let database = try TestCluster.get().freshDatabase()
        var inputs = try FakeInputs()
        let good = inputs.add("good.xml", [.report(Synthetic.report(id: "g", records: 1))])
        let bad = inputs.add("bad.xml", [.rejected("not XML")])
        let later = inputs.add("later.xml", [.report(Synthetic.report(id: "l", records: 1))])
        let archive = inputs.directory + "/archive"
        let quarantine = inputs.directory + "/quarantine"
        // A day that is not today: every move must take the run's day, never the clock's at the move
        // (a run across midnight would otherwise split its files over two folders).
        let options = IngestOptions(
            archive: archive, quarantine: quarantine, filesPerTransaction: filesPerTransaction, folderDay: "2031-05-06")
        let summary = try inputs.ingestor(database.connect(), options: options).ingest(files: [good, bad, later])
        #expect(summary.reports == 2 && summary.rejected == 1)
        for path in [good, bad, later] { #expect(!FileManager.default.fileExists(atPath: path)) }
        let manager = FileManager.default
        #expect(try manager.contentsOfDirectory(atPath: archive) == ["2031-05-06"])
        #expect(try manager.contentsOfDirectory(atPath: quarantine) == ["2031-05-06"])
        #expect(try manager.contentsOfDirectory(atPath: archive + "/2031-05-06").sorted() == ["good.xml", "later.xml"])
        #expect(try manager.contentsOfDirectory(atPath: quarantine + "/2031-05-06") == ["bad.xml"])
        #expect(summary.line.contains("(see \(quarantine)"))
    }

    @Test("the folder day is the UTC date of a time, midnight belonging to the day it starts")
    func folderDay() {
        // 1,700,000,000 s is 2023-11-14 22:13:20 UTC; 86,399 s is the last second of 1970-01-01.
        #expect(InputFiles.folderDay(at: 1_700_000_000) == "2023-11-14")
        #expect(InputFiles.folderDay(at: 86_399) == "1970-01-01")
        #expect(InputFiles.folderDay(at: 86_400) == "1970-01-02")
        #expect(InputFiles.folderDay(at: 951_782_400) == "2000-02-29")
    }

    @Test("reparse replaces each original's reports from the stored bytes")
    func reparse() throws {
        let database = try TestCluster.get().freshDatabase()
        var inputs = try FakeInputs()
        let files = [
            inputs.add("a.xml", [.report(Synthetic.report(id: "a", records: 10))]),
            inputs.add("b.xml", [.report(Synthetic.report(id: "b", records: 5, source: "b.xml"))]),
        ]
        let ingested = try inputs.ingestor(database.connect()).ingest(files: files)
        #expect(ingested.reports == 2 && ingested.rows == 15)
        let connection = try database.connect()
        let reparser = Reparser(connection: connection)
        // The "fixed reader" now finds one more record in b.xml.
        var fixed = inputs.events
        fixed[files[1]] = [.report(Synthetic.report(id: "b", records: 6))]
        reparser.readBytes = { _, source, handler in
            for case .report(let report) in fixed[source] ?? [] {
                var header = report
                header.records = []
                try handler.beginReport(header)
                for record in report.records { try handler.record(record) }
                try handler.endReport(warnings: ["reparsed"])
            }
        }
        let summary = try reparser.reparse(since: nil)
        #expect(summary.files == 2 && summary.reports == 2 && summary.rows == 16)
        #expect(try database.count("SELECT count(*) FROM reports") == 2)
        #expect(try database.count("SELECT count(*) FROM records") == 16)
        #expect(try database.count("SELECT count(*) FROM reports WHERE warnings = '{reparsed}'") == 2)
        // The header From volumes were replaced with the rows: per report and header From, they sum
        // the records, their messages and what the receiver said passed — both ways, nothing more.
        #expect(try database.count("SELECT count(*) FROM report_from_domains WHERE passed_messages > 0") > 0)
        let volumesFromRecords = """
            SELECT report, header_from, p.begin_time, p.end_time, count(*)::integer, sum(count)::bigint,
                coalesce(sum(count) FILTER (WHERE count > 0 AND (dkim = 'pass' OR spf = 'pass')), 0)::bigint
            FROM records JOIN reports p ON p.id = report GROUP BY report, header_from, p.begin_time, p.end_time
            """
        let storedVolumes = """
            SELECT report, header_from, begin_time, end_time, record_count, message_count, passed_messages
            FROM report_from_domains
            """
        #expect(try database.count("SELECT count(*) FROM (\(volumesFromRecords) EXCEPT \(storedVolumes)) missing") == 0)
        #expect(try database.count("SELECT count(*) FROM (\(storedVolumes) EXCEPT \(volumesFromRecords)) extra") == 0)
        // Stored originals are byte-identical to the inputs.
        let stored = try connection.query(
            "SELECT content FROM originals WHERE first_path = $1", [files[0]], binaryResults: true)
        #expect(stored.first?.bytes(0) == Array(FileManager.default.contents(atPath: files[0]) ?? Data()))
        #expect(try reparser.reparse(since: 1_800_000_000).files == 0)
    }
}
