import ComplianceReport
import DMARC
import Diagnosis
import Foundation
import POSIXCalls
import ReadSide
import ReportReading
import Store

/// One benchmark run: generate, then every phase with its limit, then the table.
struct BenchmarkRun {
    struct Options {
        var scale: Scale
        var database: String?
        var largeMiB: Int
        var seed: UInt64
        var keep: String?
        var storedRows: Int
        var parsedmarc: String?
    }

    let options: Options

    /// The domain whose failures the query phase asks for: a typical tenant, not the one big one.
    static let queryDomain = "beispiel-ag.de"
    /// Its tenant, for the monthly report phase; and the tenant that gets the very large reports.
    static let reportTenant = "beispiel"
    static let bigTenant = "contoso"

    /// Progress goes out at once (stdout may be a file): a long phase should show where it is.
    func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    func run() throws {
        let scratch = try options.keep.map { directory throws(BenchError) in
            try makeDirectory(directory)
            return directory
        } ?? Self.temporaryDirectory()
        defer { if options.keep == nil { try? FileManager.default.removeItem(atPath: scratch) } }

        say("dmarc-bench: scale \(options.scale.rawValue), seed \(options.seed), scratch \(scratch)")
        say(Machine.line)
        #if DEBUG
        say("warning: a debug build; numbers mean nothing (use swift run -c release dmarc-bench)")
        #endif

        let generation = Stopwatch()
        let corpus = try CorpusGenerator(scale: options.scale, seed: options.seed, directory: scratch + "/corpus").generate()
        say("corpus: \(corpus.documents.count) reports (\(options.scale.largeReports) very large), "
            + "\(String.grouped(corpus.records)) records, \(mb(corpus.xmlBytes)) MB of XML, "
            + "\(mb(corpus.shippedBytes)) MB shipped (\(corpus.compressed.count) gzip/zip); "
            + "generated in \(String.fixed(generation.seconds, digits: 1)) s")

        var table = ResultsTable()
        let repetitions = options.scale.repetitions
        let largest = corpus.documents.map(\.xmlBytes).max() ?? 0
        let limits = ReadingPhases.limits(forLargest: largest)

        // Parse: our reader on the uncompressed XML, xmllint --stream on the same files, taking turns
        // so that load from other processes falls on both alike.
        say("phase parse …")
        let xmlFiles = corpus.documents.map(\.xml)
        var ours: [Timing] = []
        var xmllint: [Timing] = []
        for _ in 0..<repetitions {
            let (timing, parsed) = try ReadingPhases.read(xmlFiles, limits: limits)
            guard parsed.records == corpus.records else {
                throw BenchError(.corpusRejected, "parsed \(parsed.records) records, generated \(corpus.records)")
            }
            ours.append(timing)
            xmllint.append(try ReadingPhases.xmllint(xmlFiles, scratch: scratch))
        }
        table.phases.append(PhaseResult(
            phase: "parse", items: corpus.records, unit: "records", timing: ours.median, bytes: corpus.xmlBytes,
            note: "\(corpus.documents.count) XML files, median of \(repetitions)"))
        table.phases.append(PhaseResult(
            phase: "  xmllint --stream", items: corpus.records, unit: "records", timing: xmllint.median,
            bytes: corpus.xmlBytes, note: "baseline, same files, \((corpus.documents.count + 399) / 400) processes"))
        table.ratios.append(ratio(
            "parse: ours / xmllint --stream", limit: xmllint.median, ours: ours.median, target: 0.7, targetText: "≥ 70 %"))

        // Unpack: reading the shipped files minus parsing their XML; zlib's inflate as the limit.
        say("phase unpack …")
        let compressed = corpus.compressed
        var readShipped: [Timing] = []
        var parseInner: [Timing] = []
        var inflate: [Timing] = []
        for _ in 0..<repetitions {
            readShipped.append(try ReadingPhases.read(compressed.map(\.shipped), limits: limits).timing)
            parseInner.append(try ReadingPhases.read(compressed.map(\.xml), limits: limits).timing)
            inflate.append(try ReadingPhases.zlibInflate(compressed.map(\.shipped)).timing)
        }
        // Each repetition's read and parse ran back to back under the same load: difference them
        // pairwise, then take the median. Below a tenth of the read, the difference is noise.
        let unpack = zip(readShipped, parseInner).map { $0 - $1 }.median
        let unpackIsNoise = unpack.cpu < 0.1 * readShipped.median.cpu
        let compressedXMLBytes = compressed.reduce(0) { $0 + $1.xmlBytes }
        table.phases.append(PhaseResult(
            phase: "unpack", items: compressed.count, unit: "files", seconds: max(0, unpack.wall), cpuSeconds: max(0, unpack.cpu),
            bytes: compressedXMLBytes,
            note: "derived: read(gz/zip) \(String.fixed(readShipped.median.cpu, digits: 2)) − parse(their XML) "
                + "\(String.fixed(parseInner.median.cpu, digits: 2)) cpu s, pairwise; MB/s of output"))
        table.phases.append(PhaseResult(
            phase: "  zlib inflate", items: compressed.count, unit: "files", timing: inflate.median, bytes: compressedXMLBytes,
            note: "baseline, in process, same bytes"))
        table.phases.append(PhaseResult(
            phase: "read (unpack+parse)", items: corpus.records, unit: "records",
            timing: try ReadingPhases.medianRead(corpus.documents.map(\.shipped), limits: limits, repetitions: repetitions).0,
            bytes: corpus.xmlBytes, note: "the shipped corpus as ingest reads it"))
        table.ratios.append(
            !unpackIsNoise
                ? ratio("unpack: ours / zlib inflate", limit: inflate.median, ours: unpack, target: nil, targetText: "")
                : RatioLine(
                    name: "unpack: ours / zlib inflate",
                    value: "within noise: the derived unpack cost is under a tenth of reading; zlib alone takes "
                        + "\(percent(inflate.median.cpu / readShipped.median.cpu)) of it", target: "", met: nil))

        // Diagnose: the classifier alone, on rows in memory.
        say("phase diagnose …")
        let tenantsPath = try Self.tenantsPath()
        let tenantsYAML = String(decoding: try FileOutput.read(tenantsPath), as: UTF8.self)
        let configuration = try TenantConfiguration(yaml: tenantsYAML)
        var collector = DiagnosisInputCollector(cap: 2_000_000)
        let reader = ReportReader(limits: limits)
        for file in xmlFiles { try reader.read(file: file, into: &collector) }
        var diagnoseTimes: [Timing] = []
        var failing = 0
        for _ in 0..<repetitions {
            let (timing, count) = DiagnosisPhase.run(collector.rows, configuration: configuration)
            diagnoseTimes.append(timing)
            failing = count
        }
        table.phases.append(PhaseResult(
            phase: "diagnose", items: collector.rows.count, unit: "records", timing: diagnoseTimes.median, bytes: nil,
            note: "\(percent(Double(failing) / Double(max(1, collector.rows.count)))) failing; samples/tenants.yaml"))

        // Store: ingest end to end into a fresh database; psql \copy of the same rows as the limit.
        say("phase store …")
        let database = try BenchDatabase(url: options.database, scratch: scratch)
        defer { database.stop() }
        say("database: \(database.summary)")
        try database.prepare(tenantsYAML: tenantsYAML, tenantsPath: tenantsPath)
        let jobs = ParallelIngest.defaultJobs
        let (storeSeconds, summary) = try StorePhases.ingest(
            corpus.documents.map(\.shipped), database: database, limits: limits, jobs: jobs)
        table.phases.append(PhaseResult(
            phase: "store (ingest)", items: Int(summary.rows), unit: "rows", seconds: storeSeconds, bytes: corpus.xmlBytes,
            note: "end to end: unpack, parse, hash, originals, COPY; small files up to 64 to a transaction, large ones alone; \(jobs) jobs (ingest's default); once"))
        let baseline = try StorePhases.copyBaseline(database: database, scratch: scratch, repetitions: repetitions)
        table.phases.append(PhaseResult(
            phase: "  psql \\copy", items: baseline.rows, unit: "rows", seconds: baseline.seconds, bytes: baseline.bytes,
            note: "baseline: same rows as CSV into a plain table (no keys); MB/s of CSV"))
        let indexed = try StorePhases.indexedCopyBaseline(database: database, scratch: scratch, repetitions: repetitions)
        table.phases.append(PhaseResult(
            phase: "  psql \\copy, keyed", items: baseline.rows, unit: "rows", seconds: indexed, bytes: baseline.bytes,
            note: "same, into records' shape with its primary key and checks (info)"))
        let storeRatio = (Double(summary.rows) / storeSeconds) / (Double(baseline.rows) / baseline.seconds)
        table.ratios.append(RatioLine(
            name: "store: ingest rows/s / \\copy rows/s (plain table)", value: percent(storeRatio), target: "≥ 50 %",
            met: storeRatio >= 0.5))
        let keyedRatio = (Double(summary.rows) / storeSeconds) / (Double(baseline.rows) / indexed)
        table.ratios.append(RatioLine(
            name: "store: ingest rows/s / \\copy rows/s (records as it is)",
            value: percent(keyedRatio)
                + " (the schema's key and checks alone cost \(String.fixed(indexed / baseline.seconds, digits: 1))×)",
            target: "≥ 50 %", met: keyedRatio >= 0.5))

        // Query: failures for one domain over the corpus's month, on a table grown to storedRows.
        say("phase query …")
        var storedRows = Int(summary.rows)
        if options.storedRows > storedRows {
            say("  cloning stored reports server-side up to \(String.grouped(options.storedRows)) rows …")
            let filled = try StorePhases.fill(database: database, target: options.storedRows)
            storedRows = filled.rows
            table.notes.append("query table grown from \(String.grouped(Int(summary.rows))) to \(String.grouped(filled.rows)) rows by cloning the stored reports into earlier months server-side (\(String.fixed(filled.seconds, digits: 1)) s)")
        }
        let period = DayRange(
            from: Day(epochSeconds: corpus.firstDay), to: Day(daysSinceEpoch: Day(epochSeconds: corpus.lastDay).daysSinceEpoch + 1))
        try queryPhases(database: database, period: period, storedRows: storedRows, into: &table)
        if storedRows < 10_000_000 {
            table.notes.append("the query targets are for 10,000,000 stored rows; this run had \(String.grouped(storedRows))")
        }

        // Memory: a child `dmarc parse` on one very large report, its peak RSS from wait4.
        say("phase memory (\(options.largeMiB) MiB report) …")
        let memory = try ExternalPhases.memory(mebibytes: options.largeMiB, seed: options.seed, scratch: scratch)
        table.phases.append(PhaseResult(
            phase: "memory: dmarc parse", items: memory.records, unit: "records", seconds: memory.ours.seconds,
            cpuSeconds: memory.ours.cpuSeconds, bytes: memory.bytes, note: "peak RSS \(mb(memory.ours.peakRSS)) MB (VmHWM); \(memory.what); ndjson to /dev/null"))
        if let xmllint = memory.xmllint {
            table.phases.append(PhaseResult(
                phase: "  xmllint --stream", items: memory.records, unit: "records", seconds: xmllint.seconds,
                cpuSeconds: xmllint.cpuSeconds, bytes: memory.bytes, note: "baseline, same file; peak RSS \(mb(xmllint.peakRSS)) MB"))
            table.ratios.append(ratio(
                "parse one large file (dmarc parse, with ndjson output) / xmllint",
                limit: Timing(wall: xmllint.seconds, cpu: xmllint.cpuSeconds),
                ours: Timing(wall: memory.ours.seconds, cpu: memory.ours.cpuSeconds), target: nil, targetText: ""))
        }
        table.ratios.append(RatioLine(
            name: "memory: peak RSS, \(options.largeMiB) MiB report", value: "\(mb(memory.ours.peakRSS)) MB",
            target: options.largeMiB >= 500 ? "< 64 MB" : "< 64 MB at 500 MiB (this run: \(options.largeMiB) MiB)",
            met: options.largeMiB >= 500 ? memory.ours.peakRSS < 64_000_000 : nil))

        // Peer: parsedmarc on small reports of the corpus, ours on the same files.
        say("phase peer …")
        if let tool = ExternalPhases.parsedmarc(explicit: options.parsedmarc) {
            let files = Array(corpus.documents.filter { !$0.large }.prefix(options.scale.peerFiles))
            let records = files.reduce(0) { $0 + $1.records }
            let theirs = try ExternalPhases.runParsedmarc(tool, files: files.map(\.shipped), scratch: scratch)
            let (ours, _) = try ReadingPhases.medianRead(files.map(\.shipped), limits: limits, repetitions: repetitions)
            table.phases.append(PhaseResult(
                phase: "peer: parsedmarc", items: records, unit: "records", seconds: theirs.seconds,
                cpuSeconds: theirs.cpuSeconds, bytes: files.reduce(0) { $0 + $1.xmlBytes }, note: "--offline, \(files.count) small reports, one process"))
            table.phases.append(PhaseResult(
                phase: "  ours, same files", items: records, unit: "records", timing: ours,
                bytes: files.reduce(0) { $0 + $1.xmlBytes }, note: "in process, median of \(repetitions)"))
            table.ratios.append(RatioLine(
                name: "peer: ours / parsedmarc",
                value: String.fixed(theirs.cpuSeconds / ours.cpu, digits: 1) + "× as fast by CPU time (wall "
                    + String.fixed(theirs.seconds / ours.wall, digits: 1) + "×)",
                target: "", met: nil))
        } else {
            table.ratios.append(RatioLine(
                name: "peer: parsedmarc", value: "not installed (pip install parsedmarc), skipped", target: "", met: nil))
        }

        say("")
        say(table.render())
    }

    /// Our speed over the limit's on the same work, judged by CPU time (steadier on a shared machine).
    func ratio(_ name: String, limit: Timing, ours: Timing, target: Double?, targetText: String) -> RatioLine {
        let byCPU = limit.cpu / ours.cpu
        return RatioLine(
            name: name, value: "\(percent(byCPU)) by CPU time (wall \(percent(limit.wall / ours.wall)))",
            target: targetText, met: target.map { byCPU >= $0 })
    }

    /// `failures` for the typical domain (in process, and as the `dmarc` command prints it) and the
    /// monthly report for a typical and the big tenant, on a database the store phase filled.
    func queryPhases(database: BenchDatabase, period: DayRange, storedRows: Int, into table: inout ResultsTable) throws {
        let query = try QueryPhase.failures(
            database: database, domain: Self.queryDomain, period: period, repetitions: options.scale.queryRepetitions)
        table.phases.append(PhaseResult(
            phase: "query (failures)", items: query.times.count, unit: "queries", seconds: query.times.reduce(0, +), bytes: nil,
            note: "--domain \(Self.queryDomain), 30 days, \(String.grouped(storedRows)) rows stored; p50 \(ms(query.times.median)), p95 \(ms(query.times.percentile(95))); \(query.groups) groups"))
        table.ratios.append(RatioLine(
            name: "query: failures --domain p95", value: ms(query.times.percentile(95)) + " on \(String.grouped(storedRows)) rows",
            target: "< 100 ms", met: query.times.percentile(95) < 0.1))
        if let command = try QueryPhase.failuresCommand(
            database: database, domain: Self.queryDomain, period: period, repetitions: options.scale.queryRepetitions)
        {
            table.phases.append(PhaseResult(
                phase: "  dmarc failures (command)", items: command.times.count, unit: "runs",
                seconds: command.times.reduce(0, +), bytes: nil,
                note: "the same as support types it: process start, connection, query, the table of \(query.groups) groups and their advice (\(command.lines) lines) to /dev/null; p50 \(ms(command.times.median)), p95 \(ms(command.times.percentile(95)))"))
        }
        say("phase monthly report …")
        let month = ReportMonth(containing: period.from)
        for (tenant, what) in [(Self.reportTenant, "a typical tenant"), (Self.bigTenant, "the big tenant")] {
            let monthly = try QueryPhase.monthlyReport(
                database: database, tenant: tenant, month: month, repetitions: min(5, options.scale.queryRepetitions))
            table.phases.append(PhaseResult(
                phase: "report monthly (\(tenant))", items: monthly.times.count, unit: "reports",
                seconds: monthly.times.reduce(0, +), bytes: nil,
                note: "\(what), \(month): query of this and the previous month, model, HTML (\(monthly.bytes / 1024) KiB); \(String.grouped(monthly.rows)) rows; p50 \(ms(monthly.times.median)), max \(ms(monthly.times.max() ?? 0))"))
            table.ratios.append(RatioLine(
                name: "monthly report for \(tenant) (\(what))",
                value: ms(monthly.times.max() ?? 0) + " (slowest of \(monthly.times.count)) on \(String.grouped(storedRows)) rows",
                target: "< 2 s", met: (monthly.times.max() ?? .infinity) < 2))
        }
    }

    /// Only the query phases, on the database an earlier run kept (`--keep DIR`, then
    /// `--queries-only URL`): for working on the queries without generating and storing again.
    func runQueriesOnly(url: String) throws {
        say("dmarc-bench: query phases only, on \(url)")
        say(Machine.line)
        let database = try BenchDatabase(url: url, scratch: "")
        let connection = try database.connect()
        try Migrator.located().migrate(connection)
        let stored = Int(try connection.query("SELECT count(*) FROM records").first?.int64(0) ?? 0)
        // The corpus's own reports (clones carry ":clone" in their id) give its period.
        guard
            let row = try connection.query(
                """
                SELECT extract(epoch FROM min(begin_time))::bigint, extract(epoch FROM max(end_time))::bigint
                FROM reports WHERE report_id NOT LIKE '%:clone%'
                """
            ).first, let first = row.int64(0), let last = row.int64(1)
        else {
            throw BenchError(.database, "no benchmark reports in this database; run with --keep DIR first")
        }
        let period = DayRange(
            from: Day(epochSeconds: first), to: Day(daysSinceEpoch: Day(epochSeconds: last - 1).daysSinceEpoch + 1))
        var table = ResultsTable()
        say("phase query …")
        try queryPhases(database: database, period: period, storedRows: stored, into: &table)
        say("")
        say(table.render())
    }

    func mb(_ bytes: Int) -> String { String.fixed(Double(bytes) / 1_000_000, digits: 1) }
    func ms(_ seconds: Double) -> String { String.fixed(seconds * 1000, digits: 1) + " ms" }
    func percent(_ ratio: Double) -> String { String.fixed(ratio * 100, digits: 1) + " %" }

    static func temporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/dmarc-bench-XXXXXX").utf8CString)
        guard let pointer = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw BenchError(.io, "mkdtemp failed: \(SystemCall.lastError)")
        }
        let path = String(cString: pointer)
        chmod(path, 0o755)  // the postgres user must reach the cluster inside it
        return path
    }

    /// samples/tenants.yaml beside the migrations' sql/ (the checkout, or share/dmarc when installed).
    static func tenantsPath() throws -> String {
        let sql = try MigrationDirectory.locate()
        let candidates = [
            URL(fileURLWithPath: sql).deletingLastPathComponent().appendingPathComponent("samples/tenants.yaml").path,
            URL(fileURLWithPath: sql).deletingLastPathComponent().appendingPathComponent("tenants.yaml").path,
        ]
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw BenchError(.io, "samples/tenants.yaml not found (tried \(candidates.joined(separator: ", ")))")
        }
        return found
    }
}
