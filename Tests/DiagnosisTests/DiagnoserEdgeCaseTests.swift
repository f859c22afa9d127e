import DMARC
import Diagnosis
import Testing

/// Rows where the configuration's history, strict alignment or a receiver's quirk decides the class.
@Suite("Diagnoser edge cases")
struct DiagnoserEdgeCaseTests {
    let configuration = Fixtures.configuration

    /// The same failing row means different things before and after the tenant switched method.
    @Test func historyDecidesTheMethod() throws {
        let row = Fixtures.record(
            ip: "192.0.2.25", count: 7, dkim: .fail, spf: .fail, from: "beispiel-ag.de",
            signatures: [DKIMAuthResult(domain: "beispiel-ag.de", selector: "hr1", result: .fail)],
            spfResults: [SPFAuthResult(domain: "beispiel-ag.de", scope: .mfrom, result: .softfail)])
        let before = Diagnoser.diagnose(row, day: try #require(Day("2026-01-20")), configuration: configuration)
        let after = Diagnoser.diagnose(row, day: try #require(Day("2026-02-20")), configuration: configuration)
        #expect(before.class == .spfNotAuthorized)
        #expect(before.entry?.method == .spf)
        #expect(after.class == .dkimKeyMissing)
        #expect(after.entry?.method == .dkim)
    }

    @Test func relayTenantBeforeItsRelayWasSetUp() throws {
        let row = Fixtures.record(
            ip: "192.0.2.77", dkim: .fail, spf: .fail, from: "contoso-talent.com",
            spfResults: [SPFAuthResult(domain: "contoso-talent.com", result: .fail)])
        let before = Diagnoser.diagnose(row, day: try #require(Day("2026-02-27")), configuration: configuration)
        let after = Diagnoser.diagnose(row, day: try #require(Day("2026-03-02")), configuration: configuration)
        #expect(before.class == .spfNotAuthorized)
        #expect(after.class == .relayBypassed)
    }

    @Test func subdomainOfHeaderFromUsesTheSubdomainsEntry() {
        let row = Fixtures.record(
            ip: "2001:db8:100::9", dkim: .fail, spf: .fail, from: "jobs.acme-hr.ch",
            signatures: [DKIMAuthResult(domain: "jobs.acme-hr.ch", selector: "hr1", result: .fail)],
            spfResults: [SPFAuthResult(domain: "bounce.provider.example", result: .pass)])
        let diagnosis = Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration)
        #expect(diagnosis.class == .dkimKeyMissing)
        #expect(diagnosis.entry?.domain == "jobs.acme-hr.ch")
        #expect(diagnosis.recommendation(.en).contains("hr1._domainkey.jobs.acme-hr.ch"))
    }

    @Test func strictDKIMAlignment() {
        // d=beispiel-ag.de passes but header From is a subdomain and the policy says adkim=s.
        let row = Fixtures.record(
            ip: "192.0.2.25", dkim: .fail, spf: .fail, from: "karriere.beispiel-ag.de",
            signatures: [DKIMAuthResult(domain: "beispiel-ag.de", selector: "hr1", result: .pass)],
            spfResults: [SPFAuthResult(domain: "bounce.provider.example", result: .pass)])
        let policy = PolicyPublished(domain: "beispiel-ag.de", adkim: .strict, aspf: .relaxed, p: .reject)
        let strict = Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration, policy: policy)
        #expect(strict.class == .dkimNotAligned)
        #expect(strict.dkimAlignment == .strict)
        #expect(strict.recommendation(.en).contains("adkim=s"))
        #expect(strict.recommendation(.de).contains("adkim=s"))
        // Without the policy the same contradiction (relaxed-aligned pass, DMARC fail) still reads as strict.
        let inferred = Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration)
        #expect(inferred.class == .dkimNotAligned)
        #expect(inferred.recommendation(.en).contains("strict"))
    }

    @Test func strictSPFAlignment() {
        let row = Fixtures.record(
            ip: "192.0.2.31", dkim: .fail, spf: .fail, from: "acme-hr.ch", envelopeFrom: "bounce.acme-hr.ch",
            spfResults: [SPFAuthResult(domain: "bounce.acme-hr.ch", scope: .mfrom, result: .pass)])
        let policy = PolicyPublished(domain: "acme-hr.ch", adkim: .relaxed, aspf: .strict, p: .quarantine)
        let diagnosis = Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration, policy: policy)
        #expect(diagnosis.class == .spfNotAligned)
        #expect(diagnosis.responsible == .provider)
        #expect(diagnosis.recommendation(.en).contains("aspf=s"))
    }

    /// Sibling subdomains of the tenant's configured domain share its organizational domain.
    @Test func siblingSubdomainsAlignWithinTheTenantsDomain() {
        let row = Fixtures.record(
            ip: "192.0.2.31", dkim: .fail, spf: .fail, from: "news.acme-hr.ch", envelopeFrom: "bounce.acme-hr.ch",
            spfResults: [SPFAuthResult(domain: "bounce.acme-hr.ch", scope: .mfrom, result: .softfail)])
        let diagnosis = Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration)
        #expect(diagnosis.class == .spfNotAuthorized)
        #expect(diagnosis.recommendation(.en).contains("SPF record of bounce.acme-hr.ch"))
    }

    @Test func permerrorFromTheTenantsRelay() {
        let row = Fixtures.record(
            ip: "2001:db8:200::25", dkim: .fail, spf: .fail, from: "contoso-talent.com",
            spfResults: [SPFAuthResult(domain: "contoso-talent.com", result: .permerror)])
        let diagnosis = Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration)
        #expect(diagnosis.class == .spfRecordError)
        #expect(diagnosis.origin == .tenantRelay)
        #expect(diagnosis.recommendation(.en).contains("ip6:2001:db8:200::/48"))
    }

    @Test func permerrorOnTheProvidersBounceDomainIsNoTenantRecordError() {
        let row = Fixtures.record(
            ip: "192.0.2.31", dkim: .fail, spf: .fail, from: "acme-hr.ch",
            spfResults: [SPFAuthResult(domain: "bounce.provider.example", result: .permerror)])
        #expect(Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration).class == .spfNotAligned)
    }

    @Test func temperrorOnANonAlignedDomainIsNotTransient() {
        let row = Fixtures.record(
            ip: "192.0.2.25", dkim: .fail, spf: .fail, from: "beispiel-ag.de",
            signatures: [DKIMAuthResult(domain: "beispiel-ag.de", selector: "hr1", result: .fail)],
            spfResults: [SPFAuthResult(domain: "bounce.provider.example", result: .temperror)])
        #expect(Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration).class == .dkimKeyMissing)
    }

    @Test(arguments: [
        ("arc=pass", true), ("ARC validated by google.com", true), ("local policy; arc", true),
        ("research list", false), ("search", false), ("archive", false), ("", false),
    ])
    func arcComment(_ comment: String, _ forwarded: Bool) {
        let row = Fixtures.record(
            ip: "203.0.113.60", dkim: .fail, spf: .fail,
            reasons: [PolicyOverrideReason(type: .localPolicy, comment: comment)], from: "acme-hr.ch",
            spfResults: [SPFAuthResult(domain: "acme-hr.ch", result: .fail)])
        let diagnosis = Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration)
        #expect(diagnosis.class == (forwarded ? .forwarded : .unauthorizedSource))
    }

    @Test func helloResultsAreIgnoredWhenMailFromIsThere() {
        let row = Fixtures.record(
            ip: "192.0.2.31", dkim: .fail, spf: .fail, from: "acme-hr.ch",
            spfResults: [
                SPFAuthResult(domain: "out1.provider.example", scope: .helo, result: .pass),
                SPFAuthResult(domain: "acme-hr.ch", scope: .mfrom, result: .fail),
            ])
        let diagnosis = Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration)
        #expect(diagnosis.class == .spfNotAuthorized)
        #expect(diagnosis.spf?.domain == "acme-hr.ch")
    }

    /// Some receivers leave `policy_evaluated`'s dkim/spf out; the aligned auth results decide then.
    @Test func missingPolicyEvaluatedFallsBackToAuthResults() {
        var row = Fixtures.record(
            ip: "192.0.2.25", dkim: .fail, spf: .fail, from: "beispiel-ag.de",
            signatures: [DKIMAuthResult(domain: "beispiel-ag.de", selector: "hr2", result: .pass)])
        row.policyEvaluated = PolicyEvaluated(disposition: DMARC.Disposition.none)
        #expect(Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration).class == .pass)
        row.authResults.dkim[0].result = .fail
        #expect(Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration).class == .dkimKeyMissing)
    }

    @Test func ipv4MappedSourceIsTheProvider() {
        let row = Fixtures.record(
            ip: "::ffff:192.0.2.31", dkim: .fail, spf: .fail, from: "acme-hr.ch",
            spfResults: [SPFAuthResult(domain: "acme-hr.ch", result: .neutral)])
        let diagnosis = Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration)
        #expect(diagnosis.origin == .providerNetwork)
        #expect(diagnosis.class == .spfNotAuthorized)
    }

    @Test func unknownDomainStaysUnknownEvenFromTheProvider() {
        let row = Fixtures.record(
            ip: "192.0.2.25", dkim: .fail, spf: .fail, from: "fabrikam-personal.at",
            spfResults: [SPFAuthResult(domain: "fabrikam-personal.at", result: .fail)])
        let diagnosis = Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration)
        #expect(diagnosis.class == .unknownDomain)
        #expect(diagnosis.tenantID == nil)
        #expect(diagnosis.origin == .providerNetwork)
    }

    /// The provider's spf_include is optional; without it the networks become ip4:/ip6: mechanisms.
    @Test func spfRecommendationWithoutInclude() throws {
        let plain = try TenantConfiguration(
            yaml: """
                provider: {name: P, networks: [192.0.2.0/24, "2001:db8:100::/48"]}
                tenants:
                  - {id: acme, name: ACME, language: en, domains: [{domain: acme-hr.ch, method: spf}]}
                """)
        let row = Fixtures.record(
            ip: "192.0.2.31", dkim: .fail, spf: .fail, from: "acme-hr.ch",
            spfResults: [SPFAuthResult(domain: "acme-hr.ch", result: .fail)])
        let text = Diagnoser.diagnose(row, day: Fixtures.march, configuration: plain).recommendation(.en)
        #expect(text.contains("ip4:192.0.2.0/24 ip6:2001:db8:100::/48"))
    }

    /// A forwarder that rewrites the envelope (SRS) makes SPF pass for its own domain; the provider's
    /// intact signature still shows the mail was forwarded.
    @Test func forwardingWithSRS() {
        let row = Fixtures.record(
            ip: "203.0.113.70", dkim: .fail, spf: .fail, from: "acme-hr.ch",
            envelopeFrom: "forwarder.example",
            signatures: [DKIMAuthResult(domain: "mail.provider.example", selector: "s1", result: .pass)],
            spfResults: [SPFAuthResult(domain: "forwarder.example", scope: .mfrom, result: .pass)])
        #expect(Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration).class == .forwarded)
    }

    /// Under strict DKIM alignment a passing signature of a tenant subdomain does not align, yet from a
    /// foreign server it is the same evidence of forwarding as the provider's own signature.
    @Test func tenantSubdomainSignatureUnderStrictAlignmentIsForwarding() {
        let row = Fixtures.record(
            ip: "203.0.113.72", dkim: .fail, spf: .fail, from: "acme-hr.ch",
            signatures: [DKIMAuthResult(domain: "jobs.acme-hr.ch", selector: "hr1", result: .pass)],
            spfResults: [SPFAuthResult(domain: "lists.example.org", scope: .mfrom, result: .pass)])
        let policy = PolicyPublished(domain: "acme-hr.ch", adkim: .strict, aspf: .relaxed, p: .reject)
        let diagnosis = Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration, policy: policy)
        #expect(diagnosis.class == .forwarded)
        #expect(diagnosis.signature?.domain == "jobs.acme-hr.ch")
    }

    /// A foreign server signing with its own domain proves nothing about the provider.
    @Test func foreignSignatureIsNoForwarding() {
        let row = Fixtures.record(
            ip: "203.0.113.71", dkim: .fail, spf: .fail, from: "acme-hr.ch",
            signatures: [DKIMAuthResult(domain: "bulk-sender.example", selector: "k1", result: .pass)],
            spfResults: [SPFAuthResult(domain: "bulk-sender.example", scope: .mfrom, result: .pass)])
        #expect(Diagnoser.diagnose(row, day: Fixtures.march, configuration: configuration).class == .unauthorizedSource)
    }

    /// A whole report: rows are judged on the day the report's range begins, with its published policy.
    @Test func wholeReportUsesItsDayAndPolicy() throws {
        let jan20 = Int64(try #require(Day("2026-01-20")).daysSinceEpoch) * 86_400
        let feb20 = Int64(try #require(Day("2026-02-20")).daysSinceEpoch) * 86_400
        let row = Fixtures.record(
            ip: "192.0.2.25", dkim: .fail, spf: .fail, from: "beispiel-ag.de",
            signatures: [DKIMAuthResult(domain: "beispiel-ag.de", selector: "hr1", result: .fail)],
            spfResults: [SPFAuthResult(domain: "beispiel-ag.de", result: .softfail)])
        func report(beginning begin: Int64) -> AggregateReport {
            AggregateReport(
                schema: .rfc7489,
                metadata: ReportMetadata(
                    orgName: "google.com", email: "noreply-dmarc-support@google.com", reportID: "1234567890123456789",
                    dateRange: DateRange(begin: begin, end: begin + 86_399)),
                policy: PolicyPublished(domain: "beispiel-ag.de", adkim: .relaxed, aspf: .strict, p: .quarantine),
                records: [row, row], source: "google.com!beispiel-ag.de!\(begin)!\(begin + 86_399).zip")
        }
        let january = Diagnoser.diagnose(report(beginning: jan20), configuration: configuration)
        let february = Diagnoser.diagnose(report(beginning: feb20), configuration: configuration)
        #expect(january.map(\.class) == [.spfNotAuthorized, .spfNotAuthorized])
        #expect(february.map(\.class) == [.dkimKeyMissing, .dkimKeyMissing])
        #expect(january.first?.spfAlignment == .strict)
    }

    /// What lets the monthly report sum a month's rows by verdict in SQL without reading their results:
    /// a row with a verdict and messages is a pass exactly when the verdict passed and its header From
    /// has an entry; without a verdict, the auth results decide.
    @Test func theReceiversVerdictAloneDecidesPass() {
        let verdicts: [DMARCResult?] = [nil, .pass, .fail]
        let signatureSets: [[DKIMAuthResult]] = [
            [], [DKIMAuthResult(domain: "acme-hr.ch", selector: "hr1", result: .pass)],
            [DKIMAuthResult(domain: "mail.provider.example", selector: "p1", result: .pass)],
            [DKIMAuthResult(domain: "acme-hr.ch", selector: "hr1", result: .temperror)],
        ]
        let spfSets: [[SPFAuthResult]] = [
            [], [SPFAuthResult(domain: "acme-hr.ch", scope: .mfrom, result: .pass)],
            [SPFAuthResult(domain: "acme-hr.ch", scope: .mfrom, result: .permerror)],
        ]
        let reasonSets: [[PolicyOverrideReason]] = [[], [PolicyOverrideReason(type: .forwarded, comment: nil)]]
        var checked = 0
        for from in ["acme-hr.ch", "jobs.acme-hr.ch", "nobody.example"] {
            for ip in ["192.0.2.7", "198.51.100.7", "203.0.113.7"] {
                for count: Int64 in [0, 3] {
                    for dkim in verdicts {
                        for spf in verdicts {
                            for signatures in signatureSets {
                                for spfResults in spfSets {
                                    for reasons in reasonSets {
                                        let record = Record(
                                            sourceIP: ip, count: count,
                                            policyEvaluated: PolicyEvaluated(disposition: nil, dkim: dkim, spf: spf, reasons: reasons),
                                            identifiers: Identifiers(headerFrom: from, envelopeFrom: nil, envelopeTo: nil),
                                            authResults: AuthResults(dkim: signatures, spf: spfResults))
                                        let diagnosis = Diagnoser.diagnose(record, day: Fixtures.march, configuration: configuration)
                                        guard let verdict = Diagnoser.reportedVerdict(record.policyEvaluated) else { continue }
                                        let owner = Diagnoser.reportedPassOwner(headerFrom: from, day: Fixtures.march, configuration: configuration)
                                        #expect(diagnosis.tenantID == owner?.0.id)
                                        guard count > 0 else { continue }
                                        #expect(
                                            (diagnosis.class == .pass) == (verdict && owner != nil),
                                            "\(from) \(ip) \(String(describing: dkim)) \(String(describing: spf)) → \(diagnosis.class)")
                                        checked += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(checked == 3 * 3 * 8 * 4 * 3 * 2)
    }
}
