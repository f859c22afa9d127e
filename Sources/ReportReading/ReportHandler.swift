import DMARC

/// Receives what the reader finds in one input, as it finds it, so that a report of any size is
/// never held whole: the header first, then each record, then the end.
///
/// Calls come in this order for each report: `beginReport`, `record`…, then `endReport` when the
/// report is complete and valid, or `abandonReport` when it turned out bad after it began (a
/// truncated document, a parse error): everything received since `beginReport` must be discarded.
/// `rejected` names an input (or archive member) that yielded no report. Errors thrown by the
/// handler stop the reading and come out of `ReportReader.read` unchanged.
public protocol ReportHandler {
    /// `report` has its metadata, policy, source and the warnings known so far; `records` is empty.
    mutating func beginReport(_ report: AggregateReport) throws
    mutating func record(_ record: Record) throws
    /// The report is complete; `warnings` is the final list (it may have grown since `beginReport`).
    mutating func endReport(warnings: [String]) throws
    mutating func abandonReport(_ error: ReadError) throws
    /// `source` is the path, or `archive.zip!member.xml` for a member.
    mutating func rejected(source: String, error: ReadError) throws
    /// A mail message begins; the reports and rejections until `endMessage` came in it. A message
    /// that cannot be read at all (oversized, unreadable header) is only `rejected`.
    mutating func beginMessage(_ origin: MessageOrigin) throws
    /// The message is done. `outcome.hasNoAggregateReport` marks one that carried none (a bounce,
    /// a TLS or failure report, spam): not an error, but worth counting apart.
    mutating func endMessage(_ origin: MessageOrigin, outcome: MessageOutcome) throws
}

extension ReportHandler {
    /// Handlers that do not care where reports came from need not implement the message calls.
    public mutating func beginMessage(_ origin: MessageOrigin) throws {}
    public mutating func endMessage(_ origin: MessageOrigin, outcome: MessageOutcome) throws {}
}

/// Collects whole reports in memory: for tests, small inputs and callers that need the full value.
@_spi(Testing) public struct ReportCollector: ReportHandler {
    public private(set) var reports: [AggregateReport] = []
    public private(set) var rejections: [(source: String, error: ReadError)] = []
    /// Every message read, in order, with what it yielded.
    public private(set) var messages: [(origin: MessageOrigin, outcome: MessageOutcome)] = []
    /// The message each of `reports` came in (nil for a file that was no message), same order.
    public private(set) var reportOrigins: [MessageOrigin?] = []
    private var current: AggregateReport?
    private var currentMessage: MessageOrigin?

    public init() {}

    public mutating func beginReport(_ report: AggregateReport) { current = report }
    public mutating func record(_ record: Record) { current?.records.append(record) }
    public mutating func endReport(warnings: [String]) {
        guard var report = current else { return }
        report.warnings = warnings
        reports.append(report)
        reportOrigins.append(currentMessage)
        current = nil
    }
    public mutating func abandonReport(_ error: ReadError) {
        if let report = current { rejections.append((report.source, error)) }
        current = nil
    }
    public mutating func rejected(source: String, error: ReadError) { rejections.append((source, error)) }
    public mutating func beginMessage(_ origin: MessageOrigin) { currentMessage = origin }
    public mutating func endMessage(_ origin: MessageOrigin, outcome: MessageOutcome) {
        messages.append((origin, outcome))
        currentMessage = nil
    }
}
