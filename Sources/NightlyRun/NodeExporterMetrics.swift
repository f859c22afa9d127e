import DurableFiles
import Foundation

/// The run's figures in Prometheus' text format, for node_exporter's textfile collector: written
/// under a temporary name and renamed into place, so the collector never reads half a file.
public enum NodeExporterMetrics {
    public static func text(_ summary: RunSummary, lastSuccess: Double?) -> String {
        var lines: [String] = []
        func gauge(_ name: String, _ help: String, _ value: String) {
            lines.append("# HELP dmarc_nightly_\(name) \(help)")
            lines.append("# TYPE dmarc_nightly_\(name) gauge")
            lines.append("dmarc_nightly_\(name) \(value)")
        }
        gauge("reports", "Reports stored by the last nightly run.", "\(summary.reports)")
        gauge("rows", "Report rows stored by the last nightly run.", "\(summary.rows)")
        gauge("rejected", "Inputs rejected by the last nightly run.", "\(summary.rejected)")
        gauge("duration_seconds", "How long the last nightly run took.", String(format: "%.3f", summary.seconds))
        gauge("exit_status", "The last nightly run's exit status (0: success).", "\(summary.exitStatus)")
        if let lastSuccess {
            gauge("last_success_timestamp_seconds", "When the last successful nightly run ended (Unix time).", String(format: "%.0f", lastSuccess))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the file, making its directory first when it is missing.
    public static func write(_ summary: RunSummary, lastSuccess: Double?, to path: String) throws(DurableFile.Failure) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        try DurableFile.write(Array(text(summary, lastSuccess: lastSuccess).utf8), to: path)
    }
}
