import DMARC

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
