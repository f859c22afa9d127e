import DMARC
import Diagnosis
import Postgres

/// Messages of a domain's stored rows summed by report, header From, the receiver's verdict and
/// whether they came from the provider's networks: all a month's totals need of a row with a verdict
/// (`Diagnoser.reportedVerdict`).
public struct VerdictVolume: Sendable, Equatable {
    /// The period of the rows' report, epoch seconds.
    public var begin: Int64
    public var end: Int64
    public var headerFrom: String
    /// Who sent the report (`org_name`): the coverage of a month counts receivers.
    public var receiver: String
    /// The receiver's verdict: DMARC pass.
    public var reportedPass: Bool
    /// Sent from one of the provider's networks (origin `providerNetwork`).
    public var fromProviderNetworks: Bool
    /// May be 0: empty rows still show that the domain was reported.
    public var messages: Int64

    /// The day the diagnosis judges the rows by, as `StoredRow.day`.
    public var day: Day { Day(epochSeconds: begin) }
}

extension PostgresConnection {
    /// The rows of `forEachStoredRow(domain:period:)` that have a verdict, summed as `VerdictVolume`s
    /// on the server. Returns whether there were others (`StoredRowSelection.outsideVerdictVolumes`),
    /// which must then be read whole; the same scan tells, so that they cost a second one only when
    /// they exist.
    ///
    /// A big tenant's month is 600,000 rows, a third of them failing with results each, from
    /// 100,000 addresses; its previous month is read only for the change of its totals. The origin
    /// such a total needs is decided by the server, address against `providerNetworks`, so that the
    /// month comes back as a few rows per report.
    @discardableResult
    public func forEachVerdictVolume(
        domain: String, period: DayRange, providerNetworks: [IPNetwork], _ body: (VerdictVolume) throws -> Void
    ) throws -> Bool {
        // $5, $6 for `domainRows`; $7 the networks.
        let parameters =
            Self.domainRowParameters(domain, period) + [PostgresArray.textLiteral(providerNetworks.map(\.description))]
        let sql = """
            \(Self.foundReports)
            SELECT extract(epoch FROM p.begin_time)::bigint AS begin_time, extract(epoch FROM p.end_time)::bigint AS end_time,
                   r.header_from, r.pass, r.provider, r.count::bigint AS count, r.summed, p.org_name
            FROM (
                SELECT r.report, r.header_from, \(Self.inVerdictVolumes) IS TRUE AS summed,
                       (r.dkim = 'pass' OR r.spf = 'pass') IS TRUE AS pass,
                       r.source_ip <<= ANY ($7::inet[]) AS provider, sum(r.count) AS count
                FROM found JOIN records r ON r.report = found.report
                WHERE \(Self.domainRows)
                GROUP BY 1, 2, 3, 4, 5, \(Self.apartWhenSpanningDays)) r
            JOIN reports p ON p.id = r.report
            """
        var leftOut = false
        // The planner expects a group per address and sorts 600,000 rows for them; there are a few per
        // report, which a hash sums at a third less of the server's time. (The memory stays small: it
        // is a limit, not an allocation.)
        // Positions by name once, on the first row: a lookup per column of each row cost a tenth.
        var positions: [Int]?
        try forEachRow(sql, parameters, settings: ["work_mem": "32MB", "cursor_tuple_fraction": "1"]) { row in
            let at = try positions
                ?? row.columns.positions(of: [
                    "summed", "begin_time", "end_time", "header_from", "pass", "provider", "count", "org_name",
                ])
            positions = at
            guard try row.boolean(at: at[0]) else {
                leftOut = true
                return
            }
            try body(
                VerdictVolume(
                    begin: try row.integer(at: at[1]), end: try row.integer(at: at[2]),
                    headerFrom: try row.text(at: at[3]), receiver: try row.text(at: at[7]),
                    reportedPass: try row.boolean(at: at[4]), fromProviderNetworks: try row.boolean(at: at[5]),
                    messages: try row.integer(at: at[6])))
        }
        return leftOut
    }

    /// The rows `forEachVerdictVolume` sums: those with a verdict (`reportedVerdict`), but not from an
    /// IPv4-mapped IPv6 address, which `IPAddress` reads as IPv4 and PostgreSQL's `<<=` does not.
    /// Ingest stores such addresses as IPv4; this keeps the sums exact for any row stored otherwise.
    static let inVerdictVolumes = """
        (\(reportedVerdict) IS TRUE AND NOT (family(r.source_ip) = 6 AND r.source_ip <<= '::ffff:0.0.0.0/96'))
        """
}
