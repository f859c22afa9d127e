/// Why a YAML file was rejected: what, where (line, column, field path) and how to fix it.
///
/// Each file format converts it into its own error type (`ConfigurationError` for the tenants file,
/// `SiteConfigurationError` for `dmarc.yaml`), keeping the position.
public struct YAMLFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The file could not be read or is not UTF-8.
        case unreadable
        /// Not valid YAML (indentation, quoting, a duplicate key in one mapping).
        case syntax
        /// A key this format does not know: usually a typo that would otherwise be ignored.
        case unknownKey
        case missingKey
        /// A list where a text was expected, or the other way round; text where a number was expected.
        case wrongType
        /// A value of the right type that is not allowed (empty, out of range).
        case badValue
        /// Too many nodes (an alias bomb).
        case tooComplex
    }

    public var code: Code
    public var line: Int?
    public var column: Int?
    public var field: String
    public var message: String

    public init(code: Code, line: Int? = nil, column: Int? = nil, field: String, message: String) {
        self.code = code
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    public var description: String {
        Self.describe(line: line, column: column, field: field, message: message)
    }

    /// `line 12, column 17: tenants[0].domains[1].method: …`: how every YAML file's errors read.
    public static func describe(line: Int?, column: Int?, field: String, message: String) -> String {
        var text = ""
        if let line {
            text += "line \(line)"
            if let column { text += ", column \(column)" }
            text += ": "
        }
        if !field.isEmpty { text += "\(field): " }
        return text + message
    }
}
