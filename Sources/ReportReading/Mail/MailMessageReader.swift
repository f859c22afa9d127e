/// Reads one e-mail message held in memory: finds its attachments, undoes their transfer
/// encoding and hands those whose bytes look like XML, gzip or zip to the report reader.
/// The message's origin brackets what it yields (`beginMessage` … `endMessage`); a report
/// forwarded as `message/rfc822` keeps the origin of the message that arrived in the mailbox.
struct MailMessageReader {
    let reader: ReportReader
    var limits: ReadingLimits { reader.limits }

    func read<H: ReportHandler>(message bytes: [UInt8], source: String, into handler: inout H) throws {
        let parsed: (header: MessageHeader, bodyStart: Int)
        do {
            parsed = try MessageHeader.parse(bytes, in: 0..<bytes.count, limits: limits)
        } catch {
            return try handler.rejected(source: source, error: error)
        }
        let origin = MessageOrigin(source: source, header: parsed.header)
        try handler.beginMessage(origin)
        // The attachments go to the caller's handler through a counting wrapper. A pointer, not a
        // copy: copying a handler that collects would copy its storage once per message.
        let outcome = try withUnsafeMutablePointer(to: &handler) { pointer in
            var scoped = MessageScopedHandler(base: pointer)
            var candidates = 0
            try MIMEWalker(limits: limits).walk(
                bytes, header: parsed.header, body: parsed.bodyStart..<bytes.count, path: "", depth: 0,
                defaultType: "text/plain"
            ) { event in
                switch event {
                case .problem(let path, let error):
                    try scoped.rejectPart(source: "\(source)!part\(path)", error: error)
                case .leaf(let leaf):
                    guard leaf.mayHoldReport else {
                        scoped.outcome.ignoredParts += 1
                        return
                    }
                    candidates += 1
                    if candidates > limits.maxAttachmentsPerMessage {
                        if candidates == limits.maxAttachmentsPerMessage + 1 {
                            try scoped.rejectPart(
                                source: source,
                                error: ReadError(
                                    .limitExceeded,
                                    "more than \(limits.maxAttachmentsPerMessage) attachments; the rest are not read"))
                        }
                        return
                    }
                    let partSource = "\(source)!\(leaf.displayName)"
                    let decoded: [UInt8]
                    do throws(ReadError) {
                        decoded = try leaf.decodedBody()
                    } catch {
                        return try scoped.rejectPart(source: partSource, error: error)
                    }
                    guard ReportSniff.mayBeReport(decoded) else {
                        scoped.outcome.ignoredParts += 1
                        return
                    }
                    try reader.read(bytes: decoded, source: partSource, into: &scoped)
                }
            }
            return scoped.outcome
        }
        try handler.endMessage(origin, outcome: outcome)
    }
}

extension MessageOrigin {
    init(source: String, header: MessageHeader) {
        var messageID = header.text(.messageID).map(Self.printable)
        if let id = messageID, id.hasPrefix("<"), id.hasSuffix(">"), id.count >= 2 {
            messageID = String(id.dropFirst().dropLast())
        }
        let date = header.text(.date).map(Self.printable)
        self.init(
            source: source, messageID: messageID, subject: header.text(.subject).map(Self.printable),
            from: header.text(.from).map(Self.printable), date: date, dateEpoch: date.flatMap(MessageDate.epochSeconds))
    }

    /// Control characters (C0 but TAB, DEL, C1) replaced by U+FFFD: these fields are stored as text,
    /// which PostgreSQL refuses with a NUL in it (failing the whole file), and shown on terminals.
    /// A raw byte or an encoded word (`=?utf-8?B?AA==?=`) can put one there.
    static func printable(_ text: String) -> String {
        let isControl: (Unicode.Scalar) -> Bool = {
            ($0.value < 0x20 && $0 != "\t") || (0x7F...0x9F).contains($0.value)
        }
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) ? "\u{FFFD}" : $0 }))
    }
}
