import DMARC
import YAMLFields
import Yams

/// Reads the tenants YAML node by node, so every error names its line, column and field path.
///
/// The walking (positions, unknown keys, types) is `YAMLFields`, shared with `dmarc.yaml`; this
/// type knows the tenants file's keys and values. The invariants checked later by
/// `TenantConfiguration.init` (duplicates, a domain claimed twice) are reported at the line the
/// field came from too.
struct ConfigurationReader {
    private var fields = YAMLFields()

    static let rootKeys = ["provider", "tenants"]
    static let providerKeys = ["name", "networks", "dkim_domains", "return_path_domains", "spf_include", "report_address"]
    static let tenantKeys = ["id", "name", "language", "domains"]
    static let domainKeys = ["domain", "method", "dkim_selectors", "relay_networks", "relay_host", "since", "dkim_keys"]

    mutating func read(_ yaml: String) throws(ConfigurationError) -> TenantConfiguration {
        let root: Node?
        do {
            root = try YAMLFields.compose(yaml)
        } catch {
            throw ConfigurationError(error)
        }
        guard let root else {
            throw ConfigurationError(
                code: .missingKey, line: 1, column: 1, field: "",
                message: "the file is empty; expected the keys provider and tenants")
        }
        let fields = try mapping(root, path: "", allowed: ConfigurationReader.rootKeys)
        let provider = try readProvider(try required(fields, "provider", in: root, path: ""), path: "provider")
        let tenantNodes = try list(try required(fields, "tenants", in: root, path: ""), path: "tenants")
        var tenants: [Tenant] = []
        for (i, node) in tenantNodes.enumerated() {
            tenants.append(try readTenant(node, path: "tenants[\(i)]"))
        }
        do {
            return try TenantConfiguration(provider: provider, tenants: tenants)
        } catch {
            var located = error
            if let mark = self.fields.mark(nearest: error.field) {
                located.line = mark.line
                located.column = mark.column
            }
            throw located
        }
    }

    // MARK: Sections

    private mutating func readProvider(_ node: Node, path: String) throws(ConfigurationError) -> ProviderConfiguration {
        let fields = try mapping(node, path: path, allowed: ConfigurationReader.providerKeys)
        let name = try text(try required(fields, "name", in: node, path: path), path: "\(path).name")
        let networkNodes = try list(try required(fields, "networks", in: node, path: path), path: "\(path).networks")
        var networks: [IPNetwork] = []
        for (i, item) in networkNodes.enumerated() {
            networks.append(try network(item, path: "\(path).networks[\(i)]"))
        }
        if networks.isEmpty {
            throw error(
                .missingKey, at: node, path: "\(path).networks",
                "list the provider's outbound mail networks: without them no row can be attributed")
        }
        var dkimDomains: [String] = []
        if let value = fields["dkim_domains"] {
            for (i, item) in try list(value, path: "\(path).dkim_domains").enumerated() {
                dkimDomains.append(try domain(item, path: "\(path).dkim_domains[\(i)]"))
            }
        }
        var returnPathDomains: [String] = []
        if let value = fields["return_path_domains"] {
            for (i, item) in try list(value, path: "\(path).return_path_domains").enumerated() {
                returnPathDomains.append(try domain(item, path: "\(path).return_path_domains[\(i)]"))
            }
        }
        let spfInclude = try fields["spf_include"].map { node throws(ConfigurationError) in
            try domain(node, path: "\(path).spf_include")
        }
        let reportAddress = try fields["report_address"].map { node throws(ConfigurationError) in
            try mailbox(node, path: "\(path).report_address")
        }
        return ProviderConfiguration(
            name: name, networks: networks, dkimDomains: dkimDomains, returnPathDomains: returnPathDomains,
            spfInclude: spfInclude, reportAddress: reportAddress)
    }

    private mutating func readTenant(_ node: Node, path: String) throws(ConfigurationError) -> Tenant {
        let fields = try mapping(node, path: path, allowed: ConfigurationReader.tenantKeys)
        let idNode = try required(fields, "id", in: node, path: path)
        let id = try text(idNode, path: "\(path).id")
        guard TenantConfiguration.isValidID(id) else {
            throw error(
                .badValue, at: idNode, path: "\(path).id",
                "'\(id)' is no tenant id (letters, digits, '-', '_', '.'; 1–64 characters)")
        }
        let name = try text(try required(fields, "name", in: node, path: path), path: "\(path).name")
        let languageNode = try required(fields, "language", in: node, path: path)
        let languageText = try text(languageNode, path: "\(path).language")
        guard let language = Language(named: languageText) else {
            throw error(
                .badLanguage, at: languageNode, path: "\(path).language",
                "unknown language '\(languageText)' (expected de, de-CH or en)")
        }
        var domains: [TenantDomain] = []
        if let value = fields["domains"] {
            for (i, item) in try list(value, path: "\(path).domains").enumerated() {
                domains.append(try readDomain(item, path: "\(path).domains[\(i)]"))
            }
        }
        return Tenant(id: id, name: name, language: language, domains: domains)
    }

    private mutating func readDomain(_ node: Node, path: String) throws(ConfigurationError) -> TenantDomain {
        let fields = try mapping(node, path: path, allowed: ConfigurationReader.domainKeys)
        let name = try domain(try required(fields, "domain", in: node, path: path), path: "\(path).domain")
        let methodNode = try required(fields, "method", in: node, path: path)
        let methodText = try text(methodNode, path: "\(path).method")
        guard let method = SendingMethod(rawValue: methodText.lowercased()) else {
            throw error(
                .badMethod, at: methodNode, path: "\(path).method",
                "unknown method '\(methodText)' (expected spf, dkim or relay)")
        }
        var selectors: [String] = []
        if let value = fields["dkim_selectors"] {
            for (i, item) in try list(value, path: "\(path).dkim_selectors").enumerated() {
                let itemPath = "\(path).dkim_selectors[\(i)]"
                let selector = try text(item, path: itemPath).lowercased()
                guard TenantConfiguration.isValidSelector(selector) else {
                    throw error(
                        .badValue, at: item, path: itemPath,
                        "'\(selector)' is no DKIM selector (letters, digits, '-', '_', '.')")
                }
                selectors.append(selector)
            }
        }
        var relayNetworks: [IPNetwork] = []
        if let value = fields["relay_networks"] {
            for (i, item) in try list(value, path: "\(path).relay_networks").enumerated() {
                relayNetworks.append(try network(item, path: "\(path).relay_networks[\(i)]"))
            }
        }
        let relayHost = try fields["relay_host"].map { node throws(ConfigurationError) in
            try relayAddress(node, path: "\(path).relay_host")
        }
        var since: Day?
        if let value = fields["since"] {
            let sincePath = "\(path).since"
            let text = try text(value, path: sincePath)
            guard let day = Day(text) else {
                throw error(
                    .badDate, at: value, path: sincePath, "'\(text)' is no date; write YYYY-MM-DD, e.g. 2026-03-01")
            }
            since = day
        }
        var dkimKeys: [String: String] = [:]
        if let value = fields["dkim_keys"] {
            let keysPath = "\(path).dkim_keys"
            do { try self.fields.visit(value, path: keysPath) } catch { throw ConfigurationError(error) }
            guard case .mapping(let mapping) = value else {
                throw error(
                    .wrongType, at: value, path: keysPath, "expected selector: key lines, found \(self.fields.kind(of: value))")
            }
            for (keyNode, keyValue) in mapping {
                let selector = try text(keyNode, path: keysPath).lowercased()
                let itemPath = "\(keysPath).\(selector)"
                guard selectors.contains(selector) else {
                    throw error(
                        .badValue, at: keyNode, path: itemPath,
                        "'\(selector)' is not one of dkim_selectors (\(selectors.joined(separator: ", ")))")
                }
                let key = try text(keyValue, path: itemPath).filter { !$0.isWhitespace }
                guard ConfigurationReader.isPublicKeyText(key) else {
                    throw error(
                        .badValue, at: keyValue, path: itemPath,
                        "expected the key's base64 (the p= value) or sha256: and 64 hex digits")
                }
                dkimKeys[selector] = key
            }
        }
        return TenantDomain(
            domain: name, method: method, dkimSelectors: selectors, relayNetworks: relayNetworks,
            relayHost: relayHost, since: since, dkimKeys: dkimKeys)
    }

    // MARK: Values

    private mutating func mapping(
        _ node: Node, path: String, allowed: [String]
    ) throws(ConfigurationError) -> [String: Node] {
        do { return try fields.mapping(node, path: path, allowed: allowed) } catch { throw ConfigurationError(error) }
    }

    private func required(
        _ fields: [String: Node], _ key: String, in parent: Node, path: String
    ) throws(ConfigurationError) -> Node {
        do { return try self.fields.required(fields, key, in: parent, path: path) } catch { throw ConfigurationError(error) }
    }

    /// A sequence; an empty value (`key:` or `~`) counts as an empty list.
    private mutating func list(_ node: Node, path: String) throws(ConfigurationError) -> [Node] {
        do { return try fields.list(node, path: path) } catch { throw ConfigurationError(error) }
    }

    /// A non-empty scalar, trimmed.
    private mutating func text(_ node: Node, path: String) throws(ConfigurationError) -> String {
        do { return try fields.text(node, path: path) } catch { throw ConfigurationError(error) }
    }

    private mutating func domain(_ node: Node, path: String) throws(ConfigurationError) -> String {
        let value = try text(node, path: path)
        guard let domain = Normalise.domain(value), TenantConfiguration.isDomainName(domain) else {
            throw error(.badDomain, at: node, path: path, "'\(value)' is no domain name (e.g. acme-hr.ch)")
        }
        return domain
    }

    private mutating func network(_ node: Node, path: String) throws(ConfigurationError) -> IPNetwork {
        let value = try text(node, path: path)
        do {
            return try IPNetwork(value)
        } catch {
            throw self.error(.badNetwork, at: node, path: path, error.description)
        }
    }

    /// `local@domain`, the domain lower-cased (a `mailto:` prefix is dropped).
    private mutating func mailbox(_ node: Node, path: String) throws(ConfigurationError) -> String {
        var value = try text(node, path: path)
        if value.lowercased().hasPrefix("mailto:") { value = String(value.dropFirst(7)) }
        guard let at = value.lastIndex(of: "@"), at != value.startIndex,
            let domain = Normalise.domain(value[value.index(after: at)...]), TenantConfiguration.isDomainName(domain),
            !value[..<at].contains(where: { $0.isWhitespace || $0 == "," || $0 == "!" })
        else {
            throw error(.badValue, at: node, path: path, "'\(value)' is no mail address (e.g. dmarc@provider.example)")
        }
        return "\(value[..<at])@\(domain)"
    }

    /// Base64 (the DKIM `p=` value) or `sha256:` with 64 hex digits.
    static func isPublicKeyText(_ text: String) -> Bool {
        if text.lowercased().hasPrefix("sha256:") {
            let hex = text.dropFirst(7)
            return hex.count == 64 && hex.allSatisfy(\.isHexDigit)
        }
        return !text.isEmpty
            && text.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+/=".unicodeScalars.contains($0))
            }
    }

    /// `host`, `host:port`, `[v6]:port` or an IP; the host lower-cased, the port checked.
    private mutating func relayAddress(_ node: Node, path: String) throws(ConfigurationError) -> String {
        let value = try text(node, path: path)
        var host = Substring(value)
        var port: Substring?
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if rest.hasPrefix(":") { port = rest.dropFirst() } else if !rest.isEmpty { port = "" }
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            port = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        let hostText: String
        if let ip = Normalise.ipAddress(host) {
            hostText = ip.contains(":") ? "[\(ip)]" : ip
        } else if let name = Normalise.domain(host), TenantConfiguration.isDomainName(name) {
            hostText = name
        } else {
            throw error(
                .badValue, at: node, path: path,
                "'\(value)' is no host (write host or host:port, e.g. mx.example.ch:25)")
        }
        guard let port else { return hostText }
        guard let number = Int(port), (1...65_535).contains(number) else {
            throw error(.badValue, at: node, path: path, "'\(value)' has a bad port (1–65535)")
        }
        return "\(hostText):\(number)"
    }

    // MARK: Helpers

    private func error(_ code: ConfigurationError.Code, at node: Node, path: String, _ message: String)
        -> ConfigurationError
    {
        ConfigurationError(code: code, line: node.mark?.line, column: node.mark?.column, field: path, message: message)
    }
}
