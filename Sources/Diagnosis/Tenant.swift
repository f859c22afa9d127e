/// A customer of the provider: the domains mail is sent in its name from, and its report language.
public struct Tenant: Sendable, Hashable, Codable {
    /// Short stable key (`acme`), used in the database and on the command line.
    public var id: String
    public var name: String
    public var language: Language
    /// All entries, history included, in the order written.
    public var domains: [TenantDomain]

    public init(id: String, name: String, language: Language, domains: [TenantDomain]) {
        self.id = id
        self.name = name
        self.language = language
        self.domains = domains
    }
}
