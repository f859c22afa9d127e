import DMARC
import Diagnosis
import Foundation
import Resolver

/// Checks one configured domain's DMARC, SPF and DKIM records against what the provider and the
/// tenant agreed (the tenants-file entry in force). Pure apart from the lookups it is given.
public struct DomainChecker: Sendable {
    public var provider: ProviderConfiguration
    public var suffixes: PublicSuffixList

    public init(provider: ProviderConfiguration, suffixes: PublicSuffixList) {
        self.provider = provider
        self.suffixes = suffixes
    }

    public func check(
        tenant: Tenant, entry: TenantDomain, lookup: any DNSLookup, now: Int64
    ) async -> DomainCheck {
        let recording = RecordingLookup(lookup)
        var findings: [CheckFinding] = []
        var facts: [String] = []
        var asked = ["dmarc"]
        findings += await dmarc(entry.domain, lookup: recording, facts: &facts)
        if entry.method == .spf || entry.method == .relay {
            asked.append("spf")
            findings += await spf(entry, lookup: recording, facts: &facts)
        }
        if entry.method == .dkim {
            for selector in entry.dkimSelectors {
                asked.append("dkim:\(selector)")
                findings += await dkim(entry, selector: selector, lookup: recording, facts: &facts)
            }
        }
        return DomainCheck(
            domain: entry.domain, tenantID: tenant.id, language: tenant.language, method: entry.method,
            checkedAt: now, asked: asked, findings: findings, answers: recording.answers, facts: facts)
    }

    // MARK: DMARC

    func dmarc(_ domain: String, lookup: any DNSLookup, facts: inout [String]) async -> [CheckFinding] {
        let check = "dmarc"
        var name = "_dmarc.\(domain)"
        var answer = await lookup.lookup(name, .txt)
        guard answer.outcome.isDefinite else {
            return [DNSFailureText.finding(check: check, code: "dmarc-dns-failure", answer: answer, what: "DMARC", was: "DMARC")]
        }
        var records = answer.texts.filter(DMARCRecord.isDMARC)
        var inherited = false
        if records.isEmpty, let organisational = suffixes.organisationalDomain(of: domain), organisational != domain {
            name = "_dmarc.\(organisational)"
            answer = await lookup.lookup(name, .txt)
            guard answer.outcome.isDefinite else {
                return [DNSFailureText.finding(check: check, code: "dmarc-dns-failure", answer: answer, what: "DMARC", was: "DMARC")]
            }
            records = answer.texts.filter(DMARCRecord.isDMARC)
            inherited = true
        }
        if records.isEmpty {
            return [
                CheckFinding(
                    check: check, code: "dmarc-missing", verdict: .error, name: "_dmarc.\(domain)",
                    english: "No DMARC record at _dmarc.\(domain)\(inherited ? " nor at \(name)" : ""): receivers"
                        + " send no reports and apply no policy. Publish a TXT record at _dmarc.\(domain), e.g."
                        + " \"v=DMARC1; p=none; rua=mailto:\(provider.reportAddress ?? "dmarc@\(domain)")\".",
                    german: "Kein DMARC-Eintrag unter _dmarc.\(domain)\(inherited ? " und unter \(name)" : ""):"
                        + " Empfänger senden keine Berichte und wenden keine Richtlinie an. Veröffentlichen Sie einen"
                        + " TXT-Eintrag unter _dmarc.\(domain), z. B. \"v=DMARC1; p=none; rua=mailto:"
                        + "\(provider.reportAddress ?? "dmarc@\(domain)")\".")
            ]
        }
        if records.count > 1 {
            let (english, german) = (
                "\(records.count) DMARC records at \(name): receivers ignore them all (RFC 7489 §6.6.3). Keep exactly one.",
                "\(records.count) DMARC-Einträge unter \(name): Empfänger ignorieren dann alle (RFC 7489 §6.6.3)."
                    + " Behalten Sie genau einen."
            )
            return [.error(check, "dmarc-multiple", at: name, english, german)]
        }
        let record = DMARCRecord(records[0])
        var findings: [CheckFinding] = []
        let policyTag = inherited ? (record.subdomainPolicy ?? record.policy) : record.policy
        facts.append("dmarc \(inherited ? "inherited from \(name) " : "")p=\(policyTag ?? "-") rua=\(record.tags["rua"] ?? "-")")
        func add(_ code: String, _ verdict: CheckVerdict, _ english: String, _ german: String) {
            findings.append(CheckFinding(check: check, code: code, verdict: verdict, name: name, english: english, german: german))
        }
        if !record.errors.isEmpty {
            let list = record.errors.joined(separator: "; ")
            add("dmarc-syntax", .error,
                "The DMARC record at \(name) has errors: \(list). Correct the record: \"\(records[0])\".",
                "Der DMARC-Eintrag unter \(name) hat Fehler: \(list). Korrigieren Sie den Eintrag: \"\(records[0])\".")
        }
        if !record.unknownTags.isEmpty {
            let list = record.unknownTags.joined(separator: ", ")
            add("dmarc-unknown-tag", .warning,
                "The DMARC record at \(name) has tags receivers ignore: \(list) (a typo?).",
                "Der DMARC-Eintrag unter \(name) hat Tags, die Empfänger ignorieren: \(list) (Tippfehler?).")
        }
        if policyTag?.lowercased() == "none" {
            add("dmarc-policy-none", .warning,
                "The DMARC policy of \(domain) is none (monitoring only): forged mail in its name is delivered. Once"
                    + " the reports show all legitimate mail passing, move to p=quarantine, then p=reject.",
                "Die DMARC-Richtlinie von \(domain) ist none (nur Beobachtung): gefälschte Mails in ihrem Namen werden"
                    + " zugestellt. Sobald die Berichte zeigen, dass alle echten Mails bestehen, stellen Sie auf"
                    + " p=quarantine und dann p=reject um.")
        }
        findings += reportAddressFindings(record, policyDomain: String(name.dropFirst("_dmarc.".count)), name: name)
        findings += await externalDestinationFindings(record, policyDomain: String(name.dropFirst("_dmarc.".count)), lookup: lookup)
        if findings.allSatisfy({ $0.verdict == .ok }) {
            let source = inherited ? " (inherited from \(name))" : ""
            findings.append(
                CheckFinding(
                    check: check, code: "dmarc-ok", verdict: .ok, name: name,
                    english: "DMARC record found\(source): p=\(policyTag ?? "-"), reports to \(record.tags["rua"] ?? "-").",
                    german: "DMARC-Eintrag gefunden\(inherited ? " (geerbt von \(name))" : ""): p=\(policyTag ?? "-"),"
                        + " Berichte an \(record.tags["rua"] ?? "-")."))
        }
        return findings
    }

    private func reportAddressFindings(_ record: DMARCRecord, policyDomain: String, name: String) -> [CheckFinding] {
        guard let wanted = provider.reportAddress else { return [] }
        let addresses = record.reportAddresses
        if addresses.contains(where: { $0.lowercased() == wanted.lowercased() }) { return [] }
        let now = addresses.isEmpty ? "no rua" : "rua=\(record.tags["rua"] ?? "")"
        let nowGerman = addresses.isEmpty ? "kein rua" : "rua=\(record.tags["rua"] ?? "")"
        return [
            CheckFinding(
                check: "dmarc", code: "dmarc-rua-misses-provider", verdict: .error, name: name,
                english: "The DMARC record at \(name) has \(now): the provider receives no reports for \(policyDomain)."
                    + " Add mailto:\(wanted) to rua (rua=mailto:\(wanted), separated by commas from other addresses).",
                german: "Der DMARC-Eintrag unter \(name) hat \(nowGerman): der Anbieter erhält keine Berichte für"
                    + " \(policyDomain). Ergänzen Sie mailto:\(wanted) in rua (rua=mailto:\(wanted), durch Kommas von"
                    + " anderen Adressen getrennt).")
        ]
    }

    /// RFC 7489 §7.1: a `rua` in another organisational domain needs that domain's consent.
    private func externalDestinationFindings(
        _ record: DMARCRecord, policyDomain: String, lookup: any DNSLookup
    ) async -> [CheckFinding] {
        var findings: [CheckFinding] = []
        let own = suffixes.organisationalDomain(of: policyDomain) ?? policyDomain
        var seen: Set<String> = []
        for address in record.reportAddresses {
            guard let at = address.lastIndex(of: "@") else { continue }
            let ruaDomain = String(address[address.index(after: at)...])
            guard let normalised = Normalise.domain(ruaDomain), seen.insert(normalised).inserted else { continue }
            if (suffixes.organisationalDomain(of: normalised) ?? normalised) == own { continue }
            let name = "\(policyDomain)._report._dmarc.\(normalised)"
            let answer = await lookup.lookup(name, .txt)
            guard answer.outcome.isDefinite else {
                findings.append(
                    DNSFailureText.finding(
                        check: "dmarc", code: "dmarc-dns-failure", answer: answer,
                        what: "the report authorisation", was: "die Berichtsfreigabe"))
                continue
            }
            if answer.texts.contains(where: DMARCRecord.isDMARC) { continue }
            let isProvider = provider.reportAddress.map { $0.lowercased() == address.lowercased() } ?? false
            findings.append(
                CheckFinding(
                    check: "dmarc", code: "dmarc-rua-unauthorised", verdict: .error, name: name,
                    english: (isProvider ? "Provider: publish" : "The owner of \(normalised) must publish")
                        + " a TXT record \"v=DMARC1\" at \(name): without it receivers drop the reports for"
                        + " \(policyDomain) addressed to \(address) (RFC 7489 §7.1).",
                    german: (isProvider ? "Anbieter: veröffentlichen Sie" : "Der Inhaber von \(normalised) muss")
                        + " einen TXT-Eintrag \"v=DMARC1\" unter \(name)\(isProvider ? "" : " veröffentlichen"):"
                        + " ohne ihn verwerfen Empfänger die Berichte für \(policyDomain) an \(address)"
                        + " (RFC 7489 §7.1)."))
        }
        return findings
    }

    // MARK: SPF

    func spf(_ entry: TenantDomain, lookup: any DNSLookup, facts: inout [String]) async -> [CheckFinding] {
        let check = "spf"
        let domain = entry.domain
        let answer = await lookup.lookup(domain, .txt)
        guard answer.outcome.isDefinite else {
            return [DNSFailureText.finding(check: check, code: "spf-dns-failure", answer: answer, what: "SPF", was: "SPF")]
        }
        let records = answer.texts.filter(SPFRecord.isSPF)
        let wanted = entry.method == .relay ? entry.relayNetworks.map(\.spfMechanism).joined(separator: " ") : provider.spfMechanisms
        if records.isEmpty {
            return [
                CheckFinding(
                    check: check, code: "spf-missing", verdict: .error, name: domain,
                    english: "No SPF record at \(domain): receivers cannot tell authorised servers from forged ones."
                        + " Publish a TXT record at \(domain): \"v=spf1 \(wanted) -all\".",
                    german: "Kein SPF-Eintrag unter \(domain): Empfänger können berechtigte Server nicht von"
                        + " Fälschungen unterscheiden. Veröffentlichen Sie einen TXT-Eintrag unter \(domain):"
                        + " \"v=spf1 \(wanted) -all\".")
            ]
        }
        if records.count > 1 {
            let english = "\(records.count) SPF records at \(domain): SPF fails for every message (permerror, RFC 7208 §4.5)."
            let german = "\(records.count) SPF-Einträge unter \(domain): SPF scheitert für jede Mail (permerror, RFC 7208 §4.5)."
            return [
                .error(
                    check, "spf-multiple", at: domain, english + " Merge them into one record starting with v=spf1.",
                    german + " Führen Sie sie zu einem Eintrag mit v=spf1 zusammen.")
            ]
        }
        var walk = SPFWalk(lookup: lookup)
        await walk.walk(domain: domain, record: records[0], path: [], under: nil)
        for target in walk.reached { facts.append("spf include \(target)") }
        var findings: [CheckFinding] = []
        func add(_ code: String, _ verdict: CheckVerdict, _ english: String, _ german: String) {
            findings.append(CheckFinding(check: check, code: code, verdict: verdict, name: domain, english: english, german: german))
        }
        /// Every network in `networks` lies inside one the record authorises (`+` ip4/ip6/a/mx).
        func requireCovered(
            _ networks: [IPNetwork], _ code: String, _ english: (what: String, mail: String),
            _ german: (what: String, mail: String)
        ) {
            let uncovered = networks.filter { network in !walk.networks.contains { network.isCovered(by: $0) } }
            guard !uncovered.isEmpty else { return }
            let terms = uncovered.map(\.spfMechanism).joined(separator: " ")
            add(code, .error,
                "The SPF record of \(domain) does not cover \(english.what) \(terms): \(english.mail) fails SPF."
                    + " Add \(terms) before the all term.",
                "Der SPF-Eintrag von \(domain) deckt \(german.what) nicht ab (\(terms)): \(german.mail) scheitern an"
                    + " SPF. Ergänzen Sie \(terms) vor dem all-Eintrag.")
        }
        if !walk.errors.isEmpty {
            let list = walk.errors.joined(separator: "; ")
            add("spf-syntax", .error,
                "The SPF record of \(domain) has errors, so SPF fails (permerror): \(list). Correct them.",
                "Der SPF-Eintrag von \(domain) hat Fehler, SPF scheitert daher (permerror): \(list). Korrigieren Sie sie.")
        }
        // The two RFC 7208 §4.6.4 limits, each naming the term that crosses it and the include it is under.
        let limits = [
            (
                "spf-lookup-limit", walk.lookupCrossing,
                "needs \(walk.lookups) DNS lookups, more than the 10 allowed", "The 11th",
                "Remove includes you no longer need or replace them with ip4:/ip6: ranges.",
                "braucht \(walk.lookups) DNS-Abfragen, mehr als die erlaubten 10", "Die 11.",
                "Entfernen Sie nicht mehr benötigte includes oder ersetzen Sie sie durch ip4:/ip6:-Bereiche."
            ),
            (
                "spf-void-limit", walk.voidCrossing,
                "has \(walk.voids) lookups that find nothing, more than the 2 allowed", "The 3rd",
                "Remove terms for names that no longer exist.",
                "hat \(walk.voids) Abfragen ohne Ergebnis, mehr als die erlaubten 2", "Die 3.",
                "Entfernen Sie Einträge für Namen, die es nicht mehr gibt."
            ),
        ]
        for (code, crossing, english, nth, fix, german, nthGerman, fixGerman) in limits {
            guard let crossing else { continue }
            let via = crossing.under.map { " (reached through \($0))" } ?? ""
            let viaGerman = crossing.under.map { " (erreicht über \($0))" } ?? ""
            add(code, .error,
                "The SPF record of \(domain) \(english): SPF fails (permerror). \(nth) is \(crossing.term)\(via). \(fix)",
                "Der SPF-Eintrag von \(domain) \(german): SPF scheitert (permerror). \(nthGerman) ist"
                    + " \(crossing.term)\(viaGerman). \(fixGerman)")
        }
        for mx in walk.mxOverLimit {
            add("spf-mx-limit", .error,
                "\(mx.term) in the SPF record of \(mx.record) names \(mx.names) mail servers, more than the 10 an mx"
                    + " term may have: SPF fails (permerror) when it gets there (RFC 7208 §4.6.4). Replace it with"
                    + " ip4:/ip6: ranges of the servers that send.",
                "\(mx.term) im SPF-Eintrag von \(mx.record) nennt \(mx.names) Mailserver, mehr als die 10, die ein"
                    + " mx-Eintrag haben darf: SPF scheitert dort (permerror, RFC 7208 §4.6.4). Ersetzen Sie ihn"
                    + " durch ip4:/ip6:-Bereiche der Server, die senden.")
        }
        for loop in walk.loops {
            add("spf-loop", .error,
                "The SPF record of \(domain) loops: \(loop). SPF fails (permerror); remove the include.",
                "Der SPF-Eintrag von \(domain) enthält eine Schleife: \(loop). SPF scheitert (permerror);"
                    + " entfernen Sie das include.")
        }
        for missing in walk.missing where walk.voidCrossing == nil || missing.outcome != .nxdomain {
            add("spf-include-missing", .error,
                "\(missing.term) in the SPF record of \(domain) finds no SPF record (\(missing.outcome.rawValue)):"
                    + " SPF fails (permerror) when it gets there. Remove it or correct the name.",
                "\(missing.term) im SPF-Eintrag von \(domain) findet keinen SPF-Eintrag (\(missing.outcome.rawValue)):"
                    + " SPF scheitert dort (permerror). Entfernen oder korrigieren Sie den Namen.")
        }
        for failure in walk.failures.prefix(3) {
            findings.append(DNSFailureText.finding(check: check, code: "spf-dns-failure", answer: failure, what: "SPF", was: "SPF"))
        }
        // The top-level record's `all` decides what happens to everyone else.
        let top = SPFRecord(records[0])
        for term in top.terms {
            guard case .all(let qualifier) = term else { continue }
            if qualifier == .pass {
                add("spf-all-pass", .error,
                    "The SPF record of \(domain) ends in +all: every server in the world passes SPF for \(domain)."
                        + " Replace it with -all (or ~all).",
                    "Der SPF-Eintrag von \(domain) endet auf +all: jeder Server der Welt besteht SPF für \(domain)."
                        + " Ersetzen Sie es durch -all (oder ~all).")
            } else if qualifier == .neutral {
                add("spf-all-neutral", .warning,
                    "The SPF record of \(domain) ends in ?all: it says nothing about other servers, so forged mail"
                        + " is not flagged. Use -all (or ~all).",
                    "Der SPF-Eintrag von \(domain) endet auf ?all: er sagt nichts über andere Server, gefälschte"
                        + " Mails werden nicht erkannt. Verwenden Sie -all (oder ~all).")
            }
        }
        if !walk.ptrTerms.isEmpty {
            add("spf-ptr", .warning,
                "The SPF record of \(domain) uses \(walk.ptrTerms.joined(separator: ", ")): deprecated (RFC 7208 §5.5),"
                    + " slow and ignored by some receivers. Replace it with ip4:/ip6: ranges.",
                "Der SPF-Eintrag von \(domain) verwendet \(walk.ptrTerms.joined(separator: ", ")): veraltet"
                    + " (RFC 7208 §5.5), langsam und von manchen Empfängern ignoriert. Ersetzen Sie es durch"
                    + " ip4:/ip6:-Bereiche.")
        }
        switch entry.method {
        case .spf:
            if let include = provider.spfInclude {
                if !walk.reached.contains(include) {
                    add("spf-provider-missing", .error,
                        "The SPF record of \(domain) does not include the provider (include:\(include)): the provider's"
                            + " mail fails SPF. Add include:\(include) before the all term: \"\(Self.suggested(records[0], adding: "include:\(include)"))\".",
                        "Der SPF-Eintrag von \(domain) bindet den Anbieter nicht ein (include:\(include)): die Mails"
                            + " des Anbieters scheitern an SPF. Ergänzen Sie include:\(include) vor dem all-Eintrag:"
                            + " \"\(Self.suggested(records[0], adding: "include:\(include)"))\".")
                }
            } else {
                requireCovered(
                    provider.networks, "spf-provider-missing", ("the provider's servers", "their mail"),
                    ("die Server des Anbieters", "deren Mails"))
            }
        case .relay:
            requireCovered(
                entry.relayNetworks, "spf-relay-missing", ("the relay's networks", "mail from your relay"),
                ("die Netze Ihres Relays", "Mails Ihres Relays"))
        case .dkim:
            break
        }
        if findings.allSatisfy({ $0.verdict == .ok }) {
            add("spf-ok", .ok,
                "SPF record found: \(walk.lookups) of 10 DNS lookups, \(walk.voids) of 2 void lookups; authorises the"
                    + " \(entry.method == .relay ? "relay" : "provider").",
                "SPF-Eintrag gefunden: \(walk.lookups) von 10 DNS-Abfragen, \(walk.voids) von 2 leeren Abfragen;"
                    + " berechtigt \(entry.method == .relay ? "das Relay" : "den Anbieter").")
        }
        return findings
    }

    /// The record with `term` inserted before its `all` (or at the end).
    static func suggested(_ record: String, adding term: String) -> String {
        var words = record.split(separator: " ").map(String.init)
        if let all = words.firstIndex(where: { ["all", "-all", "~all", "?all", "+all"].contains($0.lowercased()) }) {
            words.insert(term, at: all)
        } else {
            words.append(term)
        }
        return words.joined(separator: " ")
    }

    // MARK: DKIM

    func dkim(_ entry: TenantDomain, selector: String, lookup: any DNSLookup, facts: inout [String]) async -> [CheckFinding] {
        let check = "dkim:\(selector)"
        let name = "\(selector)._domainkey.\(entry.domain)"
        let answer = await lookup.lookup(name, .txt)
        guard answer.outcome.isDefinite else {
            return [DNSFailureText.finding(check: check, code: "dkim-dns-failure", answer: answer, what: "DKIM", was: "DKIM")]
        }
        let via = answer.cnames.last.map { " (via CNAME to \($0))" } ?? ""
        let viaGerman = answer.cnames.last.map { " (über CNAME auf \($0))" } ?? ""
        let records = answer.texts.filter(DKIMKeyRecord.looksLikeKey)
        func finding(_ code: String, _ verdict: CheckVerdict, _ english: String, _ german: String) -> CheckFinding {
            CheckFinding(check: check, code: code, verdict: verdict, name: name, english: english, german: german)
        }
        guard let text = records.first else {
            facts.append("dkim \(selector) no key")
            let found = answer.outcome == .nxdomain ? "the name does not exist" : "no key record"
            let foundGerman = answer.outcome == .nxdomain ? "der Name existiert nicht" : "kein Schlüssel-Eintrag"
            return [
                finding(
                    "dkim-key-missing", .error,
                    "No DKIM key at \(name)\(via) (\(found)): every message signed with selector \(selector) fails"
                        + " DKIM. Publish the provider's public key for \(selector) as a TXT record at \(name).",
                    "Kein DKIM-Schlüssel unter \(name)\(viaGerman) (\(foundGerman)): jede mit dem Selektor"
                        + " \(selector) signierte Mail scheitert an DKIM. Veröffentlichen Sie den öffentlichen"
                        + " Schlüssel des Anbieters für \(selector) als TXT-Eintrag unter \(name).")
            ]
        }
        let record = DKIMKeyRecord(text)
        facts.append("dkim \(selector) key sha256:\(record.keySHA256.map { String($0.prefix(16)) } ?? "-")")
        var findings: [CheckFinding] = []
        if records.count > 1 {
            findings.append(
                finding(
                    "dkim-multiple", .warning,
                    "\(records.count) key records at \(name): receivers pick one at random. Keep one.",
                    "\(records.count) Schlüssel-Einträge unter \(name): Empfänger wählen zufällig einen. Behalten Sie einen."))
        }
        if !record.errors.isEmpty {
            findings.append(
                finding(
                    "dkim-syntax", .error,
                    "The key record at \(name) has errors: \(record.errors.joined(separator: "; ")). Correct it.",
                    "Der Schlüssel-Eintrag unter \(name) hat Fehler: \(record.errors.joined(separator: "; ")). Korrigieren Sie ihn."))
        }
        switch record.key {
        case .revoked:
            findings.append(
                finding(
                    "dkim-key-revoked", .error,
                    "The key at \(name)\(via) is empty (p=, revoked): signatures with \(selector) fail. Publish the"
                        + " provider's current key.",
                    "Der Schlüssel unter \(name)\(viaGerman) ist leer (p=, widerrufen): Signaturen mit \(selector)"
                        + " scheitern. Veröffentlichen Sie den aktuellen Schlüssel des Anbieters."))
        case .unreadable(let why):
            findings.append(
                finding(
                    "dkim-key-unreadable", .error,
                    "The key at \(name)\(via) cannot be used: \(why). Publish the provider's key again, complete"
                        + " (long keys are split into several strings of one TXT record).",
                    "Der Schlüssel unter \(name)\(viaGerman) ist unbrauchbar: \(why). Veröffentlichen Sie den Schlüssel"
                        + " des Anbieters erneut und vollständig (lange Schlüssel werden auf mehrere Zeichenketten"
                        + " eines TXT-Eintrags verteilt)."))
        case .rsa(let bits) where bits < 1024:
            findings.append(
                finding(
                    "dkim-key-short", .error,
                    "The key at \(name) is RSA \(bits) bits: receivers ignore keys under 1024 bits (RFC 8301), so"
                        + " signatures with \(selector) fail. Provider: issue a 2048-bit key for \(selector).",
                    "Der Schlüssel unter \(name) ist RSA mit \(bits) Bit: Empfänger ignorieren Schlüssel unter 1024 Bit"
                        + " (RFC 8301), Signaturen mit \(selector) scheitern. Anbieter: stellen Sie einen 2048-Bit-Schlüssel"
                        + " für \(selector) aus."))
        case .rsa(let bits) where bits < 2048:
            findings.append(
                finding(
                    "dkim-key-short", .warning,
                    "The key at \(name) is RSA \(bits) bits: receivers may reject keys under 2048 bits (RFC 8301)."
                        + " Provider: issue a 2048-bit key for \(selector).",
                    "Der Schlüssel unter \(name) ist RSA mit \(bits) Bit: Empfänger lehnen Schlüssel unter 2048 Bit"
                        + " zunehmend ab (RFC 8301). Anbieter: stellen Sie einen 2048-Bit-Schlüssel für \(selector) aus."))
        case .rsa, .ed25519:
            break
        }
        if let expected = entry.dkimKeys[selector], record.key != .revoked, !Self.matches(expected, record) {
            let truncated = Self.isTruncation(published: record.tags["p"] ?? "", of: expected)
            findings.append(
                finding(
                    "dkim-key-different", .error,
                    "The key at \(name)\(via) is not the provider's key for \(selector)"
                        + (truncated ? " (it is cut off)" : " (stale or from another sender)")
                        + ": signatures fail. Publish the provider's key for \(selector) exactly as given.",
                    "Der Schlüssel unter \(name)\(viaGerman) ist nicht der Schlüssel des Anbieters für \(selector)"
                        + (truncated ? " (er ist abgeschnitten)" : " (veraltet oder von einem anderen Absender)")
                        + ": Signaturen scheitern. Veröffentlichen Sie den Schlüssel des Anbieters für \(selector)"
                        + " genau wie vorgegeben."))
        }
        if findings.allSatisfy({ $0.verdict == .ok }) {
            let kind: String
            switch record.key {
            case .rsa(let bits): kind = "RSA \(bits)"
            default: kind = "Ed25519"
            }
            let compared = entry.dkimKeys[selector] != nil
            findings.append(
                finding(
                    "dkim-ok", .ok,
                    "Key published at \(name)\(via): \(kind)\(compared ? ", the provider's key" : "").",
                    "Schlüssel veröffentlicht unter \(name)\(viaGerman): \(kind)\(compared ? ", der Schlüssel des Anbieters" : "")."))
        }
        return findings
    }

    static func matches(_ expected: String, _ record: DKIMKeyRecord) -> Bool {
        guard let published = record.keyBytes else { return false }
        if expected.lowercased().hasPrefix("sha256:") {
            return record.keySHA256 == expected.dropFirst(7).lowercased()
        }
        return Data(base64Encoded: expected) == published
    }

    /// The published base64 is a proper prefix of the configured one.
    static func isTruncation(published: String, of expected: String) -> Bool {
        !expected.lowercased().hasPrefix("sha256:") && published.count < expected.count && expected.hasPrefix(published)
    }
}
