import DMARC
import Foundation
@_spi(Testing) import ReportReading
import Testing

/// A node larger than libxml2 reads without `XML_PARSE_HUGE` (a 50 MiB CDATA section, a 1 MiB
/// element name) stops the parse. Wherever it is, the reason must be that, not a field that the
/// stopped parse never reached.
@Suite("a huge node names itself as the reason, wherever it is")
struct HugeNodeTests {
    enum Place: String, CaseIterable {
        case reportMetadata, policyPublished, record
    }

    enum Node: String, CaseIterable {
        case cdata50MiB, name1MiB

        /// The node, as an element that the reader ignores or reads as text.
        var xml: String {
            switch self {
            case .cdata50MiB: "<extra_contact_info><![CDATA[" + String(repeating: "a", count: 50 << 20) + "]]></extra_contact_info>"
            case .name1MiB:
                "<" + String(repeating: "n", count: 1 << 20) + ">v</" + String(repeating: "n", count: 1 << 20) + ">"
            }
        }
    }

    static func document(_ node: Node, in place: Place) -> String {
        let inMetadata = place == .reportMetadata ? node.xml : ""
        let inPolicy = place == .policyPublished ? node.xml : ""
        let inRecord = place == .record ? node.xml : ""
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <feedback><report_metadata><org_name>google.com</org_name><email>noreply@google.com</email>
            <report_id>huge-1</report_id>\(inMetadata)<date_range><begin>1700000000</begin><end>1700086399</end></date_range>
            </report_metadata><policy_published><domain>example.com</domain>\(inPolicy)<p>none</p></policy_published>
            <record><row><source_ip>192.0.2.1</source_ip><count>2</count><policy_evaluated><disposition>none</disposition>
            <dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from>
            \(inRecord)</identifiers></record></feedback>

            """
    }

    @Test(arguments: Node.allCases, Place.allCases)
    func theReasonIsTheNode(_ node: Node, _ place: Place) throws {
        let path = try TestDirectories.make("huge").appendingPathComponent("\(node)-\(place).xml").path
        try Data(Self.document(node, in: place).utf8).write(to: URL(fileURLWithPath: path))
        let result = try readFile(path)
        #expect(result.reports.isEmpty)
        let rejection = try #require(result.rejections.first)
        #expect(result.rejections.count == 1)
        #expect(rejection.error.code == .truncated)
        // libxml2 stops on line 3, 4 or 7, where the node is: its own words follow ours.
        #expect(rejection.error.message.hasPrefix("document ends before </feedback>: line "), "\(rejection.error.message)")
        #expect(!rejection.error.message.contains(" has no "), "\(rejection.error.message)")
    }
}
