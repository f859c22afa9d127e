import Testing

@_spi(Testing) @testable import DMARC

/// The one sanitiser for text from input: every C0 and C1 control, the separators and the
/// bidirectional controls, and invalid UTF-8.
@Suite("Printable: control characters and invalid UTF-8 never pass")
struct PrintableTests {
    static let fffd = "\u{FFFD}"

    @Test("every C0 control, DEL and every C1 control")
    func everyControl() {
        for value in UInt32(0)...0x9F {
            let scalar = Unicode.Scalar(value)!
            let expected: String
            switch value {
            case 0x09, 0x0A, 0x0D: expected = "a b"
            case 0x00...0x1F, 0x7F...0x9F: expected = "a\(Self.fffd)b"
            default: expected = "a\(Character(scalar))b"
            }
            let input = "a" + String(Character(scalar)) + "b"
            #expect(Printable.text(input) == expected, "U+\(String(value, radix: 16))")
            #expect(Printable.text(bytes: Array(input.utf8)) == expected, "U+\(String(value, radix: 16)) as bytes")
        }
    }

    @Test(
        "separators and bidirectional controls",
        arguments: [0x2028, 0x2029, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069] as [UInt32])
    func bidirectional(_ value: UInt32) {
        let text = "invoice" + String(Character(Unicode.Scalar(value)!)) + "fdp.exe"
        #expect(Printable.text(text) == "invoice\(Self.fffd)fdp.exe")
    }

    @Test(
        "invalid UTF-8 becomes U+FFFD, what is valid around it stays",
        arguments: [
            [0x80], [0xC0, 0x80], [0xC2], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xFF, 0xFE],
        ] as [[UInt8]])
    func invalidUTF8(_ bytes: [UInt8]) {
        let text = Printable.text(bytes: Array("ok".utf8) + bytes + Array("ü".utf8))
        #expect(text.hasPrefix("ok\(Self.fffd)"))
        #expect(text.hasSuffix("\(Self.fffd)ü"))
        #expect(text.unicodeScalars.allSatisfy { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) })
    }

    @Test("text without such characters comes back unchanged")
    func unchanged() {
        for text in ["", "beispiel-ag.de", "Müller & Söhne GmbH", "xn--mller-kva.de", "北京", "🙂", "a\u{00A0}b", "€ – …"] {
            #expect(Printable.text(text) == text)
            #expect(Printable.replacedCount(text) == 0)
        }
        #expect(Printable.replacedCount("\u{1B}[2J\u{9B}\tx") == 2)
    }
}
