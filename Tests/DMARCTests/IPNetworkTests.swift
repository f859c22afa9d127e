import DMARC
import Foundation
import Testing

@Suite("IPNetwork")
struct IPNetworkTests {
    struct Membership: Sendable, CustomTestStringConvertible {
        var network: String
        var ip: String
        var inside: Bool
        var testDescription: String { "\(ip) in \(network): \(inside)" }
    }

    @Test(arguments: [
        Membership(network: "192.0.2.0/24", ip: "192.0.2.0", inside: true),
        Membership(network: "192.0.2.0/24", ip: "192.0.2.255", inside: true),
        Membership(network: "192.0.2.0/24", ip: "192.0.3.0", inside: false),
        Membership(network: "192.0.2.0/24", ip: "192.0.1.255", inside: false),
        Membership(network: "203.0.113.16/28", ip: "203.0.113.31", inside: true),
        Membership(network: "203.0.113.16/28", ip: "203.0.113.32", inside: false),
        Membership(network: "0.0.0.0/0", ip: "8.8.8.8", inside: true),
        Membership(network: "198.51.100.7", ip: "198.51.100.7", inside: true),
        Membership(network: "198.51.100.7/32", ip: "198.51.100.8", inside: false),
        Membership(network: "2001:db8:100::/48", ip: "2001:db8:100:ffff::1", inside: true),
        Membership(network: "2001:db8:100::/48", ip: "2001:db8:101::1", inside: false),
        Membership(network: "2001:db8:100::/48", ip: "2001:0db8:0100:0000:0000:0000:0000:0025", inside: true),
        Membership(network: "2001:db8::/32", ip: "2001:db9::1", inside: false),
        Membership(network: "2001:db8:100::/72", ip: "2001:db8:100:0:ff::1", inside: true),
        Membership(network: "2001:db8:100::/72", ip: "2001:db8:100:0:100::1", inside: false),
        Membership(network: "::/0", ip: "2a00:1450:4864::1", inside: true),
        Membership(network: "2001:db8::1/128", ip: "2001:db8::1", inside: true),
        Membership(network: "2001:db8::1/128", ip: "2001:db8::2", inside: false),
        // Families never mix; IPv4-mapped IPv6 counts as the IPv4 address.
        Membership(network: "::/0", ip: "192.0.2.1", inside: false),
        Membership(network: "0.0.0.0/0", ip: "2001:db8::1", inside: false),
        Membership(network: "192.0.2.0/24", ip: "::ffff:192.0.2.9", inside: true),
        Membership(network: "192.0.2.0/24", ip: "not-an-ip", inside: false),
        Membership(network: "192.0.2.0/24", ip: "", inside: false),
    ])
    func membership(_ row: Membership) throws {
        let network = try IPNetwork(row.network)
        #expect(network.contains(ip: row.ip) == row.inside)
    }

    @Test(arguments: [
        ("192.0.2.10/24", IPNetworkError.Code.hostBitsSet),
        ("2001:db8:100::1/48", .hostBitsSet),
        ("192.0.2.0/33", .badPrefix),
        ("192.0.2.0/", .badPrefix),
        ("192.0.2.0/-1", .badPrefix),
        ("2001:db8::/129", .badPrefix),
        ("192.0.2/24", .badAddress),
        ("192.0.2.256/32", .badAddress),
        ("192.0.02.0/24", .badAddress),
        ("2001:db8::g/32", .badAddress),
        ("2001:db8::1::/64", .badAddress),
        ("1:2:3:4:5:6:7:8:9/128", .badAddress),
        ("mail.example.com", .badAddress),
        ("", .badAddress),
    ])
    func rejects(_ text: String, _ code: IPNetworkError.Code) {
        #expect(throws: IPNetworkError.self) { try IPNetwork(text) }
        do {
            _ = try IPNetwork(text)
        } catch {
            #expect(error.code == code, "\(error)")
        }
    }

    @Test func hostBitsErrorSuggestsTheNetwork() {
        do {
            _ = try IPNetwork("192.0.2.10/24")
            Issue.record("accepted host bits")
        } catch {
            #expect(error.suggestion == "192.0.2.0/24")
            #expect(error.description.contains("192.0.2.0/24"))
        }
    }

    @Test(arguments: [
        ("192.0.2.0/24", "192.0.2.0/24", "ip4:192.0.2.0/24"),
        ("2001:DB8:100:0::/48", "2001:db8:100::/48", "ip6:2001:db8:100::/48"),
        ("198.51.100.7", "198.51.100.7/32", "ip4:198.51.100.7"),
        ("2001:db8::25", "2001:db8::25/128", "ip6:2001:db8::25"),
    ])
    func canonicalText(_ text: String, _ canonical: String, _ spf: String) throws {
        let network = try IPNetwork(text)
        #expect(network.description == canonical)
        #expect(network.spfMechanism == spf)
    }

    /// The address parser must agree with the model's normaliser, or canonical report IPs would miss.
    @Test(arguments: [
        "192.0.2.1", "0.0.0.0", "255.255.255.255", "2001:db8::1", "::", "::1", "1::", "2001:db8:0:0:1:0:0:1",
        "2001:0db8:0000:0000:0000:ff00:0042:8329", "fe80::1:2:3:4:5:6", "1:2:3:4:5:6:7:8", "::ffff:198.51.100.7",
        "64:ff9b::192.0.2.33", "2001:db8::a:b:c:d:e", "1:0:0:2::3",
    ])
    func parsesLikeNormalise(_ text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.description == Normalise.ipAddress(text))
    }

    @Test func codableRoundTrip() throws {
        let networks = [try IPNetwork("192.0.2.0/24"), try IPNetwork("2001:db8:100::/48")]
        let data = try JSONEncoder().encode(networks)
        #expect(String(decoding: data, as: UTF8.self) == #"["192.0.2.0\/24","2001:db8:100::\/48"]"#)
        #expect(try JSONDecoder().decode([IPNetwork].self, from: data) == networks)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([IPNetwork].self, from: Data(#"["192.0.2.1/24"]"#.utf8))
        }
    }
}
