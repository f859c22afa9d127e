import DMARC

/// Reads one e-mail message held in memory: finds its attachments, undoes their transfer
/// encoding and hands those whose bytes look like XML, gzip or zip to the report reader.
/// The message's origin brackets what it yields (`beginMessage` … `endMessage`).
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
        var messageID = header.text(.messageID)
        if let id = messageID, id.hasPrefix("<"), id.hasSuffix(">"), id.count >= 2 {
            messageID = String(id.dropFirst().dropLast())
        }
        let date = header.text(.date)
        self.init(
            source: source, messageID: messageID, subject: header.text(.subject), from: header.text(.from), date: date,
            dateEpoch: date.flatMap(MessageDate.epochSeconds))
    }
}

/// What an attachment's first bytes say: only gzip, zip and XML can be aggregate reports.
enum ReportSniff {
    static func mayBeReport(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 2 else { return false }
        if bytes[0] == 0x1F, bytes[1] == 0x8B { return true }
        if bytes.count >= 4, bytes[0] == 0x50, bytes[1] == 0x4B, bytes[2] == 0x03 || bytes[2] == 0x05 { return true }
        // UTF-16 with a byte order mark: XML is the only text a report attachment can be.
        if (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) { return true }
        var index = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0D || bytes[index] == 0x0A {
            index += 1
        }
        return index < bytes.count && bytes[index] == 0x3C
    }
}

/// Forwards one message's reports to the caller's handler and counts them. An attachment that
/// turns out not to be an aggregate report (a TLS report is gzip'd JSON; a zip of PDFs) is
/// counted as ignored, not rejected: the message simply carried no report.
struct MessageScopedHandler<Base: ReportHandler>: ReportHandler {
    let base: UnsafeMutablePointer<Base>
    var outcome = MessageOutcome()

    init(base: UnsafeMutablePointer<Base>) { self.base = base }

    mutating func beginReport(_ report: AggregateReport) throws { try base.pointee.beginReport(report) }
    mutating func record(_ record: Record) throws { try base.pointee.record(record) }
    mutating func endReport(warnings: [String]) throws {
        outcome.reports += 1
        try base.pointee.endReport(warnings: warnings)
    }
    mutating func abandonReport(_ error: ReadError) throws {
        outcome.rejected += 1
        try base.pointee.abandonReport(error)
    }
    mutating func rejected(source: String, error: ReadError) throws {
        if error.code == .notXML || error.code == .notAReport || error.code == .empty {
            outcome.ignoredParts += 1
            return
        }
        try rejectPart(source: source, error: error)
    }
    mutating func rejectPart(source: String, error: ReadError) throws {
        outcome.rejected += 1
        try base.pointee.rejected(source: source, error: error)
    }
}
