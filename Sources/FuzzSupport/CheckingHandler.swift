import DMARC
import ReportReading

/// A `ReportHandler` that checks the reader's contract on every call and stops the process on a
/// breach, so that libFuzzer reports a wrong answer as loudly as a crash.
///
/// The contract (from `ReportHandler`'s documentation and the model's promises): calls come as
/// `beginReport`, `record`…, then `endReport` or `abandonReport`; `rejected` only between reports;
/// every value is already normalised (IPs canonical, counts non-negative, domains A-labels).
public struct CheckingHandler: ReportHandler {
    /// The input's name; every report and rejection must name it or one of its members.
    public let source: String
    public private(set) var reports = 0
    public private(set) var abandoned = 0
    public private(set) var rejections = 0
    public private(set) var records = 0
    private var open: AggregateReport?

    public init(source: String) { self.source = source }

    /// Reports, abandoned reports and rejections: what the caller learns about the input.
    public var outcomes: Int { reports + abandoned + rejections }
    public var isBetweenReports: Bool { open == nil }

    public mutating func beginReport(_ report: AggregateReport) {
        check(open == nil, "beginReport while report \(open?.metadata.reportID ?? "") is still open")
        check(report.records.isEmpty, "beginReport with \(report.records.count) records attached")
        check(names(report.source), "report source \"\(report.source)\" is not the input \"\(source)\" or its member")
        check(!report.metadata.reportID.isEmpty, "report without a report_id")
        check(!report.metadata.orgName.isEmpty || !report.metadata.email.isEmpty, "report without org_name and email")
        check(!report.policy.domain.isEmpty, "report without a policy domain")
        check(isFixedPoint(report.policy.domain), "policy domain \"\(report.policy.domain)\" is not normalised")
        if let pct = report.policy.pct { check((0...100).contains(pct), "pct \(pct) out of range") }
        open = report
    }

    public mutating func record(_ record: Record) {
        check(open != nil, "record outside a report")
        records += 1
        check(record.count >= 0, "negative count \(record.count)")
        check(
            Normalise.ipAddress(record.sourceIP) == record.sourceIP,
            "source_ip \"\(record.sourceIP)\" does not round-trip through Normalise.ipAddress")
        check(isFixedPoint(record.identifiers.headerFrom), "header_from \"\(record.identifiers.headerFrom)\" is not normalised")
        for result in record.authResults.dkim {
            check(isFixedPoint(result.domain), "dkim domain \"\(result.domain)\" is not normalised")
        }
        for result in record.authResults.spf {
            check(isFixedPoint(result.domain), "spf domain \"\(result.domain)\" is not normalised")
        }
    }

    public mutating func endReport(warnings: [String]) {
        guard let report = open else { violation("endReport without beginReport") }
        // The final list only grows from what beginReport carried.
        check(warnings.starts(with: report.warnings), "endReport dropped warnings known at beginReport")
        reports += 1
        open = nil
    }

    public mutating func abandonReport(_ error: ReadError) {
        check(open != nil, "abandonReport without beginReport")
        check(!error.message.isEmpty, "abandonReport without a reason")
        abandoned += 1
        open = nil
    }

    public mutating func rejected(source rejectedSource: String, error: ReadError) {
        check(open == nil, "rejected(\(rejectedSource)) while a report is open")
        check(names(rejectedSource), "rejection source \"\(rejectedSource)\" is not the input or its member")
        check(!error.message.isEmpty, "rejection without a reason")
        rejections += 1
    }

    /// Checks that apply once the reader returned.
    public func finish(inputIsEmpty: Bool, exactlyOneOutcome: Bool) {
        check(open == nil, "read returned with report \(open?.metadata.reportID ?? "") still open")
        // Every input, even an empty one, yields a report or a reason: nothing is silently lost.
        check(outcomes > 0, "input yielded neither a report nor a rejection")
        if inputIsEmpty { check(rejections == 1 && reports == 0, "empty input was not rejected once") }
        if exactlyOneOutcome { check(outcomes == 1, "one document yielded \(outcomes) outcomes") }
    }

    private func names(_ candidate: String) -> Bool {
        candidate == source || candidate.hasPrefix(source + "!")
    }

    /// A normalised domain normalises to itself; text that is no domain is kept as written (lower-cased).
    private func isFixedPoint(_ domain: String) -> Bool {
        guard !domain.isEmpty, let again = Normalise.domain(domain) else { return true }
        return again == domain
    }
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { violation(message()) }
}

/// A broken promise: libFuzzer sees the trap, saves the input and prints this line above the trace.
func violation(_ message: String) -> Never {
    fatalError("fuzz invariant violated: \(message)")
}
