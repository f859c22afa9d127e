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

    /// What the DNS check says about a diagnosis class, in `language`; nil where it bears on nothing.
    /// `selector`: the failing signature's selector, for the DKIM classes.
    public func line(
        for diagnosisClass: DiagnosisClass, selector: String?, language: Language, now: Int64, maxAgeSeconds: Int64
    ) -> String? {
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
        let de = language == .de
        let problem = relevant.first { $0.verdict == "error" } ?? relevant.first { $0.verdict == "warning" }
        if isStale(now: now, maxAgeSeconds: maxAgeSeconds) {
            let hours = maxAgeSeconds / 3600
            let what = problem.map { "\($0.code) at \($0.name)" } ?? "\(relevant[0].code) at \(relevant[0].name)"
            let whatGerman = problem.map { "\($0.code) unter \($0.name)" } ?? "\(relevant[0].code) unter \(relevant[0].name)"
            return de
                ? "veraltet (geprüft \(checkedText), älter als \(hours) h): damals \(whatGerman); `dmarc dns check --domain \(domain)` prüft neu"
                : "stale (checked \(checkedText), older than \(hours) h): it showed \(what) then; `dmarc dns check --domain \(domain)` checks again"
        }
        if let problem {
            if problem.code == "dkim-key-missing" {
                return de
                    ? "bestätigt: kein Schlüssel unter \(problem.name) (geprüft \(checkedText))"
                    : "confirmed: no key at \(problem.name) (checked \(checkedText))"
            }
            return de
                ? "DNS bestätigt (geprüft \(checkedText)): \(problem.german)"
                : "confirmed by DNS (checked \(checkedText)): \(problem.english)"
        }
        let ok = relevant[0]
        if ok.check.hasPrefix("dkim:") {
            return de
                ? "der Schlüssel ist jetzt veröffentlicht unter \(ok.name) (geprüft \(checkedText)): seit dem letzten fehlgeschlagenen Bericht behoben?"
                : "the key is published now at \(ok.name) (checked \(checkedText)): fixed since the last failing report?"
        }
        return de
            ? "der SPF-Eintrag ist jetzt in Ordnung (geprüft \(checkedText)): seit dem letzten fehlgeschlagenen Bericht behoben?"
            : "the SPF record is right now (checked \(checkedText)): fixed since the last failing report?"
    }
}

extension SupportQueries {
    /// The latest stored DNS check of exactly `domain`, or nil when it was never checked.
    public func dnsEvidence(domain: String) throws -> DNSEvidence? {
        let result = try connection.query(
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
