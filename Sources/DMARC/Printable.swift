/// Text from input (a report's values, a file's first bytes, a mail header, a member name) made
/// safe for every place it goes: a terminal, a log line, a PostgreSQL `text` column, a report, a
/// web page. The one sanitiser for all of them.
///
/// - Line breaks and tabs become spaces: a value or a reason is one line.
/// - Every other C0 control (NUL, ESC, BEL, BS, …), DEL and the C1 controls (U+0080–U+009F, CSI
///   among them) become U+FFFD: terminals act on them, and PostgreSQL refuses NUL in text.
/// - Line and paragraph separators and the bidirectional embeddings, overrides and isolates
///   (U+202A–U+202E, U+2066–U+2069) become U+FFFD: they reorder or break what a person reads.
/// - Bytes that are not UTF-8 become U+FFFD (`text(bytes:)`).
public enum Printable {
    public static let replacement: Unicode.Scalar = "\u{FFFD}"

    /// `text` with the characters above replaced; the same string when there are none.
    public static func text(_ text: String) -> String { cleaned(text).text }

    /// `text(_:)` and how many characters it replaced by U+FFFD, in one pass.
    public static func cleaned(_ text: String) -> (text: String, replaced: Int) {
        guard mayNeedCleaning(text.utf8) else { return (text, 0) }
        var scalars = String.UnicodeScalarView()
        var replaced = 0
        for scalar in text.unicodeScalars {
            let substitute = replacement(for: scalar)
            if substitute == replacement { replaced += 1 }
            scalars.append(substitute ?? scalar)
        }
        return (String(scalars), replaced)
    }

    /// `bytes` read as UTF-8, invalid sequences and the characters above replaced.
    public static func text(bytes: some Collection<UInt8>) -> String {
        text(String(decoding: bytes, as: UTF8.self))
    }

    /// How many characters `text(_:)` replaces by U+FFFD (spaces for line breaks and tabs not counted).
    @_spi(Testing) public static func replacedCount(_ text: String) -> Int { cleaned(text).replaced }

    /// Whether `scalar` passes unchanged.
    public static func isPrintable(_ scalar: Unicode.Scalar) -> Bool { replacement(for: scalar) == nil }

    /// A quick look at the bytes: every character replaced starts with a byte below 0x20, 0x7F,
    /// 0xC2 (C1) or 0xE2 (the separators and bidirectional controls). Most values have none of
    /// these, and pay one pass over their bytes. Inlinable: it runs on every value of every report,
    /// and a generic function called from another module is not specialised.
    @inlinable
    public static func mayNeedCleaning(_ utf8: some Sequence<UInt8>) -> Bool {
        utf8.contains { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 }
    }

    private static func replacement(for scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: " "
        case 0x00..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: replacement
        default: nil
        }
    }
}
