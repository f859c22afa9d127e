import DMARC

/// The provider and all tenants: everything the classifier needs to attribute a report row.
///
/// Built once per run and shared read-only: the initialiser checks the whole file's invariants
/// (unique tenant ids, no domain under two tenants, no two entries of one domain on the same day)
/// and builds an index so that `entry(forDomain:onDay:)` is a few dictionary lookups per row.
public struct TenantConfiguration: Sendable, Hashable, Codable {
    public let provider: ProviderConfiguration
    public let tenants: [Tenant]

    /// Per domain, where its entries are, latest `since` first (nil `since` last).
    private let index: [String: [Slot]]

    private struct Slot: Sendable, Hashable {
        var tenant: Int
        var entry: Int
        var since: Day?
    }

    /// Checks the invariants; the error names the field by its YAML path (no line: not read from text).
    public init(provider: ProviderConfiguration, tenants: [Tenant]) throws(ConfigurationError) {
        try TenantConfiguration.validate(provider: provider)
        var ids: [String: Int] = [:]
        var owners: [String: Int] = [:]
        var index: [String: [Slot]] = [:]
        for (t, tenant) in tenants.enumerated() {
            let path = "tenants[\(t)]"
            guard TenantConfiguration.isValidID(tenant.id) else {
                throw ConfigurationError(
                    code: .badValue, field: "\(path).id",
                    message: "'\(tenant.id)' is no tenant id (letters, digits, '-', '_', '.'; 1–64 characters)")
            }
            if let first = ids[tenant.id] {
                throw ConfigurationError(
                    code: .duplicateTenant, field: "\(path).id",
                    message: "tenant id '\(tenant.id)' is already used by tenants[\(first)]")
            }
            ids[tenant.id] = t
            for (d, entry) in tenant.domains.enumerated() {
                let entryPath = "\(path).domains[\(d)]"
                try TenantConfiguration.validate(entry, path: entryPath)
                if let owner = owners[entry.domain], owner != t {
                    throw ConfigurationError(
                        code: .domainClaimedTwice, field: "\(entryPath).domain",
                        message: "\(entry.domain) is already a domain of tenant '\(tenants[owner].id)'"
                            + " (tenants[\(owner)]); one domain's reports can belong to one tenant only")
                }
                owners[entry.domain] = t
                var slots = index[entry.domain, default: []]
                if let same = slots.first(where: { $0.since == entry.since }) {
                    let when = entry.since.map { "since \($0)" } ?? "without since"
                    throw ConfigurationError(
                        code: .duplicateDomain, field: "\(entryPath).domain",
                        message: "\(entry.domain) \(when) is already listed as tenants[\(same.tenant)]"
                            + ".domains[\(same.entry)]; give each entry of a domain a different since")
                }
                slots.append(Slot(tenant: t, entry: d, since: entry.since))
                slots.sort { ($0.since?.daysSinceEpoch ?? Int.min) > ($1.since?.daysSinceEpoch ?? Int.min) }
                index[entry.domain] = slots
            }
        }
        self.provider = provider
        self.tenants = tenants
        self.index = index
    }

    /// The tenant and entry for a header From domain on a day, or nil when no tenant sends as it.
    ///
    /// The longest listed suffix on label boundaries wins (`jobs.acme-hr.ch` falls to `acme-hr.ch`
    /// unless `jobs.acme-hr.ch` is listed itself); among a domain's entries the one with the latest
    /// `since` not after `day` applies. If a subdomain's entries all start later than `day`, the
    /// parent's entry applies: before the subdomain was listed, the parent covered it. The domain
    /// may be given in any case or as U-labels; it is compared as lower-case A-labels.
    public func entry(forDomain domain: String, onDay day: Day) -> (Tenant, TenantDomain)? {
        guard let slot = slot(forDomain: domain, onDay: day) else { return nil }
        let tenant = tenants[slot.tenant]
        return (tenant, tenant.domains[slot.entry])
    }

    /// Which configuration entry `entry(forDomain:onDay:)` finds, as a small value: rows with the
    /// same header From on different days have the same one while the same entry is in force.
    public func entryID(forDomain domain: String, onDay day: Day) -> EntryID? {
        slot(forDomain: domain, onDay: day).map { EntryID(tenant: $0.tenant, entry: $0.entry) }
    }

    /// The tenant and entry an `EntryID` of this configuration stands for.
    public func entry(_ id: EntryID) -> (Tenant, TenantDomain) {
        (tenants[id.tenant], tenants[id.tenant].domains[id.entry])
    }

    private func slot(forDomain domain: String, onDay day: Day) -> Slot? {
        let key: String
        if domain.utf8.allSatisfy({ $0 < 0x80 && !($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) }),
            domain.utf8.last != UInt8(ascii: "."), !domain.isEmpty
        {
            key = domain  // already normalised, as the report reader delivers it
        } else if let normalised = Normalise.domain(domain) {
            key = normalised
        } else {
            return nil
        }
        func valid(_ slots: [Slot]) -> Slot? { slots.first { $0.since.map { $0 <= day } ?? true } }
        if let slots = index[key], let slot = valid(slots) { return slot }
        var suffix = Substring(key)
        while true {
            guard let dot = suffix.firstIndex(of: ".") else { return nil }
            suffix = suffix[suffix.index(after: dot)...]
            if let slots = index[String(suffix)], let slot = valid(slots) { return slot }
        }
    }

    public static func == (lhs: TenantConfiguration, rhs: TenantConfiguration) -> Bool {
        lhs.provider == rhs.provider && lhs.tenants == rhs.tenants
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(provider)
        hasher.combine(tenants)
    }

    private enum CodingKeys: String, CodingKey {
        case provider, tenants
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let provider = try container.decode(ProviderConfiguration.self, forKey: .provider)
        let tenants = try container.decode([Tenant].self, forKey: .tenants)
        do {
            try self.init(provider: provider, tenants: tenants)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(provider, forKey: .provider)
        try container.encode(tenants, forKey: .tenants)
    }

    // MARK: Checks shared by the YAML reader and programmatic construction

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64
            && id.unicodeScalars.allSatisfy {
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
            }
    }

    /// Lower-case A-labels of letters, digits, '-' and '_' (DMARC reports carry `_`-prefixed names
    /// rarely, but relays' hostnames sometimes use it), at least two labels, each 1–63 bytes.
    static func isDomainName(_ domain: String) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && domain.utf8.count <= 253
            && labels.allSatisfy { label in
                !label.isEmpty && label.utf8.count <= 63
                    && label.utf8.allSatisfy {
                        ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z"))
                            || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                            || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
                    }
            }
    }

    static func isValidSelector(_ selector: String) -> Bool {
        !selector.isEmpty && selector.utf8.count <= 253 && !selector.hasPrefix(".") && !selector.hasSuffix(".")
            && selector.unicodeScalars.allSatisfy {
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
            }
    }

    private static func validate(provider: ProviderConfiguration) throws(ConfigurationError) {
        guard !provider.networks.isEmpty else {
            throw ConfigurationError(
                code: .missingKey, field: "provider.networks",
                message: "list the provider's outbound mail networks: without them no row can be attributed")
        }
        for (i, domain) in provider.dkimDomains.enumerated() where Normalise.domain(domain) != domain {
            throw ConfigurationError(
                code: .badDomain, field: "provider.dkim_domains[\(i)]",
                message: "'\(domain)' is no domain in lower-case A-label form")
        }
        for (i, domain) in provider.returnPathDomains.enumerated() where Normalise.domain(domain) != domain {
            throw ConfigurationError(
                code: .badDomain, field: "provider.return_path_domains[\(i)]",
                message: "'\(domain)' is no domain in lower-case A-label form")
        }
    }

    private static func validate(_ entry: TenantDomain, path: String) throws(ConfigurationError) {
        guard Normalise.domain(entry.domain) == entry.domain, isDomainName(entry.domain) else {
            throw ConfigurationError(
                code: .badDomain, field: "\(path).domain",
                message: "'\(entry.domain)' is no domain in lower-case A-label form (e.g. acme-hr.ch)")
        }
        switch entry.method {
        case .spf:
            break
        case .dkim:
            guard !entry.dkimSelectors.isEmpty else {
                throw ConfigurationError(
                    code: .missingSelectors, field: "\(path).dkim_selectors",
                    message: "method dkim needs the selectors the provider signs \(entry.domain) with,"
                        + " e.g. dkim_selectors: [hr1]")
            }
            for (i, selector) in entry.dkimSelectors.enumerated() where !isValidSelector(selector) {
                throw ConfigurationError(
                    code: .badValue, field: "\(path).dkim_selectors[\(i)]",
                    message: "'\(selector)' is no DKIM selector (letters, digits, '-', '_', '.')")
            }
        case .relay:
            guard !entry.relayNetworks.isEmpty else {
                throw ConfigurationError(
                    code: .missingRelayNetworks, field: "\(path).relay_networks",
                    message: "method relay needs the networks the tenant's relay sends from,"
                        + " e.g. relay_networks: [198.51.100.0/24]")
            }
        }
        if entry.method != .dkim, !entry.dkimSelectors.isEmpty {
            throw ConfigurationError(
                code: .notForMethod, field: "\(path).dkim_selectors",
                message: "dkim_selectors belong to method dkim, but the method is \(entry.method.rawValue)")
        }
        if entry.method != .relay, !entry.relayNetworks.isEmpty || entry.relayHost != nil {
            let key = entry.relayNetworks.isEmpty ? "relay_host" : "relay_networks"
            throw ConfigurationError(
                code: .notForMethod, field: "\(path).\(key)",
                message: "\(key) belongs to method relay, but the method is \(entry.method.rawValue)")
        }
    }
}

/// A configuration entry's place in its `TenantConfiguration` (see `entryID(forDomain:onDay:)`).
public struct EntryID: Sendable, Hashable {
    let tenant: Int
    let entry: Int
}
