import Foundation
@_spi(Fuzzing) @_spi(Testing) import ReportReading
import Testing

/// Inputs the fuzz targets (`scripts/fuzz`) found, minimised and kept in `Fixtures/fuzz/`, each with
/// the fix it led to. Most are read in short chunks too (`readDocument(bytes:chunkSizes:)`): the
/// fuzzers compare whole and chunked readings, and real inputs arrive in 64 KiB chunks.
@Suite struct FuzzRegressionTests {
    static let chunkings: [[Int]] = [[], [1], [2, 3], [7], [100], [4096]]

    func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixture("fuzz/\(name)"))))
    }

    func readDocument(_ bytes: [UInt8], chunkSizes: [Int]) throws -> ReportCollector {
        var collector = ReportCollector()
        try ReportReader().readDocument(bytes: bytes, chunkSizes: chunkSizes, source: "fuzz", into: &collector)
        return collector
    }

    /// A gzip stream cut short after 4 KiB of `<feedback>` nested 200 deep. libxml2 only buffers the
    /// chunk its context is created with, so when the next read failed (truncated) the first chunk
    /// had never been parsed: the reason given, depth or truncation, depended on the chunking.
    @Test(arguments: chunkings)
    func problemInTheFirstChunkIsFoundBeforeALaterStreamError(chunkSizes: [Int]) throws {
        let result = try readDocument(try fixture("depth-then-truncated.xml.gz"), chunkSizes: chunkSizes)
        #expect(result.reports.isEmpty)
        #expect(result.rejections.map(\.error.message) == ["elements nested deeper than 32"])
    }
}

extension FuzzRegressionTests {
    /// Junk before `<feedback>` (IKEA's unclosed `<xs:schema>`) is skipped by looking at the first
    /// 4 KiB; that look-ahead stopped as soon as it held 4096 bytes and the word "feedback" anywhere,
    /// so a `<feedback` tag cut by its end was missed and the report rejected as "not a report".
    @Test func feedbackTagAcrossTheLookAheadIsFound() throws {
        let result = try read(bytes: try fixture("junk-then-feedback-at-4090.xml"))
        #expect(result.rejections.isEmpty)
        #expect(result.reports.count == 1)
        #expect(result.reports.first?.warnings.contains { $0.hasPrefix("skipped") } == true)
    }

    /// The fuzzer's input for the same fault: the outcome depended on where the chunks ended.
    @Test(arguments: chunkings)
    func feedbackTagAcrossTheLookAheadIsFoundInAnyChunking(chunkSizes: [Int]) throws {
        let result = try readDocument(try fixture("feedback-tag-across-lookahead.xml"), chunkSizes: chunkSizes)
        #expect(result.rejections.map(\.error.code) == [.missingField])
    }
}

extension FuzzRegressionTests {
    /// A declaration without its `?>` (`<?xml version="1.0" ason>`), junk, `<feedback` at byte 4494
    /// and a `?>` at byte 6922. The prefilter's look-ahead stopped wherever a read ended after 4 KiB,
    /// so whether it saw that `?>` (and took everything before it for the declaration) or skipped the
    /// junk to `<feedback` depended on the chunking: rejected whole, a report in short reads. The
    /// look-ahead is now exactly the first 64 KiB. (The fuzzer's input, not minimised.)
    @Test(arguments: chunkings)
    func lookAheadDoesNotDependOnTheChunking(chunkSizes: [Int]) throws {
        let bytes = try fixture("broken-declaration-then-junk.xml")
        let result = try readDocument(bytes, chunkSizes: chunkSizes)
        #expect(result.reports.isEmpty)
        #expect(result.rejections.map(\.error.code) == [.notAReport])
    }
}

extension FuzzRegressionTests {
    /// A gzip stream of garbage whose checksum is wrong. Read whole, zlib wrote the garbage and
    /// found the bad checksum in one call, and the inflater threw the bytes away with the error
    /// (badCompression); in short reads the bytes came out first (notXML). Now the bytes always
    /// come first. (The fuzzer's input, 195 bytes, not minimised.)
    @Test(arguments: chunkings)
    func bytesBeforeAStreamErrorAreRead(chunkSizes: [Int]) throws {
        let result = try readDocument(try fixture("garbage-then-bad-gzip-checksum.gz"), chunkSizes: chunkSizes)
        #expect(result.rejections.map(\.error.code) == [.notXML])
    }
}

extension FuzzRegressionTests {
    /// `Message-ID:` followed by a NUL byte (the mail target's input, minimised to 12 bytes). The
    /// header values went into the message's origin as they were, and the store passes them to
    /// PostgreSQL, which refuses NUL in text: the whole file's transaction failed and its reports
    /// were rejected. Control characters also reached terminals. They are now replaced by U+FFFD.
    @Test func controlCharactersInMessageHeadersAreReplaced() throws {
        let result = try readFile(TestPaths.fixture("fuzz/message-id-with-nul.eml"))
        #expect(result.messages.count == 1)
        #expect(result.messages.first?.origin.messageID == "\u{FFFD}")

        // The same through the other ways a control character gets in: raw bytes, an encoded word.
        let message = Array(
            "Subject: =?utf-8?B?AA==?= report \u{1B}[31mred\u{7F}\r\nFrom: a\u{0}b <x@y>\r\nDate: \u{9B}1m\r\n\r\nbody".utf8)
        var collector = ReportCollector()
        try ReportReader().readMail(bytes: message, source: "m.eml", into: &collector)
        let origin = try #require(collector.messages.first?.origin)
        #expect(origin.subject == "\u{FFFD} report \u{FFFD}[31mred\u{FFFD}")
        #expect(origin.from == "a\u{FFFD}b <x@y>")
        #expect(origin.date == "\u{FFFD}1m")
    }
}

extension FuzzRegressionTests {
    /// After a gzip member ends, the next one is recognised by its two magic bytes. With reads as
    /// short as one byte, only one more byte was pulled, so the next member was taken for trailing
    /// junk and dropped: a report split over two members came out truncated, and the fuzzer's input
    /// (a member whose checksum is wrong after one without `report_id`) gave another reason.
    @Test(arguments: chunkings)
    func nextGzipMemberIsFoundInAnyChunking(chunkSizes: [Int]) throws {
        let whole = try readDocument(try fixture("report-in-two-gzip-members.xml.gz"), chunkSizes: chunkSizes)
        #expect(whole.rejections.isEmpty, "\(whole.rejections.map(\.error.message))")
        #expect(whole.reports.count == 1)
        let damaged = try readDocument(try fixture("report-then-bad-second-member.gz"), chunkSizes: chunkSizes)
        #expect(damaged.rejections.map(\.error.code) == [.badCompression])
    }
}

extension FuzzRegressionTests {
    /// A complete gzip member and 17 bytes of junk after it (the reader target's input, 344 bytes).
    /// The warning counted only the junk already in the buffer when the member ended: 17 bytes read
    /// whole, 3 in short reads. The rest of the input is now read and counted too.
    @Test(arguments: chunkings)
    func junkAfterTheGzipStreamIsCountedWhole(chunkSizes: [Int]) throws {
        let result = try readDocument(try fixture("report-then-junk-after-gzip.xml.gz"), chunkSizes: chunkSizes)
        #expect(result.rejections.isEmpty)
        #expect(result.reports.map(\.warnings) == [["ignored 17 byte(s) after the gzip stream"]])
    }
}
