import DMARC
import Diagnosis
import Testing

@Suite("Resolving a header From domain to a tenant entry")
struct TenantResolutionTests {
    struct Lookup: Sendable, CustomTestStringConvertible {
        var domain: String
        var day: String
        var tenant: String?
        var entryDomain: String?
        var method: SendingMethod?
        var testDescription: String { "\(domain) on \(day)" }
    }

    @Test(arguments: [
        // Exact and subdomain matches, on label boundaries only.
        Lookup(domain: "acme-hr.ch", day: "2026-03-10", tenant: "acme", entryDomain: "acme-hr.ch", method: .spf),
        Lookup(domain: "news.acme-hr.ch", day: "2026-03-10", tenant: "acme", entryDomain: "acme-hr.ch", method: .spf),
        Lookup(domain: "notacme-hr.ch", day: "2026-03-10", tenant: nil, entryDomain: nil, method: nil),
        Lookup(domain: "ch", day: "2026-03-10", tenant: nil, entryDomain: nil, method: nil),
        // A listed subdomain wins over its parent ...
        Lookup(
            domain: "jobs.acme-hr.ch", day: "2026-03-10", tenant: "acme", entryDomain: "jobs.acme-hr.ch", method: .dkim),
        Lookup(
            domain: "eu.jobs.acme-hr.ch", day: "2026-03-10", tenant: "acme", entryDomain: "jobs.acme-hr.ch",
            method: .dkim),
        // ... but only from its `since` on: before that, the parent covered it.
        Lookup(domain: "jobs.acme-hr.ch", day: "2026-01-14", tenant: "acme", entryDomain: "acme-hr.ch", method: .spf),
        Lookup(
            domain: "jobs.acme-hr.ch", day: "2026-01-15", tenant: "acme", entryDomain: "jobs.acme-hr.ch", method: .dkim),
        // History: the latest entry not after the day applies; the undated one before all others.
        Lookup(
            domain: "beispiel-ag.de", day: "2026-01-31", tenant: "beispiel", entryDomain: "beispiel-ag.de", method: .spf
        ),
        Lookup(
            domain: "beispiel-ag.de", day: "2026-02-01", tenant: "beispiel", entryDomain: "beispiel-ag.de",
            method: .dkim),
        Lookup(
            domain: "beispiel-ag.de", day: "2030-12-31", tenant: "beispiel", entryDomain: "beispiel-ag.de",
            method: .dkim),
        Lookup(
            domain: "contoso-talent.com", day: "2026-02-28", tenant: "contoso", entryDomain: "contoso-talent.com",
            method: .spf),
        Lookup(
            domain: "contoso-talent.com", day: "2026-03-01", tenant: "contoso", entryDomain: "contoso-talent.com",
            method: .relay),
        // IDN: U-labels, A-labels, case and a trailing dot are one domain.
        Lookup(
            domain: "müller-gmbh.de", day: "2026-03-10", tenant: "beispiel", entryDomain: "xn--mller-gmbh-9db.de",
            method: .dkim),
        Lookup(
            domain: "xn--mller-gmbh-9db.de", day: "2026-03-10", tenant: "beispiel",
            entryDomain: "xn--mller-gmbh-9db.de", method: .dkim),
        Lookup(
            domain: "Karriere.MÜLLER-GmbH.de.", day: "2026-03-10", tenant: "beispiel",
            entryDomain: "xn--mller-gmbh-9db.de", method: .dkim),
        Lookup(domain: "ACME-HR.CH", day: "2026-03-10", tenant: "acme", entryDomain: "acme-hr.ch", method: .spf),
        Lookup(domain: "", day: "2026-03-10", tenant: nil, entryDomain: nil, method: nil),
    ])
    func resolves(_ lookup: Lookup) throws {
        let day = try #require(Day(lookup.day))
        let found = Fixtures.configuration.entry(forDomain: lookup.domain, onDay: day)
        #expect(found?.0.id == lookup.tenant)
        #expect(found?.1.domain == lookup.entryDomain)
        #expect(found?.1.method == lookup.method)
    }

    /// A domain whose only entry starts later is not covered before that day (and has no parent).
    @Test func nothingBeforeTheFirstEntry() throws {
        let configuration = try TenantConfiguration(
            yaml: """
                provider: {name: P, networks: [192.0.2.0/24]}
                tenants:
                  - id: late
                    name: Late AG
                    language: en
                    domains: [{domain: late.example, method: spf, since: 2026-06-01}]
                """)
        #expect(configuration.entry(forDomain: "late.example", onDay: Day("2026-05-31")!) == nil)
        #expect(configuration.entry(forDomain: "late.example", onDay: Day("2026-06-01")!)?.0.id == "late")
    }
}
