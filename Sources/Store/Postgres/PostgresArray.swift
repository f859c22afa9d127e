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
        var values: [String?] = []
        var characters = literal.makeIterator()
        guard characters.next() == "{" else { return [] }
        var current = ""
        var quoted = false
        var wasQuoted = false
        while let character = characters.next() {
            if quoted {
                if character == "\\" {
                    if let next = characters.next() { current.append(next) }
                } else if character == "\"" {
                    quoted = false
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                quoted = true
                wasQuoted = true
            } else if character == "," || character == "}" {
                if wasQuoted {
                    values.append(current)
                } else if current == "NULL" {
                    values.append(nil)
                } else if !current.isEmpty {
                    values.append(current)
                }
                current = ""
                wasQuoted = false
                if character == "}" { break }
            } else {
                current.append(character)
            }
        }
        return values
    }
}
