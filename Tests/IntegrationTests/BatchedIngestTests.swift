import DMARC
import Foundation
import ReportReading
import Testing

@_spi(Testing) @testable import Store

/// Small files stored many to a transaction (`FileBatch`) must store exactly what one transaction
/// per file stores, and keep each file whole or out.
@Suite("ingest: small files batched", .dropsTestDatabases)
struct BatchedIngestTests {
    /// Every stored table, without the keys and times that differ between two runs, as one text per
    /// table: a row of `records` or `report_from_domains` names its report by identity.
    static func contents(_ database: TestDatabase) throws -> [String: String] {
        // Aliases no column has (`reports` has a column `p`).
        let identity =
            "jsonb_build_object('of', the_report.org_name || '/' || the_report.report_id || '/' "
            + "|| the_report.policy_domain || '/' || the_report.begin_time)"
        let tables = [
            "reports": "SELECT (to_jsonb(the_report) - 'id' - 'stored_at')::text FROM reports the_report",
            "records": """
                SELECT ((to_jsonb(the_row) - 'report') || \(identity))::text
                FROM records the_row JOIN reports the_report ON the_report.id = the_row.report
                """,
            "report_from_domains": """
                SELECT ((to_jsonb(the_row) - 'report') || \(identity))::text
                FROM report_from_domains the_row JOIN reports the_report ON the_report.id = the_row.report
                """,
            "originals": "SELECT (to_jsonb(the_row) - 'received_at' - 'content')::text || md5(content) FROM originals the_row",
            "input_files": "SELECT (to_jsonb(the_row) - 'id' - 'processed_at')::text FROM input_files the_row",
        ]
        var contents: [String: String] = [:]
        let connection = try database.connect()
        for (table, query) in tables {
            contents[table] = try connection.query("SELECT string_agg(t, E'\\n' ORDER BY t) FROM (\(query)) AS x(t)")
                .first?.string(0) ?? ""
        }
        return contents
    }

    @Test("the samples, the reader's fixtures and the corpus: batched, every table holds what one transaction per file stores")
    func batchedStoresWhatSingleStores() throws {
        // The fixtures hold the conformance corpus (Fixtures/corpus).
        let paths = [SampleWorkflowTests.root.appendingPathComponent("samples/reports").path, SampleWorkflowTests.root.appendingPathComponent("samples/maildir").path, EndToEndTests.fixtures]
        let files = try InputFiles.expand(paths)
        #expect(files.count >= 30)
        var summaries: [IngestSummary] = []
        var stored: [[String: String]] = []
        for filesPerTransaction in [1, 64] {
            let database = try TestCluster.get().freshDatabase()
            let ingestor = Ingestor(
                connection: try database.connect(), options: IngestOptions(filesPerTransaction: filesPerTransaction))
            summaries.append(try ingestor.ingest(files: files))
            stored.append(try Self.contents(database))
        }
        #expect(summaries[1].line == summaries[0].line)
        #expect(summaries[1].rejections.map(\.path) == summaries[0].rejections.map(\.path))
        #expect(summaries[1].rejections.map(\.reason) == summaries[0].rejections.map(\.reason))
        #expect(summaries[1].conflicts == summaries[0].conflicts)
        // The samples alone hold 6 reports; the fixtures, the corpus among them, hold broken files.
        #expect(summaries[0].reports >= 6 && summaries[0].rejected >= 1, "\(summaries[0].line)")
        for table in stored[0].keys.sorted() {
            let single = (stored[0][table] ?? "").split(separator: "\n"), batched = (stored[1][table] ?? "").split(separator: "\n")
            let firstDifference = zip(single, batched).first { $0 != $1 }.map { "one by one: \($0)\nbatched: \($1)" }
            #expect(
                stored[1][table] == stored[0][table],
                "\(table) differs (\(single.count) rows one by one, \(batched.count) batched)\n\(firstDifference ?? "")")
            #expect(stored[0][table]?.isEmpty == false, "\(table) is empty")
        }
    }

    @Test("a batch the database refuses is stored one file at a time: only the file at fault is rejected, with the database's reason")
    func refusedBatchFallsBackToSingleFiles() throws {
        let database = try TestCluster.get().freshDatabase()
        var inputs = try FakeInputs()
        var refused = Synthetic.report(id: "refused", records: 4)
        // Read as an Int, stored as an integer column: the database refuses it, not the reader.
        refused.policy.pct = 1 << 40
        let files = [
            inputs.add("before.xml", [.report(Synthetic.report(id: "before", records: 3))]),
            inputs.add("refused.xml", [.report(refused)]),
            inputs.add("after.xml", [.report(Synthetic.report(id: "after", records: 5))]),
        ]
        let summary = try inputs.ingestor(database.connect()).ingest(files: files)
        #expect(summary.files == 3)
        #expect(summary.reports == 2 && summary.rows == 8)
        #expect(summary.rejections.map(\.path) == [files[1]])
        #expect(summary.rejections.first?.reason.hasPrefix("refused by the database:") == true)
        #expect(try database.count("SELECT count(*) FROM records") == 8)
        #expect(try database.count("SELECT count(*) FROM originals") == 2)
        #expect(try database.count("SELECT count(*) FROM input_files WHERE status = 'ingested'") == 2)
        #expect(try database.count("SELECT count(*) FROM input_files WHERE status = 'rejected'") == 1)
    }

    @Test("in one batch, the same bytes twice are a duplicate file and the same report twice a duplicate report", arguments: [1, 64])
    func duplicatesWithinOneBatch(filesPerTransaction: Int) throws {
        let database = try TestCluster.get().freshDatabase()
        var inputs = try FakeInputs()
        let report = Synthetic.report(id: "twice", records: 6)
        let files = [
            inputs.add("a.xml", [.report(report)], content: "the same bytes"),
            inputs.add("copy-of-a.xml", [.report(report)], content: "the same bytes"),
            inputs.add("resent.xml", [.report(report)]),
            inputs.add("rejected.xml", [.rejected("not XML")], content: "rejected bytes"),
            inputs.add("rejected-again.xml", [.rejected("not XML")], content: "rejected bytes"),
        ]
        let summary = try inputs.ingestor(
            database.connect(), options: IngestOptions(filesPerTransaction: filesPerTransaction)
        ).ingest(files: files)
        #expect(summary.reports == 1 && summary.rows == 6)
        #expect(summary.duplicateFiles == 1 && summary.duplicateReports == 1)
        // A rejected file is not kept, so its copy is read again and rejected again.
        #expect(summary.rejections.map(\.path) == [files[3], files[4]])
        let statuses = try database.connect().query("SELECT path, status, reason FROM input_files ORDER BY id").rows
            .map { "\((($0.string(0) ?? "") as NSString).lastPathComponent)=\($0.string(1) ?? ""): \($0.string(2) ?? "")" }
        #expect(
            statuses == [
                "a.xml=ingested: ", "copy-of-a.xml=duplicate: same file (SHA-256) ingested before",
                "resent.xml=duplicate: every report in it was stored before",
                "rejected.xml=rejected: notXML: not XML", "rejected-again.xml=rejected: notXML: not XML",
            ])
    }
}
