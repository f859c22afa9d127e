import Foundation
@_spi(Fuzzing) import ReportReading
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
