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

        /// The finding a stale line names: the problem it showed then, else what it looked at.
        var shown: Finding { problem ?? relevant[0] }
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

    /// What the DNS check says about a diagnosis class, in `language`, for support (`failures`,
    /// with the codes and the command that checks again); nil where it bears on nothing.
    public func line(
        for diagnosisClass: DiagnosisClass, selector: String?, language: Language, now: Int64, maxAgeSeconds: Int64
    ) -> String? {
        guard let bearing = bearing(on: diagnosisClass, selector: selector, now: now, maxAgeSeconds: maxAgeSeconds) else {
            return nil
        }
        let de = language.isGerman
        let text: String
        if bearing.isStale {
            let hours = maxAgeSeconds / 3600
            let shown = bearing.shown
            text = de
                ? "veraltet (geprüft \(checkedText), älter als \(hours) h): damals \(shown.code) unter \(shown.name); `dmarc dns check --domain \(domain)` prüft neu"
                : "stale (checked \(checkedText), older than \(hours) h): it showed \(shown.code) at \(shown.name) then; `dmarc dns check --domain \(domain)` checks again"
        } else if let problem = bearing.problem {
            if problem.code == "dkim-key-missing" {
                text = de
                    ? "bestätigt: kein Schlüssel unter \(problem.name) (geprüft \(checkedText))"
                    : "confirmed: no key at \(problem.name) (checked \(checkedText))"
            } else {
                text = de
                    ? "DNS bestätigt (geprüft \(checkedText)): \(problem.german)"
                    : "confirmed by DNS (checked \(checkedText)): \(problem.english)"
            }
        } else if bearing.relevant[0].check.hasPrefix("dkim:") {
            text = de
                ? "der Schlüssel ist jetzt veröffentlicht unter \(bearing.relevant[0].name) (geprüft \(checkedText)): seit dem letzten fehlgeschlagenen Bericht behoben?"
                : "the key is published now at \(bearing.relevant[0].name) (checked \(checkedText)): fixed since the last failing report?"
        } else {
            text = de
                ? "der SPF-Eintrag ist jetzt in Ordnung (geprüft \(checkedText)): seit dem letzten fehlgeschlagenen Bericht behoben?"
                : "the SPF record is right now (checked \(checkedText)): fixed since the last failing report?"
        }
        return de ? language.spelling(text) : text
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
        guard let bearing = bearing(on: diagnosisClass, selector: selector, now: now, maxAgeSeconds: maxAgeSeconds),
            let text = line(
                for: diagnosisClass, selector: selector, language: language, now: now, maxAgeSeconds: maxAgeSeconds)
        else { return nil }
        let status: Note.Status = bearing.isStale ? .stale : bearing.problem == nil ? .fixed : .confirmed
        return Note(status: status, text: text)
    }

    /// The same evidence as `line`, worded for the customer in the monthly report: no codes, no
    /// commands, the check's time in UTC, a stale check said to be possibly out of date.
    public func reportLine(
        for diagnosisClass: DiagnosisClass, language: Language, now: Int64, maxAgeSeconds: Int64
    ) -> String? {
        guard let bearing = bearing(on: diagnosisClass, selector: nil, now: now, maxAgeSeconds: maxAgeSeconds) else {
            return nil
        }
        let de = language.isGerman
        let when = "\(checkedText) UTC"
        let isDKIM = bearing.relevant[0].check.hasPrefix("dkim:")
        let text: String
        if bearing.isStale {
            let hours = maxAgeSeconds / 3600
            let then: String
            if let problem = bearing.problem {
                then = de ? problem.german : problem.english
            } else {
                then = de
                    ? (isDKIM ? "Der Schlüssel war veröffentlicht." : "Der SPF-Eintrag war in Ordnung.")
                    : (isDKIM ? "The key was published." : "The SPF record was in order.")
            }
            text = de
                ? "Letzte DNS-Prüfung am \(when), älter als \(hours) Stunden und darum womöglich nicht mehr aktuell. Damals: \(then)"
                : "Last DNS check on \(when), older than \(hours) hours and so possibly out of date. It showed then: \(then)"
        } else if let problem = bearing.problem {
            if problem.code == "dkim-key-missing" {
                text = de
                    ? "Die DNS-Prüfung vom \(when) bestätigt es: unter \(problem.name) ist kein Schlüssel veröffentlicht."
                    : "The DNS check of \(when) confirms it: no key is published at \(problem.name)."
            } else {
                text = de
                    ? "Die DNS-Prüfung vom \(when) bestätigt es: \(problem.german)"
                    : "The DNS check of \(when) confirms it: \(problem.english)"
            }
        } else if isDKIM {
            // Every configured selector: the report does not name the failing one.
            var names: [String] = []
            for finding in bearing.relevant where !names.contains(finding.name) { names.append(finding.name) }
            let one = names.count == 1
            let list = names.joined(separator: ", ")
            text = de
                ? "Die DNS-Prüfung vom \(when) findet \(one ? "den Schlüssel" : "die Schlüssel") unter \(list) veröffentlicht: womöglich seit dem letzten fehlgeschlagenen Bericht behoben."
                : "The DNS check of \(when) finds \(one ? "the key" : "the keys") published at \(list): possibly fixed since the last failing report."
        } else {
            text = de
                ? "Die DNS-Prüfung vom \(when) findet den SPF-Eintrag in Ordnung: womöglich seit dem letzten fehlgeschlagenen Bericht behoben."
                : "The DNS check of \(when) finds the SPF record in order: possibly fixed since the last failing report."
        }
        return de ? language.spelling(text) : text
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
