import Foundation

/// Prints the report's HTML to PDF with a headless Chromium found on PATH.
///
/// A browser is the only renderer that prints the same HTML, CSS and SVG the customer can open;
/// it is run as a separate process with a throwaway profile and a timeout, so a hung browser
/// cannot hang a batch of reports.
public struct PDFPrinter: Sendable {
    /// Program names tried in order on PATH.
    public var browserNames: [String]
    public var timeoutSeconds: Double
    /// The search path; nil: the process's `PATH`.
    public var searchPath: String?

    public init(
        browserNames: [String] = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"],
        timeoutSeconds: Double = 90, searchPath: String? = nil
    ) {
        self.browserNames = browserNames
        self.timeoutSeconds = timeoutSeconds
        self.searchPath = searchPath
    }

    /// The first executable browser on the search path, or nil.
    public func findBrowser() -> String? {
        let path = searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        for name in browserNames {
            for directory in directories {
                let candidate = directory + "/" + name
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    /// The PDF bytes for `html`.
    public func print(html: String) throws(ComplianceReportError) -> Data {
        guard let browser = findBrowser() else {
            throw ComplianceReportError(
                code: .browserNotFound,
                message: "PDF needs a headless browser: none of \(browserNames.joined(separator: ", ")) is on PATH"
                    + " (install one, e.g. `apt-get install chromium`), or use --format html")
        }
        let fileManager = FileManager.default
        let directory = fileManager.temporaryDirectory.appendingPathComponent("dmarc-report-\(UUID().uuidString)")
        defer { try? fileManager.removeItem(at: directory) }
        let input = directory.appendingPathComponent("report.html")
        let output = directory.appendingPathComponent("report.pdf")
        let log = directory.appendingPathComponent("browser.log")
        do {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(html.utf8).write(to: input)
            _ = fileManager.createFile(atPath: log.path, contents: nil)
        } catch {
            throw ComplianceReportError(
                code: .writeFailed,
                message: "cannot write the temporary HTML for the PDF in \(directory.path): \(error)")
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--no-first-run",
            "--disable-extensions", "--user-data-dir=\(directory.appendingPathComponent("profile").path)",
            "--print-to-pdf=\(output.path)", input.absoluteString,
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        // Into a file, not a pipe: an unread pipe that fills up would block the browser.
        let logHandle = try? FileHandle(forWritingTo: log)
        process.standardError = logHandle ?? FileHandle.nullDevice
        defer { try? logHandle?.close() }

        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            throw ComplianceReportError(code: .browserFailed, message: "cannot start \(browser): \(error)")
        }
        if finished.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            process.terminate()
            // SIGTERM is blocked in a browser started from a thread that blocks it (the child inherits
            // the mask): then SIGKILL, which nothing blocks.
            if finished.wait(timeout: .now() + 5) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                _ = finished.wait(timeout: .now() + 5)
            }
            throw ComplianceReportError(
                code: .browserTimedOut,
                message: "\(browser) did not finish printing the PDF within \(Int(timeoutSeconds)) seconds")
        }
        guard let pdf = try? Data(contentsOf: output), pdf.starts(with: Array("%PDF".utf8)) else {
            let errors = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let lastLines = errors.split(separator: "\n").suffix(3).joined(separator: " | ")
            throw ComplianceReportError(
                code: .browserFailed,
                message: "\(browser) exited with status \(process.terminationStatus) and wrote no PDF"
                    + (lastLines.isEmpty ? "" : ": \(lastLines)"))
        }
        return pdf
    }
}
