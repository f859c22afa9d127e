/// Where a report row's source IP sits, known exactly from configured networks (never reverse DNS).
public enum SendingOrigin: String, Sendable, Hashable, Codable, CaseIterable {
    /// One of the provider's outbound mail servers (`provider.networks`).
    case providerNetwork = "provider"
    /// One of the tenant's own relays (`relay_networks` of the domain's entry).
    case tenantRelay = "relay"
    /// Anything else: forwarders, mailing lists, the tenant's other senders, spoofers.
    case other
}
