import Diagnosis

/// What applying a tenants file changes, one line per change, for people to check before and after.
public struct ConfigurationChanges: Sendable, Equatable {
    public private(set) var lines: [String] = []
    public var isEmpty: Bool { lines.isEmpty }

    public init(from old: TenantConfiguration?, to new: TenantConfiguration) {
        guard let old else {
            lines.append("+ provider \(new.provider.name) (\(new.provider.networks.count) network(s))")
            for tenant in new.tenants { lines.append("+ tenant \(tenant.id) (\(Self.describe(tenant)))") }
            return
        }
        if old.provider != new.provider {
            lines.append("~ provider \(new.provider.name): \(Self.providerDifference(old.provider, new.provider))")
        }
        let oldTenants = Dictionary(old.tenants.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let newTenants = Dictionary(new.tenants.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for tenant in new.tenants {
            guard let before = oldTenants[tenant.id] else {
                lines.append("+ tenant \(tenant.id) (\(Self.describe(tenant)))")
                continue
            }
            guard before != tenant else { continue }
            if before.name != tenant.name { lines.append("~ tenant \(tenant.id): name \"\(before.name)\" → \"\(tenant.name)\"") }
            if before.language != tenant.language {
                lines.append("~ tenant \(tenant.id): language \(before.language.rawValue) → \(tenant.language.rawValue)")
            }
            let beforeEntries = Set(before.domains), afterEntries = Set(tenant.domains)
            for entry in tenant.domains where !beforeEntries.contains(entry) {
                lines.append("+ tenant \(tenant.id): \(Self.describe(entry))")
            }
            for entry in before.domains where !afterEntries.contains(entry) {
                lines.append("- tenant \(tenant.id): \(Self.describe(entry))")
            }
        }
        for tenant in old.tenants where newTenants[tenant.id] == nil {
            lines.append("- tenant \(tenant.id) (\(Self.describe(tenant)))")
        }
    }

    static func describe(_ tenant: Tenant) -> String {
        let domains = Set(tenant.domains.map(\.domain)).sorted()
        return "\(tenant.name), \(domains.count) domain(s): \(domains.joined(separator: ", "))"
    }

    static func describe(_ entry: TenantDomain) -> String {
        var text = "\(entry.domain) via \(entry.method.rawValue)"
        if !entry.dkimSelectors.isEmpty { text += " (selectors \(entry.dkimSelectors.joined(separator: ", ")))" }
        if !entry.relayNetworks.isEmpty { text += " (relay \(entry.relayNetworks.map(\.description).joined(separator: ", ")))" }
        if !entry.dkimKeys.isEmpty { text += " (keys for \(entry.dkimKeys.keys.sorted().joined(separator: ", ")))" }
        if let since = entry.since { text += " since \(since)" }
        return text
    }

    static func providerDifference(_ old: ProviderConfiguration, _ new: ProviderConfiguration) -> String {
        var parts: [String] = []
        if old.name != new.name { parts.append("name") }
        if old.networks != new.networks { parts.append("networks \(new.networks.map(\.description).joined(separator: ", "))") }
        if old.dkimDomains != new.dkimDomains { parts.append("dkim_domains") }
        if old.returnPathDomains != new.returnPathDomains { parts.append("return_path_domains") }
        if old.spfInclude != new.spfInclude { parts.append("spf_include") }
        if old.reportAddress != new.reportAddress { parts.append("report_address \(new.reportAddress ?? "removed")") }
        return parts.joined(separator: ", ")
    }
}
