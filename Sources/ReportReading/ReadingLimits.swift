/// Caps on everything an attacker controls. Exceeding one rejects that input (or member) with a
/// reason that names the limit, never the whole batch. Caps on lists that only explain a report
/// (warnings, errors, override reasons) keep the first entries and say how many were dropped.
public struct ReadingLimits: Sendable, Equatable {
    /// Bytes of one input file as it lies on disk (plain XML, an archive, a message, an mbox).
    public var maxInputBytes: Int64 = 1 << 30
    /// Decompressed bytes of one report document (one gzip stream or zip member).
    public var maxDecompressedBytes: Int64 = 512 << 20
    /// Decompressed bytes of all the members of one zip archive together.
    public var maxArchiveDecompressedBytes: Int64 = 1 << 30
    /// Decompressed over compressed bytes, checked once `ratioGraceBytes` have come out.
    public var maxCompressionRatio: Int64 = 300
    public var ratioGraceBytes: Int64 = 4 << 20
    public var maxArchiveMembers: Int = 1_000
    /// gzip inside gzip inside …
    public var maxNesting: Int = 3
    public var maxElementDepth: Int = 32
    /// Text of one element (a comment, a domain): real values are far shorter.
    public var maxTextBytes: Int = 64 << 10
    public var maxRecordsPerReport: Int = 10_000_000
    /// DKIM or SPF results in one row (RFC 9990 allows up to 100 DKIM results).
    public var maxAuthResultsPerRecord: Int = 100
    /// Override reasons in one row's `policy_evaluated`: the first are kept, the rest named in a warning.
    public var maxReasonsPerRecord: Int = 100
    /// `report_metadata/error` entries in one report: the first are kept, the rest named in a warning.
    public var maxErrorsPerReport: Int = 100
    /// Warnings about one report (one per bad row at most): the first are kept, then one that says
    /// how many more were dropped.
    public var maxWarningsPerReport: Int = 1_000

    // E-mail inputs (.eml, mbox, Maildir).
    /// One message, encoded as it arrived; an mbox holds only one message in memory at a time.
    public var maxMessageBytes: Int = 64 << 20
    /// Parts decoded and read per message (body text and other parts that cannot be reports are not counted).
    public var maxAttachmentsPerMessage: Int = 100
    /// Multiparts and forwarded messages inside each other.
    public var maxMIMEDepth: Int = 16
    /// One header field, unfolded. RFC 5322 says 998 per line, but folded fields add up.
    public var maxHeaderLineBytes: Int = 64 << 10
    /// The header block of one message or MIME part, all fields together.
    public var maxHeaderBytes: Int = 1 << 20
    /// Header fields in the header block of one message or MIME part.
    public var maxHeaderFields: Int = 1_000

    public init() {}

    /// The rejection of an input of `size` bytes under `maxInputBytes`, or nil when it fits: the
    /// reader checks it before reading, ingest before hashing.
    public func inputTooLarge(_ size: Int64) -> ReadError? {
        guard size > maxInputBytes else { return nil }
        return ReadError(
            .limitExceeded, "file is \(size) bytes, larger than \(ByteCount(maxInputBytes)) (--max-input-mib to raise)")
    }
}
