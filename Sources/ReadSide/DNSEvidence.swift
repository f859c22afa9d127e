import DMARC
import Diagnosis
import Foundation
import Postgres

/// A domain's latest stored `dns check` (table `dns_checks`): the DNS evidence shown beside the
/// diagnosis of its failures. Read here from the stored JSON, so the read side needs nothing of
/// the checking code.
public struct DNSEvidence: Sendable, Hashable, Encodable {
    public struct Finding: Sendable, Hashable, Codable {
        public var check: String
        public var code: String
        public var verdict: String
        public var name: String
        public var english: String
        public var german: String
    }

    public var domain: String
    /// Epoch seconds.
    public var checkedAt: Int64
    public var verdict: String
    public var findings: [Finding]

    /// How old a check may be and still be shown as current: 2 days (a nightly run and a missed one).
    public static let defaultMaxAgeSeconds: Int64 = 48 * 3600

    public func isStale(now: Int64, maxAgeSeconds: Int64) -> Bool { now - checkedAt > maxAgeSeconds }

    /// `2026-12-07 02:00` (UTC).
    public var checkedText: String {
        let days = checkedAt >= 0 ? checkedAt / 86_400 : (checkedAt - 86_399) / 86_400
        let seconds = checkedAt - days * 86_400
        let time = String(format: "%02d:%02d", seconds / 3600, seconds % 3600 / 60)
        return "\(Day(daysSinceEpoch: Int(days))) \(time)"
    }

    /// What the check shows about a class: the findings that bear on it, the worst of them when
    /// it is a problem, and whether the check is too old to count as current.
    struct Bearing {
        var relevant: [Finding]
        var problem: Finding?
        var isStale: Bool
    }

    /// Nil where the check bears on nothing of `diagnosisClass`. `selector`: the failing
    /// signature's selector, for the DKIM classes (nil: every configured selector).
    func bearing(on diagnosisClass: DiagnosisClass, selector: String?, now: Int64, maxAgeSeconds: Int64) -> Bearing? {
        let relevant: [Finding]
        switch diagnosisClass {
        case .dkimKeyMissing, .dkimSelectorUnknown:
            let dkim = findings.filter { $0.check.hasPrefix("dkim:") }
            let forSelector = selector.map { selector in dkim.filter { $0.check == "dkim:\(selector)" } } ?? []
            relevant = forSelector.isEmpty ? dkim : forSelector
        case .spfNotAuthorized, .spfRecordError, .relayFailure:
            relevant = findings.filter { $0.check == "spf" }
        default:
            return nil
        }
        guard !relevant.isEmpty else { return nil }
        let problem = relevant.first { $0.verdict == "error" } ?? relevant.first { $0.verdict == "warning" }
        return Bearing(relevant: relevant, problem: problem, isStale: isStale(now: now, maxAgeSeconds: maxAgeSeconds))
    }

    /// Who reads the evidence: support (`failures`, `domain`: the codes, and the command that checks
    /// again) or the customer (the monthly report: neither, the time said to be UTC).
    enum Voice { case support, customer }

    /// `bearing` in words, in `language`: one place for both voices, so they say the same thing.
    func words(_ bearing: Bearing, voice: Voice, language: Language, maxAgeSeconds: Int64) -> String {
        let support = voice == .support
        let when = support ? checkedText : "\(checkedText) UTC"
        let isDKIM = bearing.relevant[0].check.hasPrefix("dkim:")
        let text: (en: String, de: String)
        if bearing.isStale {
            let hours = maxAgeSeconds / 3600
            if support {
                let shown = bearing.problem ?? bearing.relevant[0]
                text = (
                    "stale (checked \(when), older than \(hours) h): it showed \(shown.code) at \(shown.name) then;"
                        + " `dmarc dns check --domain \(domain)` checks again",
                    "veraltet (geprüft \(when), älter als \(hours) h): damals \(shown.code) unter \(shown.name);"
                        + " `dmarc dns check --domain \(domain)` prüft neu")
            } else {
                let then: (en: String, de: String) =
                    if let problem = bearing.problem { (problem.english, problem.german) }
                    else if isDKIM { ("The key was published.", "Der Schlüssel war veröffentlicht.") }
                    else { ("The SPF record was in order.", "Der SPF-Eintrag war in Ordnung.") }
                text = (
                    "Last DNS check on \(when), older than \(hours) hours and so possibly out of date. It showed then: \(then.en)",
                    "Letzte DNS-Prüfung am \(when), älter als \(hours) Stunden und darum womöglich nicht mehr aktuell."
                        + " Damals: \(then.de)")
            }
        } else if let problem = bearing.problem, problem.code == "dkim-key-missing" {
            text = support
                ? ("confirmed: no key at \(problem.name) (checked \(when))",
                    "bestätigt: kein Schlüssel unter \(problem.name) (geprüft \(when))")
                : ("The DNS check of \(when) confirms it: no key is published at \(problem.name).",
                    "Die DNS-Prüfung vom \(when) bestätigt es: unter \(problem.name) ist kein Schlüssel veröffentlicht.")
        } else if let problem = bearing.problem {
            text = support
                ? ("confirmed by DNS (checked \(when)): \(problem.english)", "DNS bestätigt (geprüft \(when)): \(problem.german)")
                : ("The DNS check of \(when) confirms it: \(problem.english)",
                    "Die DNS-Prüfung vom \(when) bestätigt es: \(problem.german)")
        } else if isDKIM && support {
            let name = bearing.relevant[0].name
            text = (
                "the key is published now at \(name) (checked \(when)): fixed since the last failing report?",
                "der Schlüssel ist jetzt veröffentlicht unter \(name) (geprüft \(when)): seit dem letzten"
                    + " fehlgeschlagenen Bericht behoben?")
        } else if isDKIM {
            // Every configured selector's key: the report does not name the failing selector.
            var names: [String] = []
            for finding in bearing.relevant where !names.contains(finding.name) { names.append(finding.name) }
            let one = names.count == 1
            let list = names.joined(separator: ", ")
            text = (
                "The DNS check of \(when) finds \(one ? "the key" : "the keys") published at \(list): possibly fixed"
                    + " since the last failing report.",
                "Die DNS-Prüfung vom \(when) findet \(one ? "den Schlüssel" : "die Schlüssel") unter \(list)"
                    + " veröffentlicht: womöglich seit dem letzten fehlgeschlagenen Bericht behoben.")
        } else {
            text = support
                ? ("the SPF record is right now (checked \(when)): fixed since the last failing report?",
                    "der SPF-Eintrag ist jetzt in Ordnung (geprüft \(when)): seit dem letzten fehlgeschlagenen Bericht behoben?")
                : ("The DNS check of \(when) finds the SPF record in order: possibly fixed since the last failing report.",
                    "Die DNS-Prüfung vom \(when) findet den SPF-Eintrag in Ordnung: womöglich seit dem letzten"
                        + " fehlgeschlagenen Bericht behoben.")
        }
        return language.isGerman ? language.spelling(text.de) : text.en
    }

    /// What the DNS check says about a diagnosis class, in `language`, for support (`failures`,
    /// `domain`); nil where it bears on nothing.
    public func line(
        for diagnosisClass: DiagnosisClass, selector: String?, language: Language, now: Int64, maxAgeSeconds: Int64
    ) -> String? {
        note(for: diagnosisClass, selector: selector, language: language, now: now, maxAgeSeconds: maxAgeSeconds)?.text
    }

    /// The evidence beside one row of `failures`: what it means and `line`'s text.
    public struct Note: Sendable, Hashable, Encodable {
        public enum Status: String, Sendable, Hashable, Encodable {
            /// The check shows the problem the class names.
            case confirmed
            /// The check shows the records right: fixed since the failing reports?
            case fixed
            /// The check is older than the allowed age: what it showed then, not now.
            case stale
        }

        public var status: Status
        public var text: String
    }

    /// `line` with its status, for `failures --format json|csv`; nil where it bears on nothing.
    public func note(
        for diagnosisClass: DiagnosisClass, selector: String?, language: Language, now: Int64, maxAgeSeconds: Int64
    ) -> Note? {
        guard let bearing = bearing(on: diagnosisClass, selector: selector, now: now, maxAgeSeconds: maxAgeSeconds) else {
            return nil
        }
        let status: Note.Status = bearing.isStale ? .stale : bearing.problem == nil ? .fixed : .confirmed
        return Note(status: status, text: words(bearing, voice: .support, language: language, maxAgeSeconds: maxAgeSeconds))
    }

    /// The same evidence, worded for the customer in the monthly report (every configured selector,
    /// as a problem does not name one); nil where it bears on nothing.
    public func reportLine(
        for diagnosisClass: DiagnosisClass, language: Language, now: Int64, maxAgeSeconds: Int64
    ) -> String? {
        guard let bearing = bearing(on: diagnosisClass, selector: nil, now: now, maxAgeSeconds: maxAgeSeconds) else {
            return nil
        }
        return words(bearing, voice: .customer, language: language, maxAgeSeconds: maxAgeSeconds)
    }
}

extension SupportQueries {
    /// The latest stored DNS check of exactly `domain`, or nil when it was never checked.
    public func dnsEvidence(domain: String) throws -> DNSEvidence? { try connection.latestDNSEvidence(domain: domain) }
}

extension PostgresConnection {
    /// The latest stored DNS check of exactly `domain`, or nil when it was never checked: the one
    /// reading behind `failures`, `domain` and the monthly report.
    func latestDNSEvidence(domain: String) throws -> DNSEvidence? {
        let result = try query(
            """
            SELECT extract(epoch FROM checked_at)::bigint AS checked_at, verdict, findings::text AS findings
            FROM dns_checks WHERE domain = $1 ORDER BY checked_at DESC, id DESC LIMIT 1
            """, [Normalise.domain(domain) ?? domain])
        guard let row = result.rows.first else { return nil }
        let json: String = try row.decode("findings")
        // A check stored by a version whose findings read differently counts as no evidence, not as an error.
        guard let findings = try? JSONDecoder().decode([DNSEvidence.Finding].self, from: Data(json.utf8)) else {
            return nil
        }
        return DNSEvidence(
            domain: domain, checkedAt: try row.decode("checked_at"), verdict: try row.decode("verdict"), findings: findings)
    }
}
