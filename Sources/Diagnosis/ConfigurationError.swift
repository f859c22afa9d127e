import YAMLFields

/// Why a tenant configuration was rejected: what, where (line, column, field path) and how to fix it.
///
/// The postgres-nio shape: a struct with an extensible `Code`, so callers match codes without
/// breaking when a code is added, and the command line prints one precise line.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case unreadable, syntax, unknownKey, missingKey, wrongType, badValue, badDomain, badNetwork
            case badMethod, badLanguage, badDate, missingSelectors, missingRelayNetworks, notForMethod
            case duplicateTenant, duplicateDomain, domainClaimedTwice, tooComplex
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file could not be read or is not UTF-8.
        public static let unreadable = Code(.unreadable)
        /// Not valid YAML (indentation, quoting, a duplicate key in one mapping).
        public static let syntax = Code(.syntax)
        /// A key this format does not know: usually a typo that would otherwise be ignored.
        public static let unknownKey = Code(.unknownKey)
        public static let missingKey = Code(.missingKey)
        /// A list where a text was expected, or the other way round.
        public static let wrongType = Code(.wrongType)
        /// A value of the right type that is not allowed (an empty name, a bad tenant id or port).
        public static let badValue = Code(.badValue)
        public static let badDomain = Code(.badDomain)
        /// A CIDR block that cannot be read or has host bits set.
        public static let badNetwork = Code(.badNetwork)
        /// `method` other than spf, dkim, relay.
        public static let badMethod = Code(.badMethod)
        /// `language` other than de, en.
        public static let badLanguage = Code(.badLanguage)
        /// `since` is not a real `YYYY-MM-DD` day.
        public static let badDate = Code(.badDate)
        /// Method dkim without `dkim_selectors`.
        public static let missingSelectors = Code(.missingSelectors)
        /// Method relay without `relay_networks`.
        public static let missingRelayNetworks = Code(.missingRelayNetworks)
        /// A key of another method (`dkim_selectors` with method spf): usually the wrong method.
        public static let notForMethod = Code(.notForMethod)
        public static let duplicateTenant = Code(.duplicateTenant)
        /// The same domain with the same `since` twice: which one applies would be arbitrary.
        public static let duplicateDomain = Code(.duplicateDomain)
        /// One domain under two tenants: its reports could not be attributed.
        public static let domainClaimedTwice = Code(.domainClaimedTwice)
        /// Too many nodes (an alias bomb).
        public static let tooComplex = Code(.tooComplex)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// 1-based line of the offending node; nil when the configuration was not read from text.
    public var line: Int?
    /// 1-based column (in Unicode scalars) of the offending node.
    public var column: Int?
    /// Path of the offending field in the YAML's own names, e.g. `tenants[0].domains[1].method`.
    public var field: String
    public var message: String

    public init(code: Code, line: Int? = nil, column: Int? = nil, field: String, message: String) {
        self.code = code
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// `line 12, column 17: tenants[0].domains[1].method: …`.
    public var description: String {
        YAMLFieldError.describe(line: line, column: column, field: field, message: message)
    }
}

extension ConfigurationError {
    /// The shared YAML walker's error, with its position, as a tenants-file error.
    init(_ error: YAMLFieldError) {
        let code: Code =
            switch error.code {
            case .unreadable: .unreadable
            case .syntax: .syntax
            case .unknownKey: .unknownKey
            case .missingKey: .missingKey
            case .wrongType: .wrongType
            case .badValue: .badValue
            case .tooComplex: .tooComplex
            }
        self.init(code: code, line: error.line, column: error.column, field: error.field, message: error.message)
    }
}
