import Foundation
import Testing

@_spi(Testing) @testable import Store

/// The reading limits as `dmarc ingest` takes them: the same flags as `parse`.
@Suite("ingest: reading limits from the command line", .dropsTestDatabases)
struct IngestLimitTests {
    @Test("--max-input-mib: a larger file is rejected by its size, with the flag named; raised, it is stored")
    func inputSizeFlag() throws {
        let database = try TestCluster.get().freshDatabase()
        // One report of 2,500 records: a little over 1 MiB of XML.
        let inbox = try EndToEndTests.batch(files: 1, records: 2_500, prefix: "limit")
        defer { try? FileManager.default.removeItem(atPath: inbox) }
        let path = inbox + "/0000.xml"
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size > 1 << 20)

        let refused = try DMARCBinary.run(["ingest", "--max-input-mib", "1", "--database", database.conninfo, inbox])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(
            refused.stderr.contains(
                "\(path): limitExceeded: file is \(size) bytes, larger than 1 MiB (--max-input-mib to raise)"),
            "\(refused.stderr)")
        #expect(try database.count("SELECT count(*) FROM input_files WHERE status = 'rejected' AND sha256 IS NULL") == 1)
        #expect(try database.count("SELECT count(*) FROM reports") == 0)

        let stored = try DMARCBinary.run(["ingest", "--max-input-mib", "2", "--database", database.conninfo, inbox])
        #expect(stored.status == 0, "\(stored.stderr)")
        #expect(try database.count("SELECT count(*) FROM records") == 2_500)

        #expect(try DMARCBinary.run(["ingest", "--max-archive-mib", "0", inbox]).status == 64)
    }
}
