import Foundation
import Testing

/// `dmarc parse` as a user runs it: the real binary, real files, exit codes and output.
@Suite struct ParseCommandTests {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var binary: URL {
        // The test bundle sits in the build products folder, next to the `dmarc` executable.
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [bundle, bundle.deletingLastPathComponent(), TestPaths.packageRoot.appendingPathComponent(".build/debug")]
        return candidates.map { $0.appendingPathComponent("dmarc") }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
            ?? bundle.appendingPathComponent("dmarc")
    }

    func run(_ arguments: [String]) throws -> Run {
        let output = try ChildProcess.run(Self.binary.path, arguments)
        return Run(
            status: output.status, stdout: String(decoding: output.stdout, as: UTF8.self),
            stderr: String(decoding: output.stderr, as: UTF8.self))
    }

    @Test("a child that fills stderr before it writes stdout, 1 MiB each: both read whole, no deadlock")
    func childFillingBothPipes() throws {
        // 1 MiB of 'e' to stderr first, then 1 MiB of 'o' to stdout, then exit 3: a runner that reads
        // stdout to its end before stderr waits forever once stderr's pipe is full.
        let script = "head -c 1048576 /dev/zero | tr '\\0' e >&2; head -c 1048576 /dev/zero | tr '\\0' o; exit 3"
        let output = try ChildProcess.run("/bin/sh", ["-c", script])
        #expect(output.status == 3)
        #expect(output.stderr.count == 1 << 20)
        #expect(output.stdout.count == 1 << 20)
        #expect(output.stderr.allSatisfy { $0 == UInt8(ascii: "e") })
        #expect(output.stdout.allSatisfy { $0 == UInt8(ascii: "o") })
    }

    @Test func samplesAreAllRead() throws {
        let run = try run(["parse", TestPaths.packageRoot.appendingPathComponent("samples/reports").path])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count >= 4)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["report_metadata"] != nil)
            #expect(object?["records"] is [Any])
        }
    }

    @Test func rejectedInputGivesExit65AndOneLinePerInput() throws {
        let run = try run(["parse", TestPaths.fixture("report.xml"), TestPaths.fixture("truncated.xml.gz"), TestPaths.fixture("bad-crc.zip")])
        #expect(run.status == 65)
        #expect(run.stdout.split(separator: "\n").count == 1)
        let errors = run.stderr.split(separator: "\n")
        #expect(errors.count == 2)
        #expect(errors.contains { $0.hasSuffix("truncated.xml.gz: gzip stream truncated after 544 bytes") })
        #expect(errors.contains { $0.contains("bad-crc.zip!stored.xml: ") })
    }

    @Test func missingPathGivesExit66() throws {
        let run = try run(["parse", "/nonexistent/report.xml"])
        #expect(run.status == 66)
        #expect(run.stderr.contains("/nonexistent/report.xml"))
    }

    @Test func badUsageGivesExit64() throws {
        #expect(try run(["parse", "--format", "yaml", TestPaths.fixture("report.xml")]).status == 64)
        #expect(try run(["parse"]).status == 64)
    }

    @Test func jsonIsOneArrayAndCSVHasParsedmarcColumns() throws {
        let json = try run(["parse", "--format", "json", TestPaths.fixture("report.xml"), TestPaths.fixture("report.xml.gz")])
        let array = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [Any]
        #expect(array?.count == 2)
        let csv = try run(["parse", "--format", "csv", TestPaths.fixture("report.xml")])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("xml_schema,org_name,org_email,org_extra_contact_info,report_id,begin_date,end_date"))
        #expect(lines[1].contains(",192.0.2.1,3,"))
    }

    @Test func outputFileOption() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dmarc-parse-\(UUID().uuidString).ndjson").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try run(["parse", "--output", path, TestPaths.fixture("several.zip")])
        #expect(run.status == 0)
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 3)
    }
}

extension ParseCommandTests {
    /// libxml2 raises decoder errors without a parser context, so they went to its default handler
    /// and were printed on stderr ("encoding error : input conversion failed …", "xmlParseChunk:
    /// encoder error") while the report said nothing. Now the parse takes them: bytes invalid in
    /// EUC-JP after `</feedback>` are a warning of the report, inside it the reason for rejecting it.
    @Test func libxml2EncodingErrorsReachTheReportNotStderr() throws {
        let after = try run(["parse", TestPaths.fixture("encoding-error-after-report.xml")])
        #expect(after.status == 0, "\(after.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any]
        let warnings = object?["warnings"] as? [String] ?? []
        #expect(warnings.count == 1, "\(warnings)")
        #expect(warnings.first?.hasPrefix(LibXML2ErrorTests.recovered) == true, "\(warnings)")
        // Only dmarc's own lines, each starting with the path: nothing from libxml2.
        for line in after.stderr.split(separator: "\n") {
            #expect(line.hasPrefix(TestPaths.fixture("encoding-error-after-report.xml") + ": warning: "), "\(line)")
        }

        let inside = try run(["parse", TestPaths.fixture("encoding-error-in-report.xml")])
        #expect(inside.status == 65)
        #expect(inside.stdout.isEmpty)
        // One line: the path, the reason (libxml2's, naming the bytes) and ours.
        #expect(inside.stderr.split(separator: "\n").count == 1, "\(inside.stderr)")
        #expect(inside.stderr.hasPrefix(TestPaths.fixture("encoding-error-in-report.xml") + ": "), "\(inside.stderr)")
        #expect(inside.stderr.hasSuffix(LibXML2ErrorTests.cannotReadPast + "\n"), "\(inside.stderr)")
        #expect(inside.stderr.contains("0x8E 0xFF"), "\(inside.stderr)")
    }
}
