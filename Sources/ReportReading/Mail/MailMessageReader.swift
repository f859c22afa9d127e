import DMARC

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
        var messageID = header.text(.messageID).map(Printable.text)
        if let id = messageID, id.hasPrefix("<"), id.hasSuffix(">"), id.count >= 2 {
            messageID = String(id.dropFirst().dropLast())
        }
        let date = header.text(.date).map(Printable.text)
        // Stored as text, which PostgreSQL refuses with a NUL in it, and shown on terminals: a raw
        // byte or an encoded word (`=?utf-8?B?AA==?=`) can put any control character there.
        self.init(
            source: source, messageID: messageID, subject: header.text(.subject).map(Printable.text),
            from: header.text(.from).map(Printable.text), date: date, dateEpoch: date.flatMap(MessageDate.epochSeconds))
    }
}
