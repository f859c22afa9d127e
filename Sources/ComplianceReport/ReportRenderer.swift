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
    public func write(_ report: MonthlyReport, as format: ReportFormat, to path: String) throws(ComplianceReportError) {
        let data = try render(report, as: format)
        if let reason = Self.writeAtomically(data, to: path) {
            throw ComplianceReportError(code: .writeFailed, message: "cannot write \(path): \(reason)")
        }
    }

    /// Writes a temporary file beside `path` and renames it over `path`, so a reader never sees half
    /// a report. Returns the operating system's reason on failure ("Is a directory", "No space left
    /// on device"), having removed the temporary file.
    static func writeAtomically(_ data: Data, to path: String) -> String? {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        var failure: Int32 = 0
        data.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }  // nothing to write
            var offset = 0
            while offset < bytes.count, failure == 0 {
                let written = Foundation.write(descriptor, base + offset, bytes.count - offset)
                if written < 0 {
                    if errno != EINTR { failure = errno }
                } else {
                    offset += written
                }
            }
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        guard failure != 0 else { return nil }
        unlink(temporary)
        return String(cString: strerror(failure))
    }

    /// `acme-2026-03.pdf`: the name each tenant's file gets with `--all --out DIR`.
    public static func fileName(tenantID: String, month: ReportMonth, format: ReportFormat) -> String {
        "\(tenantID)-\(month).\(format.fileExtension)"
    }
}
