import Testing

@_spi(Testing) @testable import ReportReading

@Suite("Mail decoding: base64, quoted-printable, RFC 2047, RFC 2231, dates, mbox splitting")
struct MailDecodingTests {
    @Test(
        "base64 skips line breaks and stops at padding",
        arguments: [
            ("aGVsbG8=", "hello"), ("aGVs\r\nbG8g\nd29y\nbGQ=", "hello world"), ("aGVsbG8h", "hello!"), ("", ""),
        ])
    func base64(_ encoded: String, _ expected: String) throws {
        #expect(try Base64.decode(Array(encoded.utf8)[...]) == Array(expected.utf8))
    }

    @Test("base64 that ends mid-group is truncated", arguments: ["aGVsbG8", "aGVsbG8gd", "aGVsb"])
    func base64Truncated(_ encoded: String) {
        #expect(throws: ReadError.self) { try Base64.decode(Array(encoded.utf8)[...]) }
        do {
            _ = try Base64.decode(Array(encoded.utf8)[...])
        } catch {
            #expect(error.code == .truncated)
        }
    }

    @Test(
        "quoted-printable",
        arguments: [
            ("caf=C3=A9", "café"), ("soft=\nbreak", "softbreak"), ("soft=\r\nbreak", "softbreak"),
            ("trailing   \nblanks", "trailing\nblanks"), ("a=3Db", "a=b"), ("bad=ZZ", "bad=ZZ"), ("end=", "end"),
        ])
    func quotedPrintable(_ encoded: String, _ expected: String) {
        #expect(QuotedPrintable.decode(Array(encoded.utf8)[...]) == Array(expected.utf8))
    }

    @Test(
        "RFC 2047 encoded words",
        arguments: [
            ("=?utf-8?Q?Caf=C3=A9_au_lait?=", "Café au lait"),
            ("=?ISO-8859-1?Q?Gr=FC=DFe?=", "Grüße"),
            ("=?windows-1252?Q?=80_5?=", "€ 5"),
            ("=?utf-8?B?w7w=?= =?utf-8?B?w7w=?=", "üü"),
            // One UTF-8 character split across two words.
            ("=?utf-8?B?ww==?= =?utf-8?B?qQ==?=", "é"),
            ("plain =?utf-8?q?mixed?= text", "plain mixed text"),
            ("=?utf-8?Q?not closed", "=?utf-8?Q?not closed"),
            ("=?utf-8*de?Q?mit_Sprache?=", "mit Sprache"),
        ])
    func encodedWords(_ raw: String, _ expected: String) {
        #expect(EncodedWords.decode(Array(raw.utf8)[...]) == expected)
    }

    @Test("Content-Type and Content-Disposition parameters")
    func parameters() {
        let type = HeaderParameters(Array("Multipart/Mixed (comment); boundary=\"a;b \\\"c\\\"\"; charset=utf-8".utf8))
        #expect(type.value == "multipart/mixed")
        #expect(type["boundary"] == "a;b \"c\"")
        #expect(type["charset"] == "utf-8")

        let continued = HeaderParameters(
            Array("attachment; filename*0*=iso-8859-1'de'M%FCller; filename*1=\" Bericht.xml\"".utf8))
        #expect(continued.value == "attachment")
        #expect(continued["filename"] == "Müller Bericht.xml")

        let single = HeaderParameters(
            Array("attachment; filename*=UTF-8''%E2%82%AC.xml.gz; filename=\"fallback.gz\"".utf8))
        #expect(single["filename"] == "€.xml.gz")

        let outOfOrder = HeaderParameters(Array("inline; name*1=b.xml; name*0=a".utf8))
        #expect(outOfOrder["name"] == "ab.xml")
    }

    @Test(
        "RFC 5322 dates",
        arguments: [
            ("Tue, 12 Feb 2019 15:59:59 -0800", Int64(1_550_015_999)),
            ("12 Feb 2019 23:59:59 +0000", 1_550_015_999),
            ("Tue, 12 Feb 2019 18:59:59 EST", 1_550_015_999),
            ("Wed, 13 Feb 2019 00:59:59 +0100 (CET)", 1_550_015_999),
            ("Tue, 12 Feb 19 23:59:59 GMT", 1_550_015_999),
            ("Thu, 1 Jan 1970 00:00 +0000", 0),
        ])
    func dates(_ text: String, _ expected: Int64) {
        #expect(MessageDate.epochSeconds(text) == expected)
    }

    @Test(
        "unreadable dates give nil",
        arguments: ["", "yesterday", "32 Feb 2019 10:00:00 +0000", "12 Foo 2019 10:00 +0000"])
    func badDates(_ text: String) {
        #expect(MessageDate.epochSeconds(text) == nil)
    }

    @Test(
        "detection by content",
        arguments: [
            ("From someone Sun Nov  2 04:05:06 2026\nSubject: x\n\nbody", MailDetection.Kind.mbox),
            ("Return-Path: <a@b>\nReceived: from x\n\tby y\nSubject: z\n\nbody", .message),
            ("Subject: only a header, no body yet", .message),
            ("<?xml version=\"1.0\"?>\n<feedback/>", .other),
            ("\u{FEFF}<?xml version=\"1.0\"?>", .other),
            ("junk: before\n<?xml version=\"1.0\"?>\n<feedback/>", .other),
            ("From: missing space is a header\n\n", .message),
            ("no colon here\n", .other),
        ])
    func detection(_ head: String, _ expected: MailDetection.Kind) {
        #expect(MailDetection.kind(of: Array(head.utf8), isWholeInput: true) == expected)
    }

    @Test(
        "mbox splitting: separators after blank lines, >From unescaped, chunk borders anywhere",
        arguments: [1, 3, 7, 4096])
    func mboxSplitting(chunkSize: Int) throws {
        let mbox =
            "From a@x Mon\nSubject: 1\n\n>From quoted\n>>From twice\nFrom not a separator (no blank line before)\n\nFrom b@x Tue\r\nSubject: 2\r\n\r\nbody\r\n\r\nFrom c@x Wed\nSubject: 3\n\nlast line without newline"
        var splitter = MboxSplitter(limit: 1 << 20)
        var messages: [String] = []
        let bytes = Array(mbox.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunkSize)
            try bytes[start..<end].withUnsafeBytes { chunk in
                try splitter.feed(chunk) { messages.append(String(decoding: $0.bytes, as: UTF8.self)) }
            }
            start = end
        }
        try splitter.finish { messages.append(String(decoding: $0.bytes, as: UTF8.self)) }
        #expect(
            messages == [
                "Subject: 1\n\nFrom quoted\n>From twice\nFrom not a separator (no blank line before)\n",
                "Subject: 2\r\n\r\nbody\r\n",
                "Subject: 3\n\nlast line without newline",
            ])
    }

    @Test("mbox splitting drops an oversized message but still finds the next separator")
    func mboxOversized() throws {
        var splitter = MboxSplitter(limit: 100)
        var delivered: [(Int, Bool, Int)] = []
        let mbox =
            "From a\n" + String(repeating: "x", count: 500) + "\n" + String(repeating: "line\n", count: 100)
            + "\nFrom b\nSubject: small\n\nok\n"
        try Array(mbox.utf8).withUnsafeBytes { chunk in
            try splitter.feed(chunk) { delivered.append(($0.number, $0.oversized, $0.bytes.count)) }
        }
        try splitter.finish { delivered.append(($0.number, $0.oversized, $0.bytes.count)) }
        #expect(delivered.map(\.0) == [1, 2])
        #expect(delivered.map(\.1) == [true, false])
        #expect(splitter.largestBuffer <= 100 + 500)
    }
}
