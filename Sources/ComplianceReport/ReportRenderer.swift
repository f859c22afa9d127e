import DurableFiles
import Foundation

/// The output formats of `dmarc report monthly --format`.
public enum ReportFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case html, pdf, csv, json

    public var fileExtension: String { rawValue }
}

/// Renders a `MonthlyReport` in any format: the entry point the command line calls.
public struct ReportRenderer: Sendable {
    public var printer: PDFPrinter

    public init(printer: PDFPrinter = PDFPrinter()) {
        self.printer = printer
    }

    public func render(_ report: MonthlyReport, as format: ReportFormat) throws(ComplianceReportError) -> Data {
        switch format {
        case .html: return Data(HTMLRenderer().render(report).utf8)
        case .csv: return Data(CSVRenderer().render(report).utf8)
        case .json: return try ReportRenderer.json(report)
        case .pdf: return try printer.print(html: HTMLRenderer().render(report))
        }
    }

    /// The whole model, keys sorted so the same report always gives the same bytes.
    public static func json(_ report: MonthlyReport) throws(ComplianceReportError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            var data = try encoder.encode(report)
            data.append(UInt8(ascii: "\n"))
            return data
        } catch {
            throw ComplianceReportError(code: .encodingFailed, message: "cannot encode the report as JSON: \(error)")
        }
    }

    /// Renders and writes to `path` (replacing it atomically, so a failed run leaves no half file).
    /// Writes through a temporary file renamed into place (`DurableFile`), so a reader never sees
    /// half a report; a failure says the system's reason ("No space left on device").
    public func write(_ report: MonthlyReport, as format: ReportFormat, to path: String) throws(ComplianceReportError) {
        let data = try render(report, as: format)
        do {
            try DurableFile.write(Array(data), to: path)
        } catch {
            throw ComplianceReportError(code: .writeFailed, message: "cannot write \(path): \(error.reason)")
        }
    }

    /// `acme-2026-03.pdf`: the name each tenant's file gets with `--all --out DIR`.
    public static func fileName(tenantID: String, month: ReportMonth, format: ReportFormat) -> String {
        "\(tenantID)-\(month).\(format.fileExtension)"
    }
}
