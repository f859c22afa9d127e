/// A DMARC policy record's tags (RFC 7489 §6.3), with every syntax error named.
public struct DMARCRecord: Sendable, Hashable, Codable {
    /// Tag → value, names lower-cased, values trimmed, in the order written.
    public var tags: [String: String] = [:]
    public var order: [String] = []
    /// Each error as "what: why" (`pct=150: not 0–100`).
    public var errors: [String] = []
    /// Tags no DMARC version defines (ignored by receivers, usually a typo).
    public var unknownTags: [String] = []

    public static let knownTags: Set<String> = [
        "v", "p", "sp", "np", "pct", "adkim", "aspf", "rua", "ruf", "fo", "rf", "ri", "t", "psd",
    ]

    /// Whether a TXT record is a DMARC record at all: it starts with `v=DMARC1` (case as receivers accept it).
    public static func isDMARC(_ text: String) -> Bool {
        let head = text.drop { $0 == " " || $0 == "\t" }
        guard let first = head.split(separator: ";", maxSplits: 1).first else { return false }
        let parts = first.split(separator: "=", maxSplits: 1)
        return parts.count == 2 && parts[0].trimmingSpaces.lowercased() == "v"
            && parts[1].trimmingSpaces == "DMARC1"
    }

    public init(_ text: String) {
        for (index, raw) in text.split(separator: ";", omittingEmptySubsequences: false).enumerated() {
            let part = raw.trimmingSpaces
            if part.isEmpty { continue }
            guard let equals = part.firstIndex(of: "=") else {
                errors.append("'\(part)': not tag=value")
                continue
            }
            let name = part[..<equals].trimmingSpaces.lowercased()
            let value = part[part.index(after: equals)...].trimmingSpaces
            if index == 0, name != "v" { errors.append("the record must start with v=DMARC1") }
            if tags[name] != nil {
                errors.append("\(name) appears twice")
                continue
            }
            tags[name] = value
            order.append(name)
            if !DMARCRecord.knownTags.contains(name) { unknownTags.append(name) }
        }
        check()
    }

    public var policy: String? { tags["p"] }
    public var subdomainPolicy: String? { tags["sp"] }

    /// The `rua` URIs' mail addresses (`mailto:` stripped, a `!size` suffix dropped), domain lower-cased.
    public var reportAddresses: [String] {
        (tags["rua"] ?? "").split(separator: ",").compactMap { uri in
            let uri = uri.trimmingSpaces
            guard uri.lowercased().hasPrefix("mailto:") else { return nil }
            var address = uri.dropFirst(7)
            if let bang = address.lastIndex(of: "!") { address = address[..<bang] }
            guard let at = address.lastIndex(of: "@"), at != address.startIndex else { return nil }
            return "\(address[..<at])@\(address[address.index(after: at)...].lowercased())"
        }
    }

    private mutating func check() {
        let policies: Set<String> = ["none", "quarantine", "reject"]
        for name in ["p", "sp", "np"] {
            if let value = tags[name], !policies.contains(value.lowercased()) {
                errors.append("\(name)=\(value): expected none, quarantine or reject")
            }
        }
        if tags["p"] == nil { errors.append("p is missing (the policy; receivers apply none, or ignore the record)") }
        for name in ["adkim", "aspf"] {
            if let value = tags[name], !["r", "s"].contains(value.lowercased()) {
                errors.append("\(name)=\(value): expected r (relaxed) or s (strict)")
            }
        }
        if let value = tags["pct"], (Int(value).map { !(0...100).contains($0) } ?? true) {
            errors.append("pct=\(value): expected a whole number 0–100")
        }
        if let value = tags["ri"], UInt32(value) == nil { errors.append("ri=\(value): expected seconds") }
        if let value = tags["fo"] {
            let options = value.split(separator: ":").map { $0.trimmingSpaces }
            if options.isEmpty || !options.allSatisfy({ ["0", "1", "d", "s"].contains($0.lowercased()) }) {
                errors.append("fo=\(value): expected 0, 1, d or s, separated by ':'")
            }
        }
        if let value = tags["t"], !["y", "n"].contains(value.lowercased()) {
            errors.append("t=\(value): expected y or n")
        }
        for name in ["rua", "ruf"] {
            guard let value = tags[name] else { continue }
            for uri in value.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingSpaces }) {
                if uri.isEmpty {
                    errors.append("\(name) has an empty entry")
                } else if !uri.lowercased().hasPrefix("mailto:") {
                    errors.append("\(name)=\(uri): expected mailto:address")
                } else if !uri.dropFirst(7).contains("@") {
                    errors.append("\(name)=\(uri): no mail address after mailto:")
                }
            }
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (record syntax: WSP only).
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[start...end]))
    }
}
