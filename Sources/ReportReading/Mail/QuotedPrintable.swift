/// Quoted-printable (RFC 2045): `=XX` bytes, `=` at a line end joins lines, blanks at line ends
/// were added in transport and are dropped. A malformed `=` is kept as it is, as readers do.
enum QuotedPrintable {
    static func decode(_ encoded: ArraySlice<UInt8>) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(encoded.count)
        var index = encoded.startIndex
        let end = encoded.endIndex
        while index < end {
            let byte = encoded[index]
            if byte == 0x3D {
                // Soft line break: '=' then optional blanks then a line end.
                var probe = index + 1
                while probe < end, encoded[probe] == 0x20 || encoded[probe] == 0x09 { probe += 1 }
                if probe < end, encoded[probe] == 0x0D, probe + 1 < end, encoded[probe + 1] == 0x0A {
                    index = probe + 2
                    continue
                }
                if probe < end, encoded[probe] == 0x0A {
                    index = probe + 1
                    continue
                }
                if probe == end {
                    index = end
                    continue
                }
                if index + 2 < end, let high = Hex.value(encoded[index + 1]), let low = Hex.value(encoded[index + 2]) {
                    output.append(high << 4 | low)
                    index += 3
                    continue
                }
                output.append(byte)
                index += 1
            } else if byte == 0x20 || byte == 0x09 {
                // Keep blanks only if something other than a line end follows them.
                var probe = index
                while probe < end, encoded[probe] == 0x20 || encoded[probe] == 0x09 { probe += 1 }
                let atLineEnd =
                    probe == end || encoded[probe] == 0x0A
                    || (encoded[probe] == 0x0D && probe + 1 < end && encoded[probe + 1] == 0x0A)
                if !atLineEnd { output.append(contentsOf: encoded[index..<probe]) }
                index = probe
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }
}

/// Hex digits in `=XX` and `%XX` escapes.
enum Hex {
    static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
