import DMARC

extension ReportReader {
    /// For the fuzz targets: reads `bytes` as one document (gzip or XML, never zip) whose stream
    /// hands out at most `chunkSizes[i]` bytes per read, cycled. Real inputs come in 64 KiB chunks,
    /// so fuzz inputs (shorter) would never put a chunk boundary inside a UTF-8 sequence, a gzip
    /// member boundary or the prefilter's look-ahead; this puts boundaries anywhere. SPI: not an API.
    @_spi(Fuzzing) public func readDocument<H: ReportHandler>(
        bytes: [UInt8], chunkSizes: [Int], source: String, into handler: inout H
    ) throws {
        let stream = ChunkedStream(RangeStream(MemoryBytes(bytes: bytes)), chunkSizes: chunkSizes)
        try readDocument(AnyByteStream(stream), source: source, nesting: 0, into: &handler)
    }
}

/// A stream that returns short reads of the given sizes, as a pipe or a slow inflater might.
struct ChunkedStream<Upstream: ByteStream>: ByteStream {
    private var upstream: Upstream
    private let chunkSizes: [Int]
    private var next = 0
    var consumed: Int64 { upstream.consumed }

    init(_ upstream: Upstream, chunkSizes: [Int]) {
        self.upstream = upstream
        self.chunkSizes = chunkSizes
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int {
        guard !chunkSizes.isEmpty else { return try upstream.read(into: buffer) }
        // At least one byte, so that 0 still means the end.
        let size = min(buffer.count, max(1, chunkSizes[next % chunkSizes.count]))
        next += 1
        return try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<size]))
    }
}

extension ReportReader {
    /// For the mail fuzz target: reads `bytes` as `read(file:)` reads a file that is mail — an mbox
    /// when it starts with `From `, else one message. Input that does not look like a header block
    /// is read as a message too (the lenient header parser ends the header at the first line that is
    /// no field), so that every input reaches the MIME reader. An mbox is read in chunks of
    /// `mboxChunkSize` bytes (default: as a file is). SPI: not an API.
    @_spi(Fuzzing) public func readMail<H: ReportHandler>(
        bytes: [UInt8], source: String, mboxChunkSize: Int? = nil, into handler: inout H
    ) throws {
        if bytes.starts(with: MailDetection.fromSpace) {
            _ = try MboxReader(reader: self).read(
                MemoryBytes(bytes: bytes), source: source, chunkSize: mboxChunkSize ?? MboxReader.chunkSize, into: &handler)
        } else {
            try MailMessageReader(reader: self).read(message: bytes, source: source, into: &handler)
        }
    }
}

extension ReportReader {
    /// For the mail fuzz target: whether a file that starts with `head` is read as one message.
    /// `isWholeInput`: `head` is all of the file. SPI: not an API.
    @_spi(Fuzzing) public static func takesForMessage(_ head: [UInt8], isWholeInput: Bool) -> Bool {
        MailDetection.kind(of: head, isWholeInput: isWholeInput) == .message
    }
}
