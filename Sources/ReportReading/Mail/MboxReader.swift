/// Reads an mbox file message by message: only the message being read is in memory, capped by
/// `ReadingLimits.maxMessageBytes`, so a mailbox of any size reads in bounded memory.
///
/// A message starts at a `From ` line at the start of the file or after a blank line; `>From `
/// lines (any number of `>`) lose one `>` (mboxrd, and mboxo's escaping read the same way).
/// Messages are named `mailbox#N`, N counting from 1. An oversized message is rejected and
/// skipped up to the next `From ` line; the rest of the mailbox goes on.
public struct MboxReader: Sendable {
    /// What reading a mailbox took, for callers and tests that check it stayed bounded.
    public struct Summary: Sendable, Equatable {
        public var messages = 0
        /// The most bytes held for one message at once.
        @_spi(Testing) public var largestMessageBuffer = 0
    }

    public let reader: ReportReader
    static let chunkSize = 1 << 20

    public init(reader: ReportReader = ReportReader()) {
        self.reader = reader
    }

    /// Reads the mbox at `path`; `source` names it (default: the path).
    @discardableResult
    public func read<H: ReportHandler>(file path: String, source: String? = nil, into handler: inout H) throws
        -> Summary
    {
        let name = source ?? path
        let file: FileBytes
        do throws(ReadError) {
            file = try FileBytes(path: path)
            try reader.checkInputSize(file)
        } catch {
            try handler.rejected(source: name, error: error)
            return Summary()
        }
        // Errors thrown by the handler come out unchanged.
        return try read(file, source: name, into: &handler)
    }

    /// `chunkSize`: bytes read at a time (the fuzz target reads in tiny chunks too, to put a chunk
    /// boundary inside every separator line).
    func read<H: ReportHandler>(
        _ file: some RandomAccessBytes, source: String, chunkSize: Int = Self.chunkSize, into handler: inout H
    ) throws -> Summary {
        var splitter = MboxSplitter(limit: reader.limits.maxMessageBytes)
        let messages = MailMessageReader(reader: reader)
        let chunk = ChunkBuffer(byteCount: max(1, chunkSize))
        var offset: Int64 = 0
        var summary = Summary()

        func deliver(_ message: MboxSplitter.Message) throws {
            summary.messages += 1
            let messageSource = "\(source)#\(message.number)"
            if message.oversized {
                try handler.rejected(
                    source: messageSource,
                    error: ReadError(
                        .limitExceeded, "message is larger than \(ByteCount(Int64(reader.limits.maxMessageBytes)))"))
            } else {
                try messages.read(message: message.bytes, source: messageSource, into: &handler)
            }
        }

        while true {
            let count: Int
            do {
                count = try file.read(at: offset, into: chunk.bytes)
            } catch {
                // The messages before the failure were read; say where it stopped.
                try handler.rejected(source: "\(source)#\(splitter.number)", error: error)
                break
            }
            if count == 0 { break }
            offset += Int64(count)
            try splitter.feed(UnsafeRawBufferPointer(rebasing: chunk.bytes[0..<count]), deliver: deliver)
            summary.largestMessageBuffer = max(summary.largestMessageBuffer, splitter.largestBuffer)
        }
        try splitter.finish(deliver: deliver)
        summary.largestMessageBuffer = max(summary.largestMessageBuffer, splitter.largestBuffer)
        return summary
    }
}
