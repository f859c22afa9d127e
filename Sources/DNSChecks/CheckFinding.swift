import Diagnosis
import Resolver

/// How a check came out: ok, worth a look, or broken (mail fails or reports are lost).
public enum CheckVerdict: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
    case ok, warning, error

    private var rank: Int {
        switch self {
        case .ok: 0
        case .warning: 1
        case .error: 2
        }
    }

    public static func < (lhs: CheckVerdict, rhs: CheckVerdict) -> Bool { lhs.rank < rhs.rank }
}

/// One judged fact about a domain's DNS: which check, a stable code, the name looked at, and what
/// was found with the fix, in both languages (addressed like the diagnosis' recommendations:
/// tenant-side fixes speak to the tenant, provider-side ones start with "Provider:").
public struct CheckFinding: Sendable, Hashable, Codable {
    /// `dmarc`, `spf` or `dkim:<selector>`.
    public var check: String
    /// Stable, for scripts and for the evidence beside diagnoses (`dkim-key-missing`, `spf-lookup-limit`).
    public var code: String
    public var verdict: CheckVerdict
    /// The DNS name the finding is about.
    public var name: String
    public var english: String
    public var german: String

    public init(
        check: String, code: String, verdict: CheckVerdict, name: String, english: String, german: String
    ) {
        self.check = check
        self.code = code
        self.verdict = verdict
        self.name = name
        self.english = english
        self.german = german
    }

    /// An error-verdict finding: the form most findings take.
    static func error(_ check: String, _ code: String, at name: String, _ english: String, _ german: String) -> CheckFinding {
        CheckFinding(check: check, code: code, verdict: .error, name: name, english: english, german: german)
    }

    public func text(_ language: Language) -> String {
        language.isGerman ? language.spelling(german) : english
    }
}

/// Text for a query that did not get a definite answer: "the DNS failed" is not "no record".
enum DNSFailureText {
    static func finding(check: String, code: String, answer: DNSAnswer, what: String, was: String) -> CheckFinding {
        let reason: (en: String, de: String)
        switch answer.outcome {
        case .servfail: reason = ("answered SERVFAIL", "antworteten mit SERVFAIL")
        case .refused: reason = ("refused the query", "verweigerten die Anfrage")
        case .timeout: reason = ("did not answer in time", "antworteten nicht rechtzeitig")
        case .cnameLoop: reason = ("returned a CNAME loop", "lieferten eine CNAME-Schleife")
        default: reason = ("failed (\(answer.detail ?? "no answer"))", "scheiterten (\(answer.detail ?? "keine Antwort"))")
        }
        return CheckFinding(
            check: check, code: code, verdict: .error, name: answer.name,
            english: "The name servers \(reason.en) for \(answer.name) (\(what)): the record could not be checked,"
                + " and receivers fail the same way (temperror). Make sure the name servers of the domain answer.",
            german: "Die Nameserver \(reason.de) für \(answer.name) (\(was)): der Eintrag ließ sich nicht prüfen,"
                + " und Empfänger scheitern genauso (temperror). Sorgen Sie dafür, dass die Nameserver der Domain"
                + " antworten.")
    }
}
