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

    /// How much of the start of a file `kind(of:)` wants to see.
    static let headLength = 16 << 10

    static func kind(of head: [UInt8]) -> Kind {
        if head.starts(with: fromSpace) { return .mbox }
        return looksLikeHeaderBlock(head) ? .message : .other
    }

    static let fromSpace: [UInt8] = Array("From ".utf8)

    /// The first line is a header field, and so is every line up to the blank line that ends the
    /// header (or up to the end of `head`). An XML document with junk before `<feedback>` fails on
    /// its first markup line.
    private static func looksLikeHeaderBlock(_ head: [UInt8]) -> Bool {
        var start = 0
        var lines = 0
        while start < head.count {
            // The last line may be cut off by the end of `head`: its start still tells.
            let newline = head[start...].firstIndex(of: 0x0A) ?? head.count
            var end = newline
            if end > start, head[end - 1] == 0x0D { end -= 1 }
            if end == start { return lines > 0 }
            let line = head[start..<end]
            if lines == 0 || !(line.first == 0x20 || line.first == 0x09) {
                guard fieldNameLength(line) != nil else { return false }
            }
            lines += 1
            start = newline + 1
        }
        return lines > 0
    }

    /// The length of the field name if `line` starts with `name:`, RFC 5322's printable ASCII
    /// without the colon (obsolete syntax allows blanks before the colon).
    static func fieldNameLength(_ line: ArraySlice<UInt8>) -> Int? {
        var index = line.startIndex
        while index < line.endIndex, line[index] >= 33, line[index] <= 126, line[index] != 0x3A { index += 1 }
        let length = index - line.startIndex
        guard length > 0, length <= 200 else { return nil }
        while index < line.endIndex, line[index] == 0x20 || line[index] == 0x09 { index += 1 }
        guard index < line.endIndex, line[index] == 0x3A else { return nil }
        return length
    }
}
