/// A table's columns, each with how a `Row` becomes its value, written once and used by every way
/// rows reach the table: `COPY … FROM STDIN`, a one-row `INSERT … VALUES` and a many-row
/// `INSERT … SELECT … FROM unnest(…)`. Whatever path stored a row, the same column got the same value.
///
/// Values go as text (parameters or COPY text), never interpolated into the SQL.
public struct TableDefinition<Row>: Sendable {
    public let table: String
    public let columns: [Column]

    public init(_ table: String, _ columns: [Column]) {
        self.table = table
        self.columns = columns
    }

    /// One column: its name, its kind and the value a row gives it.
    public struct Column: Sendable {
        public let name: String
        let kind: Kind
        let value: @Sendable (Row) -> Value

        enum Kind: Sendable {
            case text, integer, timestamp, textArray, bytea

            /// The element type of a many-row INSERT's `unnest` parameter.
            var arrayType: String? {
                switch self {
                case .text: "text[]"
                case .integer: "bigint[]"
                case .timestamp: "double precision[]"
                case .bytea: "bytea[]"
                case .textArray: nil
                }
            }
        }

        enum Value {
            case text(String?)
            case integer(Int64?)
            case textArray([String])
            case bytea([UInt8]?)
        }

        /// `text` (or any type PostgreSQL reads from text, such as `inet`).
        public static func text(_ name: String, _ value: @escaping @Sendable (Row) -> String?) -> Column {
            Column(name: name, kind: .text) { .text(value($0)) }
        }

        /// `integer` or `bigint`.
        public static func integer(_ name: String, _ value: @escaping @Sendable (Row) -> Int64?) -> Column {
            Column(name: name, kind: .integer) { .integer(value($0)) }
        }

        /// `timestamptz` from epoch seconds: `to_timestamp` in an INSERT, so that PostgreSQL judges any
        /// value; COPY writes the timestamp itself and takes only the years 1970 to 9999
        /// (`CopyTimestamp.isCopyable`), which a caller checks first.
        public static func timestamp(_ name: String, _ value: @escaping @Sendable (Row) -> Int64?) -> Column {
            Column(name: name, kind: .timestamp) { .integer(value($0)) }
        }

        /// `text[]`, one-dimensional.
        public static func textArray(_ name: String, _ value: @escaping @Sendable (Row) -> [String]) -> Column {
            Column(name: name, kind: .textArray) { .textArray(value($0)) }
        }

        /// `bytea`.
        public static func bytea(_ name: String, _ value: @escaping @Sendable (Row) -> [UInt8]?) -> Column {
            Column(name: name, kind: .bytea) { .bytea(value($0)) }
        }
    }

    private var names: String { columns.map(\.name).joined(separator: ", ") }

    // MARK: COPY

    /// `COPY table (columns) FROM STDIN`, text format.
    public var copyStatement: String { "COPY \(table) (\(names)) FROM STDIN" }

    /// Writes `rows` through one COPY; returns the rows the server stored. Timestamps must be
    /// `CopyTimestamp.isCopyable`: one that is not throws `invalidArgument` before anything is sent for its row.
    @discardableResult
    public func copy(_ rows: some Sequence<Row>, on connection: PostgresConnection) throws -> Int64 {
        var copy = try CopyWriter(connection, copyStatement)
        for row in rows {
            for column in columns {
                switch (column.kind, column.value(row)) {
                case (.timestamp, .integer(let seconds?)):
                    guard CopyTimestamp.isCopyable(seconds) else {
                        copy.abort(reason: "timestamp out of range")
                        throw PostgresError(
                            .invalidArgument, "\(table).\(column.name): \(seconds) is outside the years 1970 to 9999")
                    }
                    copy.encoder.field(CopyTimestamp.text(seconds))
                case (_, .text(let text)): copy.encoder.field(text)
                case (_, .integer(let number)): copy.encoder.field(number)
                case (_, .textArray(let values)): copy.encoder.field(PostgresArray.textLiteral(values))
                case (_, .bytea(let bytes?)): bytes.withUnsafeBytes { raw in
                        copy.encoder.beginBytea()
                        copy.encoder.byteaChunk(raw)
                    }
                case (_, .bytea(nil)): copy.encoder.field(nil as String?)
                }
            }
            try copy.endRow()
        }
        return try copy.finish()
    }

    // MARK: INSERT

    /// `INSERT INTO table (columns) VALUES ($1, …)`: one row, its parameters from `parameters(of:)`,
    /// numbered from `firstParameter`.
    public func insertStatement(firstParameter: Int = 1) -> String {
        let values = columns.enumerated().map { index, column in
            let parameter = "$\(firstParameter + index)"
            switch column.kind {
            case .text, .integer: return parameter
            case .timestamp: return "to_timestamp(\(parameter)::double precision)"
            case .textArray: return "\(parameter)::text[]"
            case .bytea: return "\(parameter)::bytea"
            }
        }
        return "INSERT INTO \(table) (\(names)) VALUES (\(values.joined(separator: ", ")))"
    }

    /// The parameters of `insertStatement` for `row`.
    public func parameters(of row: Row) -> [String?] {
        columns.map { column in
            switch column.value(row) {
            case .text(let text): text
            case .integer(let number): number.map { String($0) }
            case .textArray(let values): PostgresArray.textLiteral(values)
            case .bytea(let bytes): bytes.map(Self.byteaHex)
            }
        }
    }

    /// Inserts one row (a prepared statement: the same text every time).
    public func insert(_ row: Row, on connection: PostgresConnection) throws {
        try connection.query(insertStatement(), parameters(of: row), prepared: true)
    }

    /// `INSERT INTO table (columns) SELECT … FROM unnest($n::type[], …)`: any number of rows in one
    /// statement of one text, a parameter per column from `unnestParameters(of:)`, numbered from
    /// `firstParameter`. Not for tables with array columns (unnest would flatten them).
    public func unnestInsertStatement(firstParameter: Int = 1) -> String {
        var arrays: [String] = [], selected: [String] = []
        for (index, column) in columns.enumerated() {
            let type = column.kind.arrayType ?? "text[]"
            arrays.append("$\(firstParameter + index)::\(type)")
            selected.append(column.kind == .timestamp ? "to_timestamp(v.c\(index))" : "v.c\(index)")
        }
        let aliases = columns.indices.map { "c\($0)" }.joined(separator: ", ")
        return """
            INSERT INTO \(table) (\(names))
            SELECT \(selected.joined(separator: ", ")) FROM unnest(\(arrays.joined(separator: ", "))) AS v(\(aliases))
            """
    }

    /// The parameters of `unnestInsertStatement` for `rows`: one array literal per column.
    public func unnestParameters(of rows: [Row]) -> [String?] {
        columns.map { column in
            precondition(column.kind.arrayType != nil, "\(table).\(column.name): an array column cannot be unnested")
            let elements = rows.map { row -> String in
                switch column.value(row) {
                case .text(let text?): Self.quotedElement(text)
                case .integer(let number?): String(number)
                case .bytea(let bytes?): Self.quotedElement(Self.byteaHex(bytes))
                case .text(nil), .integer(nil), .bytea(nil), .textArray: "NULL"
                }
            }
            return "{" + elements.joined(separator: ",") + "}"
        }
    }

    private static func quotedElement(_ text: String) -> String {
        var out = "\""
        for character in text {
            if character == "\"" || character == "\\" { out += "\\" }
            out.append(character)
        }
        return out + "\""
    }

    /// `\x…`: bytea's hex input form.
    static func byteaHex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        out.reserveCapacity(2 + 2 * bytes.count)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Timestamps written into COPY text from epoch seconds.
public enum CopyTimestamp {
    /// Epoch seconds that COPY writes as a timestamp: 1970-01-01 to 9999-12-31.
    public static func isCopyable(_ seconds: Int64) -> Bool { (0...253_402_300_799).contains(seconds) }

    /// `seconds` (`isCopyable`) as a `timestamptz` in COPY text (UTC), `YYYY-MM-DD hh:mm:ss+00`.
    /// Counted forward from 1970 a year and a month at a time: at most 8,030 steps, a few dozen for
    /// today's reports, and nothing to get wrong.
    static func text(_ seconds: Int64) -> String {
        var days = Int(seconds / 86_400)
        let secondOfDay = Int(seconds % 86_400)
        func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }
        var year = 1970
        while days >= (isLeap(year) ? 366 : 365) {
            days -= isLeap(year) ? 366 : 365
            year += 1
        }
        let monthLengths = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var month = 0
        while days >= monthLengths[month] {
            days -= monthLengths[month]
            month += 1
        }
        func padded(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(padded(year, 4))-\(padded(month + 1, 2))-\(padded(days + 1, 2)) \(padded(secondOfDay / 3600, 2)):"
            + "\(padded(secondOfDay / 60 % 60, 2)):\(padded(secondOfDay % 60, 2))+00"
    }
}
