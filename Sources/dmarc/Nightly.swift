import Alerts
import ArgumentParser
import DMARC
import DNSChecks
import Diagnosis
import Foundation
import LocalCluster
import Mailbox
import NightlyRun
import Postgres
import ReadSide
import Resolver
import SiteConfiguration
import Store

struct Nightly: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The nightly job: fetch, ingest the configured inputs, apply the tenants file; record the run.",
        discussion: """
            Reads the configuration file and runs, in order: `fetch` for each imap input; `ingest` of the \
            directory inputs and of the maildir inputs (their messages then move to cur/, Seen); `tenants \
            apply` of the tenants file (nothing changes when it did not); `dns check --all` when the dns: \
            section enables it; `alerts check` (the alerts: section's rules). Each step is recorded in the \
            runs table (`dmarc runs` lists them); metrics_file gets the run's figures for node_exporter's \
            textfile collector. A lock in state_directory keeps two runs from overlapping: the second \
            stops at once with exit 75. One log line per event (key=value fields) goes to stderr.

            Exit status: the worst of the steps, as `ingest` exits: 0 all good; 65 some input rejected; \
            74 a file not moved; 75 a server or the database lost, or another run in progress; 77 an \
            IMAP login refused; 78 a bad configuration.
            """)

    @OptionGroup var config: ConfigOption
    @OptionGroup var database: DatabaseOption

    @Flag(help: "Print the run's summary as JSON.")
    var json = false

    /// Steps after the built-in ones, in order: the DNS checks (when `dns.enabled`), then the alerts,
    /// which read the snapshots and rows the steps before stored. Each gets the database and the
    /// configuration and says what it did; nil: not configured, not recorded.
    static let laterSteps: [(name: String, run: @Sendable (PostgresConnection, SiteConfiguration) -> RunStep?)] = [
        ("dns check", dnsStep), ("alerts check", alertsStep),
    ]

    /// `dns check --all` with the `dns:` section's resolver; stored like the command stores it.
    @Sendable static func dnsStep(_ connection: PostgresConnection, _ site: SiteConfiguration) -> RunStep? {
        guard site.dns.enabled else { return nil }
        let start = Date(), name = "dns check"
        let options = ResolverOptions(
            server: site.dns.resolver, timeoutMilliseconds: site.dns.timeoutMilliseconds, tries: site.dns.tries)
        do {
            let outcome = try DNSCheck.perform(
                .all, connection: connection, options: options, concurrency: CheckRun.defaultConcurrency, store: true)
            let errors = outcome.checks.filter { $0.verdict == .error }.count
            return RunStep(
                name: name, status: 0,
                summary: "checked \(outcome.checks.count) domain(s): \(errors) with errors, \(outcome.changes.count) changed",
                seconds: Date().timeIntervalSince(start))
        } catch let failure as DNSCheckFailure {
            // No tenants yet is no failure of the run: there is nothing to check.
            let status: Int32 = failure.exitCode == 65 ? 0 : failure.exitCode
            return RunStep(name: name, status: status, summary: failure.message, seconds: Date().timeIntervalSince(start))
        } catch {
            return RunStep(name: name, status: 75, summary: "database: \(error)", seconds: Date().timeIntervalSince(start))
        }
    }

    /// `alerts check` over the day's data; each alert told is one log line.
    @Sendable static func alertsStep(_ connection: PostgresConnection, _ site: SiteConfiguration) -> RunStep? {
        let start = Date(), name = "alerts check"
        let now = Int64(start.timeIntervalSince1970)
        do {
            guard let result = try AlertCheck.run(connection: connection, settings: site.alerts, today: Day(epochSeconds: now), now: now)
            else {
                return RunStep(name: name, status: 0, summary: "no tenants configured: nothing to judge", seconds: Date().timeIntervalSince(start))
            }
            for line in result.changeLines { Terminal.error("alert \(line)") }
            return RunStep(name: name, status: 0, summary: result.line, seconds: Date().timeIntervalSince(start))
        } catch {
            return RunStep(name: name, status: 75, summary: "database: \(error)", seconds: Date().timeIntervalSince(start))
        }
    }

    func run() throws {
        let site = try config.load()
        let lockPath = site.stateDirectory + "/nightly.lock"
        let lock: RunLock?
        do {
            lock = try RunLock(path: lockPath)
        } catch {
            Terminal.error("nightly-failed reason=\"\(error.localizedDescription)\"")
            throw ExitCode(73)
        }
        guard let lock else {
            Terminal.error("nightly-skipped reason=\"another nightly run holds \(lockPath)\"")
            throw ExitCode(75)
        }
        defer { withExtendedLifetime(lock) {} }
        let started = Date()
        let target = site.databaseTarget(explicit: database.url)
        let connection = try Terminal.open(target)
        let ledger = RunLedger(connection: connection)
        let id = try ledger.start(command: "nightly")
        Terminal.error("nightly-start run=\(id) config=\(site.path) inputs=\(site.inputs.count)")

        var steps: [RunStep] = []
        func record(_ step: RunStep) {
            steps.append(step)
            Terminal.error(
                "nightly-step run=\(id) step=\"\(step.name)\" status=\(step.status) reports=\(step.reports) rows=\(step.rows) rejected=\(step.rejected) seconds=\(String(format: "%.3f", step.seconds))"
            )
        }
        for mailbox in site.imapMailboxes {
            let start = Date()
            let summary = MailboxFetcher.run(mailbox, site: site, connection: connection)
            record(
                RunStep(
                    name: "fetch \(mailbox.name)", status: summary.exitCode, summary: summary.line,
                    seconds: Date().timeIntervalSince(start), reports: summary.ingest.reports, rows: summary.ingest.rows,
                    rejected: summary.ingest.rejected))
        }
        let directories = site.inputs.compactMap { if case .directory(let path) = $0 { path } else { nil } }
        let maildirs = site.inputs.compactMap { if case .maildir(let path) = $0 { path } else { nil } }
        for (name, paths, maildirDone) in [("ingest directories", directories, false), ("ingest maildirs", maildirs, true)]
        where !paths.isEmpty {
            record(ingestStep(name, paths: paths, maildirDone: maildirDone, site: site, target: target, connection: connection))
        }
        if let tenants = site.tenants { record(tenantsStep(tenants, connection: connection)) }
        for step in Self.laterSteps { if let done = step.run(connection, site) { record(done) } }

        let summary = RunSummary(id: id, steps: steps, seconds: Date().timeIntervalSince(started))
        var status = summary.exitStatus
        do {
            try ledger.finish(summary)
            if let file = site.metricsFile {
                try NodeExporterMetrics.write(summary, lastSuccess: try ledger.lastSuccess(), to: file)
            }
        } catch let error as PostgresError {
            Terminal.error("nightly-failed run=\(id) reason=\"database: \(error)\"")
            status = RunStep.worse(status, 75)
        } catch {
            Terminal.error("nightly-failed run=\(id) reason=\"metrics file \(site.metricsFile ?? ""): \(error)\"")
            status = RunStep.worse(status, 74)
        }
        Terminal.error(
            "nightly-done run=\(id) status=\(status) reports=\(summary.reports) rows=\(summary.rows) rejected=\(summary.rejected) seconds=\(String(format: "%.3f", summary.seconds))"
        )
        if json {
            print(summary.json)
        } else {
            for step in steps { print("\(step.name): \(step.summary)") }
            print("nightly run \(id): exit \(status) in \(String(format: "%.1f", summary.seconds)) s")
        }
        if status != 0 { throw ExitCode(status) }
    }

    private func ingestStep(
        _ name: String, paths: [String], maildirDone: Bool, site: SiteConfiguration, target: DatabaseTarget,
        connection: PostgresConnection
    ) -> RunStep {
        let start = Date()
        let files: [String]
        do {
            files = try InputFiles.expand(paths)
        } catch {
            return RunStep(name: name, status: 66, summary: "\(error)", seconds: Date().timeIntervalSince(start))
        }
        let workers = min(site.limits.jobs ?? ParallelIngest.defaultJobs, max(1, files.count))
        var connections = [connection]
        do {
            while connections.count < workers { connections.append(try target.connect()) }
            let ingest = ParallelIngest(
                jobs: workers,
                options: IngestOptions(
                    archive: site.archive, quarantine: site.quarantine, maildirDone: maildirDone, limits: site.readingLimits))
            let summary = try ingest.ingest(files: files, connections: connections)
            for rejection in summary.rejections { Terminal.error("\(rejection.path): \(rejection.reason)") }
            return RunStep(
                name: name, status: summary.exitCode, summary: summary.line, seconds: Date().timeIntervalSince(start),
                reports: summary.reports, rows: summary.rows, rejected: summary.rejected)
        } catch {
            return RunStep(name: name, status: 75, summary: "\(error)", seconds: Date().timeIntervalSince(start))
        }
    }

    private func tenantsStep(_ file: String, connection: PostgresConnection) -> RunStep {
        let start = Date()
        let name = "tenants apply"
        do {
            let yaml = try String(contentsOfFile: file, encoding: .utf8)
            let changes = try TenantStore(connection: connection).apply(yaml: yaml, sourcePath: file, dryRun: false)
            let summary = changes.isEmpty ? "no changes: the database already matches \(file)" : "applied \(changes.lines.count) change(s) from \(file)"
            return RunStep(name: name, status: 0, summary: summary, seconds: Date().timeIntervalSince(start))
        } catch let error as ConfigurationError {
            return RunStep(name: name, status: 78, summary: "\(file): \(error)", seconds: Date().timeIntervalSince(start))
        } catch let error as PostgresError {
            return RunStep(name: name, status: 75, summary: "database: \(error)", seconds: Date().timeIntervalSince(start))
        } catch {
            return RunStep(name: name, status: 66, summary: "cannot read \(file): \(error.localizedDescription)", seconds: Date().timeIntervalSince(start))
        }
    }
}

struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the latest nightly runs: when, how long, how they ended, what each step did.",
        discussion: "A run without an end died (killed, machine down); its steps were not recorded.")

    @OptionGroup var config: ConfigOption
    @OptionGroup var database: DatabaseOption

    @Option(help: "How many runs, newest first.")
    var limit = 20

    @Flag(help: "One JSON object per run, with its steps.")
    var json = false

    func run() throws {
        // The configuration names the database; without a file, the usual resolution.
        let site = try? SiteConfiguration(contentsOfFile: config.location.path)
        let target = site?.databaseTarget(explicit: database.url) ?? database.target
        let entries = try RunLedger(connection: Terminal.open(target)).recent(limit: max(1, limit))
        if json {
            for entry in entries {
                print(
                    "{\"run\":\(entry.id),\"command\":\"\(entry.command)\",\"started\":\"\(entry.started)Z\",\"seconds\":\(entry.seconds.map { String(format: "%.3f", $0) } ?? "null"),\"exit_status\":\(entry.exitStatus.map(String.init) ?? "null"),\"steps\":\(entry.steps)}"
                )
            }
            return
        }
        var table = TextTable(columns: ["run", "started (UTC)", "seconds", "exit", "steps (exit status)"], rightAligned: [0, 2, 3])
        for entry in entries {
            table.add([
                "\(entry.id)", entry.started, entry.seconds.map { String(format: "%.1f", $0) } ?? "-",
                entry.exitStatus.map(String.init) ?? "died", entry.stepLine,
            ])
        }
        print(table.render(), terminator: "")
    }
}
