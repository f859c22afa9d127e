/// Pieces of PostgreSQL's binary COPY format, for values best sent as raw bytes (a whole file into a
/// `bytea`): no hex doubling, and a field's bytes can be streamed once its length is written.
public enum BinaryCopyFormat {
    /// Signature, flags and header-extension length that open a binary COPY stream.
    public static let header: [UInt8] =
        Array("PGCOPY\n".utf8) + [0xff, 0x0d, 0x0a, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
    /// The field count -1 that ends the stream.
    public static let trailer: [UInt8] = [0xff, 0xff]

    public static func fieldCount(_ count: Int16) -> [UInt8] { bigEndian(count) }

    /// A field's length prefix; the caller sends exactly `length` bytes after it.
    public static func fieldLength(_ length: Int32) -> [UInt8] { bigEndian(length) }

    /// A whole field: length and bytes.
    public static func field(_ bytes: [UInt8]) -> [UInt8] { bigEndian(Int32(bytes.count)) + bytes }

    /// A `bigint` field.
    public static func field(_ value: Int64) -> [UInt8] { bigEndian(Int32(8)) + bigEndian(value) }

    private static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}
