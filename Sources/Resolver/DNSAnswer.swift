/// The record types the DNS checks ask for.
public enum DNSRecordType: String, Sendable, Hashable, Codable, CaseIterable {
    case a = "A", aaaa = "AAAA", cname = "CNAME", mx = "MX", txt = "TXT"

    var code: Int32 {
        switch self {
        case .a: 1
        case .cname: 5
        case .mx: 15
        case .txt: 16
        case .aaaa: 28
        }
    }
}

/// How a query ended. "No record" (nxdomain, noData) is an answer about the domain; servfail,
/// refused, timeout and failure say the DNS could not be asked and prove nothing about the record.
public enum DNSOutcome: String, Sendable, Hashable, Codable {
    /// Records of the type asked for.
    case answer
    /// The name exists but has no record of that type (NOERROR, empty answer).
    case noData = "nodata"
    /// The name does not exist.
    case nxdomain
    case servfail
    case refused
    case timeout
    /// A CNAME chain that loops or runs longer than the resolver follows.
    case cnameLoop = "cname-loop"
    /// Anything else: a malformed answer, a name that cannot be queried, the resolver shut down.
    case failure

    /// The DNS answered about the name (with records or without): the answer can be judged.
    public var isDefinite: Bool { self == .answer || self == .noData || self == .nxdomain }
}

/// One question's answer, with the CNAME chain followed to reach it.
public struct DNSAnswer: Sendable, Hashable, Codable {
    public var name: String
    public var type: DNSRecordType
    public var outcome: DNSOutcome
    /// Each CNAME target in the order followed (empty when the name had its records itself).
    public var cnames: [String]
    /// TXT: each record's character-strings concatenated without separator (RFC 7208 §3.3,
    /// RFC 6376 §3.6.2.2); bytes that are not UTF-8 are replaced.
    public var texts: [String]
    /// A / AAAA: the addresses, in text form.
    public var addresses: [String]
    /// MX: the exchanges, by preference.
    public var exchanges: [String]
    /// Why a failure is one (the c-ares message, or what was malformed).
    public var detail: String?

    public init(
        name: String, type: DNSRecordType, outcome: DNSOutcome, cnames: [String] = [], texts: [String] = [],
        addresses: [String] = [], exchanges: [String] = [], detail: String? = nil
    ) {
        self.name = name
        self.type = type
        self.outcome = outcome
        self.cnames = cnames
        self.texts = texts
        self.addresses = addresses
        self.exchanges = exchanges
        self.detail = detail
    }

    /// The name the records were found at: the end of the CNAME chain.
    public var finalName: String { cnames.last ?? name }
}

/// What the DNS checks need of a resolver; tests of the checks answer from a table instead.
public protocol DNSLookup: Sendable {
    func lookup(_ name: String, _ type: DNSRecordType) async -> DNSAnswer
}
