import DMARC

/// Reads DMARC aggregate reports from files or bytes: XML, gzip or zip, decided by magic bytes,
/// never by name or MIME type. A file may also be an e-mail message or an mbox (see `MboxReader`):
/// their attachments are read the same way.
public struct ReportReader: Sendable {
    public var limits: ReadingLimits

    public init(limits: ReadingLimits = ReadingLimits()) {
        self.limits = limits
    }

    /// Reads one file. `source` names it in reports and rejections (default: the path).
    ///
    /// A file that starts with `From ` is an mbox, one that starts with header fields is a single
    /// message (`.eml`, a Maildir file): its reports are named `message.eml!report.zip!member.xml`,
    /// `mailbox#12!report.xml.gz` for the 12th message of an mbox. A saved message that keeps its
    /// mbox `From ` line is a one-message mbox (`message.eml#1!…`): the content decides, not the name.
    public func read<H: ReportHandler>(file path: String, source: String? = nil, into handler: inout H) throws {
        let name = source ?? path
        let file: FileBytes
        do throws(ReadError) {
            file = try FileBytes(path: path)
        } catch {
            return try handler.rejected(source: name, error: error)
        }
        try readInput(file, source: name, into: &handler)
    }

    /// Reads a file's bytes, read earlier, exactly as `read(file:)` reads the file: ingest reads a
    /// small file once, for its hash, its stored original and its reports alike.
    public func read<H: ReportHandler>(fileContents: [UInt8], source: String, into handler: inout H) throws {
        try readInput(MemoryBytes(bytes: fileContents), source: source, into: &handler)
    }

    /// A whole input, mail or not: the content decides.
    private func readInput<H: ReportHandler>(_ input: some RandomAccessBytes, source name: String, into handler: inout H)
        throws
    {
        var head = [UInt8](repeating: 0, count: MailDetection.headLength)
        let size: Int64
        do throws(ReadError) {
            try checkInputSize(input)
            size = input.size
            let count = try Self.read(input, at: 0, into: &head)
            head.removeSubrange(count...)
        } catch {
            return try handler.rejected(source: name, error: error)
        }
        switch MailDetection.kind(of: head, isWholeInput: Int64(head.count) >= size) {
        case .mbox:
            _ = try MboxReader(reader: self).read(input, source: name, into: &handler)
        case .message:
            try readMessage(input, source: name, into: &handler)
        case .other:
            try read(input, source: name, into: &handler)
        }
    }

    /// The input-size cap, checked on the size before anything is read: a file of any size costs nothing.
    func checkInputSize(_ file: some RandomAccessBytes) throws(ReadError) {
        if let tooLarge = limits.inputTooLarge(file.size) { throw tooLarge }
    }

    /// Reads an input held in memory (a mail attachment).
    public func read<H: ReportHandler>(bytes: [UInt8], source: String, into handler: inout H) throws {
        try read(MemoryBytes(bytes: bytes), source: source, into: &handler)
    }

    /// A single message is read whole: MIME needs to look back for boundaries, and the cap keeps it small.
    private func readMessage<H: ReportHandler>(_ file: some RandomAccessBytes, source: String, into handler: inout H) throws {
        guard file.size <= Int64(limits.maxMessageBytes) else {
            return try handler.rejected(
                source: source,
                error: ReadError(.limitExceeded, "message is larger than \(ByteCount(Int64(limits.maxMessageBytes)))"))
        }
        var message = [UInt8](repeating: 0, count: Int(file.size))
        do throws(ReadError) {
            var done = 0
            while done < message.count {
                let count = try Self.read(file, at: done, into: &message)
                if count == 0 { break }
                done += count
            }
            message.removeSubrange(done...)
        } catch {
            return try handler.rejected(source: source, error: error)
        }
        try MailMessageReader(reader: self).read(message: message, source: source, into: &handler)
    }

    /// Fills `buffer` from `offset` on with one `pread`; returns the count read.
    private static func read(_ file: some RandomAccessBytes, at offset: Int, into buffer: inout [UInt8]) throws(ReadError) -> Int {
        let result: Result<Int, ReadError> = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(ReadError) -> Int in
                try file.read(at: Int64(offset), into: UnsafeMutableRawBufferPointer(rebasing: raw[offset...]))
            }
        }
        return try result.get()
    }

    private func read<H: ReportHandler>(_ bytes: any RandomAccessBytes, source: String, into handler: inout H) throws {
        if bytes.size == 0 { return try handler.rejected(source: source, error: ReadError(.empty, "empty file")) }
        var magic = [UInt8](repeating: 0, count: 4)
        let n: Int
        do {
            n = try magic.withUnsafeMutableBytes { (buffer) -> Int in try bytes.read(at: 0, into: buffer) }
        } catch {
            return try handler.rejected(source: source, error: error as? ReadError ?? ReadError(.unreadable, "\(error)"))
        }
        if n >= 4, magic[0] == 0x50, magic[1] == 0x4B, magic[2] == 0x03 || magic[2] == 0x05 {
            return try readZip(bytes, source: source, into: &handler)
        }
        try readDocument(AnyByteStream(RangeStream(bytes)), source: source, nesting: 0, into: &handler)
    }

    /// One document stream: gzip (possibly nested) around XML.
    func readDocument<H: ReportHandler>(
        _ stream: AnyByteStream, source: String, nesting: Int, into handler: inout H
    ) throws {
        var peekable = PeekableStream(stream)
        let head: [UInt8]
        do {
            head = try peekable.peek(4)
        } catch {
            return try handler.rejected(source: source, error: error)
        }
        if head.count >= 2, head[0] == 0x1F, head[1] == 0x8B {
            guard nesting < limits.maxNesting else {
                return try handler.rejected(
                    source: source, error: ReadError(.limitExceeded, "gzip nested more than \(limits.maxNesting) deep"))
            }
            let inflated: InflateStream<PeekableStream<AnyByteStream>>
            do {
                inflated = try InflateStream(peekable, format: .gzip, limits: limits, what: "gzip stream")
            } catch {
                return try handler.rejected(source: source, error: error)
            }
            let box = AnyByteStream(inflated)
            return try readDocument(box, source: source, nesting: nesting + 1, into: &handler)
        }
        if head.count >= 4, head[0] == 0x50, head[1] == 0x4B, head[2] == 0x03 {
            return try handler.rejected(
                source: source, error: ReadError(.unsupported, "a zip inside a compressed stream is not supported"))
        }
        try XMLReportParser.parse(
            peekable, source: source, limits: limits, streamWarnings: { stream.warnings }, into: &handler)
    }

    private func readZip<H: ReportHandler>(_ bytes: any RandomAccessBytes, source: String, into handler: inout H) throws {
        let archive: ZipArchive
        do {
            archive = try ZipArchive(bytes, limits: limits)
        } catch {
            return try handler.rejected(source: source, error: error)
        }
        // The members' sizes from the directory, which `CheckedStream` holds each member to as it is read.
        let total = archive.members.reduce(Int64(0)) { sum, member in
            member.isDirectory || member.isMetadataJunk || member.isEncrypted
                || member.uncompressedSize > limits.maxDecompressedBytes ? sum : sum + member.uncompressedSize
        }
        guard total <= limits.maxArchiveDecompressedBytes else {
            return try handler.rejected(
                source: source,
                error: ReadError(
                    .limitExceeded,
                    "zip members decompress to \(total) bytes together, more than "
                        + "\(ByteCount(limits.maxArchiveDecompressedBytes)) (--max-archive-mib to raise)"))
        }
        var readable = 0
        for member in archive.members where !member.isDirectory && !member.isMetadataJunk {
            readable += 1
            let memberSource = "\(source)!\(member.name)"
            if member.isEncrypted {
                try handler.rejected(source: memberSource, error: ReadError(.unsupported, "encrypted zip member"))
                continue
            }
            guard member.uncompressedSize <= limits.maxDecompressedBytes else {
                try handler.rejected(
                    source: memberSource,
                    error: ReadError(.limitExceeded, "exceeds \(ByteCount(limits.maxDecompressedBytes)) decompressed"))
                continue
            }
            let stream: AnyByteStream
            do throws(ReadError) {
                let start = try archive.dataOffset(of: member)
                let raw = RangeStream(bytes, start: start, length: member.compressedSize)
                switch member.method {
                case 0:
                    stream = AnyByteStream(CheckedStream(raw, crc: member.crc, size: member.uncompressedSize, name: member.name))
                case 8:
                    let inflated = try InflateStream(raw, format: .raw, limits: limits, what: "zip member")
                    stream = AnyByteStream(
                        CheckedStream(inflated, crc: member.crc, size: member.uncompressedSize, name: member.name))
                default:
                    throw ReadError(.unsupported, "zip compression method \(member.method) is not supported")
                }
            } catch {
                try handler.rejected(source: memberSource, error: error)
                continue
            }
            try readDocument(stream, source: memberSource, nesting: 0, into: &handler)
        }
        if readable == 0 {
            try handler.rejected(source: source, error: ReadError(.notAReport, "zip holds no files"))
        }
    }
}

/// Type erasure for nested streams (gzip in gzip): the nesting depth is only known at run time.
final class AnyByteStream: ByteStream {
    private var base: any ByteStream
    private let warningsOf: (any ByteStream) -> [String]

    init<S: ByteStream>(_ base: S) {
        self.base = base
        warningsOf = { stream in
            if let inflate = stream as? any TrailingBytesReporting, inflate.trailingBytes > 0 {
                return ["ignored \(inflate.trailingBytes) byte(s) after the gzip stream"]
            }
            return []
        }
    }

    var consumed: Int64 { base.consumed }
    var warnings: [String] { warningsOf(base) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int {
        try base.read(into: buffer)
    }
}

protocol TrailingBytesReporting {
    var trailingBytes: Int64 { get }
}

extension InflateStream: TrailingBytesReporting {}
