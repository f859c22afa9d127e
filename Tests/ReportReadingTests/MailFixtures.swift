import DMARC
import Foundation
@_spi(Testing) import ReportReading

/// Paths and builders for the mail tests: real messages are fixtures, crafted ones are built here
/// so that each test shows the structure it exercises.
enum MailFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/mail")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static var reportXML: [UInt8] { get throws { try bytes("report.xml") } }
    static var reportXML2: [UInt8] { get throws { try bytes("report2.xml") } }
    static var reportGzip: [UInt8] { get throws { try bytes("report.xml.gz") } }
    static var reportZip: [UInt8] { get throws { try bytes("report.zip") } }

    /// Base64 in 76-character lines, as mailers write it.
    static func base64(_ bytes: [UInt8], lineEnding: String = "\n") -> String {
        Data(bytes).base64EncodedString(options: [.lineLength76Characters])
            .replacingOccurrences(of: "\r\n", with: lineEnding)
    }

    /// A message: header lines, then a blank line, then the body. `lineEnding` applies throughout.
    static func message(_ headers: [String], body: String, lineEnding: String = "\n") -> [UInt8] {
        let text = (headers + [""]).joined(separator: "\n") + "\n" + body
        return Array(text.replacingOccurrences(of: "\n", with: lineEnding).utf8)
    }

    static let standardHeaders = [
        "Return-Path: <dmarc-reports@mail.example>",
        "Message-ID: <report-1@mail.example>",
        "Date: Sun, 2 Nov 2026 04:05:06 +0100",
        "From: DMARC Reports <dmarc-reports@mail.example>",
        "To: rua@provider.example",
        "Subject: Report Domain: acme-hr.ch Submitter: mail.example Report-ID: acme-hr-2026-11-01",
        "MIME-Version: 1.0",
    ]

    /// A multipart/mixed body: a text part, then the given parts.
    static func multipart(boundary: String = "b1", parts: [String], text: String? = "This is a DMARC aggregate report.")
        -> String
    {
        var body = "This is a multi-part message in MIME format.\n"
        if let text {
            body +=
                "--\(boundary)\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 7bit\n\n\(text)\n"
        }
        for part in parts { body += "--\(boundary)\n\(part)\n" }
        return body + "--\(boundary)--\n"
    }

    static func base64Part(type: String, filename: String, bytes: [UInt8]) -> String {
        "Content-Type: \(type); name=\"\(filename)\"\nContent-Transfer-Encoding: base64\n"
            + "Content-Disposition: attachment; filename=\"\(filename)\"\n\n\(base64(bytes))"
    }

    /// Writes `bytes` to a new file in a fresh temporary directory.
    static func write(_ bytes: [UInt8], name: String = "message") throws -> String {
        let directory = try temporaryDirectory()
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static func temporaryDirectory() throws -> URL {
        try TestDirectories.make("mail")
    }

    /// Reads a file through the public entry point, as `dmarc parse` does.
    static func read(file path: String, limits: ReadingLimits = ReadingLimits()) throws -> ReportCollector {
        var collector = ReportCollector()
        try ReportReader(limits: limits).read(file: path, into: &collector)
        return collector
    }

    static func read(message bytes: [UInt8], limits: ReadingLimits = ReadingLimits()) throws -> ReportCollector {
        try read(file: try write(bytes, name: "message.eml"), limits: limits)
    }
}
