import DMARC
import Foundation

/// The Public Suffix List (Debian's `publicsuffix` package), for DMARC's organisational domain
/// (RFC 7489 §3.2): the public suffix plus one label.
public struct PublicSuffixList: Sendable {
    public static let debianPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    private var rules: Set<String> = []
    private var wildcards: Set<String> = []
    private var exceptions: Set<String> = []

    /// Parses the list's text: one rule a line, `//` comments, `*.` wildcards, `!` exceptions.
    public init(text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            guard let rule = line.split(whereSeparator: \.isWhitespace).first, !rule.hasPrefix("//") else { continue }
            let lowered = rule.lowercased()
            let ascii = lowered.unicodeScalars.allSatisfy(\.isASCII) ? lowered : (Self.aLabels(lowered) ?? lowered)
            if ascii.hasPrefix("!") {
                exceptions.insert(String(ascii.dropFirst()))
            } else if ascii.hasPrefix("*.") {
                wildcards.insert(String(ascii.dropFirst(2)))
            } else {
                rules.insert(ascii)
            }
        }
    }

    /// The list from Debian's package, or from `path`.
    public static func load(path: String = debianPath) throws -> PublicSuffixList {
        PublicSuffixList(text: try String(contentsOfFile: path, encoding: .utf8))
    }

    /// The organisational domain of a lower-case A-label domain; nil when it is a public suffix itself.
    /// Unlisted top-level domains count as suffixes (the list's implicit `*` rule).
    public func organisationalDomain(of domain: String) -> String? {
        let labels = domain.split(separator: ".").map(String.init)
        guard labels.count >= 2 else { return nil }
        // The longest matching suffix, in labels.
        var suffixLength = 1
        for start in 0..<labels.count {
            let candidate = labels[start...].joined(separator: ".")
            let length = labels.count - start
            if exceptions.contains(candidate) {
                suffixLength = max(suffixLength, length - 1)
                break
            }
            if rules.contains(candidate) { suffixLength = max(suffixLength, length) }
            if start + 1 < labels.count, wildcards.contains(labels[(start + 1)...].joined(separator: ".")) {
                suffixLength = max(suffixLength, length)
            }
        }
        guard labels.count > suffixLength else { return nil }
        return labels[(labels.count - suffixLength - 1)...].joined(separator: ".")
    }

    /// The list writes IDN rules as U-labels; DMARC compares A-labels.
    private static func aLabels(_ rule: String) -> String? {
        let prefix = rule.hasPrefix("!") ? "!" : (rule.hasPrefix("*.") ? "*." : "")
        let body = rule.dropFirst(prefix.count)
        guard let converted = Normalise.domain(body) else { return nil }
        return prefix + converted
    }
}
