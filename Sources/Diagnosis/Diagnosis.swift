import DMARC

/// The verdict on one report row: the class, whose side acts, and the facts the texts are built from.
///
/// Holding the row and the evidence (the signature or SPF result the verdict rests on) instead of
/// finished sentences keeps classification cheap on millions of rows; `expected`, `observed` and
/// `recommendation(_:)` are written only when someone reads them.
public struct Diagnosis: Sendable, Equatable {
    public var `class`: DiagnosisClass
    /// The tenant whose domain is in header From; nil for `unknown-domain`.
    public var tenantID: String?
    /// The configuration entry valid on the row's day; nil for `unknown-domain`.
    public var entry: TenantDomain?
    public var origin: SendingOrigin
    public var responsible: ResponsibleParty
    /// The row as reported.
    public var record: Record
    /// Header From as lower-case A-labels.
    public var headerFrom: String
    /// The DKIM signature the verdict rests on (the failing `d=tenant` one, the provider's one).
    public var signature: DKIMAuthResult?
    /// The SPF result the verdict rests on.
    public var spf: SPFAuthResult?
    /// The alignment modes the row was judged with (relaxed unless the published policy said strict).
    public var dkimAlignment: Alignment
    public var spfAlignment: Alignment
    /// The provider, for recommendations that name its servers.
    public var provider: ProviderConfiguration

    public init(
        class: DiagnosisClass, tenantID: String?, entry: TenantDomain?, origin: SendingOrigin,
        responsible: ResponsibleParty? = nil, record: Record, headerFrom: String, signature: DKIMAuthResult? = nil,
        spf: SPFAuthResult? = nil, dkimAlignment: Alignment = .relaxed, spfAlignment: Alignment = .relaxed,
        provider: ProviderConfiguration
    ) {
        self.class = `class`
        self.tenantID = tenantID
        self.entry = entry
        self.origin = origin
        self.responsible = responsible ?? `class`.responsible
        self.record = record
        self.headerFrom = headerFrom
        self.signature = signature
        self.spf = spf
        self.dkimAlignment = dkimAlignment
        self.spfAlignment = spfAlignment
        self.provider = provider
    }

    /// What the tenant's method should produce, e.g. `DKIM pass with d=beispiel-ag.de, selector hr1 or hr2`.
    public var expected: String {
        guard let entry else { return "header From in a domain of a configured tenant" }
        switch entry.method {
        case .spf:
            return "SPF pass for an envelope-from aligned with \(headerFrom), sent from the provider's servers"
                + " (\(provider.spfMechanisms))"
        case .dkim:
            return "DKIM pass with d=\(entry.domain), selector \(Diagnosis.list(entry.dkimSelectors, "or")),"
                + " signed by the provider"
        case .relay:
            let networks = entry.relayNetworks.map(\.description).joined(separator: ", ")
            return "sent by the tenant's relay (\(networks)) with aligned SPF or DKIM pass for \(headerFrom)"
        }
    }

    /// What the report shows, e.g. `12 messages from 192.0.2.25 (provider network): DMARC dkim=fail spf=fail; …`.
    public var observed: String {
        let origin: String
        switch self.origin {
        case .providerNetwork: origin = "provider network"
        case .tenantRelay: origin = "tenant relay"
        case .other: origin = "neither provider nor relay"
        }
        let noun = record.count == 1 ? "message" : "messages"
        var parts = ["\(record.count) \(noun) from \(record.sourceIP) (\(origin))"]
        let evaluated = record.policyEvaluated
        var verdict = "DMARC dkim=\(evaluated.dkim?.rawValue ?? "?") spf=\(evaluated.spf?.rawValue ?? "?")"
        if let disposition = evaluated.disposition { verdict += ", disposition \(disposition.rawValue)" }
        parts.append(verdict)
        if record.authResults.dkim.isEmpty {
            parts.append("no DKIM signature")
        }
        for result in record.authResults.dkim {
            var text = "DKIM d=\(result.domain)"
            if let selector = result.selector { text += " s=\(selector)" }
            text += " \(result.result?.rawValue ?? "?")"
            if let human = result.humanResult, !human.isEmpty { text += " (\(human))" }
            parts.append(text)
        }
        if record.authResults.spf.isEmpty {
            parts.append("no SPF result")
        }
        for result in record.authResults.spf {
            var text =
                "SPF \(result.scope?.rawValue ?? "mfrom") \(result.domain.isEmpty ? "(no domain)" : result.domain)"
            text += " \(result.result?.rawValue ?? "?")"
            if let human = result.humanResult, !human.isEmpty { text += " (\(human))" }
            parts.append(text)
        }
        for reason in evaluated.reasons {
            var text = "override \(reason.type?.rawValue ?? "?")"
            if let comment = reason.comment, !comment.isEmpty { text += " (\(comment))" }
            parts.append(text)
        }
        return parts.joined(separator: "; ")
    }

    /// `a`, `a or b`, `a, b or c`.
    static func list(_ items: [String], _ conjunction: String) -> String {
        guard let last = items.last else { return "" }
        if items.count == 1 { return last }
        return items.dropLast().joined(separator: ", ") + " \(conjunction) " + last
    }
}
