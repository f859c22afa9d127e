/// One field of CSV, for every CSV the tool writes (`parse --format csv`, `failures --format csv`,
/// the monthly report's CSV).
public enum CSVField {
    /// RFC 4180 quoting; a leading `=`, `+`, `-` or `@` is prefixed with `'` so that a spreadsheet
    /// never runs a formula an attacker put in a report.
    public static func escaped(_ field: String) -> String {
        // Bytes, not characters: "\r\n" is one Character, equal to neither "\r" nor "\n", and a
        // field holding it went out unquoted; bytes are also what makes this cheap on every field.
        let bytes = field.utf8
        let formulaStart = bytes.first.map { "=+-@".utf8.contains($0) } ?? false
        let formula = formulaStart && Double(field) == nil
        let quoted = bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard quoted else { return formula ? "'" + field : field }
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(bytes.count + 4)
        if formula { out.append(UInt8(ascii: "'")) }
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }
}
