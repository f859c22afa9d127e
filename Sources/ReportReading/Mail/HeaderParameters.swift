/// A structured header value such as `multipart/mixed; boundary="x"` or
/// `attachment; filename*0*=utf-8''%E2%82%AC; filename*1=.xml`: the value, lower-cased, and its
/// parameters with RFC 2231 continuations joined and charsets decoded.
struct HeaderParameters {
    /// `multipart/mixed`, `attachment`; lower-cased, without comments.
    let value: String
    private let parameters: [String: String]

    subscript(name: String) -> String? { parameters[name] }

    init(_ raw: [UInt8]) {
        var index = 0
        let end = raw.count
        var valueBytes: [UInt8] = []
        while index < end, raw[index] != 0x3B {
            if raw[index] == 0x28 {
                index = Self.skipComment(raw, from: index)
                continue
            }
            valueBytes.append(raw[index])
            index += 1
        }
        value = String(decoding: valueBytes, as: UTF8.self).trimmingBlanks().lowercased()

        var plain: [String: String] = [:]
        /// RFC 2231 pieces by parameter name: (section, percent-encoded?, bytes).
        var sections: [String: [(number: Int, encoded: Bool, bytes: [UInt8])]] = [:]
        while index < end {
            // At a ';' or blanks: skip to the next attribute.
            while index < end, raw[index] == 0x3B || Self.isBlank(raw[index]) { index += 1 }
            let nameStart = index
            while index < end, raw[index] != 0x3D, raw[index] != 0x3B { index += 1 }
            guard index < end, raw[index] == 0x3D else { continue }
            let name = String(decoding: raw[nameStart..<index], as: UTF8.self).trimmingBlanks().lowercased()
            index += 1
            while index < end, Self.isBlank(raw[index]) { index += 1 }
            var bytes: [UInt8] = []
            if index < end, raw[index] == 0x22 {
                index += 1
                while index < end, raw[index] != 0x22 {
                    if raw[index] == 0x5C, index + 1 < end { index += 1 }
                    bytes.append(raw[index])
                    index += 1
                }
                index += 1
                // Anything between the closing quote and the next ';' is junk.
                while index < end, raw[index] != 0x3B { index += 1 }
            } else {
                while index < end, raw[index] != 0x3B {
                    bytes.append(raw[index])
                    index += 1
                }
                while let last = bytes.last, Self.isBlank(last) { bytes.removeLast() }
            }
            guard !name.isEmpty else { continue }
            if let star = name.firstIndex(of: "*") {
                // name*  |  name*N  |  name*N*
                let base = String(name[..<star])
                let rest = name[name.index(after: star)...]
                let encoded = rest.isEmpty || rest.hasSuffix("*")
                let number = Int(rest.hasSuffix("*") ? rest.dropLast() : rest) ?? 0
                sections[base, default: []].append((number, encoded, bytes))
            } else if plain[name] == nil {
                // Encoded words inside a quoted filename break RFC 2047, yet Outlook and others send
                // them. Only names: a boundary may contain `=?` and must stay as it is.
                plain[name] =
                    name == "name" || name == "filename"
                    ? EncodedWords.decode(bytes[...]) : String(decoding: bytes, as: UTF8.self)
            }
        }
        for (name, pieces) in sections {
            plain[name] = Self.joinRFC2231(pieces.sorted { $0.number < $1.number })
        }
        parameters = plain
    }

    /// RFC 2231: the first encoded section may start with `charset'language'`; encoded sections are
    /// percent-encoded; the joined bytes are decoded in that charset.
    private static func joinRFC2231(_ pieces: [(number: Int, encoded: Bool, bytes: [UInt8])]) -> String {
        var charset = "utf-8"
        var joined: [UInt8] = []
        for (position, piece) in pieces.enumerated() {
            var bytes = piece.bytes[...]
            if piece.encoded {
                if position == 0 {
                    let quotes = bytes.indices.filter { bytes[$0] == 0x27 }
                    if quotes.count >= 2 {
                        let declared = String(decoding: bytes[..<quotes[0]], as: UTF8.self)
                        if !declared.isEmpty { charset = declared }
                        bytes = bytes[(quotes[1] + 1)...]
                    }
                }
                joined.append(contentsOf: percentDecoded(bytes))
            } else {
                joined.append(contentsOf: bytes)
            }
        }
        return Charset.decode(joined, charset: charset)
    }

    private static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == 0x25, index + 2 < bytes.endIndex,
                let high = Hex.value(bytes[index + 1]), let low = Hex.value(bytes[index + 2])
            {
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }

    /// Past a `(comment)`, nested comments and quoted pairs included.
    private static func skipComment(_ raw: [UInt8], from start: Int) -> Int {
        var depth = 0
        var index = start
        while index < raw.count {
            switch raw[index] {
            case 0x5C: index += 1
            case 0x28: depth += 1
            case 0x29:
                depth -= 1
                if depth == 0 { return index + 1 }
            default: break
            }
            index += 1
        }
        return index
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
}
