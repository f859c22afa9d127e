import Foundation
import Postgres
import Testing

@_spi(Testing) @testable import Store

/// Counts that once wrapped 64 bits: two rows of 2^63-1 messages made a report's total -2, and
/// `domain`, `failures` and `report monthly --all` stopped on an arithmetic overflow (the real
/// binary, a real database).
@Suite("huge message counts: read, stored and queried without a wrap or a trap", .dropsTestDatabases)
struct HugeCountTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func sample(_ path: String) -> String { root.appendingPathComponent(path).path }

    /// A report for beispiel-ag.de on the samples' day from three unauthorised addresses.
    static func report(id: String, counts: [String]) -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <feedback><report_metadata><org_name>evil.example</org_name><email>dmarc@evil.example</email>
            <report_id>\(id)</report_id><date_range><begin>1794873600</begin><end>1794959999</end></date_range>
            </report_metadata><policy_published><domain>beispiel-ag.de</domain><p>none</p></policy_published>
            """
        for (index, count) in counts.enumerated() {
            xml += """
                <record><row><source_ip>203.0.113.\(index + 1)</source_ip><count>\(count)</count><policy_evaluated>
                <disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
                <identifiers><header_from>beispiel-ag.de</header_from></identifiers>
                <auth_results><spf><domain>evil.example</domain><result>fail</result></spf></auth_results></record>
                """
        }
        return xml + "</feedback>\n"
    }

    /// A database with the sample tenants and reports, and `extra` report files ingested after them.
    static func database(extra: [String: String] = [:]) throws -> TestDatabase {
        let database = try TestCluster.get().freshDatabase()
        let apply = try DMARCBinary.run(["tenants", "apply", "--database", database.conninfo, sample("samples/tenants.yaml")])
        #expect(apply.status == 0, "\(apply.stderr)")
        let ingest = try DMARCBinary.run(["ingest", "--database", database.conninfo, sample("samples/reports")])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        if !extra.isEmpty {
            let directory = try makeTemporaryDirectory(prefix: "dmarc-huge-")
            for (name, xml) in extra { try xml.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
            let more = try DMARCBinary.run(["ingest", "--database", database.conninfo, directory])
            #expect(more.status == 0, "\(more.stderr)")
        }
        return database
    }

    /// The beispiel tenant's unauthorised messages and report count in its November JSON report.
    static func monthly(_ database: TestDatabase) throws -> (other: Int, reports: Int) {
        let out = try makeTemporaryDirectory(prefix: "dmarc-huge-out-")
        let run = try DMARCBinary.run([
            "report", "monthly", "--database", database.conninfo, "--all", "--month", "2026-11", "--format", "json",
            "--out", out,
        ])
        #expect(run.status == 0, "\(run.stderr.prefix(600))")
        let data = try Data(contentsOf: URL(fileURLWithPath: out + "/beispiel-2026-11.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let summary = try #require(json["summary"] as? [String: Any])
        let totals = try #require(summary["totals"] as? [String: Any])
        let other = try #require(totals["other"] as? [String: Any])
        return (try #require(other["messages"] as? Int), try #require(summary["reportCount"] as? Int))
    }

    /// `domain` and `failures` for beispiel-ag.de: exit codes and the failing sources.
    static func queries(_ database: TestDatabase) throws -> (domain: Int32, failures: Int32, sources: Set<String>) {
        let domain = try DMARCBinary.run(["domain", "--database", database.conninfo, "beispiel-ag.de"])
        let failures = try DMARCBinary.run([
            "failures", "--database", database.conninfo, "--domain", "beispiel-ag.de", "--from", "2026-11-01", "--to",
            "2026-11-30", "--format", "csv",
        ])
        // CSV: domain, source_ip, class, …
        let sources = Set(
            failures.stdout.split(separator: "\n").dropFirst().compactMap { line in
                line.split(separator: ",").dropFirst().first.map(String.init)
            })
        return (domain.status, failures.status, sources)
    }

    @Test("the issue's report: its two rows are left out with a warning, the queries answer")
    func hugeRowsAtReadTime() throws {
        let baseline = try Self.monthly(try Self.database())
        let database = try Self.database(extra: [
            "huge.xml": Self.report(id: "huge-1", counts: ["9223372036854775807", "9223372036854775807", "4"])
        ])
        #expect(try database.count("SELECT message_count FROM reports WHERE report_id = 'huge-1'") == 4)
        #expect(try database.count("SELECT count(*) FROM records WHERE count > 10000000000") == 0)
        let queries = try Self.queries(database)
        #expect(queries.domain == 0 && queries.failures == 0)
        #expect(queries.sources.contains("203.0.113.3"))
        let monthly = try Self.monthly(database)
        #expect(monthly.other == baseline.other + 4)
        #expect(monthly.reports == baseline.reports + 1)
    }

    @Test("rows stored before the cap: sql/023 sums their reports again, and every query leaves them out")
    func hugeRowsStoredBefore() throws {
        let baseline = try Self.monthly(try Self.database())
        let database = try Self.database(extra: ["legacy.xml": Self.report(id: "legacy-1", counts: ["7", "9", "4"])])
        // What a version before the cap stored for the report: the rows as sent, the sums wrapped.
        let connection = try database.connect()
        try connection.execute(
            """
            ALTER TABLE records DROP CONSTRAINT records_count_within_cap;
            ALTER TABLE reports DROP CONSTRAINT reports_message_count_within_cap;
            ALTER TABLE report_from_domains DROP CONSTRAINT report_from_domains_messages_within_cap;
            UPDATE records SET count = 9223372036854775807
             WHERE report = (SELECT id FROM reports WHERE report_id = 'legacy-1') AND source_ip IN ('203.0.113.1', '203.0.113.2');
            UPDATE report_from_domains SET message_count = 2 WHERE report = (SELECT id FROM reports WHERE report_id = 'legacy-1');
            UPDATE reports SET message_count = 2 WHERE report_id = 'legacy-1';
            """)
        let queries = try Self.queries(database)
        #expect(queries.domain == 0 && queries.failures == 0)
        #expect(queries.sources.contains("203.0.113.3") && !queries.sources.contains("203.0.113.1"))
        #expect(try Self.monthly(database).other == baseline.other + 4)

        let migration = try String(contentsOfFile: Self.sample("sql/023_message_count_caps.sql"), encoding: .utf8)
        try connection.execute(migration)
        #expect(try database.count("SELECT message_count FROM reports WHERE report_id = 'legacy-1'") == 4)
        #expect(
            try database.count(
                "SELECT message_count FROM report_from_domains WHERE report = (SELECT id FROM reports WHERE report_id = 'legacy-1')")
                == 4)
        let after = try Self.queries(database)
        #expect(after.domain == 0 && after.failures == 0 && after.sources == queries.sources)
        #expect(try Self.monthly(database).other == baseline.other + 4)
        // New rows past the cap are refused by the database itself, whoever writes them.
        #expect(throws: PostgresError.self) {
            try connection.execute("UPDATE records SET count = 10000000001 WHERE source_ip = '203.0.113.3'")
        }
    }
}
