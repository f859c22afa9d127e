/// Tells a mailbox or a message from a report document by its first bytes, never by its name:
/// rua mailboxes are delivered to disk as files without extensions.
enum MailDetection {
    enum Kind: Equatable {
        /// `From ` separated messages.
        case mbox
        /// One RFC 5322 message (`.eml`, a Maildir file).
        case message
        /// Anything else: left to the report reader (XML, gzip, zip, or a rejection).
        case other
    }

    /// How much of the start of a file `kind(of:)` wants to see. Enough for the first header
    /// fields: the decision never depends on where this window ends (see `looksLikeHeaderBlock`).
    static let headLength = 16 << 10

    /// `isWholeInput`: `head` is the whole file, so its last line is complete even without a line
    /// break; otherwise the window may have cut it anywhere.
    static func kind(of head: [UInt8], isWholeInput: Bool) -> Kind {
        if head.starts(with: fromSpace) { return .mbox }
        return looksLikeHeaderBlock(head, lastLineMayBeCut: !isWholeInput) ? .message : .other
    }

    static let fromSpace: [UInt8] = Array("From ".utf8)

    /// The first line is a header field, and so is every line up to the blank line that ends the
    /// header (or up to the end of `head`). An XML document with junk before `<feedback>` fails on
    /// its first markup line.
    ///
    /// A line the window cut off is judged by what it could still become: a field name not yet
    /// followed by its colon is a field. So a message whose header block is larger than the window
    /// is a message wherever the window ends; its size is the header parser's limit to judge.
    private static func looksLikeHeaderBlock(_ head: [UInt8], lastLineMayBeCut: Bool) -> Bool {
        var start = 0
        var lines = 0
        while start < head.count {
            let newline = head[start...].firstIndex(of: 0x0A)
            var end = newline ?? head.count
            if end > start, head[end - 1] == 0x0D { end -= 1 }
            if end == start { return lines > 0 }
            let line = head[start..<end]
            if lines == 0 || !(line.first == 0x20 || line.first == 0x09) {
                let cut = newline == nil && lastLineMayBeCut
                guard cut ? mayStartFieldName(line) : fieldNameLength(line) != nil else { return false }
            }
            lines += 1
            start = (newline ?? head.count) + 1
        }
        return lines > 0
    }

    /// Whether `line`, cut short, can still be the start of a field: a field name of RFC 5322's
    /// printable ASCII, then blanks, then the colon, each possibly not yet reached.
    private static func mayStartFieldName(_ line: ArraySlice<UInt8>) -> Bool {
        if fieldNameLength(line) != nil { return true }
        var index = line.startIndex
        while index < line.endIndex, line[index] >= 33, line[index] <= 126, line[index] != 0x3A { index += 1 }
        let length = index - line.startIndex
        guard length > 0, length <= maxFieldNameLength else { return false }
        while index < line.endIndex, line[index] == 0x20 || line[index] == 0x09 { index += 1 }
        return index == line.endIndex
    }

    /// Longer names are not taken for header fields: no real field name comes near it.
    static let maxFieldNameLength = 200

    /// The length of the field name if `line` starts with `name:`, RFC 5322's printable ASCII
    /// without the colon (obsolete syntax allows blanks before the colon).
    static func fieldNameLength(_ line: ArraySlice<UInt8>) -> Int? {
        var index = line.startIndex
        while index < line.endIndex, line[index] >= 33, line[index] <= 126, line[index] != 0x3A { index += 1 }
        let length = index - line.startIndex
        guard length > 0, length <= maxFieldNameLength else { return nil }
        while index < line.endIndex, line[index] == 0x20 || line[index] == 0x09 { index += 1 }
        guard index < line.endIndex, line[index] == 0x3A else { return nil }
        return length
    }
}
