import DMARC
import Diagnosis
import Foundation
import Testing
@testable import ComplianceReport
@testable import ReadSide

/// The monthly report built from the database: its totals are the stored rows', one tenant's only.
@Suite("monthly report from the database", .dropsTestDatabases)
struct MonthlyReportQueryTests {
    typealias Row = SupportQueryTests.Row

    @Test("totals equal the sums over the tenant's stored rows of the month, apportioned by day, nothing of others")
    func totalsMatchStoredRows() throws {
        let inside = SupportQueryTests.reportXML(id: "in", domain: "acme-hr.ch", rows: [
            Row(ip: "192.0.2.10", count: 400, dkim: "fail", spf: "pass", from: "acme-hr.ch", envelope: "acme-hr.ch",
                spfResults: [("acme-hr.ch", "pass")]),
            Row(ip: "192.0.2.11", count: 37, dkim: "fail", spf: "fail", from: "acme-hr.ch", spfResults: [("acme-hr.ch", "softfail")]),
            Row(ip: "192.0.2.21", count: 70, dkim: "fail", spf: "fail", from: "beispiel-ag.de", signatures: [("beispiel-ag.de", "hr2", "fail")]),
        ])
        // 2026-10-31 12:00 to 2026-11-01 12:00 UTC: half of it in November.
        let crossing = SupportQueryTests.reportXML(id: "cross", reporter: "Yahoo", domain: "acme-hr.ch", begin: 1_793_448_000, rows: [
            Row(ip: "192.0.2.10", count: 100, dkim: "fail", spf: "pass", from: "acme-hr.ch", envelope: "acme-hr.ch",
                spfResults: [("acme-hr.ch", "pass")]),
        ])
        let (_, connection) = try SupportQueryTests.prepared([inside, crossing])
        let month = try #require(ReportMonth("2026-11"))
        let input = try MonthlyReportQuery(connection: connection).input(tenantID: "acme", month: month)
        let report = MonthlyReport.build(input)
        #expect(report.summary.totals.messages == 400 + 37 + 50)
        #expect(report.summary.totals.all.passed == 400 + 50)
        let json = String(decoding: try ReportRenderer.json(report), as: UTF8.self)
        #expect(!json.contains("beispiel"))
        #expect(json.contains("acme-hr.ch"))
        #expect(input.reports.count == 2)
        #expect(input.reports.allSatisfy { $0.sha256.count == 64 })

        let other = MonthlyReport.build(try MonthlyReportQuery(connection: connection).input(tenantID: "beispiel", month: month))
        #expect(other.summary.totals.messages == 70)
    }

    @Test("passing rows read summed give the report that every stored row diagnosed alone gives")
    func passingRowsAsDiagnosed() throws {
        let contoso = SupportQueryTests.reportXML(id: "c", reporter: "Yahoo", domain: "contoso-talent.com", rows: [
            Row(ip: "198.51.100.7", count: 150, dkim: "pass", spf: "pass", from: "contoso-talent.com"),  // relay
            Row(ip: "198.51.100.7", count: 20, dkim: "pass", spf: "pass", from: "contoso-talent.com"),  // alike
            Row(ip: "198.51.100.7", count: 30, dkim: "pass", spf: "pass", from: "contoso-talent.com",
                signatures: [("contoso-talent.com", "r", "pass")]),  // alike in what a pass is read for
            Row(ip: "198.51.100.7", count: 5, dkim: "pass", spf: "fail", from: "contoso-talent.com"),  // other results
            Row(ip: "192.0.2.30", count: 8, dkim: "pass", spf: "fail", from: "contoso-talent.com"),  // provider
            Row(ip: "203.0.113.5", count: 3, dkim: "fail", spf: "pass", from: "contoso-talent.com"),  // elsewhere
            Row(ip: "192.0.2.31", count: 9, dkim: "fail", spf: "fail", from: "contoso-talent.com",
                signatures: [("mail.provider.example", "p1", "pass")]),
            Row(ip: "192.0.2.31", count: 9, dkim: "fail", spf: "fail", from: "contoso-talent.com",
                signatures: [("mail.provider.example", "p1", "pass")]),  // failing rows are not summed
            Row(ip: "192.0.2.32", count: 0, dkim: "pass", spf: "pass", from: "contoso-talent.com"),  // empty
            Row(ip: "192.0.2.33", count: 4, dkim: "pass", spf: "pass", from: "news.contoso-talent.com"),  // subdomain
            Row(ip: "not-an-ip", count: 2, dkim: "pass", spf: "pass", from: "contoso-talent.com"),
        ])
        // The same address in another receiver's report stays that receiver's.
        let other = SupportQueryTests.reportXML(id: "g", reporter: "google.com", domain: "contoso-talent.com", rows: [
            Row(ip: "198.51.100.7", count: 70, dkim: "pass", spf: "pass", from: "contoso-talent.com"),
        ])
        let (_, connection) = try SupportQueryTests.prepared([contoso, other])
        let month = try #require(ReportMonth("2026-11"))
        let input = try MonthlyReportQuery(connection: connection).input(tenantID: "contoso", month: month)
        let configuration = try #require(try TenantStore(connection: connection).current())
        // The reference: each stored row read whole and diagnosed alone.
        var reports: [Int64: ReceivedReport] = [:]
        for row in try connection.storedRows(domain: "contoso-talent.com", period: SupportQueryTests.november) {
            let diagnosis = Diagnoser.diagnose(row.record, day: row.day, configuration: configuration, policy: row.policy)
            guard diagnosis.tenantID == "contoso" else { continue }
            reports[row.reportKey, default: ReceivedReport(
                receiver: row.reporter, reportID: row.reportID, period: DateRange(begin: row.begin, end: row.end),
                sha256: row.sourceSHA256, policy: PublishedPolicy(row.policy), rows: [])].rows.append(ReportedRow(diagnosis))
        }
        var reference = input
        reference.reports = reports.values.sorted { $0.reportID < $1.reportID }
        #expect(MonthlyReport.build(reference) == MonthlyReport.build(input))
        // And as `report monthly` reads it: tallied as read, on two connections.
        #expect(try MonthlyReportQuery(connection: connection).report(tenantID: "contoso", month: month) == MonthlyReport.build(input))
        #expect(MonthlyReport.totals(reference) == MonthlyReport.totals(input))
        // The three alike passes are one row of 200 messages; the rest stay as they were.
        let rows = input.reports.flatMap { report in report.rows.map { "\(report.reportID) \($0.sourceIP) \($0.class) \($0.messages)" } }
        #expect(rows.sorted() == [
            "c 192.0.2.30 pass 8", "c 192.0.2.31 relayBypassed 9", "c 192.0.2.31 relayBypassed 9",
            "c 192.0.2.32 empty 0", "c 192.0.2.33 pass 4", "c 198.51.100.7 pass 200", "c 198.51.100.7 pass 5",
            "c 203.0.113.5 pass 3", "g 198.51.100.7 pass 70",
        ], "\(rows)")
    }

    @Test("the previous month's totals, summed by verdict on the server, are those of every stored row diagnosed alone")
    func previousMonthTotalsAsDiagnosed() throws {
        let october: Int64 = 1_792_022_400  // 2026-10-15
        let contoso = SupportQueryTests.reportXML(id: "c", reporter: "Yahoo", domain: "contoso-talent.com", begin: october, rows: [
            Row(ip: "198.51.100.7", count: 150, dkim: "pass", spf: "pass", from: "contoso-talent.com"),  // relay
            Row(ip: "198.51.100.7", count: 20, dkim: "pass", spf: "pass", from: "contoso-talent.com"),
            Row(ip: "192.0.2.30", count: 8, dkim: "pass", spf: "fail", from: "contoso-talent.com"),  // provider
            Row(ip: "192.0.2.31", count: 9, dkim: "fail", spf: "fail", from: "contoso-talent.com",
                signatures: [("mail.provider.example", "p1", "pass")]),
            Row(ip: "2001:db8:100::5", count: 6, dkim: "fail", spf: "fail", from: "contoso-talent.com"),
            Row(ip: "203.0.113.5", count: 3, dkim: "fail", spf: "fail", from: "contoso-talent.com"),  // elsewhere
            Row(ip: "192.0.2.32", count: 0, dkim: "pass", spf: "pass", from: "contoso-talent.com"),  // empty
            Row(ip: "192.0.2.33", count: 4, dkim: "pass", spf: "pass", from: "news.contoso-talent.com"),  // subdomain
            // No verdict: the auth results decide, pass by an aligned signature, or not.
            Row(ip: "192.0.2.34", count: 11, dkim: "", spf: "", from: "contoso-talent.com",
                signatures: [("contoso-talent.com", "relay2026", "pass")]),
            Row(ip: "192.0.2.35", count: 12, dkim: "", spf: "", from: "contoso-talent.com",
                spfResults: [("contoso-talent.com", "softfail")]),
            Row(ip: "192.0.2.36", count: 13, dkim: "fail", spf: "", from: "contoso-talent.com"),
            // Stored by something other than ingest as IPv4-mapped IPv6: still the provider's network.
            Row(ip: "192.0.2.40", count: 14, dkim: "pass", spf: "pass", from: "contoso-talent.com"),
            Row(ip: "192.0.2.41", count: 15, dkim: "pass", spf: "pass", from: "beispiel-ag.de"),  // another tenant
            Row(ip: "192.0.2.42", count: 16, dkim: "pass", spf: "pass", from: "nobody.example"),  // no tenant
        ])
        // 2026-10-31 12:00 to 2026-11-01 12:00 UTC: half of it in October.
        let crossing = SupportQueryTests.reportXML(id: "x", reporter: "GMX", domain: "contoso-talent.com", begin: 1_793_448_000, rows: [
            Row(ip: "192.0.2.30", count: 101, dkim: "pass", spf: "pass", from: "contoso-talent.com"),
            Row(ip: "203.0.113.9", count: 7, dkim: "fail", spf: "fail", from: "contoso-talent.com"),
        ])
        let (_, connection) = try SupportQueryTests.prepared([contoso, crossing])
        try connection.execute("UPDATE records SET source_ip = '::ffff:192.0.2.40' WHERE source_ip = '192.0.2.40'")
        let configuration = try #require(try TenantStore(connection: connection).current())
        let tenant = try #require(configuration.tenants.first { $0.id == "contoso" })
        let month = try #require(ReportMonth("2026-10"))
        // The reference: each stored row read whole and diagnosed alone, as `collect` reads a month.
        var reports: [Int64: ReceivedReport] = [:]
        let period = DayRange(from: Day("2026-10-02")!, to: Day("2026-11-01")!)
        for row in try connection.storedRows(domain: "contoso-talent.com", period: period) {
            let diagnosis = Diagnoser.diagnose(row.record, day: row.day, configuration: configuration, policy: row.policy)
            guard diagnosis.tenantID == "contoso" else { continue }
            reports[row.reportKey, default: ReceivedReport(
                receiver: row.reporter, reportID: row.reportID, period: DateRange(begin: row.begin, end: row.end),
                sha256: row.sourceSHA256, policy: PublishedPolicy(row.policy), rows: [])].rows.append(ReportedRow(diagnosis))
        }
        let reference = MonthlyReport.totals(
            MonthlyReportInput(tenant: tenant, providerName: "", month: month, reports: Array(reports.values)))
        let totals = try MonthlyReportQuery.totals(on: connection, tenant: tenant, configuration: configuration, month: month)
        #expect(totals == reference)
        // Spelled out: the provider's 8 + 9 + 6 + 4 (subdomain) + 11 + 12 + 13 + 14 + 51 (half of 101, the
        // earlier day rounding up), passed 8 + 4 + 11 + 14 + 51; elsewhere the relay's 170 + 3 + 4 (half of
        // 7), passed 170.
        #expect(
            reference.providerInfrastructure
                == PassCount(messages: 8 + 9 + 6 + 4 + 11 + 12 + 13 + 14 + 51, passed: 8 + 4 + 11 + 14 + 51))
        #expect(reference.other == PassCount(messages: 170 + 3 + 4, passed: 170))
        // And as the report of November reads it.
        let input = try MonthlyReportQuery(connection: connection).input(tenantID: "contoso", month: try #require(ReportMonth("2026-11")))
        #expect(input.previousMonth == reference)
        #expect(
            try MonthlyReportQuery(connection: connection).report(tenantID: "contoso", month: try #require(ReportMonth("2026-11")))
                == MonthlyReport.build(input))
        // A month with only other tenants' rows has no totals, as a month without reports.
        let beispiel = try #require(configuration.tenants.first { $0.id == "beispiel" })
        #expect(try MonthlyReportQuery.totals(on: connection, tenant: beispiel, configuration: configuration, month: month)?.messages == 15)
        #expect(try MonthlyReportQuery.totals(on: connection, tenant: tenant, configuration: configuration, month: try #require(ReportMonth("2026-09"))) == nil)
    }

    @Test("an empty month says so")
    func emptyMonth() throws {
        let (_, connection) = try SupportQueryTests.prepared([])
        let input = try MonthlyReportQuery(connection: connection).input(tenantID: "contoso", month: try #require(ReportMonth("2026-11")))
        let report = MonthlyReport.build(input)
        #expect(report.summary.status == .noData)
        #expect(report.summary.totals.messages == 0)
    }

    @Test("an unknown tenant is named")
    func unknownTenant() throws {
        let (_, connection) = try SupportQueryTests.prepared([])
        #expect(throws: QueryError.self) {
            try MonthlyReportQuery(connection: connection).input(tenantID: "nobody", month: try #require(ReportMonth("2026-11")))
        }
    }
}
