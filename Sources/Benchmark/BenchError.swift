/// Why a benchmark run stopped: the postgres-nio shape, an extensible code plus a message.
struct BenchError: Error, CustomStringConvertible {
    struct Code: Equatable, CustomStringConvertible {
        private enum Kind: String {
            case io, toolFailed, corpusRejected, database, usage
        }
        private let kind: Kind
        static let io = Code(kind: .io)
        /// xmllint, psql or the `dmarc` binary exited non-zero.
        static let toolFailed = Code(kind: .toolFailed)
        /// The reader or the ingestor refused a generated file: a bug in the generator or the reader.
        static let corpusRejected = Code(kind: .corpusRejected)
        static let database = Code(kind: .database)
        static let usage = Code(kind: .usage)
        var description: String { kind.rawValue }
    }

    let code: Code
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { "\(code): \(message)" }
}
