import Diagnosis
import Foundation
import Testing

@testable import ComplianceReport

@Suite struct PDFPrinterTests {
    static let hasBrowser = PDFPrinter().findBrowser() != nil

    @Test func aMissingBrowserIsNamed() {
        let printer = PDFPrinter(searchPath: "/nonexistent")
        #expect(printer.findBrowser() == nil)
        do {
            _ = try printer.print(html: "<html/>")
            Issue.record("printed without a browser")
        } catch {
            #expect(error.code == .browserNotFound)
            #expect(error.message.contains("chromium"))
        }
    }

    /// A directory holding one executable script named `chromium`.
    static func fakeBrowser(_ script: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("chromium").path
        try Data(("#!/bin/sh\n" + script + "\n").utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return directory.path
    }

    @Test func aHungBrowserIsStoppedAfterTheTimeout() throws {
        // The browser never ends by itself: were it waited for, not stopped, print would not return.
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("browser-\(UUID().uuidString).pid")
        defer { try? FileManager.default.removeItem(at: pidFile) }
        let directory = try Self.fakeBrowser("echo $$ > '\(pidFile.path)'; exec /bin/sleep 100000")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let printer = PDFPrinter(timeoutSeconds: 1, searchPath: directory)
        do {
            _ = try printer.print(html: "<html/>")
            Issue.record("no error")
        } catch {
            #expect(error.code == .browserTimedOut)
            #expect(error.message.hasSuffix("did not finish printing the PDF within 1 seconds"), "\(error.message)")
        }
        // And it is gone (or a zombie not yet reaped), not left running. (No pid file: the shell was
        // stopped before it wrote one, on a machine too busy to start it within the second.)
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return }
        let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
        #expect(state == nil || state == "Z", "the browser (pid \(pid)) is still running: state \(state ?? "")")
        if state != nil && state != "Z" { kill(pid, SIGKILL) }
    }

    @Test func aBrowserThatWritesNoPDFIsReportedWithItsErrors() throws {
        let directory = try Self.fakeBrowser("echo 'cannot open display' >&2; exit 3")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            _ = try PDFPrinter(searchPath: directory).print(html: "<html/>")
            Issue.record("no error")
        } catch {
            #expect(error.code == .browserFailed)
            #expect(error.message.contains("status 3"))
            #expect(error.message.contains("cannot open display"))
        }
    }

    @Test(.enabled(if: hasBrowser, "no chromium (or chromium-browser, google-chrome) on PATH: PDF not tested"))
    func printsThroughTheRealBrowser() throws {
        let report = SampleReport.report()
        let pdf = try ReportRenderer().render(report, as: .pdf)
        #expect(pdf.starts(with: Array("%PDF".utf8)))
        // Keep the sample for looking at: REPORT_SAMPLE_DIR=/tmp/x swift test --filter PDFPrinterTests
        if let directory = ProcessInfo.processInfo.environment["REPORT_SAMPLE_DIR"] {
            let renderer = ReportRenderer()
            try pdf.write(to: URL(fileURLWithPath: directory + "/sample-de.pdf"))
            try renderer.write(report, as: .html, to: directory + "/sample-de.html")
            try renderer.write(report, as: .json, to: directory + "/sample-de.json")
            try renderer.write(report, as: .csv, to: directory + "/sample-de.csv")
            try renderer.write(SampleReport.report(language: .en), as: .pdf, to: directory + "/sample-en.pdf")
            var empty = SampleReport.input()
            empty.reports = []
            try renderer.write(MonthlyReport.build(empty), as: .pdf, to: directory + "/sample-empty.pdf")
        }
        guard let firstPage = try PDFText.firstPage(pdf) else { return }
        #expect(firstPage.contains("Beispiel AG"))
        #expect(firstPage.contains("März 2026"))
        #expect(firstPage.contains("Konform"))
    }
}

/// Page 1's text through poppler's `pdftotext`, or nil when it is not installed.
enum PDFText {
    static func firstPage(_ pdf: Data) throws -> String? {
        guard
            let tool = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].first(
                where: FileManager.default.isExecutableFile)
        else { return nil }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString).pdf")
        defer { try? FileManager.default.removeItem(at: file) }
        try pdf.write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["-f", "1", "-l", "1", "-layout", file.path, "-"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
