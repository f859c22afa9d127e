/// Builds rows in PostgreSQL's COPY text format: fields separated by TAB, rows ended by LF,
/// `\N` for NULL, and backslash, TAB, LF and CR escaped inside values.
///
/// A value type over one growing byte buffer, so the hot path (millions of rows) has no class
/// access and no per-field allocation.
public struct CopyTextEncoder: Sendable {
    public private(set) var buffer: [UInt8] = []
    fileprivate(set) var atRowStart = true

    public init(capacity: Int = 1 << 16) {
        buffer.reserveCapacity(capacity)
    }

    public var count: Int { buffer.count }

    public mutating func field(_ value: String?) {
        separate()
        guard var value else {
            buffer.append(UInt8(ascii: "\\"))
            buffer.append(UInt8(ascii: "N"))
            return
        }
        value.withUTF8 { appendEscaped($0) }
    }

    public mutating func field(_ value: Int64?) {
        guard let value else { return field(nil as String?) }
        separate()
        appendDecimal(value)
    }

    public mutating func field(_ value: Int) { field(Int64(value)) }

    /// A one-dimensional `text[]` value: `{"a",NULL,"b \\"c\\""}`, every present element quoted (so
    /// commas, braces and spaces need no thought) and `nil` written as a NULL element.
    public mutating func arrayField(_ values: [String?]) {
        arrayField(values) { $0 }
    }

    /// The same for `element` of each of `values`, written straight into the buffer: no array of
    /// strings and no literal are built first (ingest writes ten of these per row).
    public mutating func arrayField<Values: Collection>(_ values: Values, _ element: (Values.Element) -> String?) {
        separate()
        buffer.append(UInt8(ascii: "{"))
        var first = true
        for value in values {
            if !first { buffer.append(UInt8(ascii: ",")) }
            first = false
            guard var text = element(value) else {
                buffer.append(contentsOf: "NULL".utf8)
                continue
            }
            buffer.append(UInt8(ascii: "\""))
            text.withUTF8 { appendArrayElement($0) }
            buffer.append(UInt8(ascii: "\""))
        }
        buffer.append(UInt8(ascii: "}"))
    }

    /// An element inside quotes: the array literal escapes `"` and `\` with a backslash, and COPY
    /// then doubles every backslash and escapes TAB, LF and CR.
    private mutating func appendArrayElement(_ bytes: UnsafeBufferPointer<UInt8>) {
        var plain = true
        for byte in bytes where byte == 0x22 || byte == 0x5c || byte == 0x09 || byte == 0x0a || byte == 0x0d {
            plain = false
            break
        }
        guard !plain else {
            buffer.append(contentsOf: bytes)
            return
        }
        for byte in bytes {
            switch byte {
            case 0x22: buffer.append(contentsOf: [0x5c, 0x5c, 0x22])  // \"  -> array \" after COPY
            case 0x5c: buffer.append(contentsOf: [0x5c, 0x5c, 0x5c, 0x5c])  // array \\, each doubled
            case 0x09: buffer.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            case 0x0a: buffer.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x0d: buffer.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            default: buffer.append(byte)
            }
        }
    }

    /// A `bytea` value streamed in pieces: call `beginBytea`, then `byteaChunk` any number of times.
    /// The hex form `\x…` is written with its backslash escaped, as the text format wants.
    public mutating func beginBytea() {
        separate()
        buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
    }

    public mutating func byteaChunk(_ bytes: UnsafeRawBufferPointer) {
        let digits: StaticString = "0123456789abcdef"
        digits.withUTF8Buffer { hex in
            for byte in bytes {
                buffer.append(hex[Int(byte >> 4)])
                buffer.append(hex[Int(byte & 0x0f)])
            }
        }
    }

    public mutating func endRow() {
        buffer.append(UInt8(ascii: "\n"))
        atRowStart = true
    }

    /// Empties the buffer (after it was sent) but keeps its capacity.
    public mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
        atRowStart = true
    }

    /// Bytes written since `offset`, e.g. to hash one row without its leading key fields.
    public func withBytes<R>(from offset: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
    }

    private mutating func separate() {
        if atRowStart { atRowStart = false } else { buffer.append(UInt8(ascii: "\t")) }
    }

    private mutating func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
        var needsEscape = false
        for byte in bytes where byte == 0x5c || byte == 0x09 || byte == 0x0a || byte == 0x0d {
            needsEscape = true
            break
        }
        guard needsEscape else {
            buffer.append(contentsOf: bytes)
            return
        }
        for byte in bytes {
            switch byte {
            case 0x5c:
                buffer.append(0x5c)
                buffer.append(0x5c)
            case 0x09:
                buffer.append(0x5c)
                buffer.append(UInt8(ascii: "t"))
            case 0x0a:
                buffer.append(0x5c)
                buffer.append(UInt8(ascii: "n"))
            case 0x0d:
                buffer.append(0x5c)
                buffer.append(UInt8(ascii: "r"))
            default: buffer.append(byte)
            }
        }
    }

    private mutating func appendDecimal(_ value: Int64) {
        if value == 0 {
            buffer.append(UInt8(ascii: "0"))
            return
        }
        // Magnitude as UInt64 so Int64.min does not overflow.
        var magnitude = value.magnitude
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // scratch space for up to 20 digits
        var length = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            while magnitude > 0 {
                scratch[length] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                length += 1
            }
            for index in stride(from: length - 1, through: 0, by: -1) { buffer.append(scratch[index]) }
        }
    }
}

extension CopyTextEncoder {
    /// Appends bytes that are already COPY text (whole fields and separators, e.g. a key prefix
    /// `42\t` followed by a row built in another encoder).
    public mutating func appendFormatted(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        atRowStart = bytes.last == UInt8(ascii: "\n")
    }

    /// The same for part of a buffer (a row of several held together).
    public mutating func appendFormatted(_ bytes: ArraySlice<UInt8>) {
        buffer.append(contentsOf: bytes)
        atRowStart = bytes.last == UInt8(ascii: "\n")
    }

    /// Appends the fields of a row built in another encoder, without its row end, so that more
    /// fields can follow.
    public mutating func appendFields(of row: CopyTextEncoder) {
        var fields = row.buffer[...]
        if fields.last == UInt8(ascii: "\n") { fields = fields.dropLast() }
        guard !fields.isEmpty else { return }
        separate()
        buffer.append(contentsOf: fields)
    }
}
