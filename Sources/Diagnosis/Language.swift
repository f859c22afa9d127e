/// The language a tenant's reports and recommendations are written in.
///
/// `de` is German as written in Germany and Austria (with "ß": größten, heißt); `de-CH` is Swiss
/// Standard German, which writes "ss" for every "ß" and is otherwise the same text.
public enum Language: String, Sendable, Hashable, Codable, CaseIterable {
    case de
    case deCH = "de-CH"
    case en

    /// German in either spelling: the same words, dates and numbers.
    public var isGerman: Bool { self != .en }

    /// The language named `text`, in any letter case (`de-ch`, `DE-CH` and `de_CH` as `de-CH`).
    public init?(named text: String) {
        let wanted = String(text.lowercased().map { $0 == "_" ? "-" : $0 })
        guard let match = Language.allCases.first(where: { $0.rawValue.lowercased() == wanted }) else { return nil }
        self = match
    }

    /// German text written with "ß", in this language's spelling: unchanged but for `de-CH`.
    public func spelling(_ german: String) -> String {
        guard self == .deCH else { return german }
        var swiss = ""
        for character in german {
            if character == "ß" { swiss += "ss" } else { swiss.append(character) }
        }
        return swiss
    }
}
