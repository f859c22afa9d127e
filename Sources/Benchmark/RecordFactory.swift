/// Makes plausible rows for the tenants of `samples/tenants.yaml`: mostly passing mail from the
/// provider's networks, and every failure the diagnosis knows (SPF not authorised, key missing,
/// provider signature, forwarding, temporary errors, spoofing, relays), in fixed proportions.
struct RecordFactory {
    struct TenantDomain {
        let domain: String
        let method: Method
        let selectors: [String]
        enum Method { case spf, dkim, relay }
    }

    /// The domains of samples/tenants.yaml in A-label form, plus one nobody onboarded.
    static let domains: [TenantDomain] = [
        TenantDomain(domain: "acme-hr.ch", method: .spf, selectors: []),
        TenantDomain(domain: "jobs.acme-hr.ch", method: .dkim, selectors: ["hr1"]),
        TenantDomain(domain: "beispiel-ag.de", method: .dkim, selectors: ["hr1", "hr2"]),
        TenantDomain(domain: "xn--mller-gmbh-9db.de", method: .dkim, selectors: ["hr2026"]),
        TenantDomain(domain: "contoso-talent.com", method: .relay, selectors: ["relay2026"]),
        TenantDomain(domain: "fabrikam-personal.at", method: .relay, selectors: []),
        TenantDomain(domain: "unbekannt-kunde.example", method: .spf, selectors: []),
    ]

    static let bounceDomain = "bounce.provider.example"
    static let providerSigningDomain = "mail.provider.example"

    var random: SeededGenerator

    private mutating func providerIP() -> String {
        random.chance(0.85) ? "192.0.2.\(random.below(256))" : "2001:db8:100::\(String(random.below(0xffff) + 1, radix: 16))"
    }

    private mutating func relayIP(_ tenant: TenantDomain) -> String {
        tenant.domain == "fabrikam-personal.at" ? "203.0.113.\(16 + random.below(16))" : "198.51.100.\(random.below(256))"
    }

    private mutating func foreignIP() -> String {
        if random.chance(0.1) {
            return "2a02:\(String(random.below(0xffff), radix: 16)):\(String(random.below(0xffff), radix: 16))::\(String(random.below(0xfff) + 1, radix: 16))"
        }
        return "\(11 + random.below(200)).\(random.below(256)).\(random.below(256)).\(1 + random.below(254))"
    }

    mutating func record(for tenant: TenantDomain) -> GeneratedRecord {
        let domain = tenant.domain
        let selector = tenant.selectors.isEmpty ? "s\(random.below(3))" : random.pick(tenant.selectors)
        let count = random.chance(0.7) ? 1 + random.below(3) : 1 + random.below(400)
        let envelopeTo = random.pick(["hotmail.com", "outlook.de", "live.de", "gmx.net", "web.de"])
        var row = GeneratedRecord(
            sourceIP: providerIP(), count: count, disposition: "none", dkim: "pass", spf: "pass", headerFrom: domain,
            envelopeFrom: domain, envelopeTo: envelopeTo, dkimResults: [], spfResults: [], reasons: [])
        let roll = random.below(100)
        switch (tenant.method, roll) {
        case (.relay, 0..<62):
            row.sourceIP = relayIP(tenant)
            row.dkimResults = [(domain, selector, "pass")]
            row.spfResults = [(domain, "mfrom", "pass")]
        case (.spf, 0..<62):
            row.dkim = "fail"
            row.spfResults = [(domain, "mfrom", "pass")]
        case (_, 0..<62):
            row.spf = "fail"
            row.envelopeFrom = Self.bounceDomain
            row.dkimResults = [(domain, selector, "pass")]
            row.spfResults = [(Self.bounceDomain, "mfrom", "pass")]
        case (_, 62..<70):
            // The provider's include is missing from the tenant's SPF record.
            row.dkim = "fail"
            row.spf = "fail"
            row.spfResults = [(domain, "mfrom", random.pick(["softfail", "fail", "neutral"]))]
        case (_, 70..<76):
            // The selector's key is not published (or rotated away).
            row.dkim = "fail"
            row.spf = "fail"
            row.disposition = "quarantine"
            row.envelopeFrom = Self.bounceDomain
            row.dkimResults = [(domain, selector, "fail")]
            row.spfResults = [(Self.bounceDomain, "mfrom", "pass")]
        case (_, 76..<80):
            // Signed with the provider's own domain only.
            row.dkim = "fail"
            row.spf = "fail"
            row.envelopeFrom = Self.bounceDomain
            row.dkimResults = [(Self.providerSigningDomain, "p1", "pass")]
            row.spfResults = [(Self.bounceDomain, "mfrom", "pass")]
        case (_, 80..<86):
            // Forwarded by a mailing list or an ARC-sealing forwarder.
            row.sourceIP = "209.85.\(random.below(256)).\(random.below(256))"
            row.dkim = "fail"
            row.spf = "fail"
            row.envelopeFrom = "lists.example.org"
            row.dkimResults = [(domain, selector, "fail")]
            row.spfResults = [("lists.example.org", "mfrom", "pass")]
            row.reasons = random.chance(0.5) ? [("forwarded", "")] : [("local_policy", "arc=pass")]
        case (_, 86..<88):
            row.dkim = "fail"
            row.spf = "fail"
            row.spfResults = [(domain, "mfrom", "temperror")]
        case (_, 88..<90):
            // Over ten DNS lookups.
            row.dkim = "fail"
            row.spf = "fail"
            row.spfResults = [(domain, "mfrom", "permerror")]
        default:
            // Somebody else sends in the tenant's name.
            row.sourceIP = foreignIP()
            row.dkim = "fail"
            row.spf = "fail"
            row.disposition = random.pick(["none", "quarantine", "reject"])
            row.envelopeFrom = random.pick(["spammer.example", domain])
            row.spfResults = [(row.envelopeFrom ?? domain, "mfrom", random.pick(["fail", "softfail", "pass"]))]
        }
        return row
    }
}
