import DMARC

/// The HR provider's own sending setup: what makes a report row "the provider's traffic".
///
/// The networks are the ground truth for attribution; reverse DNS is never consulted, because a
/// receiver's report gives only the IP and PTR records are neither required nor trustworthy.
public struct ProviderConfiguration: Sendable, Hashable, Codable {
    public var name: String
    /// The provider's outbound mail servers.
    public var networks: [IPNetwork]
    /// The provider's own `d=` signing domains (signatures that never align with a tenant's From).
    public var dkimDomains: [String]
    /// Envelope-from (Return-Path) domains the provider uses; SPF passes for them do not align.
    public var returnPathDomains: [String]
    /// The domain tenants should `include:` in SPF (`_spf.provider.example`); without it, the
    /// recommendations list the networks as `ip4:`/`ip6:` mechanisms.
    public var spfInclude: String?
    /// The mailbox the provider receives aggregate reports at (`dmarc-reports@provider.example`):
    /// a tenant's DMARC `rua` must name it, else no report for that domain reaches the provider.
    public var reportAddress: String?

    public init(
        name: String, networks: [IPNetwork], dkimDomains: [String] = [], returnPathDomains: [String] = [],
        spfInclude: String? = nil, reportAddress: String? = nil
    ) {
        self.reportAddress = reportAddress
        self.name = name
        self.networks = networks
        self.dkimDomains = dkimDomains
        self.returnPathDomains = returnPathDomains
        self.spfInclude = spfInclude
    }

    /// What a tenant adds to its SPF record to authorise the provider.
    public var spfMechanisms: String {
        if let spfInclude { return "include:\(spfInclude)" }
        return networks.map(\.spfMechanism).joined(separator: " ")
    }
}
