import DMARC
import Testing

@Suite struct NormaliseTests {
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"),
        (" 192.0.2.1\n", "192.0.2.1"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),  // a single zero group is not shortened
        ("2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"),  // first of equal runs
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("::FFFF:c633:6407", "198.51.100.7"),
        ("[2001:db8::25]", "2001:db8::25"),
        ("::1", "::1"),
        ("::", "::"),
        ("1:0:0:0:0:0:0:0", "1::"),
        ("0:0:1:0:0:0:1:0", "0:0:1::1:0"),
        ("fe80:0:0:0:0:0:0:A", "fe80::a"),
        ("ABCD:EF01:2345:6789:0BCD:EF01:2345:6789", "abcd:ef01:2345:6789:bcd:ef01:2345:6789"),
    ])
    func canonicalIP(input: String, expected: String) {
        #expect(Normalise.ipAddress(input) == expected)
    }

    @Test(arguments: ["", "not-an-ip-address", "192.0.2.256", "192.0.2", "2001:db8:::1", "1.2.3.4.5"])
    func invalidIP(input: String) {
        #expect(Normalise.ipAddress(input) == nil)
    }

    @Test(arguments: [
        ("Example.COM.", "example.com"),
        (" mail.example.com ", "mail.example.com"),
        ("ünicode-gmbh.de", "xn--nicode-gmbh-shb.de"),
        ("Ünicode-GmbH.de", "xn--nicode-gmbh-shb.de"),
        ("xn--nicode-gmbh-shb.de", "xn--nicode-gmbh-shb.de"),
        ("bücher.例え.jp", "xn--bcher-kva.xn--r8jz45g.jp"),
    ])
    func domainAsALabels(input: String, expected: String) {
        #expect(Normalise.domain(input) == expected)
    }

    @Test func emptyLabelsAreNoDomain() {
        #expect(Normalise.domain("example..com") == nil)
        #expect(Normalise.domain("") == nil)
    }

    @Test(arguments: [
        ("1538204542", Int64(1_538_204_542)), (" 1538204542 ", 1_538_204_542), ("1538204542.0", 1_538_204_542),
        ("1538204542.75", 1_538_204_542),
    ])
    func epochSeconds(input: String, expected: Int64) {
        #expect(Normalise.epochSeconds(input) == expected)
    }

    @Test func epochSecondsRejectsText() {
        #expect(Normalise.epochSeconds("not-a-number") == nil)
        #expect(Normalise.epochSeconds("12.3x") == nil)
    }

    @Test func countsAre64Bit() {
        #expect(Normalise.count("9223372036854775807") == Int64.max)
        #expect(Normalise.count("12abc") == nil)
        #expect(Normalise.count("-1") == nil)
        #expect(Normalise.count(" 42\n") == 42)
        #expect(Normalise.count("４２") == nil)  // full-width digits are numbers, not ASCII digits
        #expect(Normalise.count("4\u{301}2") == nil)
    }

    @Test(arguments: [
        ("", ""), ("  ", ""), ("plain", "plain"), ("\n\t pass \r\n", "pass"), ("\u{A0}pass\u{A0}", "pass"),
        ("\u{A0} \u{A0}x \u{A0} ", "x"), ("a\u{A0}b", "a\u{A0}b"), ("\u{1}x\u{1F}", "x"), ("\u{A0}", ""),
        (" ü ", "ü"), ("\u{2003}em\u{2003}", "\u{2003}em\u{2003}"),
    ])
    func trimmed(input: String, expected: String) {
        #expect(Normalise.trimmed(input) == expected)
        var bytes = input
        let range = bytes.withUTF8 { Normalise.trimmedRange($0) }
        #expect(String(decoding: Array(input.utf8)[range], as: UTF8.self) == expected)
    }

    @Test(arguments: [
        ("hardfail", DKIMResult.fail), ("unknown", .temperror), ("error", .permerror), (" Pass ", .pass),
        ("PERMERROR", .permerror),
    ])
    func dkimAliases(input: String, expected: DKIMResult) {
        #expect(DKIMResult(reportText: input) == expected)
    }

    @Test func spfAliasesAndUnknownValues() {
        #expect(SPFResult(reportText: "hardfail") == .fail)
        #expect(SPFResult(reportText: "SoftFail") == .softfail)
        #expect(SPFResult(reportText: "maybe") == nil)
        #expect(PolicyOverride(reportText: "Trusted_Forwarder") == .trustedForwarder)
        #expect(DMARCResult(reportText: "Pass") == .pass)
    }

    @Test func jsonEscapesControlCharactersAndQuotes() {
        var json = JSONWriter()
        json.beginObject()
        json.string("a", "quote\" back\\ nl\n tab\t bell\u{7}")
        json.endObject()
        #expect(json.output == #"{"a":"quote\" back\\ nl\n tab\t bell\u0007"}"#)
    }

    @Test func jsonCommasAndNesting() {
        var json = JSONWriter()
        json.beginObject()
        json.string("s", "x")
        json.string("n", nil)
        json.number("i", 42)
        json.beginArray("list")
        json.string(nil, "a")
        json.string(nil, "\u{1F}\r\u{10}")
        json.beginObject()
        json.bool("b", false)
        json.endObject()
        json.beginArray()
        json.endArray()
        json.endArray()
        json.beginObject("empty")
        json.endObject()
        json.string("k\"ey", "é")
        json.endObject()
        #expect(json.output == #"{"s":"x","n":null,"i":42,"list":["a","\u001f\r\u0010",{"b":false},[]],"empty":{},"k\"ey":"é"}"#)
    }
}
