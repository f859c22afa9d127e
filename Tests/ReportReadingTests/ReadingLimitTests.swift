import DMARC
import Foundation
import Testing

@_spi(Testing) @testable import ReportReading

/// The caps added for issue 8, each shown rejecting (with a reason that names it) or truncating
/// (keeping the first entries and saying how many were dropped). The older caps are in
/// `HostileInputTests` and `MailTests`.
@Suite struct ReadingLimitTests {
    func temporaryFile(_ bytes: [UInt8], name: String) throws -> String {
        let directory = try TestDirectories.make("limits")
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    @Test("a file over the input cap is rejected by its size, whatever it holds", arguments: ["report.xml", "mailbox"])
    func inputSizeCap(name: String) throws {
        // A valid report padded with whitespace; an mbox the same size.
        let padding = [UInt8](repeating: 0x20, count: 1 << 20)
        let bytes =
            name == "mailbox"
            ? Array("From x@y Sun Nov  2 04:05:06 2026\nSubject: x\n\nhi\n".utf8) + padding
            : Array(reportXML().utf8) + padding
        let path = try temporaryFile(bytes, name: name)
        var limits = ReadingLimits()
        limits.maxInputBytes = 1 << 20
        let result = try readFile(path, limits: limits)
        #expect(result.reports.isEmpty)
        #expect(result.messages.isEmpty)
        #expect(result.rejections.map(\.error.code) == [.limitExceeded])
        #expect(
            result.rejections.first?.error.message
                == "file is \(bytes.count) bytes, larger than 1 MiB (--max-input-mib to raise)")
        // The same file under the default cap is read.
        #expect(try readFile(path).rejections.isEmpty)
        // The mbox reader's own entry point holds the same cap.
        if name == "mailbox" {
            var collector = ReportCollector()
            try MboxReader(reader: ReportReader(limits: limits)).read(file: path, into: &collector)
            #expect(collector.rejections.map(\.error.code) == [.limitExceeded])
        }
    }

    @Test("a zip whose members decompress to more than the archive cap together is rejected whole")
    func archiveTotalCap() throws {
        // several.zip: a.xml (641 bytes), b.xml.gz (325) and ../../etc/evil.xml (641) are read;
        // the __MACOSX entry and the folder are not counted.
        var limits = ReadingLimits()
        limits.maxArchiveDecompressedBytes = 1_000
        let result = try readFile(TestPaths.fixture("several.zip"), limits: limits)
        #expect(result.reports.isEmpty)
        #expect(result.rejections.count == 1)
        #expect(
            result.rejections.first?.error.message
                == "zip members decompress to 1607 bytes together, more than 1000 bytes (--max-archive-mib to raise)")
        limits.maxArchiveDecompressedBytes = 1_607
        #expect(try readFile(TestPaths.fixture("several.zip"), limits: limits).reports.count == 3)
    }

    @Test("a zip member that yields more than its directory says stops there, not at its end")
    func memberLargerThanItsDirectorySays() throws {
        // stored.zip with the central directory's uncompressed size (offset 24 of the entry) set to
        // 100 of its 646 bytes: the archive cap counts on these sizes, so they must hold while reading.
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixture("stored.zip"))))
        let entry = try #require(
            (0..<(bytes.count - 4)).first { bytes[$0..<($0 + 4)].elementsEqual([0x50, 0x4B, 0x01, 0x02]) })
        bytes.replaceSubrange((entry + 24)..<(entry + 28), with: [100, 0, 0, 0])
        let result = try read(bytes: bytes)
        #expect(result.reports.isEmpty)
        #expect(result.rejections.first?.error.code == .badArchive)
        #expect(
            result.rejections.first?.error.message == "zip member stored.xml is larger than the 100 bytes its directory says")
    }

    @Test("warnings past the cap are counted in one last warning; those known at the header stay")
    func warningsCap() throws {
        let bad = defaultRecord.replacingOccurrences(
            of: "<disposition>none</disposition>", with: "<disposition>bogus</disposition>")
        var limits = ReadingLimits()
        limits.maxWarningsPerReport = 2
        let result = try read(reportXML(records: String(repeating: bad, count: 5)), limits: limits)
        let report = try #require(result.reports.first)
        #expect(report.records.count == 5)
        #expect(report.warnings.count == 3)
        #expect(report.warnings.prefix(2).allSatisfy { $0.contains("disposition \"bogus\"") })
        #expect(report.warnings.last == "3 more warnings dropped (at most 2 are kept per report)")
        // Under the default cap, all five.
        #expect(try read(reportXML(records: String(repeating: bad, count: 5))).reports.first?.warnings.count == 5)
    }

    @Test("report_metadata errors past the cap are dropped with a warning")
    func errorsCap() throws {
        let errors = (1...5).map { "<error>problem \($0)</error>" }.joined()
        let metadata = """
            <report_metadata><org_name>google.com</org_name><email>a@google.com</email><report_id>1</report_id>
            <date_range><begin>1700000000</begin><end>1700086399</end></date_range>\(errors)</report_metadata>
            """
        var limits = ReadingLimits()
        limits.maxErrorsPerReport = 2
        let report = try #require(try read(reportXML(metadata: metadata), limits: limits).reports.first)
        #expect(report.metadata.errors == ["problem 1", "problem 2"])
        #expect(report.warnings == ["3 more report_metadata errors dropped (at most 2 are kept)"])
    }

    @Test("override reasons past the cap are dropped with a warning naming the row")
    func reasonsCap() throws {
        let reasons = (1...5).map { "<reason><type>forwarded</type><comment>c\($0)</comment></reason>" }.joined()
        let record = defaultRecord.replacingOccurrences(of: "</spf></policy_evaluated>", with: "</spf>\(reasons)</policy_evaluated>")
        var limits = ReadingLimits()
        limits.maxReasonsPerRecord = 2
        let report = try #require(try read(reportXML(records: record), limits: limits).reports.first)
        #expect(report.records.first?.policyEvaluated.reasons.map(\.comment) == ["c1", "c2"])
        #expect(report.warnings == ["record 1 (192.0.2.1): 3 more override reasons dropped"])
    }

    @Test("a message header with too many fields or too many bytes is rejected")
    func headerBlockCaps() throws {
        let fields = (1...5).map { "X-Trace-\($0): hop \($0)" }
        let message = MailFixtures.message(MailFixtures.standardHeaders + fields, body: "hi")
        var limits = ReadingLimits()
        limits.maxHeaderFields = MailFixtures.standardHeaders.count + 4
        var result = try MailFixtures.read(message: message, limits: limits)
        #expect(result.messages.isEmpty)
        #expect(result.rejections.map(\.error.message) == ["the header has more than \(limits.maxHeaderFields) fields"])

        limits = ReadingLimits()
        limits.maxHeaderBytes = 200
        result = try MailFixtures.read(message: message, limits: limits)
        #expect(result.messages.isEmpty)
        #expect(result.rejections.map(\.error.message) == ["the header is larger than 200 bytes"])

        // A MIME part's header is held to the same caps: that part is rejected, the message read.
        limits = ReadingLimits()
        limits.maxHeaderFields = MailFixtures.standardHeaders.count + 1
        let part = (1...10).map { "X-Part-\($0): \($0)" }.joined(separator: "\n") + "\nContent-Type: text/plain\n\nhello"
        let multipart = MailFixtures.message(
            MailFixtures.standardHeaders + ["Content-Type: multipart/mixed; boundary=\"b1\""],
            body: MailFixtures.multipart(parts: [part]))
        result = try MailFixtures.read(message: multipart, limits: limits)
        #expect(result.messages.count == 1)
        #expect(result.rejections.map(\.error.message) == ["the header has more than \(limits.maxHeaderFields) fields"])
    }
}
