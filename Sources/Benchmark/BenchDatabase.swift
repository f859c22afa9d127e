import ComplianceReport
import DMARC
import Diagnosis
import Foundation
import LocalCluster
import Postgres
import ReadSide
import ReportReading
import Store

/// The PostgreSQL the store and query phases use: the server named by `--database` (its database
/// must hold no reports yet), or a throwaway cluster in a temporary directory, started like the
/// integration tests' one (`fsync = off`, unix socket only, as `postgres` when we are root).
final class BenchDatabase {
    let conninfo: String
    let summary: String
    private let cluster: ManagedPostgres?

    init(url: String?, scratch: String) throws {
        if let url {
            conninfo = url
            summary = "--database (as given)"
            cluster = nil
            return
        }
        let directory = scratch + "/pg"
        // Throwaway means fresh: a cluster left in a --keep directory by an earlier run goes first.
        if FileManager.default.fileExists(atPath: directory) {
            _ = try? ManagedPostgres(directory: directory).stop(immediate: true)
            try FileManager.default.removeItem(atPath: directory)
        }
        let cluster = ManagedPostgres(
            directory: directory,
            settings: ["fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"],
            database: "dmarc_bench")
        try cluster.start()
        self.cluster = cluster
        conninfo = cluster.conninfo
        summary = "throwaway cluster in \(directory) (fsync=off, synchronous_commit=off; the \\copy baseline runs on it too)"
    }

    func stop() {
        _ = try? cluster?.stop(immediate: true)
    }

    func connect() throws -> PostgresConnection { try PostgresConnection(conninfo: conninfo) }

    /// Migrates and applies the tenants; refuses a database that already holds reports, so a
    /// mistyped URL never mixes benchmark rows into real data.
    func prepare(tenantsYAML: String, tenantsPath: String) throws {
        let connection = try connect()
        try Migrator.located().migrate(connection)
        if let count = try connection.query("SELECT count(*) FROM reports").first?.int64(0), count > 0 {
            throw BenchError(.database, "the database already holds \(count) reports; give --database an empty one")
        }
        _ = try TenantStore(connection: connection).apply(yaml: tenantsYAML, sourcePath: tenantsPath, dryRun: false)
    }

    /// `psql` with this database, quiet and without ~/.psqlrc.
    func psql(_ command: String, output: String) throws -> ChildProcess.Outcome {
        guard let psql = ChildProcess.which("psql") else {
            throw BenchError(.toolFailed, "psql not found (Debian: apt-get install postgresql-client)")
        }
        return try ChildProcess.check([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", command], output: output)
    }
}

/// Ingest end to end (`ParallelIngest`, as `dmarc ingest` runs it), and the raw `\copy` of the same
/// rows as the physical limit.
enum StorePhases {
    static func ingest(_ files: [String], database: BenchDatabase, limits: ReadingLimits, jobs: Int) throws -> (
        seconds: Double, summary: IngestSummary
    ) {
        let connections = try (0..<jobs).map { _ in try database.connect() }
        let ingest = ParallelIngest(jobs: jobs, options: IngestOptions(limits: limits))
        var summary = IngestSummary()
        let seconds = try Stopwatch.time { summary = try ingest.ingest(files: files, connections: connections) }
        if let failure = summary.databaseFailure { throw BenchError(.database, failure) }
        if let first = summary.rejections.first {
            throw BenchError(.corpusRejected, "ingest rejected generated input: \(first.path): \(first.reason)")
        }
        return (seconds, summary)
    }

    /// Every column of `records`: a record with its DKIM/SPF results and override reasons (sql/020).
    static let baselineColumns = """
        report, record_no, source_ip, count, disposition, dkim, spf, header_from, \
        envelope_from, envelope_to, dkim_domain, dkim_selector, dkim_result, dkim_human_result, spf_domain, \
        spf_scope, spf_result, spf_human_result, reason_type, reason_comment
        """

    /// Exports the stored rows as CSV (not timed), then times `psql \copy` of that file into a plain
    /// table of the `records` columns (no keys, no indexes): what the server and libpq can do at best.
    static func copyBaseline(database: BenchDatabase, scratch: String, repetitions: Int) throws -> (seconds: Double, rows: Int, bytes: Int) {
        let csv = scratch + "/records.csv"
        let log = scratch + "/psql.out"
        _ = try database.psql("\\copy (SELECT \(baselineColumns) FROM records) TO '\(csv)' WITH CSV", output: log)
        let connection = try database.connect()
        try connection.execute(
            """
            DROP TABLE IF EXISTS bench_copy_baseline;
            CREATE TABLE bench_copy_baseline (LIKE records)
            """)
        var times: [Double] = []
        for _ in 0..<repetitions {
            try connection.execute("TRUNCATE bench_copy_baseline")
            times.append(
                try database.psql("\\copy bench_copy_baseline (\(baselineColumns)) FROM '\(csv)' WITH CSV", output: log).seconds)
        }
        let rows = try connection.query("SELECT count(*) FROM bench_copy_baseline").first?.int64(0) ?? 0
        try connection.execute("DROP TABLE bench_copy_baseline")
        let bytes = (try? FileOutput.read(csv).count) ?? 0
        return (times.median, Int(rows), bytes)
    }

    /// The same `\copy` into a table with `records`' key and checks: how much of the gap to
    /// the plain baseline is the schema's (server-side key work), not the client's.
    static func indexedCopyBaseline(database: BenchDatabase, scratch: String, repetitions: Int) throws -> Double {
        let csv = scratch + "/records.csv"
        let log = scratch + "/psql.out"
        let connection = try database.connect()
        var times: [Double] = []
        for _ in 0..<repetitions {
            try connection.execute(
                """
                DROP TABLE IF EXISTS bench_copy_indexed;
                CREATE TABLE bench_copy_indexed (LIKE records INCLUDING ALL);
                """)
            times.append(try database.psql("\\copy bench_copy_indexed (\(baselineColumns)) FROM '\(csv)' WITH CSV", output: log).seconds)
        }
        try connection.execute("DROP TABLE bench_copy_indexed")
        return times.median
    }

    /// Clones the stored reports server-side (new ids, report ids and days further back) until
    /// `records` holds about `target` rows: the query phase then runs on a year-sized table without
    /// generating and parsing gigabytes of XML. Returns the row count reached and the seconds spent.
    static func fill(database: BenchDatabase, target: Int) throws -> (rows: Int, seconds: Double) {
        let connection = try database.connect()
        let base = Int(try connection.query("SELECT count(*) FROM records").first?.int64(0) ?? 0)
        guard base > 0, target > base else { return (base, 0) }
        let maxID = try connection.query("SELECT max(id) FROM reports").first?.int64(0) ?? 0
        // Clone k gets ids id + k * offset, so its rows find their report without a lookup.
        let offset = maxID + 1
        let clones = (target - base + base - 1) / base
        let seconds = try Stopwatch.time {
            for k in 1...clones {
                try connection.transaction {
                    let shift = "\(k * 30) * interval '1 day'"
                    try connection.execute(
                        """
                        INSERT INTO reports (id, org_name, report_id, policy_domain, begin_time, end_time, email,
                            extra_contact_info, generator, errors, schema, adkim, aspf, p, sp, np, pct, fo, testing,
                            discovery_method, warnings, content_sha256, record_count, message_count, source_sha256,
                            source_name)
                        SELECT id + \(Int64(k) * offset), org_name, report_id || ':clone\(k)', policy_domain,
                            begin_time - \(shift), end_time - \(shift), email, extra_contact_info, generator, errors,
                            schema, adkim, aspf, p, sp, np, pct, fo, testing, discovery_method, warnings,
                            content_sha256, record_count, message_count, source_sha256, source_name
                        FROM reports WHERE id <= \(maxID);
                        INSERT INTO records (\(baselineColumns))
                        SELECT report + \(Int64(k) * offset), record_no,
                            source_ip, count, disposition, dkim, spf, header_from, envelope_from, envelope_to,
                            dkim_domain, dkim_selector, dkim_result, dkim_human_result, spf_domain, spf_scope,
                            spf_result, spf_human_result, reason_type, reason_comment
                        FROM records WHERE report <= \(maxID);
                        INSERT INTO report_from_domains (report, header_from, begin_time, end_time, record_count,
                            message_count, passed_messages)
                        SELECT report + \(Int64(k) * offset), header_from, begin_time - \(shift), end_time - \(shift),
                            record_count, message_count, passed_messages
                        FROM report_from_domains WHERE report <= \(maxID);
                        """)
                }
            }
            try connection.execute(
                "SELECT setval(pg_get_serial_sequence('reports', 'id'), (SELECT max(id) FROM reports))")
            // Settled, as the nights before leave a real database: otherwise autovacuum starts on the
            // 10 M new rows while the queries are timed, and the timings measure it (seen in the log).
            try connection.execute("VACUUM (ANALYZE) records, reports, report_from_domains")
        }
        let rows = Int(try connection.query("SELECT count(*) FROM records").first?.int64(0) ?? 0)
        return (rows, seconds)
    }
}

/// `failures --domain` as support runs it, and `report monthly` for one tenant, timed per call.
enum QueryPhase {
    /// The monthly report of `tenant` for `month` as `dmarc report monthly --format html` makes it:
    /// the query (this month and the one before), the model, and the HTML with its charts. The PDF
    /// step is Chromium's and not ours to time.
    static func monthlyReport(
        database: BenchDatabase, tenant: String, month: ReportMonth, repetitions: Int
    ) throws -> (times: [Double], rows: Int, bytes: Int) {
        let connection = try database.connect()
        let query = MonthlyReportQuery(connection: connection)
        // The stored rows of the tenant's month: the model's rows are fewer (passes alike are summed).
        let domains = try TenantStore(connection: connection).current()?.tenants.first { $0.id == tenant }?.domains.map(\.domain) ?? []
        let rows = Int(
            try connection.query(
                """
                SELECT coalesce(sum(record_count), 0)::bigint FROM report_from_domains
                WHERE EXISTS (SELECT FROM unnest($1::text[]) AS t(domain) WHERE header_from = domain OR header_from LIKE '%.' || domain)
                  AND end_time > to_timestamp($2) AND begin_time < to_timestamp($3)
                """,
                [PostgresArray.textLiteral(domains), String(month.firstDay.daysSinceEpoch * 86_400), String(month.next.firstDay.daysSinceEpoch * 86_400)]
            ).first?.int64(0) ?? 0)
        var bytes = 0
        func once() throws {
            let report = try query.report(tenantID: tenant, month: month, today: month.next.firstDay)
            bytes = try ReportRenderer().render(report, as: .html).count
        }
        try once()  // warm-up, as for the failures query
        var times: [Double] = []
        for _ in 0..<repetitions { times.append(try Stopwatch.time { try once() }) }
        return (times, rows, bytes)
    }

    /// `dmarc failures --domain D --from --to` as a child process, its table to a file: the time
    /// support waits. Nil without a `dmarc` binary next to this one.
    static func failuresCommand(
        database: BenchDatabase, domain: String, period: DayRange, repetitions: Int
    ) throws -> (times: [Double], lines: Int)? {
        guard let dmarc = ExternalPhases.siblingDMARC() else { return nil }
        let last = Day(daysSinceEpoch: period.to.daysSinceEpoch - 1)
        let argv = [
            dmarc, "failures", "--database", database.conninfo, "--domain", domain, "--from", period.from.description,
            "--to", last.description,
        ]
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("dmarc-bench-failures-\(getpid()).txt").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        _ = try ChildProcess.check(argv, output: output)  // warm-up, as in process
        var times: [Double] = []
        for _ in 0..<repetitions { times.append(try ChildProcess.check(argv, output: output).seconds) }
        let lines = (try? String(contentsOfFile: output, encoding: .utf8))?.split(separator: "\n").count ?? 0
        return (times, lines)
    }

    static func failures(
        database: BenchDatabase, domain: String, period: DayRange, repetitions: Int
    ) throws -> (times: [Double], groups: Int, messages: Int64) {
        let connection = try database.connect()
        let queries = SupportQueries(connection: connection)
        var times: [Double] = []
        var report: FailureReport?
        // One untimed call first: the server's caches and plans warm up as they do in production.
        report = try queries.failures(FailureQuery(domain: domain, period: period))
        for _ in 0..<repetitions {
            times.append(try Stopwatch.time { report = try queries.failures(FailureQuery(domain: domain, period: period)) })
        }
        return (times, report?.groups.count ?? 0, report?.totalMessages ?? 0)
    }
}
