/// An error from PostgreSQL or from libpq, in the postgres-nio shape: an extensible `code` to match on,
/// the server's SQLSTATE when there is one, and the message as the server or libpq wrote it.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case connectionFailed, connectionLost, server, copyFailed, unexpectedResult, invalidArgument, undecodableColumn
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// libpq could not open the connection (server down, wrong host, authentication).
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection broke while in use; whatever was not committed is gone.
        public static let connectionLost = Code(.connectionLost)
        /// The server answered a statement with an error; `sqlState` says which.
        public static let server = Code(.server)
        /// Sending COPY data failed on the client side.
        public static let copyFailed = Code(.copyFailed)
        /// The server answered with a result of a kind the caller did not expect.
        public static let unexpectedResult = Code(.unexpectedResult)
        /// A parameter or statement text the wrapper cannot pass to libpq (an embedded NUL).
        public static let invalidArgument = Code(.invalidArgument)
        /// A row lacks a column the caller reads, or the column is NULL or not of the type asked
        /// for; the message names the column and the query.
        public static let undecodableColumn = Code(.undecodableColumn)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The five-character SQLSTATE for server errors (`23505` unique violation, `40P01` deadlock…).
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?

    public init(_ code: Code, _ message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
    }

    /// The server or the link to it is gone: the caller cannot go on with this connection and
    /// should report the database as unavailable (sysexits 75) rather than blame the input.
    public var isConnectionProblem: Bool {
        if code == .connectionFailed || code == .connectionLost { return true }
        guard let state = sqlState else { return false }
        // Class 08: connection exception; 57P01–57P03: admin/crash shutdown, cannot connect now.
        return state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03"
    }

    /// A conflict between concurrent transactions that goes away when the work is redone.
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// The data was refused (class 22 data exception, 23 integrity violation), not the server or the SQL.
    public var isDataProblem: Bool {
        guard let state = sqlState else { return false }
        return state.hasPrefix("22") || state.hasPrefix("23")
    }

    public var description: String {
        var text = message
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let detail { text += "; \(detail)" }
        return text
    }
}
