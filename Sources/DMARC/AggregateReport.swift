/// One DMARC aggregate report (RFC 7489 appendix C or RFC 9990 "dmarc-2.0") as read from one document.
///
/// Values are normalised when read: enums lower-case, whitespace trimmed, IPs canonical (RFC 5952),
/// domains lower-case A-labels without a trailing dot. Anything the reader repaired or dropped is
/// named in `warnings`, so nothing is changed silently.
public struct AggregateReport: Sendable, Equatable {
    public var schema: ReportSchema
    public var metadata: ReportMetadata
    public var policy: PolicyPublished
    public var records: [Record]
    /// What the reader recovered from or left out (a BOM, junk before `<feedback>`, an unreadable row).
    public var warnings: [String]
    /// Where it came from: a path, `archive.zip!member.xml` for archive members.
    public var source: String

    public init(
        schema: ReportSchema, metadata: ReportMetadata, policy: PolicyPublished,
        records: [Record], warnings: [String] = [], source: String
    ) {
        self.schema = schema
        self.metadata = metadata
        self.policy = policy
        self.records = records
        self.warnings = warnings
        self.source = source
    }

    /// Messages over all readable rows; Int64.max if they pass its range (the reader caps a report
    /// far below, at `MessageCount.maxPerReport`).
    public var messageCount: Int64 { MessageCount.sum(records.lazy.map(\.count)) }
}

/// Which of the two published formats a document follows.
public enum ReportSchema: String, Sendable, Equatable, CaseIterable {
    /// RFC 7489 appendix C (and the drafts before it): no namespace.
    case rfc7489
    /// RFC 9990: namespace `urn:ietf:params:xml:ns:dmarc-2.0`, or any of its new fields.
    case dmarc2 = "dmarc-2.0"
}

public struct ReportMetadata: Sendable, Equatable {
    public var orgName: String
    public var email: String
    public var extraContactInfo: String?
    /// Text, never a number: Google's 20-digit ids overflow Int64.
    public var reportID: String
    public var dateRange: DateRange
    public var errors: [String]
    /// RFC 9990: the software that wrote the report.
    public var generator: String?

    public init(
        orgName: String, email: String, extraContactInfo: String? = nil, reportID: String,
        dateRange: DateRange, errors: [String] = [], generator: String? = nil
    ) {
        self.orgName = orgName
        self.email = email
        self.extraContactInfo = extraContactInfo
        self.reportID = reportID
        self.dateRange = dateRange
        self.errors = errors
        self.generator = generator
    }
}

/// The reporting period in seconds since the epoch (UTC), as the receiver states it.
public struct DateRange: Sendable, Equatable, Hashable {
    public var begin: Int64
    public var end: Int64
    public init(begin: Int64, end: Int64) {
        self.begin = begin
        self.end = end
    }
}

/// The DMARC record the receiver found for the domain.
public struct PolicyPublished: Sendable, Equatable {
    public var domain: String
    public var adkim: Alignment?
    public var aspf: Alignment?
    public var p: PolicyAction?
    /// The subdomain policy; an absent or empty `sp` takes `p`'s value, as RFC 7489 says.
    public var sp: PolicyAction?
    /// RFC 9990: policy for non-existent subdomains.
    public var np: PolicyAction?
    /// RFC 7489 only; RFC 9990 replaced it with `testing`.
    public var pct: Int?
    public var fo: String?
    /// RFC 9990: `y` while the domain owner is testing the policy.
    public var testing: String?
    /// RFC 9990: `psl` or `treewalk`.
    public var discoveryMethod: String?

    public init(
        domain: String, adkim: Alignment? = nil, aspf: Alignment? = nil, p: PolicyAction? = nil,
        sp: PolicyAction? = nil, np: PolicyAction? = nil, pct: Int? = nil, fo: String? = nil,
        testing: String? = nil, discoveryMethod: String? = nil
    ) {
        self.domain = domain
        self.adkim = adkim
        self.aspf = aspf
        self.p = p
        self.sp = sp
        self.np = np
        self.pct = pct
        self.fo = fo
        self.testing = testing
        self.discoveryMethod = discoveryMethod
    }
}

/// One row: messages from one source IP with one set of results.
public struct Record: Sendable, Equatable {
    /// Canonical text form: dotted IPv4, or RFC 5952 IPv6 (`::ffff:a.b.c.d` becomes IPv4).
    public var sourceIP: String
    public var count: Int64
    public var policyEvaluated: PolicyEvaluated
    public var identifiers: Identifiers
    public var authResults: AuthResults

    public init(
        sourceIP: String, count: Int64, policyEvaluated: PolicyEvaluated,
        identifiers: Identifiers, authResults: AuthResults
    ) {
        self.sourceIP = sourceIP
        self.count = count
        self.policyEvaluated = policyEvaluated
        self.identifiers = identifiers
        self.authResults = authResults
    }

    /// DMARC passes when either aligned identifier passed.
    public var dmarcPass: Bool { policyEvaluated.dkim == .pass || policyEvaluated.spf == .pass }
}

public struct PolicyEvaluated: Sendable, Equatable {
    public var disposition: Disposition?
    public var dkim: DMARCResult?
    public var spf: DMARCResult?
    public var reasons: [PolicyOverrideReason]

    public init(
        disposition: Disposition? = nil, dkim: DMARCResult? = nil, spf: DMARCResult? = nil,
        reasons: [PolicyOverrideReason] = []
    ) {
        self.disposition = disposition
        self.dkim = dkim
        self.spf = spf
        self.reasons = reasons
    }
}

public struct PolicyOverrideReason: Sendable, Equatable {
    public var type: PolicyOverride?
    public var comment: String?
    public init(type: PolicyOverride?, comment: String? = nil) {
        self.type = type
        self.comment = comment
    }
}

public struct Identifiers: Sendable, Equatable {
    public var headerFrom: String
    public var envelopeFrom: String?
    public var envelopeTo: String?
    public init(headerFrom: String, envelopeFrom: String? = nil, envelopeTo: String? = nil) {
        self.headerFrom = headerFrom
        self.envelopeFrom = envelopeFrom
        self.envelopeTo = envelopeTo
    }
}

public struct AuthResults: Sendable, Equatable {
    public var dkim: [DKIMAuthResult]
    public var spf: [SPFAuthResult]
    public init(dkim: [DKIMAuthResult] = [], spf: [SPFAuthResult] = []) {
        self.dkim = dkim
        self.spf = spf
    }
}

public struct DKIMAuthResult: Sendable, Equatable {
    public var domain: String
    public var selector: String?
    public var result: DKIMResult?
    public var humanResult: String?
    public init(domain: String, selector: String? = nil, result: DKIMResult?, humanResult: String? = nil) {
        self.domain = domain
        self.selector = selector
        self.result = result
        self.humanResult = humanResult
    }
}

public struct SPFAuthResult: Sendable, Equatable {
    public var domain: String
    public var scope: SPFScope?
    public var result: SPFResult?
    public var humanResult: String?
    public init(domain: String, scope: SPFScope? = nil, result: SPFResult?, humanResult: String? = nil) {
        self.domain = domain
        self.scope = scope
        self.result = result
        self.humanResult = humanResult
    }
}
