/// The columns of one result, by name: what rows are decoded by, so that a query whose select list
/// changes fails with the column's name instead of reading the wrong value from a position.
///
/// A class: every row of a result shares it by reference.
public final class PostgresColumns: Sendable {
    /// The names the server gave the columns (`AS` aliases), in order.
    public let names: [String]
    /// The statement the result came from.
    private let sql: String

    /// Made for every result, so it only keeps what it is given: positions are found by a search
    /// (a result has a few dozen columns at most; loops over many rows look each up once).
    public init(names: [String], query sql: String) {
        self.names = names
        self.sql = sql
    }

    /// What the error messages call the query: the start of its SQL, whitespace folded.
    public var query: String { Self.label(sql) }

    /// The position of the column `name` (the first, if two have it); throws naming it and the query
    /// when there is none.
    public func position(of name: String) throws(PostgresError) -> Int {
        guard let position = names.firstIndex(of: name) else {
            throw PostgresError(
                .undecodableColumn,
                "no column \"\(name)\" in the result of \(query) (it has \(names.map { "\"\($0)\"" }.joined(separator: ", ")))")
        }
        return position
    }

    /// The positions of `names`, in their order.
    public func positions(of names: [String]) throws(PostgresError) -> [Int] {
        var found: [Int] = []
        for name in names { found.append(try position(of: name)) }
        return found
    }

    /// `value`, or the error naming the column at `position` when it is NULL.
    func required<T: PostgresDecodable>(_ value: T?, at position: Int) throws(PostgresError) -> T {
        guard let value else { throw nullError(position, T.postgresExpectation) }
        return value
    }

    func nullError(_ position: Int, _ type: String) -> PostgresError {
        PostgresError(.undecodableColumn, "column \"\(name(position))\" of \(query) is NULL where \(type) was expected")
    }

    func typeError(_ position: Int, _ type: String, _ bytes: UnsafeBufferPointer<UInt8>) -> PostgresError {
        let shown = String(decoding: bytes.prefix(40), as: UTF8.self)
        return PostgresError(
            .undecodableColumn, "column \"\(name(position))\" of \(query) holds \"\(shown)\", not \(type)")
    }

    private func name(_ position: Int) -> String { names.indices.contains(position) ? names[position] : "#\(position + 1)" }

    /// `SELECT p.id, … FROM reports p …`: the first 100 characters, whitespace folded to one space.
    static func label(_ sql: String) -> String {
        var folded = ""
        var space = false
        for character in sql {
            if character.isWhitespace {
                space = !folded.isEmpty
                continue
            }
            if space { folded.append(" ") }
            space = false
            folded.append(character)
            if folded.count >= 100 { return "\"\(folded)…\"" }
        }
        return "\"\(folded)\""
    }
}

/// A Swift type a column's value decodes to. Values are what the server sent: text format, or the
/// raw bytes of a binary result (`[UInt8]`, for `bytea`).
public protocol PostgresDecodable {
    /// What an error says was expected: "an integer".
    static var postgresExpectation: String { get }
    /// Nil when the bytes are not such a value.
    init?(postgresValue bytes: UnsafeBufferPointer<UInt8>)
}

extension String: PostgresDecodable {
    public static var postgresExpectation: String { "text" }
    public init?(postgresValue bytes: UnsafeBufferPointer<UInt8>) { self = String(decoding: bytes, as: UTF8.self) }
}

extension Int64: PostgresDecodable {
    public static var postgresExpectation: String { "an integer" }

    /// Decimal digits with an optional minus, without making a String first.
    public init?(postgresValue bytes: UnsafeBufferPointer<UInt8>) {
        var digits = bytes[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        var magnitude: UInt64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times, overflowed) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, carried) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflowed, !carried else { return nil }
            magnitude = sum
        }
        guard let value = negative ? Int64(exactly: -Int128(magnitude)) : Int64(exactly: magnitude) else { return nil }
        self = value
    }
}

extension Int: PostgresDecodable {
    public static var postgresExpectation: String { "an integer" }
    public init?(postgresValue bytes: UnsafeBufferPointer<UInt8>) {
        guard let value = Int64(postgresValue: bytes).flatMap({ Int(exactly: $0) }) else { return nil }
        self = value
    }
}

extension Bool: PostgresDecodable {
    public static var postgresExpectation: String { "a boolean (t or f)" }
    public init?(postgresValue bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 1 else { return nil }
        switch bytes[0] {
        case UInt8(ascii: "t"): self = true
        case UInt8(ascii: "f"): self = false
        default: return nil
        }
    }
}

extension Array: PostgresDecodable where Element == UInt8 {
    public static var postgresExpectation: String { "bytes" }
    public init?(postgresValue bytes: UnsafeBufferPointer<UInt8>) { self = Array(bytes) }
}

/// A one-dimensional `text[]` in text format, NULL elements as nil (`PostgresArray.parseTextWithNulls`).
public struct PostgresTextArray: PostgresDecodable, Sendable {
    public let elements: [String?]
    public static var postgresExpectation: String { "a text array" }
    public init?(postgresValue bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return nil }
        elements = PostgresArray.parseTextWithNulls(bytes)
    }
}

/// A row of either kind (`PostgresRow`, copied out; `PostgresRowView`, read in place), decoded by
/// column name with errors that name the column and the query.
public protocol PostgresDecodingRow: ~Copyable {
    /// The result's columns, by name.
    var columns: PostgresColumns { get }
    /// The value at `position`, nil for NULL; throws naming the column when it is no `T`.
    func decodeIfPresent<T: PostgresDecodable>(at position: Int, as type: T.Type) throws(PostgresError) -> T?
}

extension PostgresDecodingRow where Self: ~Copyable {
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
        try columns.required(try decodeIfPresent(at: position, as: type), at: position)
    }
}
