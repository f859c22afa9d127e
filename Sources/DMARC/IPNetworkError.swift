/// Why a CIDR block could not be read, with a corrected form where one can be given.
public struct IPNetworkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Extensible like postgres-nio's codes: match on the static constants, new ones break no switch.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case badAddress = "bad address"
            case badPrefix = "bad prefix length"
            case hostBitsSet = "host bits set"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The part before `/` is no IPv4 or IPv6 address.
        public static let badAddress = Code(.badAddress)
        /// The prefix is not a number from 0 to 32 (IPv4) or 128 (IPv6).
        public static let badPrefix = Code(.badPrefix)
        /// Bits after the prefix are set, as in `192.0.2.10/24`.
        public static let hostBitsSet = Code(.hostBitsSet)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The text as written.
    public var text: String
    /// The block that was probably meant (for `hostBitsSet`).
    public var suggestion: String?

    public init(code: Code, text: String, suggestion: String? = nil) {
        self.code = code
        self.text = text
        self.suggestion = suggestion
    }

    public var description: String {
        switch code {
        case .badAddress: "'\(text)' is no IPv4 or IPv6 network (expected e.g. 192.0.2.0/24 or 2001:db8::/32)"
        case .badPrefix: "'\(text)' has a bad prefix length (0–32 for IPv4, 0–128 for IPv6)"
        default:
            "'\(text)' has host bits set after the prefix"
                + (suggestion.map { "; did you mean \($0), or the single host with /32 or /128?" } ?? "")
        }
    }
}
