import Diagnosis
import Foundation
import Resolver

/// One domain's check: what was asked, the raw answers, the findings, and comparable facts.
public struct DomainCheck: Sendable, Codable {
    public var domain: String
    public var tenantID: String
    public var language: Language
    public var method: SendingMethod
    /// Epoch seconds.
    public var checkedAt: Int64
    /// The checks made: `dmarc`, `spf`, `dkim:<selector>`.
    public var asked: [String]
    public var findings: [CheckFinding]
    /// Every DNS answer the checks used, in the order asked.
    public var answers: [DNSAnswer]
    /// Facts that are compared run to run to show changes (`spf include:_spf.provider.example`,
    /// `dkim hr1 key sha256:…`, `dmarc p=reject`).
    public var facts: [String]

    public var verdict: CheckVerdict { findings.map(\.verdict).max() ?? .ok }

    public init(
        domain: String, tenantID: String, language: Language, method: SendingMethod, checkedAt: Int64,
        asked: [String], findings: [CheckFinding], answers: [DNSAnswer], facts: [String]
    ) {
        self.domain = domain
        self.tenantID = tenantID
        self.language = language
        self.method = method
        self.checkedAt = checkedAt
        self.asked = asked
        self.findings = findings
        self.answers = answers
        self.facts = facts
    }
}

/// Remembers every answer a domain's checks used, so the run stores exactly what it judged.
final class RecordingLookup: DNSLookup, @unchecked Sendable {
    private let base: any DNSLookup
    private let lock = NSLock()
    private var recorded: [DNSAnswer] = []

    init(_ base: any DNSLookup) { self.base = base }

    func lookup(_ name: String, _ type: DNSRecordType) async -> DNSAnswer {
        let answer = await base.lookup(name, type)
        lock.withLock { recorded.append(answer) }
        return answer
    }

    var answers: [DNSAnswer] {
        lock.withLock { recorded }
    }
}
