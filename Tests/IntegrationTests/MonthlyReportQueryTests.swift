import ComplianceReport
import DMARC
import Diagnosis
import Foundation
import Testing
@testable import Store

/// The monthly report built from the database: its totals are the stored rows', one tenant's only.
@Suite("monthly report from the database")
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
