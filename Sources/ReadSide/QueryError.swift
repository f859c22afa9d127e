/// Why a support query could not be answered: said so a person knows what to do next.
public struct QueryError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable { case noConfiguration, unknownDomain, unknownTenant, badArgument }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No tenants applied yet, or the stored file no longer loads.
        public static let noConfiguration = Code(.noConfiguration)
        /// Neither configured nor seen in any report; `message` names close matches.
        public static let unknownDomain = Code(.unknownDomain)
        public static let unknownTenant = Code(.unknownTenant)
        public static let badArgument = Code(.badArgument)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
