import CLibPQ

/// One row of a result, read in place from libpq's memory while `forEachRow` visits it; it must not
/// outlive the visit (it is non-copyable, so it cannot be stored).
///
/// Text-format values: `string` makes a Swift string, `int64` parses the digits without one.
public struct PostgresRowView: ~Copyable {
    let result: OpaquePointer
    let row: Int32
    /// The result's columns, by name.
    public let columns: PostgresColumns

    /// The value of the column `name`; throws naming the column and the query when there is no such
    /// column, when it is NULL, or when it is no `T`. In a loop over many rows, look the position up
    /// once (`columns.position(of:)`) and use `decode(at:)`.
    public func decode<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws(PostgresError) -> T {
        try decode(at: try columns.position(of: name), as: type)
    }

    /// The same, nil for NULL.
    public func decodeIfPresent<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws(PostgresError) -> T? {
        try decodeIfPresent(at: try columns.position(of: name), as: type)
    }

    /// The value at `position` (from `columns`), with the same errors as `decode(_:)`.
    public func decode<T: PostgresDecodable>(at position: Int, as type: T.Type = T.self) throws(PostgresError) -> T {
        guard let value = try decodeIfPresent(at: position, as: type) else {
            throw columns.nullError(position, T.postgresExpectation)
        }
        return value
    }

    /// The same, nil for NULL.
    public func decodeIfPresent<T: PostgresDecodable>(at position: Int, as type: T.Type = T.self) throws(PostgresError) -> T? {
        guard !isNull(position), let pointer = PQgetvalue(result, row, Int32(position)) else { return nil }
        let length = Int(PQgetlength(result, row, Int32(position)))
        let bytes = UnsafeRawPointer(pointer).bindMemory(to: UInt8.self, capacity: length)
        let buffer = UnsafeBufferPointer(start: bytes, count: length)
        guard let value = T(postgresValue: buffer) else {
            throw columns.typeError(position, T.postgresExpectation, buffer)
        }
        return value
    }

    public var count: Int { Int(PQnfields(result)) }

    public func isNull(_ column: Int) -> Bool {
        column >= count || PQgetisnull(result, row, Int32(column)) == 1
    }

    /// Nil for SQL NULL or a column past the end.
    public func string(_ column: Int) -> String? {
        withBytes(column) { String(decoding: $0, as: UTF8.self) }
    }

    /// A text-format integer column; nil for NULL or text that is no integer.
    public func int64(_ column: Int) -> Int64? {
        withBytes(column) { Int64(postgresValue: $0) } ?? nil
    }

    public func int(_ column: Int) -> Int? { int64(column).flatMap { Int(exactly: $0) } }

    /// A text-format boolean column (`t` / `f`); nil for NULL or anything else.
    public func bool(_ column: Int) -> Bool? {
        withBytes(column) { bytes -> Bool? in
            guard bytes.count == 1 else { return nil }
            switch bytes[0] {
            case UInt8(ascii: "t"): return true
            case UInt8(ascii: "f"): return false
            default: return nil
            }
        } ?? nil
    }

    /// The value's bytes, valid only inside `body`; nil for SQL NULL or a column past the end.
    public func withBytes<R>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        guard !isNull(column), let pointer = PQgetvalue(result, row, Int32(column)) else { return nil }
        let length = Int(PQgetlength(result, row, Int32(column)))
        return try pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            try body(UnsafeBufferPointer(start: $0, count: length))
        }
    }
}
