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
    @_spi(Testing) public static func parseText(_ literal: String) -> [String] {
        parseTextWithNulls(literal).compactMap { $0 }
    }

    /// A one-dimensional `text[]` as PostgreSQL returns it, NULL elements as `nil` (a string "NULL"
    /// comes quoted, so it stays a string).
    public static func parseTextWithNulls(_ literal: String) -> [String?] {
        var literal = literal
        return literal.withUTF8 { parseTextWithNulls($0) }
    }

    /// The same over the bytes of the literal, as libpq hands them out. Elements without escapes
    /// (nearly all) become strings straight from the bytes, without a buffer in between.
    public static func parseTextWithNulls(_ literal: UnsafeBufferPointer<UInt8>) -> [String?] {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        let comma = UInt8(ascii: ","), close = UInt8(ascii: "}")
        guard literal.count >= 2, literal[0] == UInt8(ascii: "{") else { return [] }
        if literal.count == 2 && literal[1] == close { return [] }
        var values: [String?] = []
        var index = 1
        while index < literal.count {
            if literal[index] == quote {
                // "…": up to the closing quote; a backslash takes the next byte as it is.
                index += 1
                let start = index
                var escaped: [UInt8]?
                while index < literal.count, literal[index] != quote {
                    if literal[index] == backslash {
                        if escaped == nil { escaped = Array(literal[start..<index]) }
                        index += 1
                        if index < literal.count { escaped?.append(literal[index]) }
                    } else {
                        escaped?.append(literal[index])
                    }
                    index += 1
                }
                if let escaped {
                    values.append(String(decoding: escaped, as: UTF8.self))
                } else {
                    values.append(String(decoding: UnsafeBufferPointer(rebasing: literal[start..<index]), as: UTF8.self))
                }
                index += 1  // the closing quote
            } else {
                let start = index
                while index < literal.count, literal[index] != comma, literal[index] != close { index += 1 }
                let element = UnsafeBufferPointer(rebasing: literal[start..<index])
                if element.elementsEqual("NULL".utf8) {
                    values.append(nil)
                } else if !element.isEmpty {
                    values.append(String(decoding: element, as: UTF8.self))
                }
            }
            // At a separator or the end.
            guard index < literal.count, literal[index] == comma else { break }
            index += 1
        }
        return values
    }
}
