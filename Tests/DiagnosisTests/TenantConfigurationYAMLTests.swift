import DMARC
import Diagnosis
import Foundation
import Testing

@Suite("Tenant configuration from YAML")
struct TenantConfigurationYAMLTests {
    /// The example from the issue, verbatim.
    static let issueSample = """
        provider:
          name: Example HR Cloud
          networks: [192.0.2.0/24, "2001:db8:100::/48"]   # the provider's outbound mail servers
          dkim_domains: [mail.provider.example]          # the provider's own d= signing domains
          return_path_domains: [bounce.provider.example] # envelope-from domains the provider uses
        tenants:
          - id: acme
            name: ACME HR AG
            language: de                                 # de | en
            domains:
              - domain: acme-hr.ch
                method: spf                              # spf | dkim | relay
              - domain: beispiel-ag.de
                method: dkim
                dkim_selectors: [hr1, hr2]
              - domain: contoso-talent.com
                method: relay
                relay_networks: [198.51.100.0/24]
                relay_host: mx.contoso-talent.com:25
                since: 2026-03-01                        # optional: history; the entry valid at a row's date applies
        """

    @Test("language: de, de-CH (any letter case, _ or -) and en; Swiss German spells ß as ss", arguments: [
        ("de", Language.de), ("DE", .de), ("de-CH", .deCH), ("de-ch", .deCH), ("de_CH", .deCH), ("en", .en),
    ])
    func languages(_ written: String, _ expected: Language) throws {
        let yaml = Self.issueSample.replacingOccurrences(of: "language: de ", with: "language: \(written) ")
        let configuration = try TenantConfiguration(yaml: yaml)
        #expect(configuration.tenants.first?.language == expected)
        #expect(expected.spelling("größten, heißt, außerhalb") == (expected == .deCH ? "grössten, heisst, ausserhalb" : "größten, heißt, außerhalb"))
    }

    @Test func issueSampleLoads() throws {
        let configuration = try TenantConfiguration(yaml: Self.issueSample)
        #expect(configuration.provider.name == "Example HR Cloud")
        #expect(configuration.provider.networks == [try IPNetwork("192.0.2.0/24"), try IPNetwork("2001:db8:100::/48")])
        #expect(configuration.provider.dkimDomains == ["mail.provider.example"])
        #expect(configuration.provider.returnPathDomains == ["bounce.provider.example"])
        #expect(configuration.provider.spfInclude == nil)
        let tenant = try #require(configuration.tenants.first)
        #expect(configuration.tenants.count == 1)
        #expect(tenant.id == "acme")
        #expect(tenant.language == .de)
        #expect(tenant.domains.map(\.method) == [.spf, .dkim, .relay])
        #expect(tenant.domains[1].dkimSelectors == ["hr1", "hr2"])
        #expect(tenant.domains[2].relayNetworks == [try IPNetwork("198.51.100.0/24")])
        #expect(tenant.domains[2].relayHost == "mx.contoso-talent.com:25")
        #expect(tenant.domains[2].since == Day("2026-03-01"))
        #expect(tenant.domains[0].since == nil)
    }

    static var samplesFile: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples/tenants.yaml").path
    }

    /// The file the README's sample run uses: it must load and cover all three methods and an IDN.
    @Test func samplesFileLoads() throws {
        let configuration = try TenantConfiguration(contentsOfFile: Self.samplesFile)
        let entries = configuration.tenants.flatMap(\.domains)
        #expect(Set(entries.map(\.method)) == Set(SendingMethod.allCases))
        #expect(entries.contains { $0.domain.contains("xn--") })
        #expect(configuration.provider.networks.map(\.description) == ["192.0.2.0/24", "2001:db8:100::/48"])
        #expect((3...4).contains(configuration.tenants.count))
    }

    @Test func jsonRoundTrip() throws {
        let configuration = try TenantConfiguration(contentsOfFile: Self.samplesFile)
        let data = try JSONEncoder().encode(configuration)
        let decoded = try JSONDecoder().decode(TenantConfiguration.self, from: data)
        #expect(decoded == configuration)
        let day = try #require(Day("2026-03-15"))
        #expect(decoded.entry(forDomain: "contoso-talent.com", onDay: day)?.1.method == .relay)
    }

    @Test func unreadableFile() {
        #expect(throws: ConfigurationError.self) {
            try TenantConfiguration(contentsOfFile: "/nonexistent/tenants.yaml")
        }
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var name: String
        /// The line the error must point at is marked with `# <-`.
        var yaml: String
        var code: ConfigurationError.Code
        var field: String
        var messageContains: String = ""
        var testDescription: String { name }

        var markedLine: Int? {
            yaml.split(separator: "\n", omittingEmptySubsequences: false)
                .firstIndex { $0.contains("# <-") }
                .map { $0 + 1 }
        }
    }

    static let provider = """
        provider:
          name: Example HR Cloud
          networks: [192.0.2.0/24]
        """

    static let badCases: [BadCase] = [
        BadCase(
            name: "unknown key (typo) in a domain entry",
            yaml: provider + """

                tenants:
                  - id: acme
                    name: ACME HR AG
                    language: de
                    domains:
                      - domain: beispiel-ag.de
                        method: dkim
                        dkim_selector: [hr1]   # <-
                """,
            code: .unknownKey, field: "tenants[0].domains[0].dkim_selector", messageContains: "dkim_selectors"),
        BadCase(
            name: "unknown key at the top",
            yaml: provider + """

                tenant:   # <-
                  - id: acme
                """,
            code: .unknownKey, field: "tenant", messageContains: "tenants"),
        BadCase(
            name: "unknown key in provider",
            yaml: """
                provider:
                  name: Example HR Cloud
                  networks: [192.0.2.0/24]
                  dkim_domain: [mail.provider.example]   # <-
                tenants: []
                """,
            code: .unknownKey, field: "provider.dkim_domain"),
        BadCase(
            name: "duplicate tenant id",
            yaml: provider + """

                tenants:
                  - id: acme
                    name: ACME HR AG
                    language: de
                  - id: acme   # <-
                    name: ACME Zwei
                    language: en
                """,
            code: .duplicateTenant, field: "tenants[1].id", messageContains: "tenants[0]"),
        BadCase(
            name: "same domain and since twice",
            yaml: provider + """

                tenants:
                  - id: acme
                    name: ACME HR AG
                    language: de
                    domains:
                      - domain: acme-hr.ch
                        method: spf
                        since: 2026-01-01
                      - domain: ACME-HR.ch.   # <-
                        method: dkim
                        dkim_selectors: [hr1]
                        since: 2026-01-01
                """,
            code: .duplicateDomain, field: "tenants[0].domains[1].domain", messageContains: "since 2026-01-01"),
        BadCase(
            name: "same domain without since twice",
            yaml: provider + """

                tenants:
                  - id: acme
                    name: ACME HR AG
                    language: de
                    domains:
                      - domain: acme-hr.ch
                        method: spf
                      - domain: acme-hr.ch   # <-
                        method: spf
                """,
            code: .duplicateDomain, field: "tenants[0].domains[1].domain"),
        BadCase(
            name: "a domain claimed by two tenants (IDN and A-label are one domain)",
            yaml: provider + """

                tenants:
                  - id: acme
                    name: ACME HR AG
                    language: de
                    domains:
                      - domain: ünicode-gmbh.de
                        method: spf
                  - id: other
                    name: Other AG
                    language: de
                    domains:
                      - domain: xn--nicode-gmbh-shb.de   # <-
                        method: spf
                        since: 2026-02-01
                """,
            code: .domainClaimedTwice, field: "tenants[1].domains[0].domain", messageContains: "acme"),
        BadCase(
            name: "bad CIDR in provider networks",
            yaml: """
                provider:
                  name: Example HR Cloud
                  networks:
                    - 192.0.2.0/24
                    - 192.0.2.300/32   # <-
                tenants: []
                """,
            code: .badNetwork, field: "provider.networks[1]"),
        BadCase(
            name: "relay network with host bits set",
            yaml: provider + """

                tenants:
                  - id: contoso
                    name: Contoso
                    language: en
                    domains:
                      - domain: contoso-talent.com
                        method: relay
                        relay_networks: [198.51.100.0/24,
                          198.51.100.7/24]   # <-
                """,
            code: .badNetwork, field: "tenants[0].domains[0].relay_networks[1]", messageContains: "198.51.100.0/24"),
        BadCase(
            name: "method dkim without selectors",
            yaml: provider + """

                tenants:
                  - id: beispiel
                    name: Beispiel AG
                    language: de
                    domains:
                      - domain: beispiel-ag.de   # <-
                        method: dkim
                """,
            code: .missingSelectors, field: "tenants[0].domains[0].dkim_selectors"),
        BadCase(
            name: "method relay without relay networks",
            yaml: provider + """

                tenants:
                  - id: contoso
                    name: Contoso
                    language: en
                    domains:
                      - domain: contoso-talent.com   # <-
                        method: relay
                        relay_host: mx.contoso-talent.com
                """,
            code: .missingRelayNetworks, field: "tenants[0].domains[0].relay_networks"),
        BadCase(
            name: "selectors with method spf",
            yaml: provider + """

                tenants:
                  - id: acme
                    name: ACME HR AG
                    language: de
                    domains:
                      - domain: acme-hr.ch
                        method: spf
                        dkim_selectors: [hr1]   # <-
                """,
            code: .notForMethod, field: "tenants[0].domains[0].dkim_selectors"),
        BadCase(
            name: "bad language",
            yaml: provider + """

                tenants:
                  - id: acme
                    name: ACME HR AG
                    language: fr   # <-
                """,
            code: .badLanguage, field: "tenants[0].language", messageContains: "'fr'"),
        BadCase(
            name: "bad method",
            yaml: provider + """

                tenants:
                  - id: acme
                    name: ACME HR AG
                    language: de
                    domains:
                      - domain: acme-hr.ch
                        method: smtp   # <-
                """,
            code: .badMethod, field: "tenants[0].domains[0].method"),
        BadCase(
            name: "impossible date",
            yaml: provider + """

                tenants:
                  - id: acme
                    name: ACME HR AG
                    language: de
                    domains:
                      - domain: acme-hr.ch
                        method: spf
                        since: 2026-02-30   # <-
                """,
            code: .badDate, field: "tenants[0].domains[0].since"),
        BadCase(
            name: "date in the wrong form",
            yaml: provider + """

                tenants:
                  - id: acme
                    name: ACME HR AG
                    language: de
                    domains:
                      - domain: acme-hr.ch
                        method: spf
                        since: 01.03.2026   # <-
                """,
            code: .badDate, field: "tenants[0].domains[0].since"),
        BadCase(
            name: "missing method",
            yaml: provider + """

                tenants:
                  - id: acme
                    name: ACME HR AG
                    language: de
                    domains:
                      - domain: acme-hr.ch   # <-
                """,
            code: .missingKey, field: "tenants[0].domains[0].method"),
        BadCase(
            name: "not a domain",
            yaml: provider + """

                tenants:
                  - id: acme
                    name: ACME HR AG
                    language: de
                    domains:
                      - domain: acme hr.ch   # <-
                        method: spf
                """,
            code: .badDomain, field: "tenants[0].domains[0].domain"),
        BadCase(
            name: "a list where one value belongs",
            yaml: provider + """

                tenants:
                  - id: acme
                    name: ACME HR AG
                    language: [de, en]   # <-
                """,
            code: .wrongType, field: "tenants[0].language"),
        BadCase(
            name: "relay host with a bad port",
            yaml: provider + """

                tenants:
                  - id: contoso
                    name: Contoso
                    language: en
                    domains:
                      - domain: contoso-talent.com
                        method: relay
                        relay_networks: [198.51.100.0/24]
                        relay_host: mx.contoso-talent.com:99999   # <-
                """,
            code: .badValue, field: "tenants[0].domains[0].relay_host"),
        BadCase(
            name: "YAML syntax: bad indentation",
            yaml: """
                provider:
                  name: Example HR Cloud
                   networks: [192.0.2.0/24]   # <-
                tenants: []
                """,
            code: .syntax, field: ""),
        BadCase(
            name: "YAML syntax: duplicate key",
            yaml: """
                provider:
                  name: Example HR Cloud   # <-
                  name: Other
                  networks: [192.0.2.0/24]
                tenants: []
                """,
            code: .syntax, field: "", messageContains: "'name'"),
    ]

    @Test(arguments: badCases)
    func rejects(_ bad: BadCase) throws {
        let expectedLine = try #require(bad.markedLine, "case has no # <- marker")
        do {
            _ = try TenantConfiguration(yaml: bad.yaml)
            Issue.record("accepted: \(bad.name)")
        } catch {
            #expect(error.code == bad.code, "\(error)")
            #expect(error.line == expectedLine, "\(error)")
            #expect(error.field == bad.field, "\(error)")
            #expect(error.column != nil)
            if !bad.messageContains.isEmpty {
                #expect(error.message.contains(bad.messageContains), "\(error)")
            }
            #expect(error.description.hasPrefix("line \(expectedLine), column "))
        }
    }

    @Test func emptyFile() {
        #expect(throws: ConfigurationError.self) { try TenantConfiguration(yaml: "") }
    }

    @Test func programmaticConstructionChecksTooButHasNoLine() throws {
        let provider = ProviderConfiguration(name: "P", networks: [try IPNetwork("192.0.2.0/24")])
        let tenants = [
            Tenant(id: "a", name: "A", language: .en, domains: [TenantDomain(domain: "a.example", method: .spf)]),
            Tenant(id: "b", name: "B", language: .en, domains: [TenantDomain(domain: "a.example", method: .spf)]),
        ]
        do {
            _ = try TenantConfiguration(provider: provider, tenants: tenants)
            Issue.record("accepted a domain under two tenants")
        } catch {
            #expect(error.code == .domainClaimedTwice)
            #expect(error.field == "tenants[1].domains[0].domain")
            #expect(error.line == nil)
        }
    }

    @Test func valuesAreNormalised() throws {
        let configuration = try TenantConfiguration(
            yaml: Self.provider + """

                tenants:
                  - id: beispiel
                    name: Beispiel AG
                    language: DE
                    domains:
                      - domain: " Müller-GmbH.DE. "
                        method: DKIM
                        dkim_selectors: [HR1]
                      - domain: contoso-talent.com
                        method: relay
                        relay_networks: [198.51.100.0/24]
                        relay_host: "[2001:DB8::25]:587"
                """)
        let domains = try #require(configuration.tenants.first?.domains)
        #expect(configuration.tenants.first?.language == .de)
        #expect(domains[0].domain == "xn--mller-gmbh-9db.de")
        #expect(domains[0].method == .dkim)
        #expect(domains[0].dkimSelectors == ["hr1"])
        #expect(domains[1].relayHost == "[2001:db8::25]:587")
    }
}
