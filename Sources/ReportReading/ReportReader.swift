import DMARC

/// Reads DMARC aggregate reports from files or bytes: XML, gzip or zip, decided by magic bytes.
public struct ReportReader: Sendable {
    public var limits: ReadingLimits

    public init(limits: ReadingLimits = ReadingLimits()) {
        self.limits = limits
    }

    /// Reads one file. `source` names it in reports and rejections (default: the path).
    public func read<H: ReportHandler>(file path: String, source: String? = nil, into handler: inout H) throws {
        try handler.rejected(source: source ?? path, error: ReadError(.unsupported, "reader not built yet"))
    }

    /// Reads an input held in memory (a mail attachment).
    public func read<H: ReportHandler>(bytes: [UInt8], source: String, into handler: inout H) throws {
        try handler.rejected(source: source, error: ReadError(.unsupported, "reader not built yet"))
    }
}
