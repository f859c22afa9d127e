import CLibPQ

/// One row of a result, read in place from libpq's memory while `forEachRow` visits it; it must not
/// outlive the visit (it is non-copyable, so it cannot be stored).
///
/// Text-format values: `string` makes a Swift string, `int64` parses the digits without one.
public struct PostgresRowView: ~Copyable {
    let result: OpaquePointer
    let row: Int32

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
        withBytes(column) { bytes -> Int64? in
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
            return negative ? Int64(exactly: -Int128(magnitude)) : Int64(exactly: magnitude)
        } ?? nil
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
