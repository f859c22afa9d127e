/// Receivers by the names customers know them by: reports name their sender in `org_name` as each
/// receiver likes ("google.com", "Enterprise Outlook", "Outlook.com", "Yahoo! Inc."), and two of
/// Microsoft's are one receiver to a reader.
public enum ReceiverNames {
    /// The common name of the receiver that wrote `orgName`; `orgName` itself (trimmed) when unknown.
    public static func common(_ orgName: String) -> String {
        let trimmed = orgName.trimmingWhitespace
        let key = trimmed.lowercased()
        for (name, patterns) in known where patterns.contains(where: { matches(key, $0) }) { return name }
        return trimmed
    }

    /// A pattern matches the whole name, or its registered domain as the start of a host name.
    private static func matches(_ key: String, _ pattern: String) -> Bool {
        key == pattern || key.hasPrefix(pattern + " ") || key.hasPrefix(pattern + ".") || key.hasPrefix(pattern + "!")
            || key.hasSuffix("." + pattern)
    }

    private static let known: [(String, [String])] = [
        ("Google", ["google.com", "google", "google inc", "gmail.com"]),
        ("Microsoft", ["enterprise outlook", "outlook.com", "microsoft", "microsoft corporation", "hotmail.com"]),
        ("Yahoo", ["yahoo", "yahoo inc", "yahoo! inc.", "yahoo.com", "aol", "aol.com"]),
        ("GMX", ["gmx", "gmx.net", "gmx.de", "gmx.at", "gmx.ch"]),
        ("WEB.DE", ["web.de"]),
        ("Telekom (T-Online)", ["t-online.de", "telekom", "deutsche telekom"]),
        ("Apple iCloud", ["icloud.com", "apple", "apple inc", "apple inc."]),
        ("Comcast", ["comcast.net", "comcast"]),
        ("Mail.ru", ["mail.ru"]),
        ("Fastmail", ["fastmail", "fastmail pty ltd"]),
        ("Proton", ["proton", "proton ag", "protonmail.com"]),
        ("Zoho", ["zoho", "zoho corporation", "zoho.com"]),
        ("Swisscom (Bluewin)", ["bluewin.ch", "swisscom"]),
        ("Freenet", ["freenet.de", "freenet"]),
        ("Mimecast", ["mimecast", "mimecast.org"]),
        ("Proofpoint", ["proofpoint", "proofpoint, inc."]),
        ("Cisco", ["cisco", "cisco systems, inc."]),
    ]
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks (Foundation-free).
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
