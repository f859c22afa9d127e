/// Text in the charsets mail headers and RFC 2231 parameters use. UTF-8 and ASCII are the rule;
/// Latin-1 and windows-1252 are common in filenames from Windows; anything else unknown is read as
/// UTF-8 with replacement characters, which is only ever a display problem.
enum Charset {
    static func decode(_ bytes: [UInt8], charset: String) -> String {
        // RFC 2231 allows `charset*language` in encoded words.
        let name = charset.split(separator: "*", maxSplits: 1).first.map { $0.lowercased() } ?? ""
        switch name {
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case "windows-1252", "cp1252", "iso-8859-15", "iso8859-15", "latin-9":
            // ISO-8859-15 differs in eight rarely used letters; windows-1252 is the better guess.
            return String(String.UnicodeScalarView(bytes.map { Windows1252.scalar($0) }))
        default:
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
