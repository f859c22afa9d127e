/// The header fields of a message or a MIME part that reading reports needs; the rest (Received,
/// DKIM-Signature, …) is skipped without building strings for it.
struct MessageHeader {
    enum Field: Int, CaseIterable {
        case contentType, contentTransferEncoding, contentDisposition, subject, from, date, messageID

        var name: String {
            switch self {
            case .contentType: "content-type"
            case .contentTransferEncoding: "content-transfer-encoding"
            case .contentDisposition: "content-disposition"
            case .subject: "subject"
            case .from: "from"
            case .date: "date"
            case .messageID: "message-id"
            }
        }

        private static let names: [(field: Field, bytes: [UInt8])] = allCases.map { ($0, Array($0.name.utf8)) }

        /// Case-insensitive match on the raw name bytes.
        static func named(_ bytes: ArraySlice<UInt8>) -> Field? {
            for entry in names where entry.bytes.count == bytes.count {
                var equal = true
                var index = bytes.startIndex
                for expected in entry.bytes {
                    let byte = bytes[index]
                    let lower = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                    if lower != expected {
                        equal = false
                        break
                    }
                    index += 1
                }
                if equal { return entry.field }
            }
            return nil
        }
    }

    /// Unfolded raw values by `Field.rawValue`, first occurrence of each field only (a second
    /// Subject is ignored). An array, not a dictionary: this runs for every part of every message.
    private var values = [[UInt8]?](repeating: nil, count: Field.allCases.count)

    subscript(field: Field) -> [UInt8]? { values[field.rawValue] }

    /// The value as text: unfolded, trimmed, encoded words decoded, raw 8-bit read as UTF-8.
    func text(_ field: Field) -> String? {
        guard let raw = values[field.rawValue] else { return nil }
        let decoded = EncodedWords.decode(raw[...]).trimmingBlanks()
        return decoded.isEmpty ? nil : decoded
    }

    /// Parses the header block that starts at `range.lowerBound`. Returns where the body starts: after
    /// the blank line, or at the first line that is neither a field nor a continuation (lenient, as
    /// mail readers are), or at the end.
    static func parse(
        _ bytes: [UInt8], in range: Range<Int>, limits: ReadingLimits
    ) throws(ReadError) -> (header: MessageHeader, bodyStart: Int) {
        var header = MessageHeader()
        var current: Field?
        var currentLength = 0
        var position = range.lowerBound
        var firstLine = true
        var fields = 0
        while position < range.upperBound {
            if position - range.lowerBound > limits.maxHeaderBytes {
                throw ReadError(
                    .limitExceeded, "the header is larger than \(ByteCount(Int64(limits.maxHeaderBytes)))")
            }
            let newline = bytes[position..<range.upperBound].firstIndex(of: 0x0A)
            let next = newline.map { $0 + 1 } ?? range.upperBound
            var end = newline ?? range.upperBound
            if end > position, bytes[end - 1] == 0x0D { end -= 1 }
            if end == position { return (header, next) }
            let line = bytes[position..<end]
            if line.first == 0x20 || line.first == 0x09 {
                currentLength += line.count
                try checkLength(currentLength, limits: limits)
                if let field = current { header.values[field.rawValue]?.append(contentsOf: line) }
            } else if let nameLength = MailDetection.fieldNameLength(line) {
                fields += 1
                if fields > limits.maxHeaderFields {
                    throw ReadError(.limitExceeded, "the header has more than \(limits.maxHeaderFields) fields")
                }
                current = Field.named(line.prefix(nameLength))
                var valueStart = line.startIndex + nameLength
                while line[valueStart] != 0x3A { valueStart += 1 }
                valueStart += 1
                currentLength = line.count
                try checkLength(currentLength, limits: limits)
                if let field = current {
                    if header.values[field.rawValue] == nil {
                        header.values[field.rawValue] = Array(line[valueStart...])
                    } else {
                        current = nil
                    }
                }
            } else if firstLine, line.starts(with: MailDetection.fromSpace) {
                // An mbox envelope line left at the top of a saved message.
                current = nil
            } else {
                return (header, position)
            }
            firstLine = false
            position = next
        }
        return (header, range.upperBound)
    }

    private static func checkLength(_ length: Int, limits: ReadingLimits) throws(ReadError) {
        if length > limits.maxHeaderLineBytes {
            throw ReadError(
                .limitExceeded, "a header field is longer than \(ByteCount(Int64(limits.maxHeaderLineBytes)))")
        }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks.
    func trimmingBlanks() -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
