/// An SPF record's terms (RFC 7208 §4.6.1), as written; evaluation is `SPFWalk`'s.
public struct SPFRecord: Sendable, Hashable {
    public enum Qualifier: Character, Sendable, Hashable {
        case pass = "+", fail = "-", softfail = "~", neutral = "?"
    }

    public enum Term: Sendable, Hashable {
        case all(Qualifier)
        case include(Qualifier, String)
        /// `a` / `mx` with an optional domain and CIDR lengths (v4, v6).
        case a(Qualifier, String?, Int?, Int?)
        case mx(Qualifier, String?, Int?, Int?)
        case ptr(Qualifier, String?)
        case ip4(Qualifier, String)
        case ip6(Qualifier, String)
        case exists(Qualifier, String)
        case redirect(String)
        case modifier(String, String)
    }

    public var terms: [Term] = []
    /// Terms that are no valid SPF syntax (a receiver returns permerror for them).
    public var errors: [String] = []

    /// `v=spf1` followed by a space or the end, any case (RFC 7208 §4.5).
    public static func isSPF(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered == "v=spf1" || lowered.hasPrefix("v=spf1 ")
    }

    public init(_ text: String) {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).dropFirst()
        for word in words {
            if let term = SPFRecord.term(String(word)) {
                terms.append(term)
            } else {
                errors.append(String(word))
            }
        }
    }

    static func term(_ word: String) -> Term? {
        var rest = Substring(word)
        // A modifier: name=value, where the name has no ':' or '/' before the '='.
        if let equals = rest.firstIndex(of: "="), !rest[..<equals].contains(":"), !rest[..<equals].contains("/") {
            let name = rest[..<equals].lowercased()
            let value = String(rest[rest.index(after: equals)...])
            guard !name.isEmpty, name.first?.isLetter == true else { return nil }
            if name == "redirect" { return value.isEmpty ? nil : .redirect(value) }
            return .modifier(name, value)
        }
        var qualifier = Qualifier.pass
        if let first = rest.first, let q = Qualifier(rawValue: first) {
            qualifier = q
            rest = rest.dropFirst()
        }
        let nameEnd = rest.firstIndex { $0 == ":" || $0 == "/" } ?? rest.endIndex
        let name = rest[..<nameEnd].lowercased()
        var argument = rest[nameEnd...]
        if name == "ip4" || name == "ip6" {
            // ip4:192.0.2.0/24, ip6:2001:db8::/32 — the whole argument is the network.
            guard argument.hasPrefix(":"), argument.count > 1 else { return nil }
            let network = String(argument.dropFirst())
            return name == "ip4" ? .ip4(qualifier, network) : .ip6(qualifier, network)
        }
        var domain: String?
        if argument.hasPrefix(":") {
            let end = argument.dropFirst().firstIndex(of: "/") ?? argument.endIndex
            domain = String(argument.dropFirst()[..<end])
            argument = argument[end...]
            if domain?.isEmpty == true { return nil }
        }
        var cidr4: Int?, cidr6: Int?
        if argument.hasPrefix("/") {
            let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
            // "/24", "//64" or "/24//64"
            if parts.count == 2, let v4 = Int(parts[1]) { cidr4 = v4 }
            else if parts.count == 3, parts[1].isEmpty, let v6 = Int(parts[2]) { cidr6 = v6 }
            else if parts.count == 4, let v4 = Int(parts[1]), parts[2].isEmpty, let v6 = Int(parts[3]) {
                cidr4 = v4
                cidr6 = v6
            } else { return nil }
            if let v4 = cidr4, !(0...32).contains(v4) { return nil }
            if let v6 = cidr6, !(0...128).contains(v6) { return nil }
        }
        switch name {
        case "all": return domain == nil && cidr4 == nil && cidr6 == nil ? .all(qualifier) : nil
        case "include": return domain.map { .include(qualifier, $0) }
        case "a": return .a(qualifier, domain, cidr4, cidr6)
        case "mx": return .mx(qualifier, domain, cidr4, cidr6)
        case "ptr": return .ptr(qualifier, domain)
        case "exists": return domain.map { .exists(qualifier, $0) }
        default: return nil
        }
    }
}
