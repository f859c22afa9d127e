import DMARC
import Diagnosis
import Testing

@Suite("Diagnoser")
struct DiagnoserTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var record: Record
        var day: Day = Fixtures.march
        var policy: PolicyPublished?
        var expected: DiagnosisClass
        var origin: SendingOrigin
        var responsible: ResponsibleParty
        var tenant: String?
        /// Concrete names the English recommendation must contain (selector, IP, domain, record).
        var english: [String]
        /// The same for German; the language must differ, so one German word is checked too.
        var german: [String]
        var testDescription: String { "\(expected.rawValue): \(name)" }
    }

    static let cases: [Case] = [
        Case(
            name: "Google, DKIM tenant, aligned d=beispiel-ag.de s=hr1 pass, SPF on the provider's bounce domain",
            record: Fixtures.record(
                ip: "192.0.2.25", count: 14, dkim: .pass, spf: .fail, from: "beispiel-ag.de",
                signatures: [DKIMAuthResult(domain: "beispiel-ag.de", selector: "hr1", result: .pass)],
                spfResults: [SPFAuthResult(domain: "bounce.provider.example", scope: .mfrom, result: .pass)]),
            expected: .pass, origin: .providerNetwork, responsible: .none, tenant: "beispiel",
            english: ["Nothing to do"], german: ["Nichts zu tun"]),
        Case(
            name: "Microsoft, SPF tenant, aligned SPF pass",
            record: Fixtures.record(
                ip: "192.0.2.26", count: 3, dkim: .fail, spf: .pass, from: "acme-hr.ch", envelopeFrom: "acme-hr.ch",
                envelopeTo: "outlook.com",
                signatures: [DKIMAuthResult(domain: "mail.provider.example", selector: "s1", result: .pass)],
                spfResults: [SPFAuthResult(domain: "acme-hr.ch", scope: .mfrom, result: .pass)]),
            expected: .pass, origin: .providerNetwork, responsible: .none, tenant: "acme",
            english: ["passed DMARC"], german: ["bestanden"]),
        Case(
            name: "a row with count 0",
            record: Fixtures.record(
                ip: "192.0.2.25", count: 0, dkim: .fail, spf: .fail, from: "beispiel-ag.de",
                spfResults: [SPFAuthResult(domain: "beispiel-ag.de", result: .fail)]),
            expected: .empty, origin: .providerNetwork, responsible: .none, tenant: "beispiel",
            english: ["192.0.2.25", "no messages"], german: ["192.0.2.25", "ohne Nachrichten"]),
        Case(
            name: "receiver override reason forwarded",
            record: Fixtures.record(
                ip: "203.0.113.40", count: 2, dkim: .fail, spf: .fail,
                reasons: [PolicyOverrideReason(type: .forwarded)], from: "acme-hr.ch",
                signatures: [DKIMAuthResult(domain: "mail.provider.example", selector: "s1", result: .fail)],
                spfResults: [SPFAuthResult(domain: "acme-hr.ch", result: .softfail)]),
            expected: .forwarded, origin: .other, responsible: .none, tenant: "acme",
            english: ["203.0.113.40", "forwarded"], german: ["203.0.113.40", "weitergeleitet"]),
        Case(
            name: "Google: local_policy with an arc=pass comment",
            record: Fixtures.record(
                ip: "2001:db8:900::17", disposition: .none, dkim: .fail, spf: .fail,
                reasons: [PolicyOverrideReason(type: .localPolicy, comment: "arc=pass")], from: "beispiel-ag.de",
                signatures: [DKIMAuthResult(domain: "beispiel-ag.de", selector: "hr2", result: .fail)],
                spfResults: [SPFAuthResult(domain: "lists.example.org", result: .pass)]),
            expected: .forwarded, origin: .other, responsible: .none, tenant: "beispiel",
            english: ["ARC"], german: ["ARC-Kette"]),
        Case(
            name: "mailing list override for an IDN domain",
            record: Fixtures.record(
                ip: "203.0.113.41", disposition: .none, dkim: .fail, spf: .fail,
                reasons: [PolicyOverrideReason(type: .mailingList, comment: "")], from: "xn--mller-gmbh-9db.de",
                spfResults: [SPFAuthResult(domain: "lists.example.org", result: .pass)]),
            expected: .forwarded, origin: .other, responsible: .none, tenant: "beispiel",
            english: ["mailing_list"], german: ["mailing_list"]),
        Case(
            name: "pattern: provider's own signature intact, SPF softfail from a foreign server",
            record: Fixtures.record(
                ip: "203.0.113.50", disposition: .quarantine, dkim: .fail, spf: .fail, from: "acme-hr.ch",
                signatures: [DKIMAuthResult(domain: "mail.provider.example", selector: "s1", result: .pass)],
                spfResults: [SPFAuthResult(domain: "bounce.provider.example", scope: .mfrom, result: .softfail)]),
            expected: .forwarded, origin: .other, responsible: .none, tenant: "acme",
            english: ["mail.provider.example", "203.0.113.50"], german: ["mail.provider.example", "außerhalb"]),
        Case(
            name: "SPF temperror for the tenant's domain",
            record: Fixtures.record(
                ip: "192.0.2.25", disposition: .none, dkim: .fail, spf: .fail, from: "acme-hr.ch",
                spfResults: [SPFAuthResult(domain: "acme-hr.ch", scope: .mfrom, result: .temperror)]),
            expected: .transient, origin: .providerNetwork, responsible: .none, tenant: "acme",
            english: ["temperror", "acme-hr.ch"], german: ["vorübergehenden DNS-Fehler", "acme-hr.ch"]),
        Case(
            name: "DKIM temperror on the tenant's key",
            record: Fixtures.record(
                ip: "2001:db8:100::25", dkim: .fail, spf: .fail, from: "beispiel-ag.de",
                signatures: [DKIMAuthResult(domain: "beispiel-ag.de", selector: "hr2", result: .temperror)],
                spfResults: [SPFAuthResult(domain: "bounce.provider.example", result: .pass)]),
            expected: .transient, origin: .providerNetwork, responsible: .none, tenant: "beispiel",
            english: ["hr2._domainkey.beispiel-ag.de"], german: ["hr2._domainkey.beispiel-ag.de"]),
        Case(
            name: "Microsoft: SPF softfail for acme-hr.ch from a provider server",
            record: Fixtures.record(
                ip: "192.0.2.31", count: 27, disposition: .quarantine, dkim: .fail, spf: .fail, from: "acme-hr.ch",
                envelopeFrom: "acme-hr.ch", envelopeTo: "hotmail.com",
                signatures: [DKIMAuthResult(domain: "mail.provider.example", selector: "s1", result: .pass)],
                spfResults: [SPFAuthResult(domain: "acme-hr.ch", scope: .mfrom, result: .softfail)]),
            expected: .spfNotAuthorized, origin: .providerNetwork, responsible: .tenant, tenant: "acme",
            english: ["include:_spf.provider.example", "SPF record of acme-hr.ch", "192.0.2.31", "softfail"],
            german: ["include:_spf.provider.example", "SPF-Eintrag von acme-hr.ch", "192.0.2.31"]),
        Case(
            name: "SPF permerror (too many lookups) for the tenant's domain",
            record: Fixtures.record(
                ip: "192.0.2.31", count: 5, disposition: .reject, dkim: .fail, spf: .fail, from: "acme-hr.ch",
                spfResults: [SPFAuthResult(domain: "acme-hr.ch", scope: .mfrom, result: .permerror)]),
            expected: .spfRecordError, origin: .providerNetwork, responsible: .tenant, tenant: "acme",
            english: ["SPF record of acme-hr.ch", "permerror", "10 DNS lookups", "include:_spf.provider.example"],
            german: ["SPF-Eintrag von acme-hr.ch", "10 DNS-Abfragen"]),
        Case(
            name: "SPF passes only for the provider's bounce domain",
            record: Fixtures.record(
                ip: "192.0.2.40", count: 8, dkim: .fail, spf: .fail, from: "acme-hr.ch",
                envelopeFrom: "bounce.provider.example",
                signatures: [DKIMAuthResult(domain: "mail.provider.example", selector: "s1", result: .pass)],
                spfResults: [SPFAuthResult(domain: "bounce.provider.example", scope: .mfrom, result: .pass)]),
            expected: .spfNotAligned, origin: .providerNetwork, responsible: .provider, tenant: "acme",
            english: ["Provider:", "bounce.acme-hr.ch", "bounce.provider.example"],
            german: ["Anbieter:", "bounce.acme-hr.ch", "Bounce-Domain"]),
        Case(
            name: "Google: d=beispiel-ag.de s=hr1 fails (key not published)",
            record: Fixtures.record(
                ip: "192.0.2.25", count: 41, disposition: .quarantine, dkim: .fail, spf: .fail, from: "beispiel-ag.de",
                signatures: [DKIMAuthResult(domain: "beispiel-ag.de", selector: "hr1", result: .fail)],
                spfResults: [SPFAuthResult(domain: "bounce.provider.example", result: .pass)]),
            expected: .dkimKeyMissing, origin: .providerNetwork, responsible: .tenant, tenant: "beispiel",
            english: ["Publish the DKIM key for selector hr1 at hr1._domainkey.beispiel-ag.de"],
            german: ["Selektor hr1", "hr1._domainkey.beispiel-ag.de"]),
        Case(
            name: "Yahoo: permerror with a human result, IPv6 provider server",
            record: Fixtures.record(
                ip: "2001:db8:100::25", dkim: .fail, spf: .fail, from: "beispiel-ag.de",
                signatures: [
                    DKIMAuthResult(
                        domain: "beispiel-ag.de", selector: "hr2", result: .permerror, humanResult: "no key"),
                    DKIMAuthResult(domain: "mail.provider.example", selector: "s1", result: .pass),
                ],
                spfResults: [SPFAuthResult(domain: "bounce.provider.example", result: .pass)]),
            expected: .dkimKeyMissing, origin: .providerNetwork, responsible: .tenant, tenant: "beispiel",
            english: ["hr2._domainkey.beispiel-ag.de", "no key"], german: ["hr2._domainkey.beispiel-ag.de"]),
        Case(
            name: "d=tenant signed with a selector the tenant was never given",
            record: Fixtures.record(
                ip: "192.0.2.25", count: 6, dkim: .fail, spf: .fail, from: "beispiel-ag.de",
                signatures: [DKIMAuthResult(domain: "beispiel-ag.de", selector: "default", result: .fail)],
                spfResults: [SPFAuthResult(domain: "bounce.provider.example", result: .pass)]),
            expected: .dkimSelectorUnknown, origin: .providerNetwork, responsible: .provider, tenant: "beispiel",
            english: ["selector default", "hr1 or hr2", "default._domainkey.beispiel-ag.de"],
            german: ["Selektor default", "hr1 oder hr2"]),
        Case(
            name: "only the provider's own d= signature",
            record: Fixtures.record(
                ip: "192.0.2.25", count: 12, dkim: .fail, spf: .fail, from: "beispiel-ag.de",
                signatures: [DKIMAuthResult(domain: "mail.provider.example", selector: "s1", result: .pass)],
                spfResults: [SPFAuthResult(domain: "bounce.provider.example", scope: .mfrom, result: .pass)]),
            expected: .dkimNotAligned, origin: .providerNetwork, responsible: .provider, tenant: "beispiel",
            english: ["Provider:", "d=beispiel-ag.de", "hr1._domainkey.beispiel-ag.de", "mail.provider.example"],
            german: ["Anbieter:", "d=beispiel-ag.de", "Selektor hr1"]),
        Case(
            name: "Microsoft: unsigned mail, listed as DKIM none for the From domain",
            record: Fixtures.record(
                ip: "192.0.2.60", dkim: .fail, spf: .fail, from: "xn--mller-gmbh-9db.de",
                envelopeFrom: "bounce.provider.example", envelopeTo: "outlook.de",
                signatures: [DKIMAuthResult(domain: "xn--mller-gmbh-9db.de", result: DKIMResult.none)],
                spfResults: [SPFAuthResult(domain: "bounce.provider.example", scope: .mfrom, result: .pass)]),
            expected: .dkimNotAligned, origin: .providerNetwork, responsible: .provider, tenant: "beispiel",
            english: [
                "no DKIM signature", "hr2026._domainkey.xn--mller-gmbh-9db.de",
                "mail of müller-gmbh.de (xn--mller-gmbh-9db.de)",
            ],
            german: ["keine DKIM-Signatur", "hr2026", "Mails von müller-gmbh.de (xn--mller-gmbh-9db.de)"]),
        Case(
            name: "relay tenant, but a provider server sent directly",
            record: Fixtures.record(
                ip: "192.0.2.77", count: 9, disposition: .reject, dkim: .fail, spf: .fail, from: "contoso-talent.com",
                spfResults: [SPFAuthResult(domain: "contoso-talent.com", scope: .mfrom, result: .fail)]),
            expected: .relayBypassed, origin: .providerNetwork, responsible: .provider, tenant: "contoso",
            english: ["Provider:", "mx.contoso-talent.com:25", "192.0.2.77"],
            german: ["Anbieter:", "mx.contoso-talent.com:25", "192.0.2.77"]),
        Case(
            name: "the tenant's relay fails SPF and does not sign",
            record: Fixtures.record(
                ip: "198.51.100.7", count: 4, dkim: .fail, spf: .fail, from: "contoso-talent.com",
                spfResults: [SPFAuthResult(domain: "contoso-talent.com", scope: .mfrom, result: .fail)]),
            expected: .relayFailure, origin: .tenantRelay, responsible: .tenant, tenant: "contoso",
            english: ["198.51.100.7", "ip4:198.51.100.0/24", "SPF record of contoso-talent.com"],
            german: ["198.51.100.7", "ip4:198.51.100.0/24", "SPF-Eintrag von contoso-talent.com"]),
        Case(
            name: "a foreign server without any valid signature",
            record: Fixtures.record(
                ip: "203.0.113.99", count: 120, disposition: .reject, dkim: .fail, spf: .fail, from: "acme-hr.ch",
                spfResults: [SPFAuthResult(domain: "acme-hr.ch", scope: .mfrom, result: .fail)]),
            expected: .unauthorizedSource, origin: .other, responsible: .tenant, tenant: "acme",
            english: ["203.0.113.99", "120 messages", "spoofing"],
            german: ["203.0.113.99", "120 Nachrichten", "Spoofing"]),
        Case(
            name: "header From belongs to no tenant",
            record: Fixtures.record(
                ip: "192.0.2.25", dkim: .pass, spf: .pass, from: "provider.example",
                signatures: [DKIMAuthResult(domain: "provider.example", selector: "s1", result: .pass)],
                spfResults: [SPFAuthResult(domain: "provider.example", result: .pass)]),
            expected: .unknownDomain, origin: .providerNetwork, responsible: .operator, tenant: nil,
            english: ["Operator:", "provider.example"], german: ["Betreiber:", "provider.example"]),
    ]

    @Test(arguments: cases)
    func classifies(_ row: Case) {
        let diagnosis = Diagnoser.diagnose(
            row.record, day: row.day, configuration: Fixtures.configuration, policy: row.policy)
        #expect(diagnosis.class == row.expected, "\(diagnosis.observed)")
        #expect(diagnosis.origin == row.origin)
        #expect(diagnosis.responsible == row.responsible)
        #expect(diagnosis.tenantID == row.tenant)
        #expect((diagnosis.entry == nil) == (row.tenant == nil))
        #expect(diagnosis.observed.contains(row.record.sourceIP))
        #expect(!diagnosis.expected.isEmpty)
        let english = diagnosis.recommendation(.en)
        let german = diagnosis.recommendation(.de)
        for text in row.english { #expect(english.contains(text), "\(english)") }
        for text in row.german { #expect(german.contains(text), "\(german)") }
        #expect(english != german)
    }

    /// Every class has at least one realistic row in the table.
    @Test func tableCoversEveryClass() {
        let covered = Set(Self.cases.map(\.expected))
        let missing = DiagnosisClass.allCases.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "no case for \(missing.map(\.rawValue))")
    }

    @Test func rawValuesAreDesignNames() {
        #expect(
            DiagnosisClass.allCases.map(\.rawValue).sorted() == [
                "dkim-key-missing", "dkim-not-aligned", "dkim-selector-unknown", "empty", "forwarded", "pass",
                "relay-bypassed", "relay-failure", "spf-not-aligned", "spf-not-authorized", "spf-record-error",
                "transient", "unauthorized-source", "unknown-domain",
            ])
    }
}
