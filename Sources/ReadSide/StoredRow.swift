import ComplianceReport
import DMARC
import Diagnosis
import Postgres

/// A stored record with what the queries need of its report: who sent it and for which period.
public struct StoredRow: Sendable {
    public var record: Record
    public var reporter: String
    public var reportID: String
    public var begin: Int64
    public var end: Int64
    public var policy: PolicyPublished
    /// The stored report's key: rows with the same key came in one report.
    public var reportKey: Int64
    /// Hex SHA-256 of the original file the report came in, for audit evidence.
    public var sourceSHA256: String

    /// The day the diagnosis judges the row by: the first day of its report's period.
    public var day: Day { Day(epochSeconds: begin) }
}

/// Which of a domain's rows `forEachStoredRow` reads.
public enum StoredRowSelection: Sendable {
    case all
    /// Rows the receiver did not report as DMARC pass.
    case exceptReportedPasses
    /// Rows reported as DMARC pass with this header From, from reports beginning then.
    case reportedPasses(headerFrom: String, begin: Int64)
    /// Every row, but those reported as DMARC pass summed: one row per report, header From, source
    /// address, disposition and policy-evaluated results, with the sum as its count and without
    /// DKIM/SPF results, override reasons and envelope identifiers (left empty). For callers that
    /// need of such rows only their messages and the pass verdict, which they get wherever their
    /// domain is configured (`Diagnoser.reportedPassOwner`), and which add up: the monthly report,
    /// the domain overview.
    case allWithReportedPassesSummed
    /// The sums of `allWithReportedPassesSummed` alone: for reading them beside the other rows, on a
    /// second connection.
    case reportedPassesSummed
    /// The rows `forEachVerdictVolume` leaves out: those whose report gave no DMARC verdict
    /// (`policy_evaluated` without a DKIM or SPF result), whose class only their auth results decide,
    /// and those from an IPv4-mapped IPv6 address.
    case outsideVerdictVolumes
}

/// What `forEachStoredRow` reads of each row's report.
public enum StoredReportColumns: Sendable {
    /// Everything a row carries of its report: the whole published policy, report id and file hash (evidence).
    case all
    /// What the diagnosis and the failure groups need: the receiver and the alignment modes. The
    /// rest is left empty; the hash and policy columns were a third of the server's work for `failures`.
    case forDiagnosis
}

/// One of `count` parts of a domain's rows, split by record number: for reading them on several
/// connections at once.
public struct RowPart: Sendable {
    public let index: Int
    public let count: Int

    public init(_ index: Int, of count: Int) {
        precondition(count > 0 && (0..<count).contains(index), "part \(index) of \(count)")
        self.index = index
        self.count = count
    }
}

/// Messages reported as DMARC pass for one header From in reports beginning at one time.
public struct ReportedPassVolume: Sendable, Equatable {
    public var headerFrom: String
    public var begin: Int64
    public var messages: Int64

    /// The day the diagnosis judges these rows by, as `StoredRow.day`.
    public var day: Day { Day(epochSeconds: begin) }
}

extension PostgresConnection {
    /// Every row whose header From is `domain` or one of its subdomains, from reports whose period
    /// overlaps `period`. Parameters only: the domain is attacker-influenced text.
    public func storedRows(domain: String, period: DayRange) throws -> [StoredRow] {
        var rows: [StoredRow] = []
        try forEachStoredRow(domain: domain, period: period) { rows.append($0) }
        return rows
    }

    /// The rows of `storedRows`, one at a time as they arrive: the memory of two batches, whatever
    /// the domain's volume (a big tenant's month is a million rows). `selection` narrows them.
    public func forEachStoredRow(
        domain: String, period: DayRange, only selection: StoredRowSelection = .all,
        report: StoredReportColumns = .all, _ body: (StoredRow) throws -> Void
    ) throws {
        try scan(domain: domain, period: period, only: selection, report: report) { row, at, storedReport in
            try body(try Self.storedRow(row, at, report: storedReport))
        }
    }

    /// The rows of `forEachStoredRow`, each with its diagnosis under `configuration`, exactly as
    /// `Diagnoser.diagnose(row.record, day: row.day, configuration:, policy: row.policy)` gives it.
    ///
    /// A domain's rows are mostly alike: thousands of failing rows, a few dozen kinds (84 among
    /// 5,649 rows of a typical domain's month). Each kind is converted and diagnosed once; the rest
    /// of its rows are recognised by their bytes (`RowDiagnoses`) and share that diagnosis, with
    /// their own address and count (`DiagnosedRow`). Converting and diagnosing every row, and
    /// copying each diagnosis, was most of `failures`' and the monthly report's time.
    public func forEachDiagnosedRow(
        domain: String, period: DayRange, only selection: StoredRowSelection = .all,
        report: StoredReportColumns = .all, part: RowPart? = nil, configuration: TenantConfiguration,
        rememberingKinds: Int = RowDiagnoses.defaultCapacity, _ body: (DiagnosedRow) throws -> Void
    ) throws {
        var diagnoses = RowDiagnoses(configuration: configuration, capacity: rememberingKinds)
        try scan(domain: domain, period: period, only: selection, report: report, part: part) { row, at, storedReport in
            try body(try diagnoses.diagnose(row, at, report: storedReport))
        }
    }

    /// Messages the receivers reported as DMARC pass, summed by header From and report begin, from
    /// `report_from_domains` (sql/022): a few rows per report instead of most of its records. Such a row
    /// is a pass for the diagnosis whenever its header From has a configuration entry on its day
    /// (`Diagnoser.reportedPassOwner`), so `failures` needs only its count.
    public func reportedPassVolumes(domain: String, period: DayRange) throws -> [ReportedPassVolume] {
        var volumes: [ReportedPassVolume] = []
        var positions: [Int]?
        try forEachRow(
            """
            SELECT d.header_from, extract(epoch FROM d.begin_time)::bigint AS begin_time,
                   sum(d.passed_messages)::bigint AS messages
            FROM report_from_domains d
            WHERE \(Self.domainAndPeriodCondition) AND d.passed_messages BETWEEN 1 AND \(MessageCount.maxPerReport)
            GROUP BY d.header_from, d.begin_time
            """, Self.domainAndPeriod(domain, period)
        ) { row in
            let at = try positions ?? row.columns.positions(of: ["header_from", "begin_time", "messages"])
            positions = at
            volumes.append(
                ReportedPassVolume(
                    headerFrom: try row.text(at: at[0]), begin: try row.integer(at: at[1]),
                    messages: try row.integer(at: at[2])))
        }
        return volumes
    }

    /// The query behind `forEachStoredRow`: the domain's rows in the period that `selection` picks
    /// (for `allWithReportedPassesSummed`, the sums of the rows reported as pass follow the other
    /// rows), each with its report, read first.
    func scan(
        domain: String, period: DayRange, only selection: StoredRowSelection, report: StoredReportColumns,
        part: RowPart? = nil, _ visit: (borrowing PostgresRowView, RecordPositions, StoredReport) throws -> Void
    ) throws {
        var parameters = Self.domainRowParameters(domain, period)
        var filter = part.map { "AND r.record_no % \($0.count) = \($0.index)" } ?? ""
        var summedPasses = false, othersToo = true, byBegin = false
        switch selection {
        case .all: break
        case .exceptReportedPasses: filter += " AND NOT \(Self.reportedPass)"
        case .reportedPasses(let headerFrom, let begin):
            filter += " AND \(Self.reportedPass) AND r.header_from = $7 AND p.begin_time = to_timestamp($8)"
            parameters += [headerFrom, String(begin)]
            byBegin = true
        case .allWithReportedPassesSummed: summedPasses = true
        case .reportedPassesSummed: (summedPasses, othersToo) = (true, false)
        case .outsideVerdictVolumes: filter += " AND \(Self.inVerdictVolumes) IS NOT TRUE"
        }
        let rows = """
            FROM found
            \(byBegin ? "JOIN reports p ON p.id = found.report" : "")
            JOIN records r ON r.report = found.report
            WHERE \(Self.domainRows) \(filter)
            """
        var sql = """
            \(Self.foundReports)
            SELECT \(RecordPositions.selectList(summed: false))
            \(rows)
            """
        // The planner prices a domain's rows through the primary key at several times what they cost,
        // past the point where it compiles the query (JIT): 55 ms of compiling for a typical domain's
        // 10 ms of rows, and no gain on the big tenant's month either.
        var settings: KeyValuePairs<String, String> = ["jit": "off"]
        if summedPasses {
            // Rows alike in all the columns read of a pass add up to one row: a big tenant's month is
            // 600,000 rows, most of them passes, and reading them one by one was most of its report's time.
            sql = othersToo ? sql + " AND NOT \(Self.reportedPass)\nUNION ALL\n" : Self.foundReports + "\n"
            sql += """
                SELECT \(RecordPositions.selectList(summed: true))
                FROM (
                    SELECT r.report, r.header_from, r.source_ip, r.disposition, r.dkim, r.spf, sum(r.count) AS count
                    FROM found JOIN records r ON r.report = found.report
                    WHERE \(Self.domainRows) \(filter) AND \(Self.reportedPass)
                    GROUP BY r.report, r.header_from, r.source_ip, r.disposition, r.dkim, r.spf, \(Self.apartWhenSpanningDays)) r
                """
            // The planner cannot know how many passes are alike: it plans for none, and sorts the
            // big tenant's 380,000 passes (on disk, at the default work_mem) instead of hashing them
            // into their 8,445 sums — 1.6 s against 0.9 s of server time. A cursor is also planned
            // for its first tenth by default, while every row is read.
            settings = ["jit": "off", "work_mem": "32MB", "cursor_tuple_fraction": "1"]
        }
        // The reports and their rows are read in two queries, from one snapshot: a report stored or
        // replaced (reparse) meanwhile is either wholly in the result or not at all.
        try inOneSnapshot {
            let reports = try self.reports(Array(parameters.prefix(4)), columns: report)
            var positions: RecordPositions?
            try forEachRow(sql, parameters, settings: settings) { row in
                let at = try RecordPositions.of(row.columns, remembered: &positions)
                // A report stored after `reports` read its list is not in the snapshot: never missing.
                guard let report = reports[try row.integer(at: at.report)] else { return }
                try visit(row, at, report)
            }
        }
    }

    /// Runs `body` in a REPEATABLE READ, READ ONLY transaction of its own, or in the caller's.
    private func inOneSnapshot(_ body: () throws -> Void) throws {
        guard isOutsideTransaction else { return try body() }
        try execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        do {
            try body()
            try execute("COMMIT")
        } catch {
            rollbackQuietly()
            throw error
        }
    }

    /// The reports `foundReports` names (parameters $1 to $4), by key. A report's columns are read
    /// once here, not on each of its rows: converting and sending them, a file hash in hex among
    /// them, on each of a big tenant's 240,000 rows was a sixth of the server's time.
    private func reports(_ parameters: [String?], columns: StoredReportColumns) throws -> [Int64: StoredReport] {
        // Named as the table's columns; for the diagnosis, all but the alignment modes are NULL.
        let policyColumns = [
            "report_id", "policy_domain", "adkim", "aspf", "p", "sp", "np", "pct", "testing", "source_sha256",
        ].map { name in
            switch (columns, name) {
            case (.all, "source_sha256"): "encode(p.source_sha256, 'hex') AS source_sha256"
            case (.all, _), (.forDiagnosis, "adkim"), (.forDiagnosis, "aspf"): "p.\(name)"
            case (.forDiagnosis, _): "NULL AS \(name)"
            }
        }
        var reports: [Int64: StoredReport] = [:]
        // One round trip: a row per report, few enough to hold (a cursor cost a typical domain's
        // `failures` four more).
        let result = try query(
            """
            \(Self.foundReports)
            SELECT p.id, extract(epoch FROM p.begin_time)::bigint AS begin_time,
                   extract(epoch FROM p.end_time)::bigint AS end_time, p.org_name,
                   \(policyColumns.joined(separator: ", "))
            FROM found JOIN reports p ON p.id = found.report
            """, parameters)
        // Positions by name once: a big tenant's month has thousands of reports.
        let at = try result.columns.positions(of: [
            "id", "begin_time", "end_time", "org_name", "report_id", "policy_domain", "adkim", "aspf", "p", "sp", "np",
            "pct", "testing", "source_sha256",
        ])
        for row in result.rows {
            let key = try row.decode(at: at[0], as: Int64.self)
            func text(_ index: Int) throws -> String? { try row.decodeIfPresent(at: at[index], as: String.self) }
            var policy = PolicyPublished(domain: try text(5) ?? "")
            policy.adkim = try text(6).flatMap(Alignment.init(rawValue:))
            policy.aspf = try text(7).flatMap(Alignment.init(rawValue:))
            policy.p = try text(8).flatMap(PolicyAction.init(rawValue:))
            policy.sp = try text(9).flatMap(PolicyAction.init(rawValue:))
            policy.np = try text(10).flatMap(PolicyAction.init(rawValue:))
            policy.pct = try row.decodeIfPresent(at: at[11], as: Int.self)
            policy.testing = try text(12)
            reports[key] = StoredReport(
                key: key, begin: try row.decode(at: at[1]), end: try row.decode(at: at[2]),
                reporter: try row.decode(at: at[3]), reportID: try text(4) ?? "", policy: policy,
                sourceSHA256: try text(13) ?? "")
        }
        return reports
    }

    /// The rows of `domain` and its subdomains in the reports found: parameters $5 and $6.
    /// The domain's rows, without any stored past the cap (sql/023): such a row, stored before the
    /// cap, is no real count, and would make every sum it enters meaningless.
    static let domainRows =
        "(r.header_from = $5 OR r.header_from LIKE $6) AND r.count BETWEEN 0 AND \(MessageCount.maxPerRecord)"

    /// The CTE `found`: the domain's reports in the period (`domainAndPeriodCondition`), whose records
    /// are then read through the primary key (sql/022).
    ///
    /// `spans_days`: the report's period covers more than one UTC day (`DayApportioning.singleDay` is
    /// nil). Rows alike of such a report must not be summed before the split into days: the split
    /// rounds each row's shares to whole messages, and the shares of a sum are not the sums of the
    /// shares (3 and 5 split 2+1 and 3+2, their sum 8 splits 4+4).
    static let foundReports = """
        WITH found AS (
            SELECT DISTINCT d.report,
                   extract(epoch FROM d.end_time) > extract(epoch FROM d.begin_time)
                   AND floor(extract(epoch FROM d.begin_time) / 86400)
                       <> floor((least(extract(epoch FROM d.end_time), extract(epoch FROM d.begin_time) + \(DayApportioning.maximumDays * 86_400)) - 1) / 86400)
                   AS spans_days
            FROM report_from_domains d WHERE \(domainAndPeriodCondition))
        """

    /// Rows of a report whose period spans several days stay apart in a sum of rows alike.
    static let apartWhenSpanningDays = "CASE WHEN found.spans_days THEN r.record_no END"

    /// Parameters $1 to $6 of a query over `foundReports` and `domainRows`.
    static func domainRowParameters(_ domain: String, _ period: DayRange) -> [String?] {
        domainAndPeriod(domain, period) + [domain, "%" + likeEscaped("." + domain)]
    }

    /// The receiver's own verdict was DMARC pass, for a row with messages (`Record.dmarcPass`).
    private static let reportedPass = "(r.count > 0 AND (r.dkim = 'pass' OR r.spf = 'pass'))"

    /// The report gave a DMARC verdict for the row (`Diagnoser.reportedVerdict` is not nil), as the
    /// row is read back: a stored verdict other than `pass` or `fail` reads as none. Compared with `IS
    /// TRUE` or `IS NOT TRUE`, since NULL results make it NULL.
    static let reportedVerdict = "(r.dkim IN ('pass', 'fail') OR r.spf IN ('pass', 'fail'))"

    /// Reports with rows of `domain` or its subdomains, overlapping the period, in
    /// `report_from_domains d`: parameters $1 to $4.
    ///
    /// The index `report_from_domains_period` (reversed header From, end of period) is read twice: for
    /// the domain itself (an equality) and for its subdomains (a prefix), each only from the period's
    /// start to its end plus the longest report period stored (`reports_span`), so old and new
    /// periods alike read only their own reports. Their records are then read by the primary key,
    /// a report's rows together (sql/022).
    static let domainAndPeriodCondition = """
        (reverse(d.header_from) = $1 OR reverse(d.header_from) LIKE $2)
          AND d.end_time >= to_timestamp($3)
          AND d.end_time < to_timestamp($4) + (SELECT greatest(max(end_time - begin_time), interval '0') FROM reports)
          AND d.begin_time < to_timestamp($4)
        """

    static func domainAndPeriod(_ domain: String, _ period: DayRange) -> [String?] {
        // Reversed first, then escaped: an escape reversed would follow the character it escapes.
        [
            String(domain.reversed()), likeEscaped(String(("." + domain).reversed())) + "%", String(period.fromSeconds),
            String(period.toSeconds),
        ]
    }

    /// `text` as a LIKE pattern matching itself only.
    static func likeEscaped(_ text: String) -> String {
        text.replacingAll("\\", with: "\\\\").replacingAll("%", with: "\\%").replacingAll("_", with: "\\_")
    }

    /// What a row needs of its report; a class, so that handing it to each of the report's rows
    /// costs one reference, not a copy of every string.
    final class StoredReport: Sendable {
        let key: Int64
        /// The report's period, epoch seconds.
        let begin: Int64
        let end: Int64
        let reporter: String
        let reportID: String
        let policy: PolicyPublished
        let sourceSHA256: String

        init(
            key: Int64, begin: Int64, end: Int64, reporter: String, reportID: String, policy: PolicyPublished,
            sourceSHA256: String
        ) {
            self.key = key
            self.begin = begin
            self.end = end
            self.reporter = reporter
            self.reportID = reportID
            self.policy = policy
            self.sourceSHA256 = sourceSHA256
        }
    }

    static func storedRow(_ row: borrowing PostgresRowView, _ at: RecordPositions, report: StoredReport) throws -> StoredRow {
        let ip = try row.text(at: at.sourceIP), count = try row.integer(at: at.count)
        let headerFrom = try row.text(at: at.headerFrom)
        func array(_ position: Int) throws -> [String?] { try row.textArray(at: position) ?? [] }
        func text(_ position: Int) -> String? { row.string(position) }
        // Element i of each group of arrays belongs together (a CHECK in sql/020 keeps them equally long).
        let dkimDomains = try array(at.dkimDomain), selectors = try array(at.dkimSelector)
        let dkimResults = try array(at.dkimResult)
        let spfDomains = try array(at.spfDomain), scopes = try array(at.spfScope), spfResults = try array(at.spfResult)
        let types = try array(at.reasonType), comments = try array(at.reasonComment)
        let dkim = dkimDomains.indices.map { index in
            DKIMAuthResult(
                domain: dkimDomains[index] ?? "", selector: selectors[safe: index] ?? nil,
                result: (dkimResults[safe: index] ?? nil).flatMap(DKIMResult.init(rawValue:)))
        }
        let spf = spfDomains.indices.map { index in
            SPFAuthResult(
                domain: spfDomains[index] ?? "", scope: (scopes[safe: index] ?? nil).flatMap(SPFScope.init(rawValue:)),
                result: (spfResults[safe: index] ?? nil).flatMap(SPFResult.init(rawValue:)))
        }
        let reasons = types.indices.map { index in
            PolicyOverrideReason(
                type: types[index].flatMap(PolicyOverride.init(rawValue:)), comment: comments[safe: index] ?? nil)
        }
        let record = Record(
            sourceIP: ip, count: count,
            policyEvaluated: PolicyEvaluated(
                disposition: text(at.disposition).flatMap(Disposition.init(rawValue:)),
                dkim: text(at.dkim).flatMap(DMARCResult.init(rawValue:)),
                spf: text(at.spf).flatMap(DMARCResult.init(rawValue:)), reasons: reasons),
            identifiers: Identifiers(
                headerFrom: headerFrom, envelopeFrom: text(at.envelopeFrom), envelopeTo: text(at.envelopeTo)),
            authResults: AuthResults(dkim: dkim, spf: spf))
        return StoredRow(
            record: record, reporter: report.reporter, reportID: report.reportID, begin: report.begin,
            end: report.end, policy: report.policy, reportKey: report.key, sourceSHA256: report.sourceSHA256)
    }

    /// Policy domains and header From domains seen in reports, for "did you mean" suggestions.
    func knownDomains() throws -> [String] {
        try query("SELECT DISTINCT policy_domain FROM reports").rows.map { try $0.decode("policy_domain") }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
