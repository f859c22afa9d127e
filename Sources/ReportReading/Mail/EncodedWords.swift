/// RFC 2047 encoded words (`=?utf-8?Q?Caf=C3=A9?=`, `=?iso-8859-1?B?...?=`) in Subject, From and,
/// against the RFC but common, in quoted filenames.
enum EncodedWords {
    /// Decodes every encoded word; blanks between two adjacent encoded words vanish, as RFC 2047
    /// says. Consecutive words in one charset are joined before decoding: senders split UTF-8
    /// sequences across words. Text that is not an encoded word is read as UTF-8.
    static func decode(_ raw: ArraySlice<UInt8>) -> String {
        var result = ""
        var pendingBytes: [UInt8] = []
        var pendingCharset = ""
        var literalStart = raw.startIndex
        var index = raw.startIndex
        var lastWasWord = false

        func flushPending() {
            if !pendingBytes.isEmpty { result += Charset.decode(pendingBytes, charset: pendingCharset) }
            pendingBytes.removeAll()
        }

        while index < raw.endIndex {
            guard raw[index] == 0x3D, index + 1 < raw.endIndex, raw[index + 1] == 0x3F,
                let word = parseWord(raw, at: index)
            else {
                index += 1
                continue
            }
            let between = raw[literalStart..<index]
            let onlyBlanks = between.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
            if !(lastWasWord && onlyBlanks) {
                flushPending()
                result += String(decoding: between, as: UTF8.self)
            }
            if word.charset.lowercased() != pendingCharset { flushPending() }
            pendingCharset = word.charset.lowercased()
            pendingBytes.append(contentsOf: word.bytes)
            lastWasWord = true
            index = word.end
            literalStart = index
        }
        flushPending()
        result += String(decoding: raw[literalStart...], as: UTF8.self)
        return result
    }

    /// `=?charset?B|Q?text?=` starting at `start`, or nil when it is not well formed.
    private static func parseWord(
        _ raw: ArraySlice<UInt8>, at start: Int
    ) -> (charset: String, bytes: [UInt8], end: Int)? {
        var index = start + 2
        let charsetStart = index
        while index < raw.endIndex, raw[index] != 0x3F, raw[index] > 0x20 { index += 1 }
        guard index + 2 < raw.endIndex, raw[index] == 0x3F, index > charsetStart else { return nil }
        let charset = String(decoding: raw[charsetStart..<index], as: UTF8.self)
        let encoding = raw[index + 1] | 0x20
        guard encoding == 0x62 || encoding == 0x71, raw[index + 2] == 0x3F else { return nil }
        let textStart = index + 3
        var textEnd = textStart
        while textEnd + 1 < raw.endIndex, !(raw[textEnd] == 0x3F && raw[textEnd + 1] == 0x3D) {
            // Encoded words hold no blanks; one that does is not an encoded word.
            if raw[textEnd] == 0x20 || raw[textEnd] == 0x09 { return nil }
            textEnd += 1
        }
        guard textEnd + 1 < raw.endIndex else { return nil }
        let text = raw[textStart..<textEnd]
        let bytes: [UInt8]
        if encoding == 0x62 {
            bytes = Base64.decodeLenient(text)
        } else {
            var decoded: [UInt8] = []
            var position = text.startIndex
            while position < text.endIndex {
                let byte = text[position]
                if byte == 0x5F {
                    decoded.append(0x20)
                } else if byte == 0x3D, position + 2 < text.endIndex,
                    let high = Hex.value(text[position + 1]), let low = Hex.value(text[position + 2])
                {
                    decoded.append(high << 4 | low)
                    position += 2
                } else {
                    decoded.append(byte)
                }
                position += 1
            }
            bytes = decoded
        }
        return (charset, bytes, textEnd + 2)
    }
}
