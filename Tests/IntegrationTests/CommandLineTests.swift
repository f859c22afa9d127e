import Foundation
import LocalCluster
import Postgres
import Testing

@_spi(Testing) @testable import Store

/// The commands a person types, with the real binary, checked against what the sample files say
/// when read by hand (the figures in the comments are sums of the samples' XML rows).
@Suite("dmarc commands on the samples", .dropsTestDatabases)
struct CommandLineTests {
    static func sample(_ path: String) -> String { SampleWorkflowTests.root.appendingPathComponent(path).path }

    /// The checkout's migration files, read apart from the Migrator: `NNN_name.sql`, in order.
    static func migrationFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: sample("sql")).filter { $0.hasSuffix(".sql") }.sorted()
    }

    /// A fresh database with the sample tenants applied and a copy of the samples ingested.
    static func ingestedSamples() throws -> TestDatabase {
        let database = try TestCluster.get().freshDatabase()
        let apply = try DMARCBinary.run(["tenants", "apply", "--database", database.conninfo, sample("samples/tenants.yaml")])
        #expect(apply.status == 0, "\(apply.stderr)")
        let copy = try makeTemporaryDirectory(prefix: "dmarc-samples-")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        for folder in ["reports", "maildir"] {
            try FileManager.default.copyItem(atPath: sample("samples/" + folder), toPath: copy + "/" + folder)
        }
        let ingest = try DMARCBinary.run(["ingest", "--database", database.conninfo, copy + "/reports", copy + "/maildir"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        return database
    }

    // MARK: db status, migrate, stop

    @Test("db status and db migrate on an empty database: migration 0 of N, every sql/ file applied once, then up to date")
    func statusAndMigrate() throws {
        let cluster = try TestCluster.get()
        let database = try cluster.emptyDatabase()
        let name = database.name, conninfo = database.conninfo
        let files = try Self.migrationFiles()
        let latest = try #require(files.last.flatMap { Int($0.prefix(3)) })

        let empty = try DMARCBinary.run(["db", "status", "--database", conninfo])
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout.contains("\nserver: PostgreSQL "), "\(empty.stdout)")
        #expect(empty.stdout.contains("database \(name), user "), "\(empty.stdout)")
        #expect(empty.stdout.contains("schema: migration 0 of \(latest) (run dmarc db migrate)\n"), "\(empty.stdout)")
        #expect(!empty.stdout.contains("stored:"), "\(empty.stdout)")

        let migrate = try DMARCBinary.run(["db", "migrate", "--database", conninfo])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(migrate.stdout == "applied \(files.joined(separator: ", "))\n")
        let again = try DMARCBinary.run(["db", "migrate", "--database", conninfo])
        #expect(again.stdout == "schema up to date\n")

        let migrated = try DMARCBinary.run(["db", "status", "--database", conninfo])
        #expect(migrated.stdout.contains("schema: migration \(latest) of \(latest)\n"), "\(migrated.stdout)")
        #expect(migrated.stdout.contains("stored: 0 reports, 0 rows, 0 original files"), "\(migrated.stdout)")

        let unreachable = try DMARCBinary.run(["db", "status", "--database", "host=/nonexistent-dmarc port=1"])
        #expect(unreachable.status == 75)
        #expect(unreachable.stdout.contains("not reachable: "), "\(unreachable.stdout)")
    }

    @Test("db status after the samples: 6 reports, 22 rows, 7 original files")
    func statusCounts() throws {
        // 4 report files (4 + 2 + 6 + 5 rows) and 3 messages: Mimecast's report (2 rows), Google's
        // zip (3 rows) and a TLS report, which is kept as an original but holds no DMARC report.
        let database = try Self.ingestedSamples()
        let status = try DMARCBinary.run(["db", "status", "--database", database.conninfo])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("stored: 6 reports, 22 rows, 7 original files"), "\(status.stdout)")
    }

    /// Runs `dmarc` as the `postgres` user (a managed cluster is never run as root, and root's own
    /// would be the machine's `/var/lib/dmarc/postgres`) with `XDG_DATA_HOME` in `home`.
    /// It runs a copy of the binary (`ReadableInstall`): the checkout may be out of that user's reach.
    static func runManaged(_ arguments: [String], home: String) throws -> DMARCBinary.Result {
        let prefix = try #require(FaultTests.asUnprivileged)
        let argv = prefix.isEmpty ? arguments : Array(prefix.dropFirst()) + [try ReadableInstall.dmarc()] + arguments
        let output = try makeTemporaryDirectory(prefix: "dmarc-out-")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let pid = try DMARCBinary.spawn(
            argv, outputDirectory: output, executable: prefix.first,
            environment: ["XDG_DATA_HOME": home, "HOME": home])
        let status = DMARCBinary.wait(pid)
        return DMARCBinary.Result(
            status: status, stdout: (try? String(contentsOfFile: output + "/stdout", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: output + "/stderr", encoding: .utf8)) ?? "")
    }

    @Test(
        "the managed cluster: db status before it exists, db migrate creates and starts it, db stop stops it",
        .enabled(if: FaultTests.asUnprivileged != nil, "as root, needs the postgres user and setpriv"))
    func managedClusterLifecycle() throws {
        let home = try makeTemporaryDirectory(prefix: "dmarc-home-")
        if getuid() == 0, let user = getpwnam("postgres") { chown(home, user.pointee.pw_uid, user.pointee.pw_gid) }
        let directory = home + "/dmarc/postgres"
        defer { _ = try? ManagedPostgres(directory: directory).stop(immediate: true) }
        let latest = try #require(try Self.migrationFiles().last.flatMap { Int($0.prefix(3)) })

        let before = try Self.runManaged(["db", "status"], home: home)
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains("managed cluster: not created yet"), "\(before.stdout)")
        let stopNothing = try Self.runManaged(["db", "stop"], home: home)
        #expect(stopNothing.stdout == "not running (\(directory))\n", "\(stopNothing.stdout)\(stopNothing.stderr)")

        let migrate = try Self.runManaged(["db", "migrate"], home: home)
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(migrate.stdout == "applied \(try Self.migrationFiles().joined(separator: ", "))\n", "\(migrate.stdout)")
        let running = try Self.runManaged(["db", "status"], home: home)
        #expect(running.stdout.contains("managed cluster: running, pid "), "\(running.stdout)")
        #expect(running.stdout.contains("schema: migration \(latest) of \(latest)\n"), "\(running.stdout)")
        #expect(running.stdout.contains("stored: 0 reports, 0 rows, 0 original files"), "\(running.stdout)")
        #expect(FileManager.default.fileExists(atPath: directory + "/data/PG_VERSION"))

        let stop = try Self.runManaged(["db", "stop"], home: home)
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(stop.stdout == "stopped the managed PostgreSQL in \(directory)\n", "\(stop.stdout)")
        let stopped = try Self.runManaged(["db", "status"], home: home)
        #expect(stopped.stdout.contains("managed cluster: stopped (the next ingest starts it)"), "\(stopped.stdout)")
    }

    // MARK: tenants

    @Test("tenants apply --dry-run stores nothing; tenants list and show give what tenants.yaml says")
    func tenants() throws {
        let database = try TestCluster.get().freshDatabase()
        let yaml = Self.sample("samples/tenants.yaml")
        let dryRun = try DMARCBinary.run(["tenants", "apply", "--dry-run", "--database", database.conninfo, yaml])
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        // The provider and four tenants: five changes.
        #expect(dryRun.stdout.hasSuffix("dry run: nothing stored (5 change(s))\n"), "\(dryRun.stdout)")
        for id in ["acme", "beispiel", "contoso", "fabrikam"] {
            #expect(dryRun.stdout.contains("+ tenant \(id) ("), "\(dryRun.stdout)")
        }
        let none = try DMARCBinary.run(["tenants", "list", "--database", database.conninfo])
        #expect(none.stdout == "no tenants configured: `dmarc tenants apply FILE.yaml` loads them\n", "\(none.stdout)")
        #expect(try database.count("SELECT count(*) FROM tenant_configurations") == 0)

        let apply = try DMARCBinary.run(["tenants", "apply", "--database", database.conninfo, yaml])
        #expect(apply.stdout.hasSuffix("applied 5 change(s) from \(yaml)\n"), "\(apply.stdout)")
        let list = try DMARCBinary.run(["tenants", "list", "--database", database.conninfo])
        #expect(list.status == 0, "\(list.stderr)")
        // Each domain with the method of its latest entry: beispiel-ag.de moved from spf to dkim on
        // 2026-02-01, contoso-talent.com from spf to relay on 2026-03-01.
        let rows = list.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(
            rows == [
                "TENANT NAME LANG DOMAINS",
                "acme ACME HR AG de acme-hr.ch (spf), jobs.acme-hr.ch (dkim)",
                "beispiel Beispiel AG de beispiel-ag.de (dkim), müller-gmbh.de (xn--mller-gmbh-9db.de) (dkim)",
                "contoso Contoso Talent Ltd en contoso-talent.com (relay)",
                "fabrikam Fabrikam Personal GmbH de fabrikam-personal.at (relay)",
                "provider Example HR Cloud: 192.0.2.0/24, 2001:db8:100::/48",
            ], "\(list.stdout)")

        let show = try DMARCBinary.run(["tenants", "show", "--database", database.conninfo, "beispiel"])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(
            show.stdout == """
                beispiel: Beispiel AG (reports in de)
                  beispiel-ag.de  spf  (from the start)
                  beispiel-ag.de  dkim  selectors: hr1, hr2  since 2026-02-01
                  müller-gmbh.de (xn--mller-gmbh-9db.de)  dkim  selectors: hr2026  (from the start)

                """, "\(show.stdout)")
        let contoso = try DMARCBinary.run(["tenants", "show", "--database", database.conninfo, "contoso"])
        #expect(
            contoso.stdout.contains(
                "  contoso-talent.com  relay  relay: 198.51.100.0/24, 2001:db8:200::/48 (mx.contoso-talent.com:25)  since 2026-03-01\n"),
            "\(contoso.stdout)")

        let unknown = try DMARCBinary.run(["tenants", "show", "--database", database.conninfo, "nobody"])
        #expect(unknown.status == 65)
        #expect(unknown.stderr == "dmarc: no tenant \"nobody\"; `dmarc tenants list` shows them\n", "\(unknown.stderr)")
    }

    // MARK: report monthly

    /// The November figures of tenant beispiel, summed by hand from the samples: Outlook.com on
    /// 2026-11-17 for beispiel-ag.de (280 + 19 + 5 + 6 = 310 messages, the 280 DKIM-signed pass),
    /// GMX on 2026-11-17 for müller-gmbh.de (64, pass; its 3 messages From new-customer.example are
    /// not the tenant's), Mimecast on 2026-11-06 for beispiel-ag.de (128 pass + 9 = 137).
    static let beispielMessages = 511, beispielPassed = 472

    static func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    @Test("report monthly --format json: the month's totals, days and receivers as the samples give them")
    func monthlyJSON() throws {
        let database = try Self.ingestedSamples()
        let directory = try makeTemporaryDirectory(prefix: "dmarc-json-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let out = directory + "/beispiel.json"
        let run = try DMARCBinary.run([
            "report", "monthly", "--database", database.conninfo, "--tenant", "beispiel", "--month", "2026-11",
            "--format", "json", "--out", out,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try Self.json(out)
        #expect(report["month"] as? String == "2026-11")
        #expect((report["tenant"] as? [String: Any])?["id"] as? String == "beispiel")
        let summary = try #require(report["summary"] as? [String: Any])
        let authorised = summary["authorised"] as? [String: Any]
        #expect(authorised?["messages"] as? Int == Self.beispielMessages)
        #expect(authorised?["passed"] as? Int == Self.beispielPassed)
        #expect(summary["reportCount"] as? Int == 3)
        // By their common names: the Outlook.com report is Microsoft's.
        #expect(summary["receiverNames"] as? [String] == ["GMX", "Microsoft", "Mimecast"])
        #expect(summary["firstDayWithData"] as? String == "2026-11-06")
        #expect(summary["lastDayWithData"] as? String == "2026-11-17")
        // November has 30 days; traffic on two: 137 (128 passed) and 310 + 64 (280 + 64 passed).
        let days = try #require(report["days"] as? [[String: Any]])
        #expect(days.count == 30)
        let traffic = days.compactMap { day -> String? in
            guard let counts = day["traffic"] as? [String: Any], let messages = counts["messages"] as? Int, messages > 0
            else { return nil }
            return "\(day["day"] as? String ?? "?") \(messages) \(counts["passed"] as? Int ?? -1)"
        }
        #expect(traffic == ["2026-11-06 137 128", "2026-11-17 374 344"])
    }

    @Test("report monthly --all: one file per tenant, named TENANT-MONTH, each with its own figures")
    func monthlyAll() throws {
        let database = try Self.ingestedSamples()
        let directory = try makeTemporaryDirectory(prefix: "dmarc-all-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try DMARCBinary.run([
            "report", "monthly", "--database", database.conninfo, "--all", "--month", "2026-11", "--format", "json",
            "--out", directory,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == ["acme-2026-11.json", "beispiel-2026-11.json", "contoso-2026-11.json", "fabrikam-2026-11.json"])
        for name in names {
            let report = try Self.json(directory + "/" + name)
            #expect((report["tenant"] as? [String: Any])?["id"] as? String == String(name.prefix { $0 != "-" }))
            #expect(report["month"] as? String == "2026-11")
        }
        // acme: Google's two reports, 477 (412 passed) and 452 (412 passed) messages.
        let acme = try #require(try Self.json(directory + "/acme-2026-11.json")["summary"] as? [String: Any])
        #expect(acme["reportCount"] as? Int == 2)
        let totals = acme["totals"] as? [String: [String: Int]]
        #expect((totals?.values.reduce(0) { $0 + ($1["messages"] ?? 0) }) == 929)
        #expect((totals?.values.reduce(0) { $0 + ($1["passed"] ?? 0) }) == 824)
        // fabrikam has no report in November.
        let fabrikam = try #require(try Self.json(directory + "/fabrikam-2026-11.json")["summary"] as? [String: Any])
        #expect(fabrikam["reportCount"] as? Int == 0)
        #expect(fabrikam["status"] as? String == "no-data")
    }

    @Test("report monthly --format pdf prints the tenant's HTML through the browser found on PATH")
    func monthlyPDF() throws {
        let database = try Self.ingestedSamples()
        let directory = try makeTemporaryDirectory(prefix: "dmarc-pdf-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A stand-in for chromium: keeps the page it was given and writes a PDF of one line.
        let bin = directory + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let script = """
            #!/bin/sh
            for argument in "$@"; do
                case "$argument" in
                    --print-to-pdf=*) out="${argument#--print-to-pdf=}" ;;
                    file://*) page="${argument#file://}" ;;
                esac
            done
            cp "$page" '\(directory)/page.html'
            printf '%%PDF-1.4 stand-in\\n' > "$out"
            """
        try script.write(toFile: bin + "/chromium", atomically: false, encoding: .utf8)
        chmod(bin + "/chromium", 0o755)
        let out = directory + "/beispiel.pdf"
        let run = try DMARCBinary.run(
            [
                "report", "monthly", "--database", database.conninfo, "--tenant", "beispiel", "--month", "2026-11",
                "--format", "pdf", "--out", out,
            ], environment: ["PATH": bin + ":/usr/bin:/bin"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "%PDF-1.4 stand-in\n")
        let page = try String(contentsOfFile: directory + "/page.html", encoding: .utf8)
        #expect(page.contains("Beispiel AG"))
        #expect(page.contains("2026") && page.contains("chart-daily"))
    }

    // MARK: reparse

    @Test("reparse --since reads again, with the real reader, only the originals with a report ending on or after that day")
    func reparseSince() throws {
        let database = try Self.ingestedSamples()
        // Mark every stored report; a reparsed one gets the reader's warnings back instead.
        let connection = try database.connect()
        try connection.execute("UPDATE reports SET warnings = '{stale}'")
        // The four report files cover 2026-11-17 (4 + 2 + 6 + 5 = 17 rows); the two reports that came
        // by mail (Mimecast's, Google's zip) cover 2026-11-06.
        let after = try DMARCBinary.run(["reparse", "--database", database.conninfo, "--since", "2026-11-18"])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout == "reparsed 0 files: 0 reports (0 rows)\n")
        let since = try DMARCBinary.run(["reparse", "--database", database.conninfo, "--since", "2026-11-17"])
        #expect(since.status == 0, "\(since.stderr)")
        #expect(since.stdout == "reparsed 4 files: 4 reports (17 rows)\n")
        let stale = try connection.query("SELECT org_name FROM reports WHERE warnings = '{stale}' ORDER BY org_name").rows
            .map { $0.string(0) ?? "" }
        #expect(stale == ["Mimecast", "google.com"])
        #expect(try database.count("SELECT count(*) FROM records") == 22)

        // Everything: the 7 originals, the TLS report's among them, 6 reports, 22 rows.
        let all = try DMARCBinary.run(["reparse", "--database", database.conninfo])
        #expect(all.stdout == "reparsed 7 files: 6 reports (22 rows)\n")
        #expect(try database.count("SELECT count(*) FROM reports WHERE warnings = '{stale}'") == 0)
    }
}
