import DMARC
import Diagnosis
import Foundation

/// What `dns check` prints: a text report grouped by domain, or JSON with every answer.
public enum DNSCheckOutput {
    /// One block per domain: its verdict, each finding with its verdict mark, and what changed since
    /// the previous run. Text from DNS answers is made printable (no control characters reach the terminal).
    public static func text(_ checks: [DomainCheck], changes: [String: FactChanges], language: Language?) -> String {
        var out = ""
        var counts: [CheckVerdict: Int] = [:]
        for check in checks {
            counts[check.verdict, default: 0] += 1
            let lang = language ?? check.language
            out += "\(DomainDisplay.named(check.domain))  \(check.verdict.rawValue.uppercased())"
                + "  (tenant \(check.tenantID), method \(check.method.rawValue))\n"
            for finding in check.findings {
                let mark: String
                switch finding.verdict {
                case .ok: mark = "ok     "
                case .warning: mark = "warning"
                case .error: mark = "error  "
                }
                out += "  \(mark) \(finding.check.padding(toLength: 10, withPad: " ", startingAt: 0)) \(finding.code)\n"
                out += "          \(Printable.text(finding.text(lang)))\n"
            }
            if let change = changes[check.domain] {
                let since = Self.day(change.since)
                for fact in change.removed {
                    out += lang == .de ? "  changed  entfernt seit \(since): \(Printable.text(fact))\n"
                        : "  changed  removed since \(since): \(Printable.text(fact))\n"
                }
                for fact in change.added {
                    out += lang == .de ? "  changed  neu seit \(since): \(Printable.text(fact))\n"
                        : "  changed  new since \(since): \(Printable.text(fact))\n"
                }
            }
        }
        out += "checked \(checks.count) domain\(checks.count == 1 ? "" : "s"): \(counts[.ok, default: 0]) ok,"
            + " \(counts[.warning, default: 0]) warning, \(counts[.error, default: 0]) error\n"
        return out
    }

    public static func json(_ checks: [DomainCheck], changes: [String: FactChanges]) -> String {
        struct Change: Encodable {
            var since: String
            var added: [String]
            var removed: [String]
        }
        struct Entry: Encodable {
            var check: DomainCheck
            var verdict: CheckVerdict
            var changes: Change?
            enum CodingKeys: String, CodingKey { case domain, tenant, method, checkedAt = "checked_at", verdict, asked, findings, answers, facts, changes }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(check.domain, forKey: .domain)
                try c.encode(check.tenantID, forKey: .tenant)
                try c.encode(check.method, forKey: .method)
                try c.encode(DNSCheckOutput.timestamp(check.checkedAt), forKey: .checkedAt)
                try c.encode(verdict, forKey: .verdict)
                try c.encode(check.asked, forKey: .asked)
                try c.encode(check.findings, forKey: .findings)
                try c.encode(check.answers, forKey: .answers)
                try c.encode(check.facts, forKey: .facts)
                try c.encodeIfPresent(changes, forKey: .changes)
            }
        }
        let entries = checks.map { check in
            Entry(
                check: check, verdict: check.verdict,
                changes: changes[check.domain].map {
                    Change(since: Self.timestamp($0.since), added: $0.added, removed: $0.removed)
                })
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(entries)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    /// `2026-12-07`, UTC.
    static func day(_ epoch: Int64) -> String { Day(epochSeconds: epoch).description }

    /// `2026-12-07T02:00:00Z`.
    static func timestamp(_ epoch: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(epoch)))
    }
}
