#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import DMARC
import Testing

/// `IPAddress` is the one IP parser (`Normalise.ipAddress` trims around it). These check it against
/// the C library's `inet_pton`, which the normaliser used before, as an independent reader.
@Suite struct IPParserTests {
    /// The address bytes `inet_pton` reads from `text`, an IPv4-mapped IPv6 address as its IPv4
    /// bytes; nil when it reads none. Only for text without NUL (C stops there).
    static func libc(_ text: String) -> [UInt8]? {
        if !text.contains(":") {
            var v4 = in_addr()
            guard inet_pton(AF_INET, text, &v4) == 1 else { return nil }
            return withUnsafeBytes(of: v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff { return Array(bytes[12...]) }
        return bytes
    }

    /// Texts near addresses: valid ones with one character changed, dropped or doubled, and strings
    /// from the characters addresses are made of, from a fixed seed (the same every run).
    static func candidates() -> [String] {
        let valid = [
            "192.0.2.1", "0.0.0.0", "255.255.255.255", "2001:db8::1", "::", "::1", "1::", "1:2:3:4:5:6:7:8",
            "::ffff:198.51.100.7", "64:ff9b::192.0.2.33", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "fe80::a:b:c:d",
            "0:0:0:0:0:ffff:10.0.0.1", "::1.2.3.4", "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789",
        ]
        let alphabet = Array("0123456789abcdefABCDEFg:.%/ x")
        var out = valid
        for text in valid {
            let characters = Array(text)
            for index in characters.indices {
                for replacement in alphabet.prefix(20) + [":", "."] {
                    var changed = characters
                    changed[index] = replacement
                    out.append(String(changed))
                }
                var dropped = characters
                dropped.remove(at: index)
                out.append(String(dropped))
                var doubled = characters
                doubled.insert(characters[index], at: index)
                out.append(String(doubled))
            }
        }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<20_000 {
            let length = 1 + next() % 46
            out.append(String((0..<length).map { _ in alphabet[next() % 13 == 0 ? 16 + next() % 5 : next() % 23] }))
        }
        return out
    }

    @Test("IPAddress reads exactly what inet_pton reads, byte for byte, over 20,000 near-addresses")
    func agreesWithLibc() {
        var disagreements: [String] = []
        var accepted = 0
        for text in Self.candidates() {
            let ours = IPAddress(text)?.bytes
            if ours != nil { accepted += 1 }
            if ours != Self.libc(text) { disagreements.append(text) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
        // The candidates must hold enough of both kinds for the comparison to mean something.
        #expect(accepted > 500)
    }

    /// Where the two parsers differed: `inet_pton` reads a C string, so text with a NUL was read up
    /// to the NUL, and the normaliser returned the whole text, NUL and all, as the address.
    @Test(arguments: ["192.0.2.1\u{0}evil", "192.0.2.1\u{0}1", "2001:db8::1\u{0}x", "::ffff:192.0.2.1\u{0}:1"])
    func nulIsNoAddress(_ text: String) {
        #expect(Normalise.ipAddress(text) == nil)
        #expect(IPAddress(text) == nil)
    }

    /// A NUL at the end is a control character around the value, trimmed like whitespace: what is
    /// returned is the address without it.
    @Test func trailingNULIsTrimmed() {
        #expect(IPAddress("192.0.2.1\u{0}") == nil)
        #expect(Normalise.ipAddress("192.0.2.1\u{0}") == "192.0.2.1")
        #expect(Normalise.ipAddress("::ffff:192.0.2.1\u{0}") == "192.0.2.1")
    }

    @Test("report text: whitespace and brackets trimmed, then canonical; zones and inner spaces refused")
    func reportText() {
        #expect(Normalise.ipAddress("\t[2001:DB8::0:1]\u{A0}") == "2001:db8::1")
        #expect(Normalise.ipAddress(" ::FFFF:192.0.2.1 ") == "192.0.2.1")
        #expect(Normalise.ipAddress("fe80::1%eth0") == nil)
        #expect(Normalise.ipAddress("192.0.2. 1") == nil)
        #expect(Normalise.ipAddress("010.0.2.1") == nil)
        #expect(Normalise.ipAddress("[192.0.2.1") == nil)
    }
}
