/// How a tenant authorises the provider to send in its name (the three ways of the provider's guide).
public enum SendingMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// The tenant lists the provider's servers in the SPF record of its domain.
    case spf
    /// The tenant publishes the provider's public key under selectors; the provider signs `d=tenant`.
    case dkim
    /// The provider hands all mail to the tenant's own mail server, which sends it to the internet.
    case relay
}
