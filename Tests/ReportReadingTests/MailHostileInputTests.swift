import Testing

@_spi(Testing) @testable import ReportReading

/// Cut-off and corrupted messages must end in a report, a rejection or "no aggregate report",
/// never in a crash: mailboxes are filled by strangers.
@Suite("Mail: hostile and damaged input")
struct MailHostileInputTests {
    /// A small deterministic generator, so a failure repeats.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test("a real message cut off anywhere still reads as one message or one rejection")
    func truncations() throws {
        let whole = try MailFixtures.bytes("google-zip.eml")
        let reader = MailMessageReader(reader: ReportReader())
        var cut = 0
        while cut < whole.count {
            var collector = ReportCollector()
            try reader.read(message: Array(whole[..<cut]), source: "cut", into: &collector)
            // Either the message was read (with or without its report), or it was rejected whole.
            #expect(collector.messages.count + collector.rejections.count >= 1)
            #expect(collector.reports.count <= 1)
            cut += 37
        }
    }

    @Test(
        "random byte damage never crashes the MIME reader",
        arguments: ["google-zip.eml", "mimecast-gzip-body.eml", "google-twilight.eml"])
    func damage(_ name: String) throws {
        let whole = try MailFixtures.bytes(name)
        let reader = MailMessageReader(reader: ReportReader())
        var random = SplitMix(state: 42)
        let specials: [UInt8] = Array("-=?*'\"\r\n\t;:<>%_ ".utf8)
        for _ in 0..<300 {
            var damaged = whole
            for _ in 0..<Int.random(in: 1...20, using: &random) {
                let index = Int.random(in: 0..<damaged.count, using: &random)
                damaged[index] =
                    Bool.random(using: &random)
                    ? specials.randomElement(using: &random) ?? 0 : UInt8.random(in: 0...255, using: &random)
            }
            var collector = ReportCollector()
            try reader.read(message: damaged, source: "damaged", into: &collector)
            #expect(collector.messages.count + collector.rejections.count >= 1)
        }
    }

    @Test("header decoders take any bytes")
    func decoders() {
        var random = SplitMix(state: 7)
        let alphabet: [UInt8] =
            Array("=?utf-8?Q?B?iso-8859-1*'%E2%82;\"\\()=?=_ABCabc019+/ \t\r\n".utf8) + [0x00, 0x80, 0xC3, 0xFF]
        for length in 0..<400 {
            let bytes = (0..<(length % 60)).map { _ in alphabet.randomElement(using: &random) ?? 0 }
            _ = EncodedWords.decode(bytes[...])
            _ = HeaderParameters(bytes)
            _ = MessageDate.epochSeconds(String(decoding: bytes, as: UTF8.self))
            _ = QuotedPrintable.decode(bytes[...])
            _ = Base64.decodeLenient(bytes[...])
            _ = MailDetection.kind(of: bytes, isWholeInput: length % 2 == 0)
            _ = try? MessageHeader.parse(bytes, in: 0..<bytes.count, limits: ReadingLimits())
        }
        #expect(MessageDate.epochSeconds("1 Jan 99999999999999 00:00 +0000") == nil)
    }

    @Test("an mbox cut off in the middle of a message reads the messages before it")
    func truncatedMbox() throws {
        let mbox = try MailTests.smallMbox()
        let path = try MailFixtures.write(Array(mbox[..<(mbox.count - 200)]), name: "cut.mbox")
        let result = try MailFixtures.read(file: path)
        #expect(result.reports.first?.source == "\(path)#1!a.xml.gz")
        #expect(result.messages.count == 4)
    }
}
