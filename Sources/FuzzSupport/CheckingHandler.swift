#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
    public private(set) var messages = 0
    private var open: AggregateReport?
    /// The mail message being read, and what arrived in it so far (for checking its outcome).
    private var message: MessageOrigin?
    private var messageSoFar = MessageOutcome()
    /// What came out, in order, for comparing two readings of the same input.
    public private(set) var outcomeLog: [String] = []
    private var finished: [AggregateReport] = []

    public init(source: String) { self.source = source }

    /// Reports, abandoned reports and rejections: what the caller learns about the input.
    public var outcomes: Int { reports + abandoned + rejections + messages }

    /// `FUZZ_TRACE=1` prints every call: for reading a replayed crash.
    private static let tracing = getenv("FUZZ_TRACE") != nil

    private func trace(_ line: @autoclosure () -> String) {
        // Unbuffered, so the lines survive the trap that ends a violation.
        if Self.tracing { _ = "[\(source)] \(line())\n".withCString { write(2, $0, strlen($0)) } }
    }

    public mutating func beginReport(_ report: AggregateReport) {
        trace("begin \(report.metadata.reportID) warnings \(report.warnings)")
        check(open == nil, "beginReport while report \(open?.metadata.reportID ?? "") is still open")
        check(report.records.isEmpty, "beginReport with \(report.records.count) records attached")
        check(names(report.source), "report source \"\(report.source)\" is not the input \"\(source)\" or its member")
        check(inMessage(report.source), "report source \"\(report.source)\" is not in message \(message?.source ?? "")")
        check(!report.metadata.reportID.isEmpty, "report without a report_id")
        check(!report.metadata.orgName.isEmpty || !report.metadata.email.isEmpty, "report without org_name and email")
        check(!report.policy.domain.isEmpty, "report without a policy domain")
        for text in [report.metadata.orgName, report.metadata.email, report.metadata.reportID, report.policy.domain] {
            check(isStorable(text), "report field \"\(text)\" holds a character XML forbids")
        }
        check(isFixedPoint(report.policy.domain), "policy domain \"\(report.policy.domain)\" is not normalised")
        if let pct = report.policy.pct { check((0...100).contains(pct), "pct \(pct) out of range") }
        open = report
    }

    public mutating func record(_ record: Record) {
        trace("record \(record.sourceIP) count \(record.count)")
        check(open != nil, "record outside a report")
        records += 1
        open?.records.append(record)
        check(record.count >= 0, "negative count \(record.count)")
        check(
            Normalise.ipAddress(record.sourceIP) == record.sourceIP,
            "source_ip \"\(record.sourceIP)\" does not round-trip through Normalise.ipAddress")
        // Canonical text has nothing but these; a NUL would pass inet_pton, which stops at it.
        check(
            !record.sourceIP.isEmpty && record.sourceIP.utf8.allSatisfy { Self.ipBytes.contains($0) },
            "source_ip \"\(record.sourceIP)\" is not canonical text")
        for text in [record.identifiers.headerFrom, record.identifiers.envelopeFrom ?? "", record.identifiers.envelopeTo ?? ""] {
            check(isStorable(text), "identifier \"\(text)\" holds a character XML forbids")
        }
        check(isFixedPoint(record.identifiers.headerFrom), "header_from \"\(record.identifiers.headerFrom)\" is not normalised")
        for result in record.authResults.dkim {
            check(isFixedPoint(result.domain), "dkim domain \"\(result.domain)\" is not normalised")
        }
        for result in record.authResults.spf {
            check(isFixedPoint(result.domain), "spf domain \"\(result.domain)\" is not normalised")
        }
    }

    public mutating func endReport(warnings: [String]) {
        trace("end warnings \(warnings)")
        guard let report = open else { violation("endReport without beginReport") }
        // The final list only grows from what beginReport carried.
        check(warnings.starts(with: report.warnings), "endReport dropped warnings known at beginReport")
        for text in warnings + [report.metadata.orgName, report.metadata.email, report.metadata.reportID] {
            check(isPrintable(text), "\"\(text)\" holds a control character")
        }
        reports += 1
        if message != nil { messageSoFar.reports += 1 }
        var complete = report
        complete.warnings = warnings
        finished.append(complete)
        outcomeLog.append("report \(report.source) \(report.metadata.reportID)")
        open = nil
    }

    public mutating func abandonReport(_ error: ReadError) {
        trace("abandon \(error.code): \(error.message)")
        check(open != nil, "abandonReport without beginReport")
        check(!error.message.isEmpty, "abandonReport without a reason")
        abandoned += 1
        if message != nil { messageSoFar.rejected += 1 }
        // Abandoned or rejected depends on whether the header was handed out before the error,
        // which depends on chunking; either way the document yields no report, for this reason.
        outcomeLog.append("failed \(open?.source ?? "") \(Self.reason(error))")
        open = nil
    }

    public mutating func rejected(source rejectedSource: String, error: ReadError) {
        trace("rejected \(rejectedSource) \(error.code): \(error.message)")
        check(open == nil, "rejected(\(rejectedSource)) while a report is open")
        check(names(rejectedSource), "rejection source \"\(rejectedSource)\" is not the input or its member")
        check(!error.message.isEmpty, "rejection without a reason")
        check(isPrintable(error.message), "reason \"\(error.message)\" holds a control character")
        check(inMessage(rejectedSource), "rejection source \"\(rejectedSource)\" is not in message \(message?.source ?? "")")
        rejections += 1
        if message != nil { messageSoFar.rejected += 1 }
        outcomeLog.append("failed \(rejectedSource) \(Self.reason(error))")
    }

    public mutating func beginMessage(_ origin: MessageOrigin) {
        trace("begin message \(origin)")
        check(message == nil, "beginMessage(\(origin.source)) inside message \(message?.source ?? "")")
        check(open == nil, "beginMessage while report \(open?.metadata.reportID ?? "") is open")
        check(names(origin.source), "message source \"\(origin.source)\" is not the input or one of its messages")
        // The store keeps these as text: PostgreSQL refuses NUL, and they go to terminals.
        for text in [origin.messageID, origin.subject, origin.from, origin.date] {
            check(isPrintable(text ?? ""), "message field \"\(text ?? "")\" holds a control character")
        }
        message = origin
        messageSoFar = MessageOutcome()
        outcomeLog.append("message \(origin.source)")
    }

    public mutating func endMessage(_ origin: MessageOrigin, outcome: MessageOutcome) {
        trace("end message \(origin.source) \(outcome)")
        check(message == origin, "endMessage(\(origin.source)) does not end the open message \(message?.source ?? "none")")
        check(open == nil, "endMessage while report \(open?.metadata.reportID ?? "") is open")
        // Every report and rejection in the message is counted in its outcome, and nothing else.
        check(outcome.reports == messageSoFar.reports, "message outcome says \(outcome.reports) reports, \(messageSoFar.reports) came")
        check(
            outcome.rejected == messageSoFar.rejected,
            "message outcome says \(outcome.rejected) rejected, \(messageSoFar.rejected) came")
        check(outcome.ignoredParts >= 0, "negative ignored parts")
        messages += 1
        outcomeLog.append("end message \(origin.source) \(outcome.reports)/\(outcome.rejected)/\(outcome.ignoredParts)")
        message = nil
    }

    /// The code, not the message: which cap a bomb hits first depends on how far the input was read
    /// ahead when the ratio was checked, and libxml2's first complaint about a broken document
    /// depends on where its push parser's chunks ended.
    private static func reason(_ error: ReadError) -> String { "\(error.code)" }

    /// Reading the same bytes another way (in other chunks) must give the same reports, records and
    /// warnings, and the same failures with the same codes.
    public func expectSameOutcome(as other: CheckingHandler) {
        check(outcomeLog == other.outcomeLog, "outcomes differ: \(outcomeLog) versus \(other.outcomeLog)")
        for (mine, theirs) in zip(finished, other.finished) where mine != theirs {
            violation("report \(mine.metadata.reportID) differs: \(mine) versus \(theirs)")
        }
    }

    /// Checks that apply once the reader returned.
    public func finish(inputIsEmpty: Bool, exactlyOneOutcome: Bool) {
        check(open == nil, "read returned with report \(open?.metadata.reportID ?? "") still open")
        check(message == nil, "read returned with message \(message?.source ?? "") still open")
        // Every input, even an empty one, yields a report or a reason: nothing is silently lost.
        check(outcomes > 0, "input yielded neither a report nor a rejection")
        if inputIsEmpty { check(rejections == 1 && reports == 0, "empty input was not rejected once") }
        if exactlyOneOutcome { check(outcomes == 1, "one document yielded \(outcomes) outcomes") }
    }

    private static let ipBytes = Set("0123456789abcdef.:".utf8)

    /// XML 1.0 has no NUL and no C0 control but TAB, LF, CR: one here came through a repair, and
    /// PostgreSQL refuses NUL in text, which would fail the whole file's transaction.
    private func isStorable(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    /// Compared as bytes: a member name that starts with a combining mark joins the `!` into one
    /// Character, and `hasPrefix` compares Characters. `input#N` is the Nth message of an mbox.
    private func names(_ candidate: String) -> Bool {
        candidate == source || candidate.utf8.starts(with: (source + "!").utf8)
            || candidate.utf8.starts(with: (source + "#").utf8)
    }

    /// Inside a message, every source is the message or one of its parts.
    private func inMessage(_ candidate: String) -> Bool {
        guard let message else { return true }
        return candidate == message.source || candidate.utf8.starts(with: (message.source + "!").utf8)
    }

    /// What `Printable` lets through: one line for a person, no terminal control.
    private func isPrintable(_ text: String) -> Bool { text.unicodeScalars.allSatisfy(Printable.isPrintable) }

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
