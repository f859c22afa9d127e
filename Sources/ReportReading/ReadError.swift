import DMARC

/// Why an input, or one report in it, could not be read. The message is one line for a person;
/// `code` is for programs (exit codes, the ingest ledger).
public struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case unreadable, empty, notXML, notWellFormed, truncated, doctype, limitExceeded
            case notAReport, missingField, badArchive, badCompression, unsupported, badMessage
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file could not be opened or read (permissions, I/O error).
        public static let unreadable = Code(.unreadable)
        public static let empty = Code(.empty)
        /// Neither XML, gzip nor zip (HTML, PDF, random bytes).
        public static let notXML = Code(.notXML)
        public static let notWellFormed = Code(.notWellFormed)
        /// The document or a compressed stream ends early.
        public static let truncated = Code(.truncated)
        /// DTDs and entities are never loaded: a document that declares one is refused.
        public static let doctype = Code(.doctype)
        /// A size, ratio, count or depth cap was reached.
        public static let limitExceeded = Code(.limitExceeded)
        /// Well-formed XML but no `<feedback>` aggregate report.
        public static let notAReport = Code(.notAReport)
        /// A required field (reporter, report id, date range, policy domain) is absent or unreadable.
        public static let missingField = Code(.missingField)
        public static let badArchive = Code(.badArchive)
        public static let badCompression = Code(.badCompression)
        /// Encrypted or zip64 members, compression methods other than stored and deflate.
        public static let unsupported = Code(.unsupported)
        /// An e-mail message whose MIME structure cannot be followed (a multipart without boundary).
        public static let badMessage = Code(.badMessage)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        // Reasons quote input (a file's first bytes, names, values): they go to terminals and the ledger.
        self.message = Printable.text(message)
    }

    public var description: String { message }
}
