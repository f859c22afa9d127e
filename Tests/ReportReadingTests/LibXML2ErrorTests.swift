import DMARC
import Foundation
@_spi(Fuzzing) @_spi(Testing) import ReportReading
import Synchronization
import Testing

/// libxml2 raises its decoder's errors without a parser context, so the context's handler never
/// saw them: they went to libxml2's default handler (stderr). A parse now installs a handler for
/// its thread while it runs (`dmarc parse` is checked for a clean stderr in `ParseCommandTests`).
@Suite struct LibXML2ErrorTests {
    static let invalidInside = TestPaths.fixture("encoding-error-in-report.xml")

    @Test func anEncodingErrorAfterTheReportIsAWarning() throws {
        let result = try readFile(TestPaths.fixture("encoding-error-after-report.xml"))
        let report = try #require(result.reports.first)
        #expect(report.warnings.count == 1)
        // Our words around libxml2's, which name the bytes it could not convert.
        let warning = try #require(report.warnings.first)
        #expect(warning.hasPrefix(Self.recovered), "\(warning)")
        #expect(warning.contains("0x8E 0xFF"), "\(warning)")
    }

    /// What the reader says of a document it read past an error, before libxml2's message.
    static let recovered = "recovered from malformed XML: "
    /// What the reader says of an error it cannot read past, after libxml2's message.
    static let cannotReadPast = "; the document cannot be read past it"

    /// libxml2 stops at the bytes; before, what was missing after them was the reason given.
    @Test func anEncodingErrorInsideTheReportIsTheReason() throws {
        let result = try readFile(Self.invalidInside)
        #expect(result.reports.isEmpty)
        #expect(result.rejections.count == 1)
        #expect(result.rejections.first?.error.code == .notWellFormed)
        let message = try #require(result.rejections.first?.error.message)
        #expect(message.hasSuffix(Self.cannotReadPast), "\(message)")
        #expect(message.contains("0x8E 0xFF"), "\(message)")
    }

    /// Parses on other threads at the same time each get their own error, and none leaks into
    /// the next parse on the same thread.
    @Test func encodingErrorsStayWithTheirOwnParse() throws {
        let template = Array(try Data(contentsOf: URL(fileURLWithPath: Self.invalidInside)))
        // 0x8E followed by any byte from 0xF0 is invalid EUC-JP: each document names its own.
        let documents = (0..<16).map { index in template.map { $0 == 0xFF ? 0xF0 + UInt8(index) : $0 } }
        let messages = Mutex([String?](repeating: nil, count: documents.count))
        DispatchQueue.concurrentPerform(iterations: documents.count * 4) { iteration in
            let index = iteration % documents.count
            let message = (try? read(bytes: documents[index]))?.rejections.first?.error.message
            messages.withLock { $0[index] = message }
        }
        for (index, message) in messages.withLock({ $0 }).enumerated() {
            let byte = String(format: "0x%02X", 0xF0 + index)
            #expect(message?.contains("0x8E \(byte) ") == true, "\(message ?? "nil")")
            #expect(message?.hasSuffix(Self.cannotReadPast) == true, "\(message ?? "nil")")
        }
        #expect(try read(reportXML()).reports.first?.warnings == [])
    }
}

extension LibXML2ErrorTests {
    /// libxml2 says a decoder error again each time it retries the bytes, as often as the chunks
    /// make it: the report's warnings, and the reason, must not depend on the chunking.
    @Test(arguments: [[1], [2, 3], [7], [100], [4096]])
    func encodingErrorsDoNotDependOnTheChunking(chunkSizes: [Int]) throws {
        func said(_ name: String, _ chunkSizes: [Int]) throws -> [String] {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixture(name))))
            var collector = ReportCollector()
            try ReportReader().readDocument(bytes: bytes, chunkSizes: chunkSizes, source: name, into: &collector)
            return collector.reports.first?.warnings ?? collector.rejections.map(\.error.message)
        }
        // Exactly one warning, or one reason, in our words, and the same as read in one piece.
        let after = try said("encoding-error-after-report.xml", chunkSizes)
        #expect(after.count == 1 && after[0].hasPrefix(Self.recovered) && after[0].contains("0x8E 0xFF"), "\(after)")
        #expect(after == (try said("encoding-error-after-report.xml", [])))
        let inside = try said("encoding-error-in-report.xml", chunkSizes)
        #expect(inside.count == 1 && inside[0].hasSuffix(Self.cannotReadPast) && inside[0].contains("0x8E 0xFF"), "\(inside)")
        #expect(inside == (try said("encoding-error-in-report.xml", [])))
    }
}
