/// Text literals for PostgreSQL arrays, passed as parameters (`$1::text[]`).
public enum PostgresArray {
    /// `{"a","b \"c\""}`: every element quoted, so commas, braces and spaces need no thought.
    public static func textLiteral(_ values: [String]) -> String {
        var out = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { out += "," }
            out += "\""
            for character in value {
                if character == "\"" || character == "\\" { out += "\\" }
                out.append(character)
            }
            out += "\""
        }
        return out + "}"
    }

    /// Parses what `textLiteral` writes and what PostgreSQL returns for a one-dimensional `text[]`;
    /// NULL elements are left out.
    public static func parseText(_ literal: String) -> [String] {
        parseTextWithNulls(literal).compactMap { $0 }
    }

    /// A one-dimensional `text[]` as PostgreSQL returns it, NULL elements as `nil` (a string "NULL"
    /// comes quoted, so it stays a string).
    public static func parseTextWithNulls(_ literal: String) -> [String?] {
        var literal = literal
        return literal.withUTF8 { parseTextWithNulls($0) }
    }

    /// The same over the bytes of the literal, as libpq hands them out.
    public static func parseTextWithNulls(_ literal: UnsafeBufferPointer<UInt8>) -> [String?] {
        guard literal.first == UInt8(ascii: "{") else { return [] }
        if literal.count == 2 && literal[1] == UInt8(ascii: "}") { return [] }
        var values: [String?] = []
        var current: [UInt8] = []
        var quoted = false
        var wasQuoted = false
        var index = 1
        while index < literal.count {
            let byte = literal[index]
            index += 1
            if quoted {
                if byte == UInt8(ascii: "\\") {
                    if index < literal.count {
                        current.append(literal[index])
                        index += 1
                    }
                } else if byte == UInt8(ascii: "\"") {
                    quoted = false
                } else {
                    current.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") {
                quoted = true
                wasQuoted = true
            } else if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") {
                if wasQuoted {
                    values.append(String(decoding: current, as: UTF8.self))
                } else if current.elementsEqual("NULL".utf8) {
                    values.append(nil)
                } else if !current.isEmpty {
                    values.append(String(decoding: current, as: UTF8.self))
                }
                current.removeAll(keepingCapacity: true)
                wasQuoted = false
                if byte == UInt8(ascii: "}") { break }
            } else {
                current.append(byte)
            }
        }
        return values
    }
}
