import DMARC
import Diagnosis

/// The tenants the diagnosis tests run against: one per method, history, a subdomain and an IDN.
enum Fixtures {
    static let yaml = """
        provider:
          name: Example HR Cloud
          networks: [192.0.2.0/24, "2001:db8:100::/48"]
          dkim_domains: [mail.provider.example]
          return_path_domains: [bounce.provider.example]
          spf_include: _spf.provider.example
        tenants:
          - id: acme
            name: ACME HR AG
            language: de
            domains:
              - domain: acme-hr.ch
                method: spf
              - domain: jobs.acme-hr.ch
                method: dkim
                dkim_selectors: [hr1]
                since: 2026-01-15
          - id: beispiel
            name: Beispiel AG
            language: de
            domains:
              - domain: beispiel-ag.de
                method: spf
              - domain: beispiel-ag.de
                method: dkim
                dkim_selectors: [hr1, hr2]
                since: 2026-02-01
              - domain: müller-gmbh.de
                method: dkim
                dkim_selectors: [hr2026]
          - id: contoso
            name: Contoso Talent Ltd
            language: en
            domains:
              - domain: contoso-talent.com
                method: spf
              - domain: contoso-talent.com
                method: relay
                relay_networks: [198.51.100.0/24, "2001:db8:200::/48"]
                relay_host: mx.contoso-talent.com:25
                since: 2026-03-01
        """

    static let configuration: TenantConfiguration = {
        do {
            return try TenantConfiguration(yaml: yaml)
        } catch {
            fatalError("fixture configuration does not load: \(error)")
        }
    }()

    /// A day on which every entry above is valid.
    static let march = Day(year: 2026, month: 3, day: 10)!

    /// A row as the reader delivers it (normalised values).
    static func record(
        ip: String, count: Int64 = 1, disposition: Disposition = .none, dkim: DMARCResult, spf: DMARCResult,
        reasons: [PolicyOverrideReason] = [], from: String, envelopeFrom: String? = nil, envelopeTo: String? = nil,
        signatures: [DKIMAuthResult] = [], spfResults: [SPFAuthResult] = []
    ) -> Record {
        Record(
            sourceIP: ip, count: count,
            policyEvaluated: PolicyEvaluated(disposition: disposition, dkim: dkim, spf: spf, reasons: reasons),
            identifiers: Identifiers(headerFrom: from, envelopeFrom: envelopeFrom, envelopeTo: envelopeTo),
            authResults: AuthResults(dkim: signatures, spf: spfResults))
    }
}
