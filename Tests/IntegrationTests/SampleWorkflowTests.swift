import Foundation
import Testing

/// The README's first command, step by step, on the bundled samples with the real binary.
@Suite("sample workflow with the dmarc binary", .dropsTestDatabases)
struct SampleWorkflowTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func sample(_ path: String) -> String { Self.root.appendingPathComponent(path).path }

    @Test("tenants apply, ingest samples and mailbox, failures, domain, monthly report")
    func workflow() throws {
        let database = try TestCluster.get().freshDatabase().conninfo
        let apply = try DMARCBinary.run(["tenants", "apply", "--database", database, sample("samples/tenants.yaml")])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.contains("+ tenant beispiel"))

        let ingest = try DMARCBinary.run(["ingest", "--database", database, sample("samples/reports"), sample("samples/maildir")])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.stdout.hasPrefix("ingested 6 reports"))
        #expect(ingest.stdout.contains("1 without a report"))

        let failures = try DMARCBinary.run([
            "failures", "--database", database, "--domain", "beispiel-ag.de", "--from", "2026-11-01", "--to", "2026-11-30",
            "--format", "json",
        ])
        #expect(failures.status == 0, "\(failures.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(failures.stdout.utf8)) as? [String: Any]
        let groups = object?["groups"] as? [[String: Any]] ?? []
        #expect(groups.contains { $0["diagnosisClass"] as? String == "dkim-key-missing" && $0["sourceIP"] as? String == "192.0.2.21" })

        let table = try DMARCBinary.run(["failures", "--database", database, "--domain", "contoso-talent.com", "--from", "2026-11-01", "--to", "2026-11-30"])
        #expect(table.stdout.contains("relay-bypassed"))

        let unknown = try DMARCBinary.run(["failures", "--database", database, "--domain", "beispiel-ag.com"])
        #expect(unknown.status == 65)
        #expect(unknown.stderr.contains("did you mean beispiel-ag.de"))

        let domain = try DMARCBinary.run(["domain", "--database", database, "acme-hr.ch"])
        #expect(domain.status == 0, "\(domain.stderr)")
        #expect(domain.stdout.contains("method      spf"))

        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dmarc-monthly-\(UUID().uuidString).html").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let report = try DMARCBinary.run([
            "report", "monthly", "--database", database, "--tenant", "beispiel", "--month", "2026-11", "--lang", "en", "--out", out,
        ])
        #expect(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.contains("chart-daily"))
        #expect(html.contains("Beispiel AG"))

        // --out naming a directory: the file goes into it under the name --all would give it.
        let directory = try makeTemporaryDirectory(prefix: "dmarc-monthly-dir-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let intoDirectory = try DMARCBinary.run([
            "report", "monthly", "--database", database, "--tenant", "beispiel", "--month", "2026-11", "--format", "csv",
            "--out", directory,
        ])
        #expect(intoDirectory.status == 0, "\(intoDirectory.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory + "/beispiel-2026-11.csv"))

        // An unwritable target is named with the system's reason, not Foundation's wrapper.
        let unwritable = try DMARCBinary.run([
            "report", "monthly", "--database", database, "--tenant", "beispiel", "--month", "2026-11",
            "--out", directory + "/missing/r.html",
        ])
        #expect(unwritable.status == 73)
        #expect(unwritable.stderr.contains("cannot write \(directory)/missing/r.html: No such file or directory"), "\(unwritable.stderr)")
    }
}

@Suite("ingest --maildir-done", .dropsTestDatabases)
struct MaildirDoneTests {
    @Test("messages in new/ move to cur/ with the Seen flag only after their commit; a rerun adds nothing")
    func movesCommittedMessages() throws {
        let database = try TestCluster.get().freshDatabase().conninfo
        let root = try makeTemporaryDirectory(prefix: "dmarc-maildir-")
        let maildir = SampleWorkflowTests.root.appendingPathComponent("samples/maildir").path
        let copy = root + "/Maildir"
        try FileManager.default.copyItem(atPath: maildir, toPath: copy)
        let before = try FileManager.default.contentsOfDirectory(atPath: copy + "/new").sorted()
        #expect(before.count == 2)

        let run = try DMARCBinary.run(["ingest", "--database", database, "--maildir-done", copy])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: copy + "/new").isEmpty)
        let cur = try FileManager.default.contentsOfDirectory(atPath: copy + "/cur")
        for name in before { #expect(cur.contains(name + ":2,S")) }

        let again = try DMARCBinary.run(["ingest", "--database", database, "--maildir-done", copy])
        #expect(again.status == 0)
        #expect(again.stdout.hasPrefix("ingested 0 reports"))
    }

    @Test("with the database unreachable nothing moves")
    func nothingMovesWithoutCommit() throws {
        let root = try makeTemporaryDirectory(prefix: "dmarc-maildir-")
        let copy = root + "/Maildir"
        try FileManager.default.copyItem(
            atPath: SampleWorkflowTests.root.appendingPathComponent("samples/maildir").path, toPath: copy)
        let run = try DMARCBinary.run(["ingest", "--database", "host=/nonexistent dbname=x", "--maildir-done", copy])
        #expect(run.status == 75)
        #expect(try FileManager.default.contentsOfDirectory(atPath: copy + "/new").count == 2)
    }
}
