/// Why a report could not be rendered or written; `code` is stable for callers to match on.
public struct ComplianceReportError: Error, Sendable, CustomStringConvertible {
    /// Extensible: new codes are new static constants, so matching code never breaks on them.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case browserNotFound = "browser-not-found"
            case browserFailed = "browser-failed"
            case browserTimedOut = "browser-timed-out"
            case encodingFailed = "encoding-failed"
            case writeFailed = "write-failed"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No headless browser on PATH: PDF needs one (`apt-get install chromium`).
        public static let browserNotFound = Code(.browserNotFound)
        /// The browser ran but produced no PDF (exit status and its error output in the message).
        public static let browserFailed = Code(.browserFailed)
        public static let browserTimedOut = Code(.browserTimedOut)
        public static let encodingFailed = Code(.encodingFailed)
        /// The output file or a temporary file could not be written.
        public static let writeFailed = Code(.writeFailed)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// One line for the command line: what failed and what to do.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
