import Foundation
import Testing

/// Bytes from input files never reach a terminal or the database raw: rejection reasons quote a
/// file's first bytes, and report values go to tables, pages and the ledger (the real binary).
@Suite("control characters from input: replaced on stderr, in the ledger and in stored values", .dropsTestDatabases)
struct ControlCharacterTests {
    /// Whether `bytes` are UTF-8 text a terminal shows as it is: no C0 control but the line break,
    /// no DEL, no C1 control, no separator or bidirectional control.
    static func problems(in bytes: [UInt8]) -> [String] {
        guard let text = String(validating: bytes, as: UTF8.self) else { return ["not UTF-8"] }
        return text.unicodeScalars.compactMap { scalar in
            let value = scalar.value
            let bad =
                (value < 0x20 && value != 0x0A) || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
                || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
            return bad ? "U+\(String(value, radix: 16))" : nil
        }
    }

    static func write(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Files that are no report and start with control characters, one per C0 and C1 control and
    /// DEL, invalid UTF-8, the issue's own example and a zero-filled file; and one report whose
    /// values hold C1 controls, a bidirectional override and a line separator.
    static func inputs() throws -> (directory: String, rejected: Int) {
        let directory = try makeTemporaryDirectory(prefix: "dmarc-controls-")
        try write(Array("\u{1B}[31mred\u{07}\u{08}\u{00}junk".utf8), directory + "/ctl.xml")
        try write([UInt8](repeating: 0, count: 4_000), directory + "/zeros.xml")
        try write(Array("x".utf8) + [0xFF, 0xFE, 0xC0, 0x80, 0xED, 0xA0, 0x80] + Array("junk".utf8), directory + "/invalid.xml")
        var rejected = 3
        for value in Array(UInt32(0)...0x1F) + Array(UInt32(0x7F)...0x9F) {
            let control = Array(String(Character(Unicode.Scalar(value)!)).utf8)
            try write(Array("x".utf8) + control + Array("junk".utf8), directory + "/control-\(value).xml")
            rejected += 1
        }
        let report = """
            <?xml version="1.0" encoding="UTF-8"?>
            <feedback><report_metadata><org_name>Evil\u{9B}31mCorp\u{85}&#x9B;2J</org_name><email>a@b.example</email>
            <report_id>id\u{202E}gnp.exe\u{2028}x</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range>
            </report_metadata><policy_published><domain>kunde.example</domain><p>none</p></policy_published>
            <record><row><source_ip>192.0.2.1</source_ip><count>2</count><policy_evaluated><disposition>none</disposition>
            <dkim>pass</dkim><spf>fail</spf><reason><type>other</type><comment>a\u{9B}b</comment></reason></policy_evaluated></row>
            <identifiers><header_from>kunde.example</header_from></identifiers></record></feedback>
            """
        try write(Array(report.utf8), directory + "/values.xml")
        return (directory, rejected)
    }

    /// Runs the binary; its output as bytes, as a terminal would receive them.
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: [UInt8], stderr: [UInt8]) {
        let output = try makeTemporaryDirectory(prefix: "dmarc-controls-out-")
        let status = DMARCBinary.wait(try DMARCBinary.spawn(arguments, outputDirectory: output))
        let stdout = [UInt8](try Data(contentsOf: URL(fileURLWithPath: output + "/stdout")))
        let stderr = [UInt8](try Data(contentsOf: URL(fileURLWithPath: output + "/stderr")))
        return (status, stdout, stderr)
    }

    @Test("parse: every stderr line is plain text; the issue's example reads as its reason with U+FFFD")
    func parse() throws {
        let (directory, rejected) = try Self.inputs()
        let run = try Self.run(["parse", directory])
        #expect(run.status == 65)
        #expect(Self.problems(in: run.stderr).isEmpty, "\(Self.problems(in: run.stderr).prefix(5))")
        #expect(Self.problems(in: run.stdout).isEmpty)
        let lines = String(decoding: run.stderr, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.contains(": not XML: starts with ") }.count == rejected)
        #expect(lines.contains("\(directory)/ctl.xml: not XML: starts with \"\u{FFFD}[31mred\u{FFFD}\u{FFFD}\u{FFFD}junk\""))
        #expect(lines.contains("\(directory)/zeros.xml: not XML: starts with \"\(String(repeating: "\u{FFFD}", count: 40))\""))
        #expect(lines.contains("\(directory)/values.xml: warning: replaced 6 control character(s) in values by U+FFFD"))

        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout)) as? [String: Any])
        let metadata = try #require(report["report_metadata"] as? [String: Any])
        #expect(metadata["org_name"] as? String == "Evil\u{FFFD}31mCorp\u{FFFD}\u{FFFD}2J")
        #expect(metadata["report_id"] as? String == "id\u{FFFD}gnp.exe\u{FFFD}x")
    }

    @Test("ingest: the ledger's reasons and paths and the stored values hold no control character")
    func ingest() throws {
        let (directory, rejected) = try Self.inputs()
        let database = try TestCluster.get().freshDatabase()
        let run = try Self.run(["ingest", "--database", database.conninfo, directory])
        #expect(run.status == 65)
        #expect(Self.problems(in: run.stderr).isEmpty, "\(Self.problems(in: run.stderr).prefix(5))")
        let connection = try database.connect()
        let ledger = try connection.query("SELECT path, coalesce(reason, '') FROM input_files ORDER BY path").rows
        #expect(ledger.count == rejected + 1)
        var texts: [String] = []
        for row in ledger { texts += [row.string(0) ?? "", row.string(1) ?? ""] }
        let stored = try connection.query(
            "SELECT org_name, report_id FROM reports UNION ALL SELECT comment, '' FROM override_reasons"
        ).rows
        #expect(stored.count == 2)
        for row in stored { texts += [row.string(0) ?? "", row.string(1) ?? ""] }
        for text in texts { #expect(Self.problems(in: Array(text.utf8)).isEmpty, "\(text.debugDescription)") }
        let ctl = try connection.query("SELECT reason FROM input_files WHERE path LIKE '%/ctl.xml'").rows.first?.string(0)
        #expect(ctl == "notXML: not XML: starts with \"\u{FFFD}[31mred\u{FFFD}\u{FFFD}\u{FFFD}junk\"")
    }
}
