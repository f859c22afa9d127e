import Foundation
import Testing

// A month reconciled three ways, to the message (issue 18): October 2026 of tenant `acme`
// (samples/tenants.yaml: acme-hr.ch, method spf; provider networks 192.0.2.0/24) from reports
// whose periods cross midnight and both month ends, each with many rows alike (one row per
// recipient domain, as Microsoft writes them), every count odd so that each split leaves a remainder.
//
// Each crossing report runs 12:00 to 12:00 UTC: a row of count c splits into halves, the odd
// message to the earlier day (DayApportioning: ties go to the earlier day), so the earlier day gets
// (c + 1) / 2 and the later (c − 1) / 2. The rows of a report, by kind (k rows with counts 1, 3, …, 2k − 1):
//
//   kind                                   k   Σ c = k²   earlier Σ (c+1)/2 = (k²+k)/2   later (k²−k)/2
//   pass (SPF pass, 192.0.2.10)           12      144                 78                         66
//   spf-not-authorized (192.0.2.11)        6       36                 21                         15
//   unauthorized-source (203.0.113.5)      4       16                 10                          6
//   all                                          196                109                         87
//
// Reports:
//   A  Outlook.com  30 Sep 12:00 – 1 Oct 12:00   October gets the later halves:   87 (passed 66)
//   B  Yahoo        10 Oct 12:00 – 11 Oct 12:00  October gets all of it:          196 (passed 144)
//   C  Outlook.com  31 Oct 12:00 – 1 Nov 12:00   October gets the earlier halves: 109 (passed 78)
//   D  google.com   5 Nov, one day, 5 pass rows 1, 3, …, 9:                        25 (passed 25), November
//
// October: 87 + 196 + 109 = 392 messages, 66 + 144 + 78 = 288 passed.
//   provider servers (pass and spf-not-authorized): 66+15 + 144+36 + 78+21 = 360, 288 passed;
//   other senders: 6 + 16 + 10 = 32, none passed.
//   Days: 1 Oct 87 / 66; 10 Oct 109 / 78; 11 Oct 87 / 66; 31 Oct 109 / 78.
//   Receivers: Outlook.com (Microsoft) 87 + 109 = 196 / 144 in 2 reports; Yahoo 196 / 144 in 1.
// November: 87 (C's later halves) + 25 = 112 messages, 66 + 25 = 91 passed.
//
// Summed before the split, the 12 passes of A would be one row of 144 split 72 + 72, and October
// would get 72 instead of 66 of them: the numbers below tell the two apart.

/// The month from the report of the month, from the next month's "previous month", from its days,
/// its receivers and its appendix: one number.
@Suite("A month reconciles: this report, the next one's previous month, its days and receivers", .dropsTestDatabases)
struct MonthReconciliationTests {
    struct Kind {
        let source: String
        let spf: String
        let rows: Int
    }

    static let kinds = [
        Kind(source: "192.0.2.10", spf: "pass", rows: 12),
        Kind(source: "192.0.2.11", spf: "fail", rows: 6),
        Kind(source: "203.0.113.5", spf: "fail", rows: 4),
    ]

    /// 2026-10-01 00:00 UTC.
    static let october1: Int64 = 1_790_812_800

    /// An aggregate report for acme-hr.ch with `kinds`' rows, each row with its own recipient domain.
    static func reportXML(org: String, id: String, begin: Int64, end: Int64, kinds: [Kind]) -> String {
        var records = ""
        for kind in kinds {
            for index in 0..<kind.rows {
                let count = 2 * index + 1
                records += """
                    <record><row><source_ip>\(kind.source)</source_ip><count>\(count)</count>\
                    <policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>\(kind.spf)</spf></policy_evaluated></row>\
                    <identifiers><envelope_to>customer-\(index).example</envelope_to><envelope_from>acme-hr.ch</envelope_from>\
                    <header_from>acme-hr.ch</header_from></identifiers>\
                    <auth_results><spf><domain>acme-hr.ch</domain><scope>mfrom</scope><result>\(kind.spf)</result></spf></auth_results></record>

                    """
            }
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <feedback><version>1.0</version>
            <report_metadata><org_name>\(org)</org_name><email>dmarc@receiver.example</email><report_id>\(id)</report_id>\
            <date_range><begin>\(begin)</begin><end>\(end)</end></date_range></report_metadata>
            <policy_published><domain>acme-hr.ch</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct></policy_published>
            \(records)</feedback>

            """
    }

    /// Ingests reports A to D into a fresh database with samples/tenants.yaml applied; returns its conninfo.
    static func ingested() throws -> String {
        let database = try TestCluster.get().freshDatabase()
        let apply = try DMARCBinary.run([
            "tenants", "apply", "--database", database.conninfo, CommandLineTests.sample("samples/tenants.yaml"),
        ])
        try #require(apply.status == 0, "\(apply.stderr)")
        let directory = try makeTemporaryDirectory(prefix: "dmarc-reconcile-")
        let day: Int64 = 86_400
        let reports = [
            ("Outlook.com", "reconcile-a", october1 - day / 2, october1 + day / 2, kinds),
            ("Yahoo", "reconcile-b", october1 + 9 * day + day / 2, october1 + 10 * day + day / 2, kinds),
            ("Outlook.com", "reconcile-c", october1 + 30 * day + day / 2, october1 + 31 * day + day / 2, kinds),
            ("google.com", "reconcile-d", october1 + 35 * day, october1 + 36 * day - 1, [Kind(source: "192.0.2.10", spf: "pass", rows: 5)]),
        ]
        for (org, id, begin, end, kinds) in reports {
            try reportXML(org: org, id: id, begin: begin, end: end, kinds: kinds)
                .write(toFile: "\(directory)/\(id).xml", atomically: true, encoding: .utf8)
        }
        let ingest = try DMARCBinary.run(["ingest", "--database", database.conninfo, directory])
        try #require(ingest.status == 0, "\(ingest.stderr)")
        return database.conninfo
    }

    static func monthly(_ conninfo: String, _ month: String) throws -> [String: Any] {
        let out = try makeTemporaryDirectory(prefix: "dmarc-reconcile-out-") + "/\(month).json"
        let run = try DMARCBinary.run([
            "report", "monthly", "--database", conninfo, "--tenant", "acme", "--month", month, "--format", "json",
            "--out", out,
        ])
        try #require(run.status == 0, "\(run.stderr)")
        return try CommandLineTests.json(out)
    }

    static func count(_ value: Any?) -> [Int] {
        let count = value as? [String: Int] ?? [:]
        return [count["messages"] ?? -1, count["passed"] ?? -1]
    }

    @Test("October: 392 messages, 288 passed, in October's report, November's previous month, the days, receivers and appendix")
    func reconciles() throws {
        let conninfo = try Self.ingested()
        let october = try Self.monthly(conninfo, "2026-10")
        let november = try Self.monthly(conninfo, "2026-11")

        // 1. The report of the month.
        let summary = try #require(october["summary"] as? [String: Any])
        let totals = try #require(summary["totals"] as? [String: Any])
        #expect(Self.count(totals["providerInfrastructure"]) == [360, 288])
        #expect(Self.count(totals["other"]) == [32, 0])

        // 2. The next month's report, its "previous month".
        let next = try #require(november["summary"] as? [String: Any])
        let previous = try #require(next["previousMonth"] as? [String: Any])
        #expect(Self.count(previous["providerInfrastructure"]) == [360, 288])
        #expect(Self.count(previous["other"]) == [32, 0])
        let nextTotals = try #require(next["totals"] as? [String: Any])
        let novemberAll = zip(Self.count(nextTotals["providerInfrastructure"]), Self.count(nextTotals["other"])).map(+)
        #expect(novemberAll == [112, 91])

        // 3. The sum of its days, and which days.
        let days = try #require(october["days"] as? [[String: Any]])
        var byDay: [String: [Int]] = [:]
        for day in days where Self.count(day["traffic"])[0] > 0 {
            byDay[day["day"] as? String ?? "?"] = Self.count(day["traffic"])
        }
        #expect(byDay == [
            "2026-10-01": [87, 66], "2026-10-10": [109, 78], "2026-10-11": [87, 66], "2026-10-31": [109, 78],
        ])
        #expect(byDay.values.reduce([0, 0]) { zip($0, $1).map(+) } == [392, 288])

        // Per receiver, and each report's share in the appendix.
        let receivers = try #require(october["receivers"] as? [[String: Any]])
        let receiverFigures = receivers.map {
            "\($0["receiver"] as? String ?? "?") \(Self.count($0["traffic"])) \($0["reports"] as? Int ?? -1)"
        }
        // By common name: Outlook.com is Microsoft.
        #expect(receiverFigures.sorted() == ["Microsoft [196, 144] 2", "Yahoo [196, 144] 1"])
        let evidence = try #require(october["evidence"] as? [[String: Any]])
        #expect(evidence.map { "\($0["reportID"] as? String ?? "?") \($0["messagesInMonth"] as? Int ?? -1)" } == [
            "reconcile-a 87", "reconcile-b 196", "reconcile-c 109",
        ])

        // The CSV's rows add up to the same month.
        let out = try makeTemporaryDirectory(prefix: "dmarc-reconcile-csv-") + "/october.csv"
        let run = try DMARCBinary.run([
            "report", "monthly", "--database", conninfo, "--tenant", "acme", "--month", "2026-10", "--format", "csv",
            "--out", out,
        ])
        try #require(run.status == 0, "\(run.stderr)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).components(separatedBy: "\r\n").dropFirst()
        let csvTotal = lines.compactMap { $0.components(separatedBy: ",").last.flatMap { Int($0) } }.reduce(0, +)
        #expect(csvTotal == 392)
    }
}
