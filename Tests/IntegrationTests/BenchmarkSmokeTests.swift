import Foundation
import Testing

/// The benchmark builds and a tiny run of it works end to end against the test cluster. No timing
/// is asserted: speed is judged from the release benchmark's ratios, never by tests.
@Suite(.dropsTestDatabases) struct BenchmarkSmokeTests {
    /// `dmarc-bench`, built next to `dmarc` because IntegrationTests depends on both.
    var benchPath: String {
        URL(fileURLWithPath: DMARCBinary.path).deletingLastPathComponent().appendingPathComponent("dmarc-bench").path
    }

    @Test func tinyRunPrintsEveryPhase() throws {
        let database = try TestCluster.get().freshDatabase()
        let directory = try makeTemporaryDirectory(prefix: "dmarc-bench-it-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(FileManager.default.isExecutableFile(atPath: benchPath), "\(benchPath) was not built")
        let status = DMARCBinary.wait(try DMARCBinary.spawn(
            ["--scale", "tiny", "--database", database.conninfo, "--keep", directory + "/run"],
            outputDirectory: directory, executable: benchPath))
        let output = (try? String(contentsOfFile: directory + "/stdout", encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: directory + "/stderr", encoding: .utf8)) ?? ""
        #expect(status == 0, "exit \(status): \(errors)")
        for phase in ["machine:", "parse", "xmllint --stream", "unpack", "zlib inflate", "diagnose", "store (ingest)",
                      "psql \\copy", "query (failures)", "monthly report", "memory: dmarc parse", "peer"] {
            #expect(output.contains(phase), "no \(phase) in:\n\(output)")
        }
        #expect(try database.count("SELECT count(*) FROM records") > 0)
    }
}
