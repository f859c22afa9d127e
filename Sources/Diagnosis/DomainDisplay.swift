import DMARC

/// Domains as people write them: `müller-gmbh.de` rather than `xn--mller-gmbh-9db.de`.
///
/// Recommendations name a German tenant's IDN domain in the form the tenant knows, followed by the
/// A-label form its DNS uses. Decoding is RFC 3492 Punycode; a label that does not decode, or does
/// not encode back to the same A-label, stays as it is, so the output is never a different domain.
public enum DomainDisplay {
    /// `müller-gmbh.de (xn--mller-gmbh-9db.de)` for an IDN, the domain itself otherwise.
    public static func named(_ domain: String) -> String {
        let unicode = unicodeForm(domain)
        return unicode == domain ? domain : "\(unicode) (\(domain))"
    }

    /// The domain with every decodable `xn--` label as U-label.
    public static func unicodeForm(_ domain: String) -> String {
        guard domain.contains("xn--") else { return domain }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false).map { label -> String in
            guard label.hasPrefix("xn--"), let decoded = Punycode.decode(String(label.dropFirst(4))),
                Normalise.domain(decoded) == String(label)
            else { return String(label) }
            return decoded
        }
        return labels.joined(separator: ".")
    }
}
