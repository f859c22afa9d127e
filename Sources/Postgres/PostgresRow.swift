/// One row of a query result, copied out of libpq so it outlives the `PGresult`.
///
/// Values are the bytes the server sent: text format unless the query asked for binary results.
public struct PostgresRow: Sendable, PostgresDecodingRow {
    public let values: [[UInt8]?]
    /// The result's columns, by name.
    public let columns: PostgresColumns

    public init(values: [[UInt8]?], columns: PostgresColumns) {
        self.values = values
        self.columns = columns
    }

    /// The value at `position`, nil for NULL; throws naming the column when it is no `T`.
    public func decodeIfPresent<T: PostgresDecodable>(at position: Int, as type: T.Type = T.self) throws(PostgresError) -> T? {
        guard values.indices.contains(position), let bytes = values[position] else { return nil }
        let decoded = bytes.withUnsafeBufferPointer { T(postgresValue: $0) }
        guard let decoded else { throw bytes.withUnsafeBufferPointer { columns.typeError(position, T.postgresExpectation, $0) } }
        return decoded
    }

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
