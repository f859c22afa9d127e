import DMARC
import Foundation
import Postgres
import Testing

/// `dmarc nightly` with every kind of input: an IMAP mailbox (a real Dovecot), a directory and a
/// Maildir (the bundled samples: 6 reports, 22 rows, one mail without a report, as the README's
/// first command shows) and the tenants file. Figures: 3 fetched mails of one report and two rows
/// each, plus the samples.
@Suite("dmarc nightly", .dropsTestDatabases)
struct NightlyTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples").path

    @Test("with dns.enabled, the nightly run checks every domain against the configured resolver before the alerts")
    func dnsStep() async throws {
        let knot = try await KnotServer.start(zones: [
            "provider.test": "_spf TXT \"v=spf1 ip4:192.0.2.0/24 -all\"",
            "nightly.test": "@ TXT \"v=spf1 include:_spf.provider.test -all\"\n_dmarc TXT \"v=DMARC1; p=reject\"",
        ])
        defer { knot.stop() }
        let directory = try makeTemporaryDirectory(prefix: "dmarc-nightly-dns-")
        try """
            provider: {name: P, networks: [192.0.2.0/24], spf_include: _spf.provider.test}
            tenants:
              - {id: t, name: T, language: en, domains: [{domain: nightly.test, method: spf}]}
            """.write(toFile: directory + "/tenants.yaml", atomically: true, encoding: .utf8)
        try """
            tenants: tenants.yaml
            state_directory: state
            dns:
              enabled: true
              resolver: \(knot.address)
              timeout_ms: 500
            """.write(toFile: directory + "/dmarc.yaml", atomically: true, encoding: .utf8)
        let database = try TestCluster.get().freshDatabase()
        let result = try DMARCBinary.run(["nightly", "--config", directory + "/dmarc.yaml", "--database", database.conninfo])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        // In order: the tenants, then the DNS checks, then the alerts that may read them.
        #expect(lines.count == 4, "\(result.stdout)\n\(result.stderr)")
        #expect(lines.first?.hasPrefix("tenants apply: applied ") == true, "\(result.stdout)")
        #expect(lines.dropFirst().first?.hasPrefix("dns check: checked 1 domain(s): ") == true, "\(result.stdout)")
        #expect(lines.dropFirst(2).first == "alerts check: 0 opened, 0 still open, 0 resolved, 0 told", "\(result.stdout)")
        #expect(try database.count("SELECT count(*) FROM dns_checks WHERE domain = 'nightly.test'") == 1)

        // Off (the default): no step, nothing asked.
        try "tenants: tenants.yaml\nstate_directory: state\n".write(toFile: directory + "/dmarc.yaml", atomically: true, encoding: .utf8)
        let off = try DMARCBinary.run(["nightly", "--config", directory + "/dmarc.yaml", "--database", database.conninfo])
        #expect(off.status == 0 && !off.stdout.contains("dns check"), "\(off.stdout)")
        #expect(try database.count("SELECT count(*) FROM dns_checks") == 1)
    }

    @Test("one run does every step, records it in runs, writes the metrics; a held lock stops a second run; a rerun stores nothing new")
    func nightly() throws {
        let server = try TestDovecot()
        try server.deliver((0..<3).map { ReportMail.message($0) })
        try server.start()
        let directory = try makeTemporaryDirectory(prefix: "dmarc-nightly-")
        try FileManager.default.copyItem(atPath: Self.samples + "/reports", toPath: directory + "/reports")
        try FileManager.default.copyItem(atPath: Self.samples + "/maildir", toPath: directory + "/maildir")
        try FileManager.default.copyItem(atPath: Self.samples + "/tenants.yaml", toPath: directory + "/tenants.yaml")
        let configuration = try server.configuration(
            in: directory,
            extra: """
                tenants: tenants.yaml
                archive: archive
                state_directory: state
                metrics_file: metrics/dmarc.prom
                """,
            imapExtra: """
                  - directory: reports
                  - maildir: maildir
                """)
        let database = try TestCluster.get().freshDatabase()
        let arguments = ["nightly", "--config", configuration, "--database", database.conninfo]

        let first = try DMARCBinary.run(arguments + ["--json"])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(first.stdout.hasPrefix("{\"run\":1,\"exit_code\":0,"), "\(first.stdout)")
        #expect(first.stdout.contains("\"reports\":9,\"rows\":28,\"rejected\":0,\"steps\":["), "\(first.stdout)")
        for step in ["fetch rua", "ingest directories", "ingest maildirs", "tenants apply", "alerts check"] {
            #expect(first.stdout.contains("{\"step\":\"\(step)\",\"status\":0"), "\(step): \(first.stdout)")
        }
        #expect(first.stderr.contains("nightly-done run=1 status=0 reports=9 rows=28 rejected=0"), "\(first.stderr)")
        #expect(try database.count("SELECT count(*) FROM reports") == 9)
        #expect(try database.count("SELECT count(*) FROM runs WHERE exit_status = 0 AND finished_at IS NOT NULL") == 1)
        #expect(try database.count("SELECT jsonb_array_length(steps) FROM runs") == 5)
        #expect(try database.count("SELECT count(*) FROM tenant_configurations") == 1)

        let metrics = try String(contentsOfFile: directory + "/metrics/dmarc.prom", encoding: .utf8)
        for line in [
            "dmarc_nightly_reports 9", "dmarc_nightly_rows 28", "dmarc_nightly_rejected 0", "dmarc_nightly_exit_status 0",
            "# TYPE dmarc_nightly_last_success_timestamp_seconds gauge",
        ] {
            #expect(metrics.split(separator: "\n").contains { $0 == line }, "\(line) in\n\(metrics)")
        }

        // A second run while the lock is held (as a running nightly holds it) stops at once.
        // O_CLOEXEC: a process another test starts meanwhile (a postgres, a knotd) would otherwise
        // inherit the descriptor and hold the lock after it is closed here.
        let lockDescriptor = open(directory + "/state/nightly.lock", O_RDWR | O_CLOEXEC)
        #expect(flock(lockDescriptor, LOCK_EX | LOCK_NB) == 0)
        let blocked = try DMARCBinary.run(arguments)
        #expect(blocked.status == 75, "\(blocked.stdout)\n\(blocked.stderr)")
        #expect(blocked.stderr.contains("nightly-skipped reason=\"another nightly run holds"), "\(blocked.stderr)")
        close(lockDescriptor)

        let second = try DMARCBinary.run(arguments)
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(second.stdout.contains("tenants apply: no changes"), "\(second.stdout)")
        #expect(second.stdout.contains("fetch rua: fetched 0 messages"), "\(second.stdout)")
        #expect(second.stdout.split(separator: "\n").last?.hasPrefix("nightly run 2: exit 0 in ") == true, "\(second.stdout)")
        #expect(try database.count("SELECT count(*) FROM reports") == 9)

        let runs = try DMARCBinary.run(["runs", "--config", configuration, "--database", database.conninfo])
        #expect(runs.status == 0, "\(runs.stderr)")
        let lines = runs.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(runs.stdout)")  // the header, runs 2 and 1
        #expect(lines.dropFirst().first?.contains("fetch rua: 0 · ingest directories: 0 · ingest maildirs: 0 · tenants apply: 0") == true, "\(runs.stdout)")
    }
}
