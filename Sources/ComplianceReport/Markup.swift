import DMARC

/// Escaping for text and attribute values in XHTML and SVG.
///
/// The report is written as XHTML-compatible markup (every element closed, no named entities
/// beyond XML's five) so that an XML parser can check it and browsers print it unchanged.
enum Markup {
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            // Line breaks and tabs are layout here; every other control, not allowed in XML 1.0 or
            // acted on by viewers, is replaced as everywhere else (a receiver's org_name could carry one).
            case "\t", "\n", "\r": result.unicodeScalars.append(character)
            default: result.unicodeScalars.append(Printable.isPrintable(character) ? character : Printable.replacement)
            }
        }
        return result
    }

    /// A coordinate with at most one decimal, so SVG stays short and identical across runs.
    static func number(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        let whole = Int(tenths) / 10
        let fraction = abs(Int(tenths)) % 10
        let sign = tenths < 0 && whole == 0 ? "-" : ""
        return fraction == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }

    /// Shortens a label to about `limit` characters so it cannot run into the bars next to it.
    static func truncated(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(limit - 1, 1))) + "…"
    }

    /// A domain (or `DomainDisplay.named`'s "IDN (A-label)") escaped so that a line breaks only after
    /// one of its dots or at a space, never at a hyphen of its own (`acme-` / `hr.ch` reads as two
    /// names): each label stays in one unbreakable span, with a break opportunity after each dot.
    static func domain(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false).map { word in
            let labels = word.split(separator: ".", omittingEmptySubsequences: false)
            return labels.enumerated().map { index, label in
                let dot = index < labels.count - 1 ? "." : ""
                return "<span class=\"nowrap\">\(escape(String(label) + dot))</span>"
            }.joined(separator: "<wbr/>")
        }.joined(separator: " ")
    }

    /// A company name escaped with no-break spaces where a line break would split what belongs
    /// together: around "&", after "Co." and before a closing legal form ("Müller GmbH & Co. KG" never
    /// as "GmbH &" / "Co. KG", "ACME HR AG" never with "AG" alone); a long name still breaks between
    /// its other words.
    static func companyName(_ name: String) -> String {
        let words = name.split(separator: " ").map(String.init)
        var out = ""
        for (index, word) in words.enumerated() {
            if index > 0 {
                let previous = words[index - 1]
                let closing = index == words.count - 1 && legalForms.contains(word)
                let glued = word == "&" || previous == "&" || previous == "Co." || closing
                out += glued ? "\u{00A0}" : " "
            }
            out += escape(word)
        }
        return out
    }

    private static let legalForms: Set<String> = [
        "AG", "GmbH", "mbH", "KG", "OHG", "KGaA", "SE", "UG", "e.V.", "eG", "Ltd", "Ltd.", "Inc.", "LLC", "plc",
        "SA", "S.A.", "Sàrl", "Sarl", "S.à", "r.l.", "AB", "BV", "B.V.", "NV", "N.V.", "Co.", "(haftungsbeschränkt)",
    ]
}
