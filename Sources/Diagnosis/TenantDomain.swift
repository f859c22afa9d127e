import DMARC

/// One domain a tenant sends from, with the method it authorised the provider by, from `since` on.
///
/// A domain may have several entries with different `since` days (a tenant moving from SPF to DKIM,
/// rotating selectors); the one valid on a report's day applies. An entry also covers the domain's
/// subdomains unless a subdomain has entries of its own.
public struct TenantDomain: Sendable, Hashable, Codable {
    /// Lower-case A-labels, no trailing dot (`xn--nicode-gmbh-shb.de` for `ünicode-gmbh.de`).
    public var domain: String
    public var method: SendingMethod
    /// Method `dkim`: the selectors the provider signs with (`hr1` → key at `hr1._domainkey.domain`).
    public var dkimSelectors: [String]
    /// Method `relay`: the networks the tenant's relay sends to the internet from.
    public var relayNetworks: [IPNetwork]
    /// Method `relay`: where the provider hands the mail over (`host:port`, or a domain whose MX to use).
    public var relayHost: String?
    /// Method `dkim`, optional: per selector the provider's public key (the base64 of the DKIM `p=`
    /// value) or `sha256:` and the hex SHA-256 of the decoded key, so `dns check` can tell a
    /// published key that is truncated or stale from the right one.
    public var dkimKeys: [String: String] = [:]
    /// First day the entry is valid; nil means "always" (before any later entry).
    public var since: Day?

    public init(
        domain: String, method: SendingMethod, dkimSelectors: [String] = [], relayNetworks: [IPNetwork] = [],
        relayHost: String? = nil, since: Day? = nil, dkimKeys: [String: String] = [:]
    ) {
        self.dkimKeys = dkimKeys
        self.domain = domain
        self.method = method
        self.dkimSelectors = dkimSelectors
        self.relayNetworks = relayNetworks
        self.relayHost = relayHost
        self.since = since
    }
}
