/// Whose side must act on a diagnosis.
public enum ResponsibleParty: String, Sendable, Hashable, Codable, CaseIterable {
    /// Nothing to fix: passed, forwarded, transient, or an empty row.
    case none
    /// The customer: its DNS (SPF record, DKIM key) or its relay.
    case tenant
    /// The HR provider: its signing, bounce domain or routing.
    case provider
    /// Whoever runs this tool: the tenant configuration lacks the domain.
    case `operator`
}
