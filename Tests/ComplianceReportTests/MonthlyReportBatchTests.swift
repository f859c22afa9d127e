import Diagnosis
import Foundation
import Testing

@testable import ComplianceReport

@Suite struct MonthlyReportBatchTests {
    @Test func everyTenantGetsItsFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var second = SampleReport.input(days: 1...3)
        second.tenant.id = "zweite"
        let outcomes = MonthlyReportBatch().write([SampleReport.input(days: 1...3), second], as: .csv, into: directory)
        #expect(outcomes.map(\.tenantID) == ["beispiel", "zweite"])
        #expect(outcomes.allSatisfy { $0.error == nil })
        #expect(FileManager.default.fileExists(atPath: directory + "/beispiel-2026-03.csv"))
        #expect(FileManager.default.fileExists(atPath: directory + "/zweite-2026-03.csv"))
    }

    @Test func aFailingTenantDoesNotStopTheOthers() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let batch = MonthlyReportBatch(renderer: ReportRenderer(printer: PDFPrinter(searchPath: "/nonexistent")))
        let outcomes = batch.write([SampleReport.input(days: 1...1)], as: .pdf, into: directory)
        #expect(outcomes.first?.error?.code == .browserNotFound)
        // A directory where one tenant's file should go: that tenant fails with a write error, the next is written.
        try FileManager.default.createDirectory(
            atPath: directory + "/blocked-2026-03.html", withIntermediateDirectories: true)
        var input = SampleReport.input(days: 1...1)
        input.tenant.id = "blocked"
        let html = MonthlyReportBatch().write([input, SampleReport.input(days: 1...1)], as: .html, into: directory)
        #expect(html.map { $0.error?.code } == [.writeFailed, nil])
        #expect(FileManager.default.fileExists(atPath: directory + "/beispiel-2026-03.html"))
    }
}
