import DMARC

extension Diagnosis {
    /// What to do, in the tenant's language, naming the concrete selector, IP, domain or record.
    ///
    /// Addressed to the reader of the tenant's report: tenant-side fixes speak to the tenant
    /// ("Publish …"), provider-side ones start with "Provider:", so the report shows whose turn it is.
    public func recommendation(_ language: Language) -> String {
        let facts = Facts(self)
        switch language {
        case .en: return english(facts)
        case .de, .deCH: return language.spelling(german(facts))
        }
    }

    /// The values the sentences need, with fallbacks where a report left something out.
    struct Facts {
        var ip: String
        var count: Int64
        var from: String
        /// The configured domain (header From itself when it is listed, else its listed parent).
        var domain: String
        var selectors: [String]
        var signatureDomain: String
        var selector: String?
        var dkimResult: String
        var human: String?
        var spfDomain: String
        var spfResult: String
        var relayHost: String?
        /// Kept to write `mechanisms` and `relayMechanisms`, which few sentences use, only when one does.
        var provider: ProviderConfiguration
        var relays: [IPNetwork]
        /// The signature's domain aligns in relaxed mode but the receiver did not count it: strict.
        var strictDKIM: Bool
        var strictSPF: Bool
        var forwardingReason: ForwardingReason
        var temporaryCheck: String

        init(_ diagnosis: Diagnosis) {
            let record = diagnosis.record
            ip = record.sourceIP
            count = record.count
            from = diagnosis.headerFrom
            domain = diagnosis.entry?.domain ?? diagnosis.headerFrom
            selectors = diagnosis.entry?.dkimSelectors ?? []
            signatureDomain = diagnosis.signature.map { IdentifierAlignment.normalised($0.domain) } ?? domain
            selector = diagnosis.signature?.selector.flatMap { $0.isEmpty ? nil : $0.lowercased() }
            dkimResult = diagnosis.signature?.result?.rawValue ?? "none"
            human = diagnosis.signature?.humanResult.flatMap { $0.isEmpty ? nil : $0 }
            let envelope = diagnosis.spf.map { IdentifierAlignment.normalised($0.domain) } ?? ""
            spfDomain = envelope.isEmpty ? (record.identifiers.envelopeFrom ?? diagnosis.headerFrom) : envelope
            spfResult = diagnosis.spf?.result?.rawValue ?? "none"
            relayHost = diagnosis.entry?.relayHost
            provider = diagnosis.provider
            relays = diagnosis.entry?.relayNetworks ?? []
            let relaxedFrom = IdentifierAlignment(
                headerFrom: diagnosis.headerFrom, tenantDomain: diagnosis.entry?.domain, mode: .relaxed)
            strictDKIM =
                diagnosis.dkimAlignment == .strict
                || (diagnosis.signature.map { relaxedFrom.aligns($0.domain) && $0.result == .pass } ?? false)
            strictSPF =
                diagnosis.spfAlignment == .strict || (diagnosis.spf.map { relaxedFrom.aligns($0.domain) } ?? false)
            forwardingReason = ForwardingReason(record.policyEvaluated.reasons)
            if let spf = diagnosis.spf, spf.result == .temperror {
                temporaryCheck = "SPF"
                spfDomain = envelope.isEmpty ? diagnosis.headerFrom : envelope
            } else {
                temporaryCheck = "DKIM"
            }
        }

        var mechanisms: String { provider.spfMechanisms }

        /// The relay network that sent, else all of them, as SPF mechanisms.
        var relayMechanisms: String {
            let sender = relays.first { $0.contains(ip: ip) }
            return (sender.map { [$0] } ?? relays).map(\.spfMechanism).joined(separator: " ")
        }

        /// Header From and the configured domain as people write them (U-labels, then the A-labels).
        var fromNamed: String { DomainDisplay.named(from) }
        var domainNamed: String { DomainDisplay.named(domain) }

        var selectorList: String { Diagnosis.list(selectors, "or") }
        var selectorListGerman: String { Diagnosis.list(selectors, "oder") }
        var firstSelector: String { selectors.first ?? "<selector>" }
    }

    /// Why a row counts as forwarded, for the sentence that says so.
    enum ForwardingReason {
        case override(PolicyOverride)
        case arc
        case pattern

        init(_ reasons: [PolicyOverrideReason]) {
            if let type = reasons.compactMap(\.type).first(where: {
                [.forwarded, .mailingList, .trustedForwarder].contains($0)
            }) {
                self = .override(type)
            } else if reasons.contains(where: { $0.comment.map(Diagnoser.mentionsARC) ?? false }) {
                self = .arc
            } else {
                self = .pattern
            }
        }
    }

    private func english(_ f: Facts) -> String {
        let messages = f.count == 1 ? "1 message" : "\(f.count) messages"
        switch self.class {
        case .pass:
            return "Nothing to do: these messages passed DMARC."
        case .empty:
            return "Nothing to do: the report lists \(f.ip) with no messages."
        case .forwarded:
            let why: String
            switch f.forwardingReason {
            case .override(let type): why = "the receiver reported \(type.rawValue)"
            case .arc: why = "the receiver trusted the ARC chain of the forwarder"
            case .pattern:
                why =
                    "a valid DKIM signature of \(f.signatureDomain) arrived from a server outside the provider's networks"
            }
            return "Nothing to do: \(f.ip) forwarded these messages (\(why)). Forwarding breaks SPF;"
                + " only a DKIM signature that survives it lets forwarded mail pass DMARC."
        case .transient:
            let name =
                f.temporaryCheck == "SPF"
                ? f.spfDomain : "\(f.selector.map { "\($0)._domainkey." } ?? "")\(f.signatureDomain)"
            return "Nothing to do unless it persists: the receiver got a temporary DNS error (temperror) checking"
                + " \(f.temporaryCheck) at \(name). If it recurs on several days, check that the name servers of"
                + " \(f.domain) answer reliably."
        case .spfNotAuthorized:
            return "Add the provider's servers (\(f.mechanisms)) to the SPF record of \(f.spfDomain),"
                + " e.g. \"v=spf1 \(f.mechanisms) … -all\": \(f.ip) sent \(messages) as \(f.fromNamed) and SPF returned"
                + " \(f.spfResult)."
        case .spfRecordError:
            let keep: String
            switch origin {
            case .providerNetwork: keep = " Keep the provider's servers (\(f.mechanisms)) in it."
            case .tenantRelay: keep = " Keep your relay (\(f.relayMechanisms)) in it."
            case .other: keep = ""
            }
            return "Repair the SPF record of \(f.spfDomain): receivers get a permanent error (permerror), most often"
                + " from more than 10 DNS lookups (include, a, mx, ptr, exists, redirect) or a syntax error. Remove"
                + " unused includes or replace them with ip4:/ip6: ranges.\(keep)"
        case .spfNotAligned:
            if f.strictSPF {
                return "Provider: \(f.domain) requires strict SPF alignment (aspf=s), so SPF for \(f.spfDomain) does"
                    + " not count; send its mail with the envelope-from (Return-Path) domain exactly \(f.from),"
                    + " or have the tenant relax its DMARC record to aspf=r."
            }
            return "Provider: send the mail of \(f.fromNamed) with a bounce (Return-Path) domain under \(f.domain),"
                + " e.g. bounce.\(f.domain) delegated to the provider, instead of \(f.spfDomain): SPF \(f.spfResult)"
                + " for \(f.spfDomain) does not align with the From domain \(f.from)."
        case .dkimKeyMissing:
            let human = f.human.map { ", \($0)" } ?? ""
            guard let selector = f.selector else {
                return "Publish the DKIM keys for the selectors \(f.selectorList) at <selector>._domainkey."
                    + "\(f.signatureDomain) (the public keys the provider gave you): the receiver reported DKIM"
                    + " \(f.dkimResult) for d=\(f.signatureDomain)\(human) without naming the selector."
            }
            return "Publish the DKIM key for selector \(selector) at \(selector)._domainkey.\(f.signatureDomain)"
                + " (the public key the provider gave you) and check that it is complete: the receiver reported"
                + " DKIM \(f.dkimResult) for d=\(f.signatureDomain) s=\(selector)\(human)."
        case .dkimSelectorUnknown:
            let selector = f.selector ?? "?"
            return "Provider: the mail of \(f.fromNamed) was signed with selector \(selector), which is not among the"
                + " tenant's selectors (\(f.selectorList)). Sign with \(f.selectorList), or, if \(selector) is"
                + " intended, have the tenant publish \(selector)._domainkey.\(f.signatureDomain) and add it to"
                + " the configuration."
        case .dkimNotAligned:
            if f.strictDKIM, signature != nil {
                return "Provider: \(f.domain) requires strict DKIM alignment (adkim=s); sign the mail of \(f.fromNamed)"
                    + " with d=\(f.from) exactly (the signature with d=\(f.signatureDomain) does not count), or have"
                    + " the tenant relax its DMARC record to adkim=r."
            }
            let carried =
                signature.map {
                    "only a signature of \($0.domain) (\($0.result?.rawValue ?? "?")), which does not align with the From domain"
                } ?? "no DKIM signature"
            return
                "Provider: sign the mail of \(f.fromNamed) with d=\(f.domain) and selector \(f.firstSelector) (key at"
                + " \(f.firstSelector)._domainkey.\(f.domain)); the messages from \(f.ip) carried \(carried)."
        case .relayBypassed:
            let relay = f.relayHost.map { "through the tenant's relay \($0)" } ?? "through the tenant's relay"
            return "Provider: route the mail of \(f.domainNamed) \(relay): \(f.ip) sent \(messages) directly to the"
                + " receiver, which the tenant's SPF and DKIM do not cover."
        case .relayFailure:
            return "Check your mail relay \(f.ip) for \(f.domainNamed): its messages fail DMARC (SPF \(f.spfResult) for"
                + " \(f.spfDomain), DKIM \(f.dkimResult)). Add \(f.relayMechanisms) to the SPF record of \(f.domain)"
                + " or have the relay sign with DKIM for d=\(f.domain)."
        case .unauthorizedSource:
            return "For information: \(f.ip) is neither a server of the provider nor a relay of the tenant and sent"
                + " \(messages) as \(f.fromNamed) that failed DMARC. If it is one of your own senders, authorise it in"
                + " SPF or DKIM; otherwise it is spoofing, which a DMARC policy of quarantine or reject blocks."
        case .unknownDomain:
            return "Operator: \(f.fromNamed) is no tenant's domain. Add it to the tenant that owns it in the tenants"
                + " file, or ignore these reports if it belongs to no customer."
        }
    }

    private func german(_ f: Facts) -> String {
        let messages = f.count == 1 ? "1 Nachricht" : "\(f.count) Nachrichten"
        switch self.class {
        case .pass:
            return "Nichts zu tun: diese Nachrichten haben DMARC bestanden."
        case .empty:
            return "Nichts zu tun: der Bericht führt \(f.ip) ohne Nachrichten auf."
        case .forwarded:
            let why: String
            switch f.forwardingReason {
            case .override(let type): why = "der Empfänger meldet \(type.rawValue)"
            case .arc: why = "der Empfänger hat der ARC-Kette des Weiterleiters vertraut"
            case .pattern:
                why =
                    "eine gültige DKIM-Signatur von \(f.signatureDomain) kam von einem Server außerhalb der Netze des Anbieters"
            }
            return "Nichts zu tun: \(f.ip) hat diese Nachrichten weitergeleitet (\(why)). Weiterleitung bricht SPF;"
                + " nur eine DKIM-Signatur, die sie übersteht, lässt weitergeleitete Mails DMARC bestehen."
        case .transient:
            let name =
                f.temporaryCheck == "SPF"
                ? f.spfDomain : "\(f.selector.map { "\($0)._domainkey." } ?? "")\(f.signatureDomain)"
            return "Nichts zu tun, solange es vereinzelt bleibt: der Empfänger erhielt beim Prüfen von"
                + " \(f.temporaryCheck) unter \(name) einen vorübergehenden DNS-Fehler (temperror). Tritt er an"
                + " mehreren Tagen auf, prüfen Sie, ob die Nameserver von \(f.domain) zuverlässig antworten."
        case .spfNotAuthorized:
            return "Nehmen Sie die Server des Anbieters (\(f.mechanisms)) in den SPF-Eintrag von \(f.spfDomain) auf,"
                + " z. B. \"v=spf1 \(f.mechanisms) … -all\": \(f.ip) hat \(messages) als \(f.fromNamed) gesendet, SPF"
                + " ergab \(f.spfResult)."
        case .spfRecordError:
            let keep: String
            switch origin {
            case .providerNetwork: keep = " Die Server des Anbieters (\(f.mechanisms)) müssen darin bleiben."
            case .tenantRelay: keep = " Ihr Relay (\(f.relayMechanisms)) muss darin bleiben."
            case .other: keep = ""
            }
            return "Reparieren Sie den SPF-Eintrag von \(f.spfDomain): Empfänger erhalten einen permanenten Fehler"
                + " (permerror), meist wegen mehr als 10 DNS-Abfragen (include, a, mx, ptr, exists, redirect) oder"
                + " eines Syntaxfehlers. Entfernen Sie ungenutzte includes oder ersetzen Sie sie durch"
                + " ip4:/ip6:-Bereiche.\(keep)"
        case .spfNotAligned:
            if f.strictSPF {
                return "Anbieter: \(f.domain) verlangt striktes SPF-Alignment (aspf=s), SPF für \(f.spfDomain) zählt"
                    + " daher nicht; senden Sie die Mails mit genau \(f.from) als Envelope-From (Return-Path),"
                    + " oder der Kunde lockert seinen DMARC-Eintrag auf aspf=r."
            }
            return "Anbieter: senden Sie die Mails von \(f.fromNamed) mit einer Bounce-Domain (Return-Path) unter"
                + " \(f.domain), z. B. bounce.\(f.domain) mit Delegation an den Anbieter, statt \(f.spfDomain):"
                + " SPF \(f.spfResult) für \(f.spfDomain) passt nicht zur Absenderdomain \(f.from) (kein Alignment)."
        case .dkimKeyMissing:
            let human = f.human.map { ", \($0)" } ?? ""
            guard let selector = f.selector else {
                return "Veröffentlichen Sie die DKIM-Schlüssel für die Selektoren \(f.selectorListGerman) unter"
                    + " <Selektor>._domainkey.\(f.signatureDomain) (die öffentlichen Schlüssel, die Ihnen der"
                    + " Anbieter gegeben hat): der Empfänger meldete DKIM \(f.dkimResult) für"
                    + " d=\(f.signatureDomain)\(human), ohne den Selektor zu nennen."
            }
            return "Veröffentlichen Sie den DKIM-Schlüssel für den Selektor \(selector) unter"
                + " \(selector)._domainkey.\(f.signatureDomain) (den öffentlichen Schlüssel, den Ihnen der Anbieter"
                + " gegeben hat) und prüfen Sie, dass er vollständig ist: der Empfänger meldete DKIM \(f.dkimResult)"
                + " für d=\(f.signatureDomain) s=\(selector)\(human)."
        case .dkimSelectorUnknown:
            let selector = f.selector ?? "?"
            return
                "Anbieter: die Mails von \(f.fromNamed) wurden mit dem Selektor \(selector) signiert, der nicht zu den"
                + " Selektoren des Kunden (\(f.selectorListGerman)) gehört. Signieren Sie mit \(f.selectorListGerman),"
                + " oder, falls \(selector) gewollt ist, lassen Sie den Kunden"
                + " \(selector)._domainkey.\(f.signatureDomain) veröffentlichen und ergänzen Sie ihn in der Konfiguration."
        case .dkimNotAligned:
            if f.strictDKIM, signature != nil {
                return "Anbieter: \(f.domain) verlangt striktes DKIM-Alignment (adkim=s); signieren Sie die Mails von"
                    + " \(f.fromNamed) mit genau d=\(f.from) (die Signatur mit d=\(f.signatureDomain) zählt nicht), oder der"
                    + " Kunde lockert seinen DMARC-Eintrag auf adkim=r."
            }
            let carried =
                signature.map {
                    "nur eine Signatur von \($0.domain) (\($0.result?.rawValue ?? "?")), die nicht zur Absenderdomain passt"
                } ?? "keine DKIM-Signatur"
            return "Anbieter: signieren Sie die Mails von \(f.fromNamed) mit d=\(f.domain) und dem Selektor"
                + " \(f.firstSelector) (Schlüssel unter \(f.firstSelector)._domainkey.\(f.domain)); die Nachrichten"
                + " von \(f.ip) trugen \(carried)."
        case .relayBypassed:
            let relay = f.relayHost.map { "über das Relay des Kunden \($0)" } ?? "über das Relay des Kunden"
            return "Anbieter: leiten Sie die Mails von \(f.domainNamed) \(relay): \(f.ip) hat \(messages) direkt an den"
                + " Empfänger gesendet, was SPF und DKIM des Kunden nicht abdecken."
        case .relayFailure:
            return "Prüfen Sie Ihr Mail-Relay \(f.ip) für \(f.domainNamed): seine Nachrichten bestehen DMARC nicht (SPF"
                + " \(f.spfResult) für \(f.spfDomain), DKIM \(f.dkimResult)). Nehmen Sie \(f.relayMechanisms) in den"
                + " SPF-Eintrag von \(f.domain) auf oder lassen Sie das Relay mit DKIM für d=\(f.domain) signieren."
        case .unauthorizedSource:
            return "Zur Information: \(f.ip) ist weder ein Server des Anbieters noch ein Relay des Kunden und hat"
                + " \(messages) als \(f.fromNamed) gesendet, die DMARC nicht bestanden. Gehört der Server zu Ihnen,"
                + " autorisieren Sie ihn per SPF oder DKIM; andernfalls ist es Missbrauch (Spoofing), den eine"
                + " DMARC-Richtlinie mit quarantine oder reject abwehrt."
        case .unknownDomain:
            return "Betreiber: \(f.fromNamed) ist keine Domain eines Kunden. Ordnen Sie sie in der Kundenkonfiguration"
                + " dem Kunden zu, dem sie gehört, oder ignorieren Sie diese Berichte, falls sie zu keinem Kunden gehört."
        }
    }
}
