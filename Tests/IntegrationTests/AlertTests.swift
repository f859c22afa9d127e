import Alerts
import DMARC
import Foundation
import Postgres
import Testing

/// `dmarc alerts` over crafted histories: reports written as XML files, ingested with the real
/// binary, judged by `alerts check --today` on fixed days. The expectations are counted by hand
/// from the histories below.
@Suite("dmarc alerts", .dropsTestDatabases)
struct AlertTests {
    /// The last day of the crafted history: T.
    static let today = Day(year: 2026, month: 11, day: 30)!

    static func day(_ offset: Int) -> Day { Day(daysSinceEpoch: today.daysSinceEpoch + offset) }

    /// One row of a report: who sent, how many, what the receiver evaluated, the auth results.
    struct Row {
        var ip: String
        var count: Int
        /// policy_evaluated: both pass, or both fail.
        var passes: Bool
        /// A DKIM signature d=, selector, result; nil: none.
        var dkim: (domain: String, selector: String, result: String)? = nil
        /// The SPF (MAIL FROM) domain and result.
        var spf: (domain: String, result: String)

        static func pass(_ domain: String, _ count: Int) -> Row {
            Row(ip: "192.0.2.10", count: count, passes: true, spf: (domain, "pass"))
        }

        /// Neither the provider nor a relay: unauthorized-source (the tenant's side).
        static func foreign(_ ip: String, _ domain: String, _ count: Int) -> Row {
            Row(ip: ip, count: count, passes: false, spf: (domain, "fail"))
        }

        /// The provider's server signing with its own domain for a dkim tenant: dkim-not-aligned.
        static func providerSigned(_ count: Int) -> Row {
            Row(
                ip: "192.0.2.20", count: count, passes: false, dkim: ("mail.provider.example", "p1", "pass"),
                spf: ("bounce.provider.example", "pass"))
        }
    }

    /// Writes one report of `receiver` for `domain` on `day` into `directory`.
    static func writeReport(_ receiver: String, _ domain: String, _ day: Day, _ rows: [Row], into directory: String) throws {
        let begin = Int64(day.daysSinceEpoch) * 86_400
        var records = ""
        for row in rows {
            let verdict = row.passes ? "pass" : "fail"
            var auth = ""
            if let dkim = row.dkim {
                auth += "<dkim><domain>\(dkim.domain)</domain><selector>\(dkim.selector)</selector><result>\(dkim.result)</result></dkim>"
            }
            auth += "<spf><domain>\(row.spf.domain)</domain><result>\(row.spf.result)</result></spf>"
            records += """
                <record><row><source_ip>\(row.ip)</source_ip><count>\(row.count)</count>\
                <policy_evaluated><disposition>none</disposition><dkim>\(verdict)</dkim><spf>\(verdict)</spf></policy_evaluated></row>\
                <identifiers><header_from>\(domain)</header_from></identifiers><auth_results>\(auth)</auth_results></record>

                """
        }
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <feedback>
            <report_metadata><org_name>\(receiver)</org_name><email>noreply@\(receiver)</email>\
            <report_id>\(receiver)-\(domain)-\(day)</report_id><date_range><begin>\(begin)</begin><end>\(begin + 86_399)</end></date_range></report_metadata>
            <policy_published><domain>\(domain)</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct></policy_published>
            \(records)</feedback>
            """
        try xml.write(toFile: "\(directory)/\(receiver)!\(domain)!\(begin).xml", atomically: true, encoding: .utf8)
    }

    static let tenants = """
        provider:
          name: Example HR Cloud
          networks: [192.0.2.0/24]
          dkim_domains: [mail.provider.example]
          return_path_domains: [bounce.provider.example]
        tenants:
          - {id: quiet, name: Quiet, language: en, domains: [{domain: quiet.example, method: spf}]}
          - {id: newsrc, name: New Source, language: de, domains: [{domain: newsrc.example, method: spf}]}
          - {id: droprate, name: Drop, language: en, domains: [{domain: droprate.example, method: spf}]}
          - {id: silent, name: Silent, language: en, domains: [{domain: silent.example, method: spf}]}
          - {id: p1, name: P1, language: en, domains: [{domain: p1.example, method: dkim, dkim_selectors: [hr1]}]}
          - {id: p2, name: P2, language: en, domains: [{domain: p2.example, method: dkim, dkim_selectors: [hr1]}]}
          - {id: p3, name: P3, language: en, domains: [{domain: p3.example, method: dkim, dkim_selectors: [hr1]}]}
        """

    /// Days T-34 … T (35 days) of every tenant:
    /// * quiet: 100 passing a day from google.com — nothing to say;
    /// * newsrc: 100 passing a day, 1 failing a day from 203.0.113.5 all along (old and small), and
    ///   30 failing a day from 198.51.100.7 on T-1 and T: a new failing source (60 messages);
    ///   its week: 700 of 767 pass (91.3 %), the 4 weeks before 2800 of 2828 (99.0 %): 7.7 points, no drop;
    /// * droprate: T-34 … T-7 100 passing and 1 failing (203.0.113.9) a day, T-6 … T 60 passing and
    ///   40 failing (the same source, so not new): its week 420 of 700 (60 %), the 4 weeks before
    ///   2800 of 2828 (99 %): under 90 % and 39 points down, critical;
    /// * silent: google.com daily until T-4, then nothing (27 of the 28 baseline days T-30 … T-3);
    ///   yahoo.com every fifth day from T-34 (7 days, none after T-5): too rare to be missed;
    /// * p1, p2, p3 (dkim): 100 passing a day, and on T-1 and T 20 a day from the provider's
    ///   192.0.2.20 signed d=mail.provider.example: dkim-not-aligned for three tenants, one
    ///   provider-wide alert and no new-failing-source alert per tenant.
    static func writeHistory(into directory: String) throws {
        for offset in -34...0 {
            let day = Self.day(offset)
            try writeReport("google.com", "quiet.example", day, [.pass("quiet.example", 100)], into: directory)
            var newsrc: [Row] = [.pass("newsrc.example", 100), .foreign("203.0.113.5", "newsrc.example", 1)]
            if offset >= -1 { newsrc.append(.foreign("198.51.100.7", "newsrc.example", 30)) }
            try writeReport("google.com", "newsrc.example", day, newsrc, into: directory)
            let late = offset >= -6
            try writeReport(
                "google.com", "droprate.example", day,
                [.pass("droprate.example", late ? 60 : 100), .foreign("203.0.113.9", "droprate.example", late ? 40 : 1)],
                into: directory)
            if offset <= -4 { try writeReport("google.com", "silent.example", day, [.pass("silent.example", 100)], into: directory) }
            if (offset + 34) % 5 == 0, offset <= -4 {
                try writeReport("yahoo.com", "silent.example", day, [.pass("silent.example", 10)], into: directory)
            }
            for tenant in ["p1", "p2", "p3"] {
                var rows: [Row] = [
                    Row(ip: "192.0.2.10", count: 100, passes: true, dkim: ("\(tenant).example", "hr1", "pass"), spf: ("bounce.provider.example", "pass"))
                ]
                if offset >= -1 { rows.append(.providerSigned(20)) }
                try writeReport("google.com", "\(tenant).example", day, rows, into: directory)
            }
        }
    }

    static func ingest(_ directory: String, _ database: TestDatabase) throws {
        let result = try DMARCBinary.run(["ingest", directory, "--database", database.conninfo])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
    }

    static func check(_ day: Day, _ database: TestDatabase, config: String) throws -> DMARCBinary.Result {
        try DMARCBinary.run(["alerts", "check", "--today", day.description, "--config", config, "--database", database.conninfo])
    }

    @Test("each rule fires on its history and not on the quiet one; a second check tells nothing; cleared conditions resolve")
    func rules() throws {
        let directory = try makeTemporaryDirectory(prefix: "dmarc-alerts-")
        try Self.tenants.write(toFile: directory + "/tenants.yaml", atomically: true, encoding: .utf8)
        // No file at this path: every default.
        let config = directory + "/none.yaml"
        let database = try TestCluster.get().freshDatabase()
        let applied = try DMARCBinary.run(["tenants", "apply", directory + "/tenants.yaml", "--database", database.conninfo])
        #expect(applied.status == 0, "\(applied.stderr)")
        try FileManager.default.createDirectory(atPath: directory + "/history", withIntermediateDirectories: true)
        try Self.writeHistory(into: directory + "/history")
        try Self.ingest(directory + "/history", database)

        let first = try Self.check(Self.today, database, config: config)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(first.stdout.hasSuffix("alerts: 4 opened, 0 still open, 0 resolved, 4 told\n"), "\(first.stdout)")
        let opened = try Set(
            database.connect().query("SELECT fingerprint || ' ' || severity AS f FROM alerts WHERE status = 'open'").rows.map {
                try $0.decode("f", as: String.self)
            })
        #expect(
            opened == [
                "provider-wide|dkim-not-aligned|192.0.2.0/24 critical",
                "new-failing-source|newsrc|newsrc.example|198.51.100.7 warning",
                "pass-rate-drop|droprate|droprate.example critical",
                "reports-missing|silent|silent.example|google.com warning",
            ], "\(first.stdout)")
        #expect(first.stdout.contains("droprate.example passed DMARC for 60.0 % of 700 messages in the 7 days to 2026-11-30 (the 4 weeks before: 99.0 %)"), "\(first.stdout)")
        #expect(first.stdout.contains("198.51.100.7 fails DMARC for newsrc.example (unauthorized-source): 60 messages since 2026-11-29"), "\(first.stdout)")
        #expect(first.stdout.contains("dkim-not-aligned from the provider network 192.0.2.0/24 for 3 tenants (p1, p2, p3): 120 messages"), "\(first.stdout)")
        #expect(first.stdout.contains("google.com reported on 27 of 28 days for silent.example, none since 2026-11-26 (4 days)"), "\(first.stdout)")
        // Who is told: the tenant for its own side, the operators for the rest.
        let audiences = try database.connect().query(
            "SELECT a.kind || ' ' || n.audience AS x FROM alert_notifications n JOIN alerts a ON a.id = n.alert"
        ).rows.map { try $0.decode("x", as: String.self) }
        #expect(
            Set(audiences) == [
                "provider-wide operators", "new-failing-source newsrc", "pass-rate-drop droprate", "reports-missing operators",
            ])

        let second = try Self.check(Self.today, database, config: config)
        #expect(second.stdout == "alerts: 0 opened, 4 still open, 0 resolved, 0 told\n", "\(second.stdout)\n\(second.stderr)")
        #expect(try database.count("SELECT count(*) FROM alerts") == 4)
        #expect(try database.count("SELECT count(*) FROM alert_notifications") == 4)

        // list, ack
        let list = try DMARCBinary.run(["alerts", "list", "--config", config, "--database", database.conninfo])
        #expect(list.status == 0 && list.stdout.split(separator: "\n").count == 5, "\(list.stdout)\n\(list.stderr)")
        let dropID = try database.count("SELECT id FROM alerts WHERE kind = 'pass-rate-drop'")
        let ack = try DMARCBinary.run(["alerts", "ack", "\(dropID)", "--config", config, "--database", database.conninfo])
        #expect(ack.stdout == "acknowledged #\(dropID)\n", "\(ack.stdout)\n\(ack.stderr)")
        let again = try DMARCBinary.run(["alerts", "ack", "\(dropID)", "--config", config, "--database", database.conninfo])
        #expect(again.status == 65 && again.stderr.contains("no open alert #\(dropID)"), "\(again.stderr)")

        // T+1 and T+2: every domain reports again and passes; the new source and the provider's
        // signing stop failing. Three conditions clear; the pass rate's week (T-4 … T+2) still
        // holds five bad days (300 failing of 900: 66.7 %), so that alert stays.
        try FileManager.default.createDirectory(atPath: directory + "/later", withIntermediateDirectories: true)
        for offset in 1...2 {
            for domain in ["quiet", "newsrc", "droprate", "silent", "p1", "p2", "p3"] {
                try Self.writeReport("google.com", "\(domain).example", Self.day(offset), [.pass("\(domain).example", 100)], into: directory + "/later")
            }
        }
        try Self.ingest(directory + "/later", database)
        let cleared = try Self.check(Self.day(2), database, config: config)
        #expect(cleared.stdout.hasSuffix("alerts: 0 opened, 1 still open, 3 resolved, 0 told\n"), "\(cleared.stdout)\n\(cleared.stderr)")
        #expect(try database.count("SELECT count(*) FROM alerts WHERE status = 'resolved' AND resolved_by = 'check'") == 3)
        #expect(try database.count("SELECT count(*) FROM alerts WHERE status = 'acknowledged' AND kind = 'pass-rate-drop'") == 1)
        let resolved = try DMARCBinary.run(["alerts", "list", "--status", "resolved", "--json", "--config", config, "--database", database.conninfo])
        #expect(resolved.stdout.split(separator: "\n").count == 3, "\(resolved.stdout)")
        #expect(resolved.stdout.contains("\"details\":{"), "\(resolved.stdout)")
    }

    @Test("thresholds from dmarc.yaml: a higher message threshold keeps the new source quiet, a disabled rule opens nothing")
    func thresholds() throws {
        let directory = try makeTemporaryDirectory(prefix: "dmarc-alerts-config-")
        try Self.tenants.write(toFile: directory + "/tenants.yaml", atomically: true, encoding: .utf8)
        let config = directory + "/dmarc.yaml"
        try """
            alerts:
              new_failing_source: {min_messages: 61}
              pass_rate_drop: {enabled: false}
              reports_missing: {silent_days: 5}
              provider_wide: {min_tenants: 4}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let database = try TestCluster.get().freshDatabase()
        _ = try DMARCBinary.run(["tenants", "apply", directory + "/tenants.yaml", "--database", database.conninfo])
        try FileManager.default.createDirectory(atPath: directory + "/history", withIntermediateDirectories: true)
        try Self.writeHistory(into: directory + "/history")
        try Self.ingest(directory + "/history", database)
        let result = try Self.check(Self.today, database, config: config)
        // 60 messages < 61; no drop rule; the last google report (T-4) is inside 5 silent days; 3 < 4 tenants.
        // Without the provider-wide alert, each of p1–p3 has a new failing source, of 40 messages < 61.
        #expect(result.stdout.hasSuffix("alerts: 0 opened, 0 still open, 0 resolved, 0 told\n"), "\(result.stdout)\n\(result.stderr)")

        try "alerts:\n  new_failing_source: {min_messag: 5}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let bad = try Self.check(Self.today, database, config: config)
        #expect(bad.status == 78 && bad.stderr.contains("min_messag"), "\(bad.stderr)")
    }
}

/// The notification policy of the alerts table, on a real database with chosen clocks.
@Suite("alert notifications", .dropsTestDatabases)
struct AlertNotificationTests {
    @Test("told when opened, again only when worse or after 7 days open; not while acknowledged; a cleared condition resolves and a return opens anew")
    func policy() throws {
        let database = try TestCluster.get().freshDatabase()
        let store = AlertStore(connection: try database.connect())
        func finding(_ severity: AlertSeverity) -> AlertFinding {
            AlertFinding(
                kind: .passRateDrop, subject: ["t", "t.example"], tenantID: "t", domain: "t.example", severity: severity,
                audience: .tenant("t"), summary: "t.example passes too little", details: "{\"week_messages\":500}")
        }
        func apply(_ findings: [AlertFinding], day: Int64) throws -> AlertCheckResult {
            try store.apply(
                findings, evaluated: [.passRateDrop], now: day * 86_400, reminderDays: 7, channel: "log", recipient: { $0.text })
        }
        let opened = try apply([finding(.warning)], day: 100)
        #expect(opened.told.map(\.reason) == [.opened])
        let id = try #require(opened.opened.first?.alertID)
        #expect(try apply([finding(.warning)], day: 106).told.isEmpty)
        #expect(try apply([finding(.warning)], day: 107).told.map(\.reason) == [.reminder])
        #expect(try apply([finding(.warning)], day: 108).told.isEmpty)
        #expect(try apply([finding(.critical)], day: 109).told.map(\.reason) == [.worse])
        #expect(try store.acknowledge(id, now: 109 * 86_400))
        #expect(try apply([finding(.critical)], day: 130).told.isEmpty)
        // A kind not evaluated (its rule disabled) leaves its alerts as they are.
        #expect(try store.apply([], evaluated: [.reportsMissing], now: 131 * 86_400, reminderDays: 7, channel: "log", recipient: { $0.text }).resolved.isEmpty)
        let cleared = try apply([], day: 131)
        #expect(cleared.resolved.map(\.id) == [id])
        let back = try apply([finding(.warning)], day: 140)
        #expect(back.told.map(\.reason) == [.opened] && back.opened.first?.alertID != id)
        #expect(try database.count("SELECT count(*) FROM alert_notifications WHERE alert = \(id)") == 3)
        #expect(try database.count("SELECT count(*) FROM alerts WHERE status = 'resolved' AND resolved_by = 'check'") == 1)
    }
}
