import Foundation
import Testing

/// Report e-mails with large header blocks through the real binary: `parse` and `ingest`, a
/// Maildir and an mbox. The header block sizes put the end of the reader's first look at a file
/// (16 KiB) on every byte of the fields around it.
@Suite("mail with large header blocks: parse and ingest, Maildir and mbox", .dropsTestDatabases)
struct LargeMailHeaderIngestTests {
    static let window = 16 << 10

    static let sizes: [Int] = [1_024, 15_000] + Array((window - 16)...(window + 112)) + [40_000, 65_536]

    /// One folded relay field, 100 bytes with its line breaks: consecutive sizes move the window
    /// across all of it, name, colon, value and fold.
    static let relayField = "X-MS-Exchange-CrossTenant-Id: 72f988bf-86f1-41af-91ab-2d7cd011db4\r\n\tby AM6PR05MB1234.eurprd05.prod"

    static func reportXML(id: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <feedback><report_metadata><org_name>Outlook.com</org_name><email>dmarcreport@microsoft.com</email>
        <report_id>\(id)</report_id><date_range><begin>1762041600</begin><end>1762127999</end></date_range>
        </report_metadata><policy_published><domain>kunde.example</domain><p>none</p></policy_published>
        <record><row><source_ip>192.0.2.7</source_ip><count>3</count><policy_evaluated><disposition>none</disposition>
        <dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>kunde.example</header_from>
        </identifiers><auth_results><spf><domain>kunde.example</domain><result>pass</result></spf></auth_results></record>
        </feedback>
        """
    }

    /// A message whose header block, blank line included, is `headerBytes` long.
    static func message(headerBytes: Int, reportID: String) -> [UInt8] {
        let own = [
            "From: DMARC Aggregate Report <dmarcreport@microsoft.com>",
            "To: rua@provider.example",
            "Subject: Report Domain: kunde.example Submitter: microsoft.com Report-ID: \(reportID)",
            "Date: Sun, 2 Nov 2026 04:05:06 +0000",
            "Message-ID: <\(reportID)@microsoft.com>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"b1\"",
        ]
        var header = own
        var used = own.reduce(0) { $0 + $1.utf8.count + 2 } + 2
        let padOverhead = "X-Pad: ".utf8.count + 3
        while used + relayField.utf8.count + 2 + padOverhead <= headerBytes {
            header.insert(relayField, at: 0)
            used += relayField.utf8.count + 2
        }
        header.insert("X-Pad: " + String(repeating: "p", count: max(1, headerBytes - used - padOverhead + 1)), at: 0)
        let attachment = Data(reportXML(id: reportID).utf8).base64EncodedString(options: [.lineLength76Characters])
        let body = """
            --b1\r
            Content-Type: text/plain\r
            \r
            This is a DMARC aggregate report.\r
            --b1\r
            Content-Type: text/xml; name="report.xml"\r
            Content-Disposition: attachment; filename="report.xml"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(attachment)\r
            --b1--\r

            """
        return Array((header.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
    }

    @Test("every message is read, whatever the size of its header block")
    func parseAndIngest() throws {
        let root = try makeTemporaryDirectory(prefix: "dmarc-big-headers-")
        let maildir = root + "/Maildir"
        for folder in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(atPath: maildir + "/" + folder, withIntermediateDirectories: true)
        }
        var mbox: [UInt8] = []
        for size in Self.sizes {
            let message = Self.message(headerBytes: size, reportID: "maildir-\(size)")
            let blank = message.indices.first { message[$0...].starts(with: Array("\r\n\r\n".utf8)) }
            #expect(blank.map { $0 + 4 } == size, "the test built a header block of another size")
            try Data(message).write(to: URL(fileURLWithPath: "\(maildir)/cur/1762041600.\(size).mx:2,S"))
            mbox += Array("From dmarcreport@microsoft.com Sun Nov  2 04:05:06 2026\r\n".utf8)
                + Self.message(headerBytes: size, reportID: "mbox-\(size)") + [0x0D, 0x0A]
        }
        let mboxPath = root + "/rua.mbox"
        try Data(mbox).write(to: URL(fileURLWithPath: mboxPath))

        for path in [maildir, mboxPath] {
            let parsed = try DMARCBinary.run(["parse", path])
            #expect(parsed.status == 0, "\(path): \(parsed.stderr.prefix(400))")
            #expect(parsed.stdout.split(separator: "\n").count == Self.sizes.count)
        }

        let database = try TestCluster.get().freshDatabase()
        let ingested = try DMARCBinary.run(["ingest", "--database", database.conninfo, maildir, mboxPath])
        #expect(ingested.status == 0, "\(ingested.stderr.prefix(400))")
        #expect(ingested.stdout.hasPrefix("ingested \(2 * Self.sizes.count) reports (\(2 * Self.sizes.count) rows)"))
        #expect(try database.count("SELECT count(*) FROM reports") == Int64(2 * Self.sizes.count))
        #expect(try database.count("SELECT count(*) FROM input_files WHERE status = 'rejected'") == 0)
    }
}
