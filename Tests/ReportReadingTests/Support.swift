import DMARC
import Foundation
@_spi(Testing) import ReportReading

/// Where test fixtures and the conformance corpus live, found from this file so no bundle is needed.
enum TestPaths {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures")
    static let packageRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    /// Other tools' test data (`Fixtures/corpus/NOTICE` says whose), with the outcomes in its README.
    static let corpus = fixtures.appendingPathComponent("corpus")

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }
}

/// Reads `xml` as one in-memory input and returns what came out.
func read(_ xml: String, limits: ReadingLimits = ReadingLimits()) throws -> ReportCollector {
    try read(bytes: Array(xml.utf8), limits: limits)
}

func read(bytes: [UInt8], limits: ReadingLimits = ReadingLimits()) throws -> ReportCollector {
    var collector = ReportCollector()
    try ReportReader(limits: limits).read(bytes: bytes, source: "test.xml", into: &collector)
    return collector
}

func readFile(_ path: String, limits: ReadingLimits = ReadingLimits()) throws -> ReportCollector {
    var collector = ReportCollector()
    try ReportReader(limits: limits).read(file: path, into: &collector)
    return collector
}

/// A minimal valid report with `records` spliced in; `metadata`/`policy` replace the defaults.
func reportXML(
    records: String = defaultRecord, metadata: String? = nil, policy: String? = nil, rootAttributes: String = "",
    prefix: String = ""
) -> String {
    let metadataXML = metadata ?? """
        <report_metadata><org_name>google.com</org_name><email>noreply-dmarc-support@google.com</email>
        <report_id>12345678901234567890</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range>
        </report_metadata>
        """
    let policyXML = policy ?? "<policy_published><domain>example.com</domain><adkim>r</adkim><aspf>r</aspf><p>none</p></policy_published>"
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback\(rootAttributes)>\(metadataXML)\(policyXML)\(records)</feedback>\n"
}

let defaultRecord = """
    <record><row><source_ip>192.0.2.1</source_ip><count>2</count><policy_evaluated><disposition>none</disposition>
    <dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from>
    </identifiers><auth_results><dkim><domain>example.com</domain><selector>s1</selector><result>pass</result></dkim>
    <spf><domain>example.com</domain><scope>mfrom</scope><result>softfail</result></spf></auth_results></record>
    """

/// One directory per test process for the files tests write, removed when the process exits
/// (Swift Testing has no global teardown): runs used to leave a directory in /tmp per test.
enum TestDirectories {
    static let root: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dmarc-reader-tests-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestDirectories.root) }
        return url
    }()

    /// A new, empty directory inside `root`.
    static func make(_ prefix: String) throws -> URL {
        let url = root.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
