/// What went right or wrong with one report row, in the words support and the monthly report use.
///
/// Raw values are stable identifiers (stored in the database, shown in CSV). Beyond the table in
/// DESIGN.md there are two refinements: `empty` (a count-0 row, which some receivers write and which
/// is no failure) and `dkim-selector-unknown` (the provider signs as the tenant but with a selector
/// the tenant was never given, so the fix is on the provider's side, not a missing key).
public enum DiagnosisClass: String, Sendable, Hashable, Codable, CaseIterable {
    /// DMARC passed: an aligned DKIM or SPF pass.
    case pass
    /// The row counts zero messages.
    case empty
    /// Forwarded or sent through a mailing list (receiver's override reason, ARC, or the pattern).
    case forwarded
    /// A temporary DNS error on an identifier that could have passed.
    case transient
    /// Method spf, provider server, SPF for the tenant's domain did not pass.
    case spfNotAuthorized = "spf-not-authorized"
    /// SPF permerror for the tenant's domain: a broken record, usually over 10 DNS lookups.
    case spfRecordError = "spf-record-error"
    /// Method spf, provider server, SPF checked a domain that does not align (the provider's bounce domain).
    case spfNotAligned = "spf-not-aligned"
    /// Method dkim, provider server, the tenant's `d=` signature with a known selector failed.
    case dkimKeyMissing = "dkim-key-missing"
    /// Method dkim, provider server, a `d=tenant` signature with a selector not in the configuration.
    case dkimSelectorUnknown = "dkim-selector-unknown"
    /// Method dkim, provider server, no aligned signature (only `d=provider`, or none).
    case dkimNotAligned = "dkim-not-aligned"
    /// Method relay, but a provider server sent straight to the receiver.
    case relayBypassed = "relay-bypassed"
    /// Method relay, the tenant's relay sent and failed DMARC.
    case relayFailure = "relay-failure"
    /// Neither the provider nor the tenant's relay: the tenant's other senders or spoofing.
    case unauthorizedSource = "unauthorized-source"
    /// Header From is in no tenant's domain.
    case unknownDomain = "unknown-domain"

    /// Who acts on this class.
    public var responsible: ResponsibleParty {
        switch self {
        case .pass, .empty, .forwarded, .transient: .none
        case .spfNotAuthorized, .spfRecordError, .dkimKeyMissing, .relayFailure, .unauthorizedSource: .tenant
        case .spfNotAligned, .dkimSelectorUnknown, .dkimNotAligned, .relayBypassed: .provider
        case .unknownDomain: .operator
        }
    }

    /// False for rows that did not fail DMARC (`pass`, `empty`); forwarded and transient rows did fail,
    /// even though nobody has to act.
    public var isDMARCFailure: Bool { self != .pass && self != .empty }
}
