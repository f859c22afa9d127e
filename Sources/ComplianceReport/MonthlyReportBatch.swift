import Foundation

/// `--all --month YYYY-MM --out DIR`: every tenant's report into one directory.
///
/// One tenant's failure (an unwritable file, a browser that crashed on its PDF) is recorded and the
/// others still get their reports, as everywhere else in this tool: bad input is set aside, the rest goes on.
public struct MonthlyReportBatch: Sendable {
    /// What happened to one tenant's report.
    public struct Outcome: Sendable {
        public var tenantID: String
        /// Where the report was written (also set when writing failed: the path that was tried).
        public var path: String
        public var error: ComplianceReportError?
    }

    public var renderer: ReportRenderer

    public init(renderer: ReportRenderer = ReportRenderer()) {
        self.renderer = renderer
    }

    /// Builds and writes each input's report as `DIR/<tenant>-<YYYY-MM>.<format>`, in the order given.
    public func write(_ inputs: [MonthlyReportInput], as format: ReportFormat, into directory: String) -> [Outcome] {
        write(inputs.map(MonthlyReport.build), as: format, into: directory)
    }

    /// Writes each report as `DIR/<tenant>-<YYYY-MM>.<format>`, in the order given.
    public func write(_ reports: [MonthlyReport], as format: ReportFormat, into directory: String) -> [Outcome] {
        var outcomes: [Outcome] = []
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            let failure = ComplianceReportError(code: .writeFailed, message: "cannot create \(directory): \(error)")
            return reports.map { Outcome(tenantID: $0.tenant.id, path: directory, error: failure) }
        }
        for report in reports {
            let name = ReportRenderer.fileName(tenantID: report.tenant.id, month: report.month, format: format)
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                try renderer.write(report, as: format, to: path)
                outcomes.append(Outcome(tenantID: report.tenant.id, path: path, error: nil))
            } catch {
                outcomes.append(Outcome(tenantID: report.tenant.id, path: path, error: error))
            }
        }
        return outcomes
    }
}
