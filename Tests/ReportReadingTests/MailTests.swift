import DMARC
import Foundation
@_spi(Testing) import ReportReading
import Testing

@Suite("E-mail inputs: messages, MIME, mbox, Maildir")
struct MailTests {
    // MARK: Real messages

    struct RealMessage: Sendable, CustomTestStringConvertible {
        let file: String
        let domain: String
        let reportID: String
        let messageID: String
        let attachment: String
        var testDescription: String { file }
    }

    static let realMessages = [
        RealMessage(
            file: "google-zip.eml", domain: "borschow.com", reportID: "949348866075514174",
            messageID: "949348866075514174@google.com",
            attachment: "google.com!borschow.com!1549929600!1550015999.zip"),
        RealMessage(
            file: "mimecast-gzip-body.eml", domain: "ab.id.au",
            reportID: "157a5fe30ec76f4bc0d8bccfc96c118a167a1280fee7c7465af5115e73082e5e",
            messageID: "4973f467-4c66-4341-a50a-cf1a87033376@au-1.mimecastreport.com",
            attachment:
                "mimecast.org!ab.id.au!1693353600!1693439999!157a5fe30ec76f4bc0d8bccfc96c118a167a1280fee7c7465af5115e73082e5e.xml.gz"
        ),
        RealMessage(
            file: "google-twilight.eml", domain: "twlnet.com", reportID: "1627703331531660819",
            messageID: "1627703331531660819@google.com", attachment: "google.com!twlnet.com!1549756800!1549843199.zip"),
    ]

    @Test("real receivers' messages each yield their report", arguments: realMessages)
    func realMessage(_ expected: RealMessage) throws {
        let path = MailFixtures.path(expected.file)
        let result = try MailFixtures.read(file: path)
        #expect(result.rejections.isEmpty, "\(result.rejections)")
        try #require(result.reports.count == 1)
        let report = result.reports[0]
        #expect(report.policy.domain == expected.domain)
        #expect(report.metadata.reportID == expected.reportID)
        #expect(report.source.hasPrefix("\(path)!\(expected.attachment)"))
        #expect(!report.records.isEmpty)
        try #require(result.messages.count == 1)
        let origin = result.messages[0].origin
        #expect(origin.source == path)
        #expect(origin.messageID == expected.messageID)
        #expect(origin.subject?.contains(expected.domain) == true)
        #expect(origin.from != nil)
        #expect(origin.dateEpoch != nil)
        #expect(result.messages[0].outcome.reports == 1)
        #expect(result.reportOrigins == [origin])
    }

    @Test("Google's Date header is read as epoch seconds")
    func googleDate() throws {
        let result = try MailFixtures.read(file: MailFixtures.path("google-zip.eml"))
        // Tue, 12 Feb 2019 15:59:59 -0800
        #expect(result.messages.first?.origin.dateEpoch == 1_550_015_999)
    }

    // MARK: Encodings and structures

    struct Shape: Sendable, CustomTestStringConvertible {
        let name: String
        let build: @Sendable () throws -> [UInt8]
        let attachment: String
        var testDescription: String { name }
    }

    static let shapes: [Shape] = [
        Shape(
            name: "base64 gzip as application/gzip",
            build: {
                MailFixtures.message(
                    MailFixtures.standardHeaders + ["Content-Type: multipart/mixed; boundary=\"b1\""],
                    body: MailFixtures.multipart(parts: [
                        MailFixtures.base64Part(
                            type: "application/gzip", filename: "r.xml.gz", bytes: try MailFixtures.reportGzip)
                    ]))
            }, attachment: "r.xml.gz"),
        Shape(
            name: "base64 zip as application/zip, CRLF line ends",
            build: {
                MailFixtures.message(
                    MailFixtures.standardHeaders + ["Content-Type: multipart/mixed; boundary=\"b1\""],
                    body: MailFixtures.multipart(parts: [
                        MailFixtures.base64Part(
                            type: "application/zip", filename: "r.zip", bytes: try MailFixtures.reportZip)
                    ]),
                    lineEnding: "\r\n")
            }, attachment: "r.zip!report.xml"),
        Shape(
            name: "zip labelled gzip (Mimecast)",
            build: {
                MailFixtures.message(
                    MailFixtures.standardHeaders + ["Content-Type: multipart/mixed; boundary=\"b1\""],
                    body: MailFixtures.multipart(parts: [
                        MailFixtures.base64Part(
                            type: "application/gzip", filename: "r.xml.gz", bytes: try MailFixtures.reportZip)
                    ]))
            }, attachment: "r.xml.gz!report.xml"),
        Shape(
            name: "octet-stream without a filename",
            build: {
                MailFixtures.message(
                    MailFixtures.standardHeaders + ["Content-Type: multipart/mixed; boundary=\"b1\""],
                    body: MailFixtures.multipart(parts: [
                        "Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
                            + MailFixtures.base64(try MailFixtures.reportGzip)
                    ]))
            }, attachment: "part2"),
        Shape(
            name: "gzip as the whole body",
            build: {
                MailFixtures.message(
                    MailFixtures.standardHeaders + [
                        "Content-Type: application/gzip", "Content-Transfer-Encoding: base64",
                        "Content-Disposition: attachment;\n filename=\"whole.xml.gz\"",
                    ], body: MailFixtures.base64(try MailFixtures.reportGzip))
            }, attachment: "whole.xml.gz"),
        Shape(
            name: "quoted-printable text/xml attachment",
            build: {
                let xml = String(decoding: try MailFixtures.reportXML, as: UTF8.self)
                // Soft line breaks and an encoded '=' in the XML declaration.
                let qp = xml.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(
                    of: "<record>", with: "<rec=\nord>")
                return MailFixtures.message(
                    MailFixtures.standardHeaders + ["Content-Type: multipart/mixed; boundary=\"b1\""],
                    body: MailFixtures.multipart(parts: [
                        "Content-Type: text/xml; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\nContent-Disposition: attachment; filename=report.xml\n\n"
                            + qp
                    ]))
            }, attachment: "report.xml"),
        Shape(
            name: "7bit application/xml",
            build: {
                MailFixtures.message(
                    MailFixtures.standardHeaders + ["Content-Type: multipart/mixed; boundary=\"b1\""],
                    body: MailFixtures.multipart(parts: [
                        "Content-Type: application/xml\nContent-Transfer-Encoding: 7bit\nContent-Disposition: attachment; filename=\"a.xml\"\n\n"
                            + String(decoding: try MailFixtures.reportXML, as: UTF8.self)
                    ]))
            }, attachment: "a.xml"),
        Shape(
            name: "8bit xml named .xml but sent as text/plain",
            build: {
                MailFixtures.message(
                    MailFixtures.standardHeaders + ["Content-Type: multipart/mixed; boundary=\"b1\""],
                    body: MailFixtures.multipart(parts: [
                        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\nContent-Disposition: attachment; filename=\"plain.xml\"\n\n"
                            + String(decoding: try MailFixtures.reportXML, as: UTF8.self)
                    ]))
            }, attachment: "plain.xml"),
        Shape(
            name: "nested multipart (alternative inside mixed inside related)",
            build: {
                let inner =
                    "Content-Type: multipart/mixed; boundary=\"inner\"\n\n"
                    + MailFixtures.multipart(
                        boundary: "inner",
                        parts: [
                            MailFixtures.base64Part(
                                type: "application/gzip", filename: "deep.xml.gz", bytes: try MailFixtures.reportGzip)
                        ])
                let alternative =
                    "Content-Type: multipart/alternative; boundary=\"alt\"\n\n--alt\nContent-Type: text/plain\n\nhello\n--alt\nContent-Type: text/html\n\n<p>hello</p>\n--alt--"
                return MailFixtures.message(
                    MailFixtures.standardHeaders + ["Content-Type: multipart/related; boundary=\"outer\""],
                    body: MailFixtures.multipart(boundary: "outer", parts: [alternative, inner], text: nil))
            }, attachment: "deep.xml.gz"),
        Shape(
            name: "RFC 2231 continued and encoded filename",
            build: {
                MailFixtures.message(
                    MailFixtures.standardHeaders + ["Content-Type: multipart/mixed; boundary=\"b1\""],
                    body: MailFixtures.multipart(parts: [
                        "Content-Type: application/gzip\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment;\n filename*0*=utf-8''Bericht%20f%C3%BCr%20;\n filename*1*=M%C3%BCller.xml;\n filename*2=.gz\n\n"
                            + MailFixtures.base64(try MailFixtures.reportGzip)
                    ]))
            }, attachment: "Bericht für Müller.xml.gz"),
        Shape(
            name: "RFC 2047 encoded filename",
            build: {
                MailFixtures.message(
                    MailFixtures.standardHeaders + ["Content-Type: multipart/mixed; boundary=\"b1\""],
                    body: MailFixtures.multipart(parts: [
                        "Content-Type: application/gzip; name=\"=?iso-8859-1?Q?r=E9sum=E9?= =?utf-8?B?LnhtbC5neg==?=\"\nContent-Transfer-Encoding: base64\n\n"
                            + MailFixtures.base64(try MailFixtures.reportGzip)
                    ]))
            }, attachment: "résumé.xml.gz"),
        Shape(
            name: "forwarded as message/rfc822",
            build: {
                let original = String(decoding: try MailFixtures.bytes("google-zip.eml"), as: UTF8.self)
                return MailFixtures.message(
                    [
                        "From: postmaster@acme-hr.ch", "Subject: Fwd: DMARC report", "Message-ID: <fwd@acme-hr.ch>",
                        "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"fwd\"",
                    ],
                    body: MailFixtures.multipart(
                        boundary: "fwd",
                        parts: ["Content-Type: message/rfc822\nContent-Disposition: attachment\n\n" + original],
                        text: "See the attached report."))
            }, attachment: "google.com!borschow.com!1549929600!1550015999.zip"),
    ]

    @Test("encodings and structures yield the report", arguments: shapes)
    func shape(_ shape: Shape) throws {
        let result = try MailFixtures.read(message: try shape.build())
        #expect(result.rejections.isEmpty, "\(result.rejections.map { "\($0.source): \($0.error)" })")
        try #require(result.reports.count == 1)
        #expect(result.reports[0].source.contains("message.eml!\(shape.attachment)"), "\(result.reports[0].source)")
        #expect(result.messages.count == 1)
        #expect(result.messages.first?.outcome.reports == 1)
    }

    @Test("RFC 2047 subject and from are decoded, Message-ID loses its brackets")
    func encodedWordHeaders() throws {
        let headers = [
            "From: =?utf-8?Q?Gr=C3=BC=C3=9Fe?= <reports@mail.example>",
            "Subject: =?utf-8?B?QmVyaWNodCBmw7xy?=\n =?utf-8?Q?_acme-hr=2Ech?= (=?iso-8859-1?Q?T=E4glich?=)",
            "Message-ID:\n <x-1@mail.example>",
            "Date: 2 Nov 2026 04:05 GMT",
            "Content-Type: application/gzip",
            "Content-Transfer-Encoding: base64",
        ]
        let result = try MailFixtures.read(
            message: MailFixtures.message(headers, body: MailFixtures.base64(try MailFixtures.reportGzip)))
        let origin = try #require(result.messages.first?.origin)
        #expect(origin.subject == "Bericht für acme-hr.ch (Täglich)")
        #expect(origin.from == "Grüße <reports@mail.example>")
        #expect(origin.messageID == "x-1@mail.example")
        #expect(origin.dateEpoch == 1_793_592_300)
        #expect(result.reports.count == 1)
    }

    @Test("a message with two reports yields both, in order")
    func twoReports() throws {
        let bytes = MailFixtures.message(
            MailFixtures.standardHeaders + ["Content-Type: multipart/mixed; boundary=\"b1\""],
            body: MailFixtures.multipart(parts: [
                MailFixtures.base64Part(
                    type: "application/gzip", filename: "one.xml.gz", bytes: try MailFixtures.reportGzip),
                MailFixtures.base64Part(
                    type: "application/xml", filename: "two.xml", bytes: try MailFixtures.reportXML2),
            ]))
        let result = try MailFixtures.read(message: bytes)
        #expect(result.rejections.isEmpty)
        #expect(result.reports.map(\.policy.domain) == ["acme-hr.ch", "beispiel-ag.de"])
        #expect(result.messages.first?.outcome == MessageOutcome(reports: 2, rejected: 0, ignoredParts: 1))
    }

    // MARK: Messages without a report

    static let nonReports: [(name: String, message: [UInt8])] = {
        let bounce = MailFixtures.message(
            [
                "From: MAILER-DAEMON@mx.example", "Subject: Undelivered Mail Returned to Sender", "MIME-Version: 1.0",
                "Content-Type: multipart/report; report-type=delivery-status; boundary=\"bnc\"",
            ],
            body: MailFixtures.multipart(
                boundary: "bnc",
                parts: [
                    "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; rua@provider.example\nAction: failed\nStatus: 5.1.1",
                    "Content-Type: text/rfc822-headers\n\nFrom: someone@acme-hr.ch\nSubject: hello",
                ], text: "I'm sorry to have to inform you that your message could not be delivered."))
        // A TLS report (RFC 8460) is gzip'd JSON: gzip bytes that hold no XML.
        let tlsReport = MailFixtures.message(
            [
                "From: tls-reports@mail.example", "Subject: Report Domain: acme-hr.ch Submitter: mail.example",
                "MIME-Version: 1.0",
                "Content-Type: multipart/report; report-type=tlsrpt; boundary=\"tls\"",
            ],
            body: MailFixtures.multipart(
                boundary: "tls",
                parts: [
                    MailFixtures.base64Part(
                        type: "application/tlsrpt+gzip", filename: "mail.example!acme-hr.ch!1!2.json.gz",
                        bytes: gzipOfJSON)
                ]))
        let failureReport = MailFixtures.message(
            [
                "From: abuse@mail.example", "Subject: FW: Fraud report", "MIME-Version: 1.0",
                "Content-Type: multipart/report; report-type=feedback-report; boundary=\"arf\"",
            ],
            body: MailFixtures.multipart(
                boundary: "arf",
                parts: [
                    "Content-Type: message/feedback-report\n\nFeedback-Type: auth-failure\nAuth-Failure: dmarc",
                    "Content-Type: message/rfc822\n\nFrom: ceo@acme-hr.ch\nSubject: invoice\n\nPay now.",
                ]))
        let spam = MailFixtures.message(
            [
                "From: win@lottery.example", "Subject: You won", "MIME-Version: 1.0",
                "Content-Type: multipart/alternative; boundary=\"alt\"",
            ],
            body:
                "--alt\nContent-Type: text/plain\n\nClaim now\n--alt\nContent-Type: text/html\n\n<html><body>Claim <b>now</b></body></html>\n--alt--\n"
        )
        let pdf = MailFixtures.message(
            [
                "From: someone@mail.example", "Subject: invoice", "MIME-Version: 1.0",
                "Content-Type: multipart/mixed; boundary=\"b1\"",
            ],
            body: MailFixtures.multipart(parts: [
                MailFixtures.base64Part(
                    type: "application/pdf", filename: "invoice.pdf", bytes: Array("%PDF-1.4\n%%EOF\n".utf8))
            ]))
        return [
            ("bounce", bounce), ("TLS report", tlsReport), ("failure report", failureReport), ("spam", spam),
            ("PDF", pdf),
        ]
    }()

    /// `{"organization-name":"mail.example"}` gzip'd (gzip -n).
    static let gzipOfJSON: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xab, 0x56, 0xca, 0x2f, 0x4a, 0x4f, 0xcc, 0xcb,
        0xac,
        0x4a, 0x2c, 0xc9, 0xcc, 0xcf, 0xd3, 0xcd, 0x4b, 0xcc, 0x4d, 0x55, 0xb2, 0x52, 0xca, 0x4d, 0xcc, 0xcc, 0xd1,
        0x4b,
        0xad, 0x48, 0xcc, 0x2d, 0xc8, 0x49, 0x55, 0xaa, 0x05, 0x00, 0x07, 0x35, 0x47, 0x25, 0x24, 0x00, 0x00, 0x00,
    ]

    @Test("a message without an aggregate report is counted apart, not rejected", arguments: 0..<5)
    func noAggregateReport(_ index: Int) throws {
        let (name, message) = Self.nonReports[index]
        let result = try MailFixtures.read(message: message)
        #expect(result.reports.isEmpty, "\(name)")
        #expect(result.rejections.isEmpty, "\(name): \(result.rejections.map { "\($0.source): \($0.error)" })")
        try #require(result.messages.count == 1, "\(name)")
        #expect(result.messages[0].outcome.hasNoAggregateReport, "\(name)")
    }

    // MARK: mbox

    /// An mbox of four messages: a report, a truncated base64 report, a bounce-like text message
    /// whose body has a `From ` line escaped as `>From `, and another report.
    static func smallMbox() throws -> [UInt8] {
        let good = MailFixtures.message(
            MailFixtures.standardHeaders + ["Content-Type: multipart/mixed; boundary=\"b1\""],
            body: MailFixtures.multipart(parts: [
                MailFixtures.base64Part(
                    type: "application/gzip", filename: "a.xml.gz", bytes: try MailFixtures.reportGzip)
            ]))
        var cut = MailFixtures.base64(try MailFixtures.reportZip)
        cut.removeLast(7)  // not a multiple of four characters: ends mid-group
        let truncated = MailFixtures.message(
            ["From: b@mail.example", "Subject: cut off", "Content-Type: multipart/mixed; boundary=\"b1\""],
            body:
                "--b1\nContent-Type: application/zip\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=cut.zip\n\n"
                + cut + "\n")
        let text = MailFixtures.message(
            ["From: c@mail.example", "Subject: chat"],
            body:
                "Hi,\n>From the top.\n>>From two levels.\nFrom here on it is unescaped text after a line that is not blank\n"
        )
        let second = MailFixtures.message(
            [
                "From: d@mail.example", "Subject: second", "Content-Type: application/xml",
                "Content-Disposition: attachment; filename=b.xml",
            ],
            body: String(decoding: try MailFixtures.reportXML2, as: UTF8.self))
        var mbox: [UInt8] = []
        for message in [good, truncated, text, second] {
            mbox += Array("From MAILER-DAEMON Sun Nov  2 04:05:06 2026\n".utf8) + message + Array("\n".utf8)
        }
        return mbox
    }

    @Test("an mbox yields each message's reports; a truncated base64 part is rejected and the rest goes on")
    func mbox() throws {
        let path = try MailFixtures.write(try Self.smallMbox(), name: "rua.mbox")
        let result = try MailFixtures.read(file: path)
        #expect(result.reports.map(\.source) == ["\(path)#1!a.xml.gz", "\(path)#4!b.xml"])
        try #require(result.rejections.count == 1)
        #expect(result.rejections[0].source == "\(path)#2!cut.zip")
        #expect(result.rejections[0].error.code == .truncated)
        #expect(result.rejections[0].error.message.contains("base64"))
        #expect(result.messages.map(\.origin.source) == (1...4).map { "\(path)#\($0)" })
        #expect(result.messages.map(\.outcome.hasNoAggregateReport) == [false, false, true, false])
        #expect(result.messages[2].origin.subject == "chat")
    }

    @Test("an oversized message is rejected and the next one is read")
    func oversizedMessage() throws {
        var limits = ReadingLimits()
        limits.maxMessageBytes = 2_000
        let big = MailFixtures.message(
            ["From: big@mail.example", "Subject: big"],
            body: String(repeating: "x", count: 10_000) + "\n" + String(repeating: "padding line\n", count: 500))
        let small = MailFixtures.message(
            MailFixtures.standardHeaders + ["Content-Type: application/gzip", "Content-Transfer-Encoding: base64"],
            body: MailFixtures.base64(try MailFixtures.reportGzip))
        let mbox = Array("From x\n".utf8) + big + Array("\nFrom y\n".utf8) + small
        let path = try MailFixtures.write(mbox, name: "big.mbox")
        let result = try MailFixtures.read(file: path, limits: limits)
        #expect(result.rejections.map(\.source) == ["\(path)#1"])
        #expect(result.rejections.first?.error.code == .limitExceeded)
        #expect(result.reports.map(\.source) == ["\(path)#2!part1"])
    }

    @Test("50,000 messages read one at a time, in bounded memory")
    func largeMbox() throws {
        let directory = try MailFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("large.mbox").path
        let reportMessage = MailFixtures.message(
            MailFixtures.standardHeaders + ["Content-Type: multipart/mixed; boundary=\"b1\""],
            body: MailFixtures.multipart(parts: [
                MailFixtures.base64Part(
                    type: "application/gzip", filename: "r.xml.gz", bytes: try MailFixtures.reportGzip)
            ]))
        let textMessage = MailFixtures.message(
            ["From: someone@mail.example", "Subject: not a report", "Message-ID: <n@mail.example>"],
            body: String(
                repeating: "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n>From an escaped line.\n",
                count: 10))
        let total = 50_000
        guard let file = fopen(path, "w") else { throw CocoaError(.fileWriteUnknown) }
        for index in 1...total {
            let envelope = Array("From sender@mail.example Sun Nov  2 04:05:06 2026\n".utf8)
            let body = index % 10 == 0 ? reportMessage : textMessage
            _ = envelope.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            _ = body.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            _ = fwrite("\n", 1, 1, file)
        }
        fclose(file)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0

        var counter = CountingHandler()
        let summary = try MboxReader().read(file: path, into: &counter)
        #expect(summary.messages == total)
        #expect(counter.reports == total / 10)
        #expect(counter.records == total / 10)
        #expect(counter.messagesWithoutReport == total - total / 10)
        #expect(counter.rejected == 0)
        // One message at a time: the largest buffer is one message, not the mailbox.
        #expect(summary.largestMessageBuffer < 8 << 10)
        #expect(size > 1000 * summary.largestMessageBuffer)
    }

    // MARK: Maildir

    @Test("a Maildir yields cur/ and new/, never tmp/ or the server's files")
    func maildir() throws {
        let root = try MailFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let maildir = root.appendingPathComponent("Maildir")
        let manager = FileManager.default
        for sub in ["cur", "new", "tmp", ".Archive/cur", ".Archive/new", ".Archive/tmp", "courierimapkeywords"] {
            try manager.createDirectory(at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let report = MailFixtures.message(
            MailFixtures.standardHeaders + ["Content-Type: application/gzip", "Content-Transfer-Encoding: base64"],
            body: MailFixtures.base64(try MailFixtures.reportGzip))
        let files = [
            "cur/1730000000.M1P1.host:2,S": report,
            "new/1730000001.M2P2.host": report,
            "tmp/1730000002.M3P3.host": Array("half written".utf8),
            ".Archive/cur/1720000000.M4P4.host:2,S": report,
            "dovecot-uidlist": Array("3 V1 N2\n".utf8),
            "courierimapkeywords/:list": Array("$Junk\n".utf8),
        ]
        for (name, bytes) in files { try Data(bytes).write(to: maildir.appendingPathComponent(name)) }

        let expanded = try InputPaths.expand([maildir.path])
        let relative = expanded.map { String($0.dropFirst(maildir.path.count + 1)) }
        #expect(
            relative == [
                ".Archive/cur/1720000000.M4P4.host:2,S", "cur/1730000000.M1P1.host:2,S", "new/1730000001.M2P2.host",
            ])
        var collector = ReportCollector()
        for file in expanded { try ReportReader().read(file: file, into: &collector) }
        #expect(collector.reports.count == 3)
        #expect(collector.rejections.isEmpty)
    }

    @Test("samples/maildir reads without rejections")
    func sampleMaildir() throws {
        let samples = MailFixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples/maildir")
        var collector = ReportCollector()
        for file in try InputPaths.expand([samples.path]) { try ReportReader().read(file: file, into: &collector) }
        #expect(collector.rejections.isEmpty, "\(collector.rejections.map { "\($0.source): \($0.error)" })")
        #expect(Set(collector.reports.map(\.policy.domain)) == ["acme-hr.ch", "beispiel-ag.de"])
        #expect(collector.messages.count >= 2)
    }

    // MARK: Limits

    @Test("MIME nesting deeper than the limit is rejected with its reason")
    func nestingLimit() throws {
        var limits = ReadingLimits()
        limits.maxMIMEDepth = 3
        var body = MailFixtures.base64Part(
            type: "application/gzip", filename: "deep.xml.gz", bytes: try MailFixtures.reportGzip)
        for level in 0..<5 {
            body = "Content-Type: multipart/mixed; boundary=\"l\(level)\"\n\n--l\(level)\n\(body)\n--l\(level)--"
        }
        // The outermost multipart's Content-Type line joins the message header.
        let result = try MailFixtures.read(
            message: Array(("From: x@mail.example\nSubject: deep\n" + body).utf8), limits: limits)
        #expect(result.reports.isEmpty)
        #expect(result.rejections.first?.error.code == .limitExceeded)
        #expect(result.rejections.first?.error.message.contains("nested") == true)
    }

    @Test("attachments beyond the limit are not read, and that is said once")
    func attachmentLimit() throws {
        var limits = ReadingLimits()
        limits.maxAttachmentsPerMessage = 2
        let parts = try (0..<4).map {
            MailFixtures.base64Part(
                type: "application/gzip", filename: "r\($0).xml.gz", bytes: try MailFixtures.reportGzip)
        }
        let bytes = MailFixtures.message(
            MailFixtures.standardHeaders + ["Content-Type: multipart/mixed; boundary=\"b1\""],
            body: MailFixtures.multipart(parts: parts))
        let result = try MailFixtures.read(message: bytes, limits: limits)
        #expect(result.reports.count == 2)
        #expect(result.rejections.count == 1)
        #expect(result.rejections.first?.error.code == .limitExceeded)
    }

    @Test("a header field over the line limit rejects the message")
    func headerLimit() throws {
        var limits = ReadingLimits()
        limits.maxHeaderLineBytes = 1_000
        let bytes = MailFixtures.message(
            [
                "From: x@mail.example",
                "Subject: " + String(repeating: "long ", count: 100) + "\n " + String(repeating: "folded ", count: 200),
            ], body: "hi")
        let result = try MailFixtures.read(message: bytes, limits: limits)
        #expect(result.rejections.first?.error.code == .limitExceeded)
        #expect(result.messages.isEmpty)
    }

    @Test("an .eml that is really a file of XML is still read as XML")
    func xmlIsNotMail() throws {
        let result = try MailFixtures.read(
            file: try MailFixtures.write(try MailFixtures.reportXML, name: "looks-like.eml"))
        #expect(result.reports.count == 1)
        #expect(result.messages.isEmpty)
    }
}

/// Counts without keeping anything, as a store would stream.
struct CountingHandler: ReportHandler {
    var reports = 0
    var records = 0
    var rejected = 0
    var messagesWithoutReport = 0
    mutating func beginReport(_ report: AggregateReport) {}
    mutating func record(_ record: Record) { records += 1 }
    mutating func endReport(warnings: [String]) { reports += 1 }
    mutating func abandonReport(_ error: ReadError) { rejected += 1 }
    mutating func rejected(source: String, error: ReadError) { rejected += 1 }
    mutating func endMessage(_ origin: MessageOrigin, outcome: MessageOutcome) {
        if outcome.hasNoAggregateReport { messagesWithoutReport += 1 }
    }
}
