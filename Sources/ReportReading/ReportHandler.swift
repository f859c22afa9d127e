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
}

/// Collects whole reports in memory: for tests, small inputs and callers that need the full value.
public struct ReportCollector: ReportHandler {
    public private(set) var reports: [AggregateReport] = []
    public private(set) var rejections: [(source: String, error: ReadError)] = []
    private var current: AggregateReport?

    public init() {}

    public mutating func beginReport(_ report: AggregateReport) { current = report }
    public mutating func record(_ record: Record) { current?.records.append(record) }
    public mutating func endReport(warnings: [String]) {
        guard var report = current else { return }
        report.warnings = warnings
        reports.append(report)
        current = nil
    }
    public mutating func abandonReport(_ error: ReadError) {
        if let report = current { rejections.append((report.source, error)) }
        current = nil
    }
    public mutating func rejected(source: String, error: ReadError) { rejections.append((source, error)) }
}
