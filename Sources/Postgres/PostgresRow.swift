/// One row of a query result, copied out of libpq so it outlives the `PGresult`.
///
/// Values are the bytes the server sent: text format unless the query asked for binary results.
public struct PostgresRow: Sendable {
    public let values: [[UInt8]?]

    public init(values: [[UInt8]?]) { self.values = values }

    public var count: Int { values.count }

    /// Nil for SQL NULL or a column past the end.
    public func bytes(_ column: Int) -> [UInt8]? {
        guard values.indices.contains(column) else { return nil }
        return values[column]
    }

    public func string(_ column: Int) -> String? {
        bytes(column).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A text-format integer column; nil for NULL or text that is no integer.
    public func int64(_ column: Int) -> Int64? {
        string(column).flatMap { Int64($0) }
    }

    public func int(_ column: Int) -> Int? {
        string(column).flatMap { Int($0) }
    }

    /// A text-format boolean column (`t` / `f`).
    public func bool(_ column: Int) -> Bool? {
        switch string(column) {
        case "t": true
        case "f": false
        default: nil
        }
    }
}
