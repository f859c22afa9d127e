import CLibPQ

/// One row of a result, read in place from libpq's memory while `forEachRow` visits it; it must not
/// outlive the visit (it is non-copyable, so it cannot be stored).
///
/// Text-format values: `string` makes a Swift string, `int64` parses the digits without one.
public struct PostgresRowView: ~Copyable, PostgresDecodingRow {
    let result: OpaquePointer
    let row: Int32
    /// The result's columns, by name.
    public let columns: PostgresColumns

    /// The value at `position`, nil for NULL; throws naming the column when it is no `T`.
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

    // The same as `decode(at:)` for the types a loop over many rows reads, without a generic call:
    // another module calls `decode` unspecialised, through the protocol, which cost a scan of a
    // big tenant's month a tenth more.

    /// The text at `position`; throws naming the column when it is NULL.
    public func text(at position: Int) throws(PostgresError) -> String {
        guard let text = string(position) else { throw columns.nullError(position, String.postgresExpectation) }
        return text
    }

    /// The integer at `position`; throws naming the column when it is NULL or no integer.
    public func integer(at position: Int) throws(PostgresError) -> Int64 {
        guard let value = withBytes(position, { Int64(postgresValue: $0) }) else {
            throw columns.nullError(position, Int64.postgresExpectation)
        }
        guard let value else {
            throw withBytes(position) { columns.typeError(position, Int64.postgresExpectation, $0) }
                ?? columns.nullError(position, Int64.postgresExpectation)
        }
        return value
    }

    /// The boolean at `position`; throws naming the column when it is NULL or neither `t` nor `f`.
    public func boolean(at position: Int) throws(PostgresError) -> Bool {
        guard let value = bool(position) else {
            throw withBytes(position) { columns.typeError(position, Bool.postgresExpectation, $0) }
                ?? columns.nullError(position, Bool.postgresExpectation)
        }
        return value
    }

    /// The `text[]` at `position`, NULL elements as nil; nil for NULL; throws naming the column when
    /// it is no array.
    public func textArray(at position: Int) throws(PostgresError) -> [String?]? {
        guard let array = withBytes(position, { PostgresTextArray(postgresValue: $0) }) else { return nil }
        guard let array else {
            throw withBytes(position) { columns.typeError(position, PostgresTextArray.postgresExpectation, $0) }
                ?? columns.nullError(position, PostgresTextArray.postgresExpectation)
        }
        return array.elements
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
