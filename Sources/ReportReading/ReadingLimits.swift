/// Caps on everything an attacker controls. Exceeding one rejects that input (or member) with a
/// reason that names the limit, never the whole batch.
public struct ReadingLimits: Sendable, Equatable {
    /// Decompressed bytes of one report document (one gzip stream or zip member).
    public var maxDecompressedBytes: Int64 = 512 << 20
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

    public init() {}
}
