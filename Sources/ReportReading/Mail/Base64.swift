/// Base64 as MIME uses it (RFC 2045): line breaks and other characters outside the alphabet are
/// skipped, data ends at the padding.
enum Base64 {
    /// 0–63 for the alphabet, `skip` for everything else, `pad` for `=`.
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: skip, count: 256)
        for (value, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        table[Int(UInt8(ascii: "="))] = pad
        return table
    }()
    private static let skip: UInt8 = 0xFF
    private static let pad: UInt8 = 0xFE

    /// Decodes an attachment. A body that stops in the middle of a 4-character group without
    /// padding was cut off (a truncated message, a full disk at the receiver): rejected rather than
    /// handed on with its last bytes missing.
    static func decode(_ encoded: ArraySlice<UInt8>) throws(ReadError) -> [UInt8] {
        let (bytes, leftover, padded) = run(encoded)
        if leftover == 1 || (leftover > 0 && !padded) {
            throw ReadError(
                .truncated,
                "base64 attachment truncated: it ends inside a 4-character group, after \(bytes.count) bytes")
        }
        return bytes
    }

    /// For encoded words: whatever decodes.
    static func decodeLenient(_ encoded: ArraySlice<UInt8>) -> [UInt8] { run(encoded).bytes }

    private static func run(_ encoded: ArraySlice<UInt8>) -> (bytes: [UInt8], leftover: Int, padded: Bool) {
        var output = [UInt8]()
        output.reserveCapacity(encoded.count / 4 * 3 + 3)
        var accumulator: UInt32 = 0
        var count = 0
        var padded = false
        table.withUnsafeBufferPointer { table in
            encoded.withUnsafeBufferPointer { input in
                for byte in input {
                    let value = table[Int(byte)]
                    if value == skip { continue }
                    if value == pad {
                        padded = true
                        break
                    }
                    accumulator = accumulator << 6 | UInt32(value)
                    count += 1
                    if count == 4 {
                        output.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                        output.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                        output.append(UInt8(truncatingIfNeeded: accumulator))
                        accumulator = 0
                        count = 0
                    }
                }
            }
        }
        // A final group of 2 or 3 characters carries 1 or 2 bytes.
        if count == 2 {
            output.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        } else if count == 3 {
            output.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            output.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        }
        return (output, count, padded)
    }
}
