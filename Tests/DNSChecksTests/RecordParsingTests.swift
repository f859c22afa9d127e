import DMARC
import Diagnosis
import Resolver
import Testing

@testable import DNSChecks

/// Answers from a table: name → TXT records; anything else does not exist.
struct TableLookup: DNSLookup {
    var texts: [String: [String]]

    func lookup(_ name: String, _ type: DNSRecordType) async -> DNSAnswer {
        guard type == .txt, let records = texts[name] else {
            return DNSAnswer(name: name, type: type, outcome: .nxdomain)
        }
        return DNSAnswer(name: name, type: type, outcome: records.isEmpty ? .noData : .answer, texts: records)
    }
}

@Suite struct RecordParsingTests {
    static let suffixes = PublicSuffixList(text: """
        // a cut of the real list's shapes
        ch
        de
        co.uk
        *.kawasaki.jp
        !city.kawasaki.jp
        """)

    @Test(arguments: [
        ("jobs.acme-hr.ch", "acme-hr.ch"),
        ("acme-hr.ch", "acme-hr.ch"),
        ("a.b.example.co.uk", "example.co.uk"),
        ("www.foo.kawasaki.jp", "www.foo.kawasaki.jp"),  // *.kawasaki.jp makes foo.kawasaki.jp a suffix
        ("www.city.kawasaki.jp", "city.kawasaki.jp"),  // the exception
        ("mail.beispiel.example", "beispiel.example"),  // unlisted TLD: the implicit * rule
    ])
    func organisationalDomain(_ domain: String, _ expected: String) {
        #expect(Self.suffixes.organisationalDomain(of: domain) == expected)
    }

    @Test func publicSuffixHasNoOrganisationalDomain() {
        #expect(Self.suffixes.organisationalDomain(of: "co.uk") == nil)
    }

    @Test func debianListKnowsCoUK() throws {
        let list = try PublicSuffixList.load()
        #expect(list.organisationalDomain(of: "mail.example.co.uk") == "example.co.uk")
        #expect(list.organisationalDomain(of: "jobs.acme-hr.ch") == "acme-hr.ch")
    }

    @Test func dmarcSyntaxErrorsAreNamed() {
        let record = DMARCRecord("v=DMARC1; p=rejekt; pct=150; adkim=x; rua=dmarc@example.com; foo=bar")
        #expect(record.errors.contains("p=rejekt: expected none, quarantine or reject"))
        #expect(record.errors.contains("pct=150: expected a whole number 0–100"))
        #expect(record.errors.contains("adkim=x: expected r (relaxed) or s (strict)"))
        #expect(record.errors.contains("rua=dmarc@example.com: expected mailto:address"))
        #expect(record.unknownTags == ["foo"])
    }

    @Test func dmarcReportAddresses() {
        let record = DMARCRecord("v=DMARC1; p=none; rua=mailto:a@Example.COM!10m, mailto:b@x.example")
        #expect(record.errors.isEmpty)
        #expect(record.reportAddresses == ["a@example.com", "b@x.example"])
    }

    @Test func spfTerms() {
        let record = SPFRecord("v=spf1 ip4:192.0.2.10/24 ip6:2001:db8::/32 a/24 mx:mail.example//64 -include:x.example ?all redirect=r.example bogus:thing")
        #expect(record.terms == [
            .ip4(.pass, "192.0.2.10/24"), .ip6(.pass, "2001:db8::/32"), .a(.pass, nil, 24, nil),
            .mx(.pass, "mail.example", nil, 64), .include(.fail, "x.example"), .all(.neutral),
            .redirect("r.example"),
        ])
        #expect(record.errors == ["bogus:thing"])
    }

    @Test func spfMaskedNetworkCoversRelay() throws {
        let relay = try IPNetwork("192.0.2.128/25")
        #expect(relay.isCovered(by: try #require(IPNetwork.masked("192.0.2.10/24"))))
        #expect(!relay.isCovered(by: try IPNetwork("192.0.2.0/26")))
    }

    /// Eleven lookups: the 11th term is named, with the top-level include it is reached through.
    @Test func lookupLimitNamesTheInclude() async throws {
        var texts: [String: [String]] = ["tenant.example": ["v=spf1 include:a.example include:big.example -all"]]
        texts["a.example"] = ["v=spf1 ip4:192.0.2.0/24 -all"]
        texts["big.example"] = ["v=spf1 " + (1...9).map { "include:s\($0).example" }.joined(separator: " ") + " -all"]
        for i in 1...9 { texts["s\(i).example"] = ["v=spf1 ip4:198.51.100.\(i) -all"] }
        let provider = ProviderConfiguration(name: "P", networks: [try IPNetwork("192.0.2.0/24")], spfInclude: "a.example")
        let checker = DomainChecker(provider: provider, suffixes: Self.suffixes)
        var facts: [String] = []
        let findings = await checker.spf(
            TenantDomain(domain: "tenant.example", method: .spf), lookup: TableLookup(texts: texts), facts: &facts)
        let limit = try #require(findings.first { $0.code == "spf-lookup-limit" })
        // include:a (1), include:big (2), s1…s9 (3…11): the 11th is include:s9.example, under include:big.example.
        #expect(limit.english.contains("needs 11 DNS lookups"))
        #expect(limit.english.contains("The 11th is include:s9.example (reached through include:big.example)"))
        #expect(limit.german.contains("Die 11. ist include:s9.example (erreicht über include:big.example)"))
        #expect(!findings.contains { $0.code == "spf-provider-missing" })
    }
}

/// Answers TXT, MX and A records from tables; anything else does not exist.
struct MXTableLookup: DNSLookup {
    var texts: [String: [String]]
    var exchanges: [String: [String]]
    var addresses: [String: [String]]

    func lookup(_ name: String, _ type: DNSRecordType) async -> DNSAnswer {
        switch type {
        case .txt:
            guard let records = texts[name] else { break }
            return DNSAnswer(name: name, type: type, outcome: .answer, texts: records)
        case .mx:
            guard let names = exchanges[name] else { break }
            return DNSAnswer(name: name, type: type, outcome: .answer, exchanges: names)
        case .a:
            guard let found = addresses[name] else { break }
            return DNSAnswer(name: name, type: type, outcome: .answer, addresses: found)
        default:
            break
        }
        return DNSAnswer(name: name, type: type, outcome: .nxdomain)
    }
}

@Suite struct SPFMXLimitTests {
    /// A relay domain whose SPF covers its relay through `mx`; `servers` MX names, mx1…mxN, each
    /// with an address in 198.51.100.0/24.
    static func findings(servers: Int) async throws -> [CheckFinding] {
        let names = (1...servers).map { "mx\($0).relay.example" }
        var addresses: [String: [String]] = [:]
        for (index, name) in names.enumerated() { addresses[name] = ["198.51.100.\(index + 1)"] }
        let lookup = MXTableLookup(
            texts: ["tenant.example": ["v=spf1 mx:relay.example -all"]], exchanges: ["relay.example": names],
            addresses: addresses)
        let provider = ProviderConfiguration(name: "P", networks: [try IPNetwork("192.0.2.0/24")])
        let checker = DomainChecker(provider: provider, suffixes: RecordParsingTests.suffixes)
        var facts: [String] = []
        return await checker.spf(
            TenantDomain(domain: "tenant.example", method: .relay, relayNetworks: [try IPNetwork("198.51.100.1/32")]),
            lookup: lookup, facts: &facts)
    }

    @Test func elevenMXNamesAreAPermerror() async throws {
        let findings = try await Self.findings(servers: 11)
        let limit = try #require(findings.first { $0.code == "spf-mx-limit" })
        #expect(limit.verdict == .error)
        #expect(limit.english.hasPrefix(
            "mx:relay.example in the SPF record of tenant.example names 11 mail servers, more than the 10 an mx term"
                + " may have: SPF fails (permerror)"))
        #expect(limit.german.contains("nennt 11 Mailserver"))
        // The term authorises nothing: the relay's 198.51.100.1 (mx1) is not covered either.
        #expect(findings.contains { $0.code == "spf-relay-missing" })
        #expect(!findings.contains { $0.code == "spf-ok" })
    }

    @Test func tenMXNamesAreAllowed() async throws {
        let findings = try await Self.findings(servers: 10)
        #expect(findings.map(\.code) == ["spf-ok"], "\(findings.map(\.english))")
    }
}
