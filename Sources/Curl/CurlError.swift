/// A transfer that failed: libcurl's code and its message (the error buffer's text when it has one).
///
/// The postgres-nio shape: an extensible `Code`, so callers tell a lost server from a refused
/// command from a mailbox that changed without matching libcurl's numbers themselves.
public struct CurlError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case connection, tls, login, refused, notFound, timeout, setup
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No connection, or it broke (server gone, reset, unexpected reply).
        public static let connection = Code(.connection)
        /// TLS failed: the handshake, the certificate or STARTTLS unavailable.
        public static let tls = Code(.tls)
        /// The server refused the user name or password.
        public static let login = Code(.login)
        /// The server answered NO or BAD to a command.
        public static let refused = Code(.refused)
        /// What the URL names is not there: a message UID gone, or UIDVALIDITY no longer the same.
        public static let notFound = Code(.notFound)
        public static let timeout = Code(.timeout)
        /// libcurl could not be set up (out of memory, an option this libcurl lacks).
        public static let setup = Code(.setup)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// libcurl's `CURLcode`, for logs.
    public var curlCode: Int
    public var message: String

    public init(code: Code, curlCode: Int, message: String) {
        self.code = code
        self.curlCode = curlCode
        self.message = message
    }

    public var description: String { "\(message) (curl \(curlCode))" }
}
