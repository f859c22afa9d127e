import DMARC
import Foundation
import Testing

@_spi(Testing) @testable import ReportReading

/// Report e-mails with header blocks as large as Microsoft 365 and relays write them (15–40 KiB of
/// Received, ARC and DKIM fields): a message is a message whatever the size of its header block,
/// wherever the first look at the file happens to end.
@Suite("mail: large header blocks")
struct LargeMailHeaderTests {
    /// Fields in the shape real relays add, long names and folded values among them.
    static let relayFields = [
        "Received: from EUR05-AM6-obe.outbound.protection.outlook.com (mail-am6eur05on2050.outbound.protection.outlook.com [40.107.22.50])\r\n\tby mx.provider.example (Postfix) with ESMTPS id 4Q1x2y3z4\r\n\tfor <rua@provider.example>; Sun, 2 Nov 2026 04:05:06 +0100 (CET)",
        "ARC-Seal: i=1; a=rsa-sha256; s=arcselector9901; d=microsoft.com; cv=none;\r\n b=Zx0aQm3c8Tq9LkV1YpU7wNf2Hj6Rr4Ee5Ss0Dd1Ff2Gg3Hh4Jj5Kk6Ll7Zz8Xx9Cc0Vv1Bb2Nn3Mm4Qq5Ww6",
        "X-MS-Exchange-CrossTenant-OriginalArrivalTime: 02 Nov 2026 03:05:06.1234 (UTC)",
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=mail.example; s=selector1;\r\n h=From:Date:Subject:Message-ID:Content-Type:MIME-Version;\r\n bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n b=dGVzdHNpZ25hdHVyZXRlc3RzaWduYXR1cmV0ZXN0c2lnbmF0dXJl",
        "X-Forefront-Antispam-Report: CIP:255.255.255.255;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:x;PTR:;CAT:NONE",
        "X-MS-Exchange-Transport-CrossTenantHeadersStamped: AM6PR05MB1234",
        "Authentication-Results: mx.provider.example; dkim=pass header.d=mail.example; spf=pass smtp.mailfrom=mail.example",
    ]

    /// A report message whose header block (up to and including the blank line) is exactly
    /// `headerBytes` long: a padding field first, then relay fields, then the message's own.
    static func message(headerBytes: Int, report: [UInt8]) -> [UInt8] {
        let boundary = "b1"
        let own =
            MailFixtures.standardHeaders + ["Content-Type: multipart/mixed; boundary=\"\(boundary)\""]
        let ownBytes = own.reduce(0) { $0 + $1.utf8.count + 2 } + 2
        var relay: [String] = []
        var relayBytes = 0
        var next = 0
        // The padding field takes what is left, at least its name and a few bytes of value.
        let padOverhead = "X-Pad: ".utf8.count + 2
        while ownBytes + relayBytes + padOverhead + 1 + relayFields[next % relayFields.count].utf8.count + 2
            <= headerBytes
        {
            let field = relayFields[next % relayFields.count]
            relay.append(field)
            relayBytes += field.utf8.count + 2
            next += 1
        }
        let padLength = max(1, headerBytes - ownBytes - relayBytes - padOverhead)
        let header = ["X-Pad: " + String(repeating: "p", count: padLength)] + relay + own
        let body = MailFixtures.multipart(
            boundary: boundary,
            parts: [MailFixtures.base64Part(type: "application/gzip", filename: "report.xml.gz", bytes: report)])
        let text = header.joined(separator: "\r\n") + "\r\n\r\n" + body.replacingOccurrences(of: "\n", with: "\r\n")
        return Array(text.utf8)
    }

    /// Header block sizes from 1 KiB to 64 KiB in steps of 1,000 bytes, and every size that moves
    /// the end of the detection window across the 160 bytes of fields around it.
    static var headerSizes: [Int] {
        let window = MailDetection.headLength
        return Array(stride(from: 1024, through: 64 << 10, by: 1000)) + Array((window - 40)...(window + 120))
    }

    @Test("every header block size from 1 to 64 KiB reads as a message: one file each, and in an mbox")
    func everySize() throws {
        let report = try MailFixtures.reportGzip
        let directory = try MailFixtures.temporaryDirectory()
        var mbox: [UInt8] = []
        var misread: [String] = []
        for size in Self.headerSizes {
            let message = Self.message(headerBytes: size, report: report)
            let blank = message.indices.first { message[$0...].starts(with: Array("\r\n\r\n".utf8)) }
            #expect(blank.map { $0 + 4 } == size, "the builder made a header block of another size")
            let path = directory.appendingPathComponent("\(size).eml").path
            try Data(message).write(to: URL(fileURLWithPath: path))
            let result = try MailFixtures.read(file: path)
            if result.reports.count != 1 || !result.rejections.isEmpty {
                misread.append("\(size): \(result.rejections.map(\.error.message))")
            }
            mbox += Array("From dmarc-reports@mail.example Sun Nov  2 04:05:06 2026\r\n".utf8) + message + [0x0D, 0x0A]
        }
        #expect(misread.isEmpty, "\(misread.count) sizes not read as a report message: \(misread.prefix(5))")

        let mboxPath = directory.appendingPathComponent("mailbox").path
        try Data(mbox).write(to: URL(fileURLWithPath: mboxPath))
        let fromMbox = try MailFixtures.read(file: mboxPath)
        #expect(fromMbox.reports.count == Self.headerSizes.count)
        #expect(fromMbox.rejections.isEmpty, "\(fromMbox.rejections.prefix(3).map(\.error.message))")
    }

    @Test("a header of 2,000 short fields is rejected for the field limit, not as 'not XML'")
    func tooManyFields() throws {
        // 24 bytes a line: the first look at the file ends 16 bytes into the 683rd field's name.
        let fields = (0..<2_000).map { "X-Filler-Field-" + String(String($0 + 10_000).suffix(4)) + ": v" }
        let message = MailFixtures.message(fields + MailFixtures.standardHeaders, body: "text", lineEnding: "\r\n")
        #expect(Array(message[(MailDetection.headLength - 16)..<MailDetection.headLength]) == Array("X-Filler-Field-0".utf8))
        let result = try MailFixtures.read(message: message)
        #expect(result.reports.isEmpty)
        #expect(result.rejections.map(\.error.message) == ["the header has more than 1000 fields"])
    }

    @Test(
        "a window that ends inside a line judges what the line can still become",
        arguments: [
            ("Subject: x\r\nDKIM-Sig", MailDetection.Kind.message),
            ("Subject: x\r\nDKIM-Signature   ", .message),
            ("Subject: x\r\n\tfolded contin", .message),
            ("Subject: x\r\nX:", .message),
            ("Subject: x\r", .message),
            ("Subject: x\r\nnot a na", .other),
            ("Subject: x\r\n<feedback v", .other),
            ("<?xml vers", .other),
        ])
    func cutLine(_ head: String, _ expected: MailDetection.Kind) {
        #expect(MailDetection.kind(of: Array(head.utf8), isWholeInput: false) == expected)
    }

    @Test("the same bytes as a whole file: a last line without its colon is no field")
    func wholeInput() {
        #expect(MailDetection.kind(of: Array("Subject: x\r\nDKIM-Sig".utf8), isWholeInput: true) == .other)
        #expect(MailDetection.kind(of: Array("Subject: x\r\nDKIM-Signature: v".utf8), isWholeInput: true) == .message)
    }
}
