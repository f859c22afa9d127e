import DMARC
import Diagnosis

/// The sums `MonthlyReport.build` makes of a month's report rows, taken as the rows arrive and in
/// parts that add up: a reader that gets a report's rows in pieces (its failing rows on one
/// connection, the sums of its passes on another) tallies each piece apart, adds the tallies, and
/// builds the report from the sum (`MonthlyReport.build(_:from:)`) without holding the rows.
///
/// Each row's messages are split by UTC day (`DayApportioning`); only days inside the month count
/// towards the month, and the days of the readiness window before the month's end towards readiness.
public struct MonthlyReportTally: Sendable {
    public let month: ReportMonth
    let window: ClosedRange<Day>
    /// The month's messages by domain, day, source, origin and class.
    var rows: [RowKey: Int64] = [:]
    var reports: [Int64: ReportTally] = [:]

    public init(month: ReportMonth, thresholds: ComplianceThresholds = .standard) {
        self.month = month
        let end = month.lastDay
        let days = max(thresholds.readinessWindowDays, 1)
        window = Day(daysSinceEpoch: end.daysSinceEpoch - days + 1)...end
    }

    /// Adds `row` of the report with key `key`; `report` (its rows unused) is read for a report not
    /// seen yet.
    public mutating func add(_ row: ReportedRow, ofReport key: Int64, _ report: @autoclosure () -> ReceivedReport) {
        if reports[key] == nil { reports[key] = ReportTally(report()) }
        reports[key]?.add(row, month: month, window: window, rows: &rows)
    }

    /// Adds a report with no rows (it still shows the receiver saw no mail); no-op for one seen.
    mutating func add(_ report: ReceivedReport, key: Int64) {
        if reports[key] == nil { reports[key] = ReportTally(report) }
    }

    /// Adds a tally of other rows of the same month (of the same reports or others).
    public mutating func add(_ other: MonthlyReportTally) {
        var other = other
        // The smaller dictionary is added to the larger.
        if rows.count < other.rows.count { swap(&rows, &other.rows) }
        for (key, messages) in other.rows { rows[key, default: 0] += messages }
        for (key, report) in other.reports {
            if reports[key] == nil {
                reports[key] = report
            } else {
                reports[key]?.add(report)
            }
        }
    }

    struct RowKey: Hashable, Sendable {
        var domain: String
        var day: Day
        var sourceIP: String
        var origin: SendingOrigin
        var `class`: DiagnosisClass
    }

    struct ReadinessSums: Sendable {
        var days: Set<Day> = []
        var authorised = PassCount()
        var problems: Set<DiagnosisClass> = []

        mutating func add(_ other: ReadinessSums) {
            days.formUnion(other.days)
            authorised = authorised + other.authorised
            problems.formUnion(other.problems)
        }
    }

    /// One report's sums: for the whole report, and per domain of its rows.
    struct ReportTally: Sendable {
        struct Domain: Sendable {
            let name: String
            var inMonth = false
            var inWindow = false
            /// Messages in the month by disposition, in `dispositionOrder`.
            var dispositions: [Int64] = Array(repeating: 0, count: MonthlyReportTally.dispositionOrder.count)
            var provider = PassCount()
            var readiness = ReadinessSums()
        }

        /// The report's metadata; its rows are not kept.
        let report: ReceivedReport
        /// All its rows' messages, in the month or not (`ReceivedReport.messages`).
        var messages: Int64 = 0
        /// The domains of all its rows, empty ones too.
        var rowDomains: Set<String> = []
        /// The domains of its rows with messages.
        var domains: [Domain] = []
        /// Its messages in the month: its receiver's traffic.
        var traffic = PassCount()
        private var lastSlot = 0
        private var lastRowDomain: String?

        init(_ report: ReceivedReport) {
            var metadata = report
            metadata.rows = []
            self.report = metadata
        }

        mutating func add(_ row: ReportedRow, month: ReportMonth, window: ClosedRange<Day>, rows: inout [RowKey: Int64]) {
            messages += row.messages
            // A report's rows share one string per domain: mostly a pointer test, not a hash.
            if row.domain != lastRowDomain {
                rowDomains.insert(row.domain)
                lastRowDomain = row.domain
            }
            DayApportioning.forEachShare(of: row.messages, over: report.period) { share in
                add(row, share, month: month, window: window, rows: &rows)
            }
        }

        private mutating func add(
            _ row: ReportedRow, _ share: DayShare, month: ReportMonth, window: ClosedRange<Day>,
            rows: inout [RowKey: Int64]
        ) {
            let slot = slot(of: row.domain)
            if window.contains(share.day) {
                domains[slot].inWindow = true
                domains[slot].readiness.days.insert(share.day)
                // Forwarders and DNS hiccups are outside anyone's control; foreign senders are what the next
                // policy step is meant to stop. What remains is the mail the tenant authorised.
                if row.origin != .other, row.class != .forwarded, row.class != .transient, row.class != .empty {
                    domains[slot].readiness.authorised =
                        domains[slot].readiness.authorised
                        + PassCount(messages: share.messages, passed: row.class == .pass ? share.messages : 0)
                    if row.class.isActionable { domains[slot].readiness.problems.insert(row.class) }
                }
            }
            guard month.contains(share.day) else { return }
            domains[slot].inMonth = true
            let key = RowKey(
                domain: row.domain, day: share.day, sourceIP: row.sourceIP, origin: row.origin, class: row.class)
            rows[key, default: 0] += share.messages
            domains[slot].dispositions[MonthlyReportTally.dispositionIndex(row.disposition)] += share.messages
            let count = PassCount(messages: share.messages, passed: row.class == .pass ? share.messages : 0)
            if row.origin == .providerNetwork { domains[slot].provider = domains[slot].provider + count }
            traffic = traffic + count
        }

        /// Adds the sums of other rows of the same report.
        mutating func add(_ other: ReportTally) {
            messages += other.messages
            rowDomains.formUnion(other.rowDomains)
            traffic = traffic + other.traffic
            for domain in other.domains {
                let slot = slot(of: domain.name)
                domains[slot].inMonth = domains[slot].inMonth || domain.inMonth
                domains[slot].inWindow = domains[slot].inWindow || domain.inWindow
                for index in domain.dispositions.indices { domains[slot].dispositions[index] += domain.dispositions[index] }
                domains[slot].provider = domains[slot].provider + domain.provider
                domains[slot].readiness.add(domain.readiness)
            }
        }

        /// The index of `name` in `domains`, added when new. A report has a domain or two, and its rows
        /// share one string per domain, so comparing with the previous row's is mostly a pointer test.
        private mutating func slot(of name: String) -> Int {
            if lastSlot < domains.count, domains[lastSlot].name == name { return lastSlot }
            if let found = domains.firstIndex(where: { $0.name == name }) {
                lastSlot = found
            } else {
                domains.append(Domain(name: name))
                lastSlot = domains.count - 1
            }
            return lastSlot
        }
    }

    static let dispositionOrder = ["none", "pass", "quarantine", "reject", "unreported"]

    /// Position in `dispositionOrder`.
    static func dispositionIndex(_ disposition: Disposition?) -> Int {
        switch disposition {
        case .none?: 0
        case .pass?: 1
        case .quarantine?: 2
        case .reject?: 3
        case nil: 4
        }
    }
}
