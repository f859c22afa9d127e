import Foundation
import Testing

// The fixture month: tenant `acme` of samples/tenants.yaml in October 2026, four aggregate reports in
// Fixtures/month/, every figure below derived on paper from their rows (no code of the report asked).
//
// Configuration in force all month: acme-hr.ch method spf (no `since`), jobs.acme-hr.ch method dkim,
// selector hr1 (since 2026-01-15). Provider networks 192.0.2.0/24 and 2001:db8:100::/48.
//
// Rows (origin: provider = 192.0.2.0/24, other = anything else):
//
//   report                      period (UTC)                      domain           source        count  class
//   google.com  …-google-1005   05 Oct 00:00:00–23:59:59          acme-hr.ch       192.0.2.10     1180  pass (SPF pass, aligned)
//                                                                 acme-hr.ch       192.0.2.11       30  spf-not-authorized (provider, SPF fail acme-hr.ch)
//                                                                 acme-hr.ch       203.0.113.66      4  unauthorized-source (other, SPF only for spammer.example)
//   google.com  …-google-1012   12 Oct 00:00:00–23:59:59          acme-hr.ch       192.0.2.10      950  pass
//                                                                 jobs.acme-hr.ch  192.0.2.20      300  pass (DKIM pass d=jobs.acme-hr.ch s=hr1)
//                                                                 jobs.acme-hr.ch  192.0.2.20       25  dkim-selector-unknown (provider, aligned DKIM fail, s=hr9)
//   Outlook.com …-outlook-1019  19 Oct 12:00 – 20 Oct 12:00       acme-hr.ch       192.0.2.10        3  pass (envelope_to customer-a.example)
//               (crosses midnight: 12 h on each day, so each      acme-hr.ch       192.0.2.10        5  pass (envelope_to customer-b.example)
//               row is split in halves; an odd count's extra      acme-hr.ch       192.0.2.11        7  spf-not-authorized
//               message goes to the earlier day, DayApportioning)
//   GMX         …-gmx-1026      26 Oct 00:00:00–23:59:59          acme-hr.ch       192.0.2.12       40  pass
//                                                                 acme-hr.ch       203.0.113.99      2  unauthorized-source (other, SPF fail)
//
// The crossing report, split row by row (issue 18: "split each row by day, then sum"):
//   3 → 19 Oct 2, 20 Oct 1;  5 → 3, 2;  7 → 4, 3.
//   19 Oct: pass 2 + 3 = 5, spf-not-authorized 4 → 9 messages, 5 passed.
//   20 Oct: pass 1 + 2 = 3, spf-not-authorized 3 → 6 messages, 3 passed.
//
// Month (October, 31 days; 26 of them without any report):
//   messages 1180+30+4 + 950+300+25 + 3+5+7 + 40+2 = 2,546
//   passed   1180 + 950 + 300 + 3 + 5 + 40          = 2,478;  failed 68
//   pass rate 2478 / 2546 = 97.329… % → "97.3%"
//   provider servers: 2,546 − 6 = 2,540 messages, 2,478 passed (97.559… % → "97.6%")
//   other senders:    4 + 2 = 6 messages, 0 passed ("0.0%")
//   authorised (provider or relay): 2,540. Fixable by the tenant (spf-not-authorized) 37 = 1.456… % → "1.5%",
//   above the 1.0 % threshold; by the provider (dkim-selector-unknown) 25 = 0.984… % → "1.0%", not above it.
//   Status: tenant-action.
//   Classes: pass 2,478 (97.3 %), spf-not-authorized 37 (37/2546 = 1.45… → 1.5 %),
//            dkim-selector-unknown 25 (0.98… → 1.0 %), unauthorized-source 6 (0.23… → 0.2 %).
//   Per day (messages / passed): 05 Oct 1,214 / 1,180; 12 Oct 1,275 / 1,250; 19 Oct 9 / 5; 20 Oct 6 / 3;
//            26 Oct 42 / 40; every other day 0 / 0. Sum 2,546 / 2,478.
//   Receivers (most messages first, by common name): Google (google.com) 2,489 / 2,430 passed, 2 reports
//            (97.6 %); GMX 42 / 40, 1 report (95.2 %); Microsoft (Outlook.com) 15 / 8, 1 report (53.3 %).
//   Coverage: messages on 5 days (5, 12, 19, 20, 26 Oct) from 3 receivers; the same 5 days covered by a
//            report, the other 26 "no data".
//   Other senders: only unauthorised ones, 6 messages, none passed, from 2 addresses.
//   Seen: spf-not-authorized 5 Oct – 20 Oct (acme-hr.ch has data after the 20th on one day only, the
//            26th: fewer than 3, so still open); dkim-selector-unknown 12 Oct (no later day of
//            jobs.acme-hr.ch); unauthorized-source 5 Oct – 26 Oct. None resolved.
//   To do (open problems someone can fix): customer, add the provider to SPF, acme-hr.ch, 37, 5–20 Oct;
//            provider, sign with an agreed selector, jobs.acme-hr.ch, 25, 12 Oct.
//   Domains: acme-hr.ch 2,221 messages, 2,178 passed (98.06… → 98.1 %), of them provider 2,215 / 2,178 (98.3 %);
//            jobs.acme-hr.ch 325 / 300 (92.3 %), all provider.
//   Open problems (whoever acts first, then most messages; foreign senders last):
//            1. spf-not-authorized, tenant, 37, acme-hr.ch, 192.0.2.11 (provider) 37;
//            2. dkim-selector-unknown, provider, 25, jobs.acme-hr.ch, 192.0.2.20 (provider) 25;
//            3. unauthorized-source, tenant (for information), 6, acme-hr.ch, 203.0.113.66 (other) 4, 203.0.113.99 (other) 2.
//   Reports: 4, one apportioned; first day with data 5 Oct, last 26 Oct.
//   Evidence (messages in the month): google-1005 1,214; google-1012 1,275; outlook-1019 15; gmx-1026 42.
//   Readiness (p=none → p=quarantine, the 30 days 2–31 Oct, authorised = provider or relay mail):
//            acme-hr.ch 5 days with data, 2,215 / 2,178 (98.3 %); jobs.acme-hr.ch 1 day, 325 / 300 (92.3 %).
//   Not printed as text in HTML or PDF: the per-day figures (bars only) — checked in JSON and CSV.
//
// November 2026 (five one-day reports of google.com, issue 18's cases):
//   2 Nov  192.0.2.10 100 pass;  192.0.2.11 10 spf-not-authorized
//   3 Nov  192.0.2.10 100 pass;  192.0.2.11  5 spf-not-authorized
//   9 Nov  192.0.2.10 100 pass;  198.51.100.7 4 forwarded (override reason forwarded; other server)
//   16 Nov, 23 Nov  192.0.2.10 100 pass each
//   Messages 519, passed 500. Provider servers 515 / 500 = 97.087… % → "97.1%"; other senders 4 / 0.
//   The SPF failures stopped after the 3rd: acme-hr.ch has data on 9, 16 and 23 Nov without them
//   (3 days, the threshold), so the problem is "resolved since 9 Nov 2026", seen 2 Nov – 3 Nov, and
//   neither on the to-do list, nor counted in the status (nothing open to fix: compliant, 0.0 % fixable
//   by the customer), nor a readiness blocker: acme-hr.ch's blockers are 5 days of 20 and 97.1 % < 99.0 %.
//   Previous month (October above): provider servers 2,540 / 2,478 = 97.559… %. Change of the rate:
//   97.087… − 97.559… = −0.47… → "−0.5 pp", shown with "97.6% → 97.1%".
//   Coverage: November 5 days from 1 receiver (Google), October 5 days from 3: 1 is less than half
//   of 3, so the volume change (519 against 2,546, −79.6 %) is held back.
//   Other senders: forwarded 4, 0.0 %, 1 address.
//   Days covered: 2, 3, 9, 16, 23 Nov; the other 25 are "no data".

// The crossing report's two days are where summing before splitting shows: its passes 3 and 5 split
// 2 + 1 and 3 + 2, while their sum 8 splits 4 + 4 (19 Oct 8 / 4, 20 Oct 7 / 4 when the report did that).

/// Tenant acme's October 2026 from four hand-written reports, rendered by the real binary in every
/// format and checked against the figures derived on paper above.
@Suite("Fixture month: every format against figures derived by hand", .dropsTestDatabases)
struct FixtureMonthTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/month").path

    /// Applies samples/tenants.yaml, ingests a copy of the fixture month, and runs `report monthly` for
    /// acme, October 2026, in English, in `format`; returns the file written.
    static func render(_ format: String, month: String = "2026-10", language: String = "en") throws -> (path: String, directory: String) {
        let database = try TestCluster.get().freshDatabase()
        let apply = try DMARCBinary.run([
            "tenants", "apply", "--database", database.conninfo, CommandLineTests.sample("samples/tenants.yaml"),
        ])
        #expect(apply.status == 0, "\(apply.stderr)")
        let directory = try makeTemporaryDirectory(prefix: "dmarc-fixture-month-")
        try FileManager.default.copyItem(atPath: fixtures, toPath: directory + "/inbox")
        let ingest = try DMARCBinary.run(["ingest", "--database", database.conninfo, directory + "/inbox"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let out = directory + "/acme-\(month)." + format
        let run = try DMARCBinary.run([
            "report", "monthly", "--database", database.conninfo, "--tenant", "acme", "--month", month,
            "--format", format, "--lang", language, "--out", out,
        ])
        try #require(run.status == 0, "\(run.stderr)")
        return (out, directory)
    }

    /// Text with tags, entities and runs of white space replaced by single spaces.
    static func plainText(_ markup: String) -> String {
        var text = markup.replacingOccurrences(of: "<style>[\\s\\S]*?</style>", with: " ", options: .regularExpression)
        // A domain's labels, kept apart in the markup for line breaking, read as one word.
        text = text.replacingOccurrences(of: "</span><wbr/><span class=\"nowrap\">", with: "")
        text = text.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return collapsed(text)
    }

    static func count(_ value: Any?) -> [Int] {
        let count = value as? [String: Int] ?? [:]
        return [count["messages"] ?? -1, count["passed"] ?? -1]
    }

    static func collapsed(_ text: String) -> String {
        text.replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression).trimmingCharacters(in: .whitespaces)
    }

    /// Figures both the HTML and the PDF must show, each as the report formats it and on one line of
    /// the printed page (pdftotext -layout keeps a table row or a chart label with its value on one line).
    static let printedFigures = [
        // Summary: the status and the action shares.
        "Action needed on the customer's side",
        "Fixable by the customer: 1.5% · by the provider: 1.0% (of 2,540 messages sent by authorised servers)",
        // The class chart: messages and share of the month.
        "SPF: provider not listed 37 · 1.5%",
        "DKIM selector unknown 25 · 1.0%",
        "Unauthorised senders 6 · 0.2%",
        // The receiver chart: messages and pass rate.
        "Reporting receivers: the 3 with the most messages",
        "Google 2,489 · 97.6%",
        "GMX 42 · 95.2%",
        "Microsoft 15 · 53.3%",
        // The domain table: jobs.acme-hr.ch's row (acme-hr.ch's policy cell wraps in print; see below).
        "325 92.3% delivered: 325",
        "provider servers 98.3%",
        // The problems: volume and sources.
        "Messages 37",
        "Sources 192.0.2.11 (provider server, 37)",
        "Messages 25",
        "Sources 192.0.2.20 (provider server, 25)",
        "Sources 203.0.113.66 (other server, 4), 203.0.113.99 (other server, 2)",
        // Readiness: days with data and the authorised pass rate in the 30-day window.
        "acme-hr.ch p=none → p=quarantine 5 98.3% Not yet",
        "reports on 5 days, 20 needed;",
        "jobs.acme-hr.ch p=none → p=quarantine 1 92.3% Not yet",
        "reports on 1 day, 20 needed;",
        // The method note and the appendix: each report's messages in the month.
        "Evaluated: 4 reports, 1 of them split across day boundaries.",
        "Google (google.com) · 2 reports",
        // A report of one whole UTC day shows as that day.
        "fixture-month-gmx-1026 26 Oct 2026 42",
        "fixture-month-google-1005 5 Oct 2026 1,214",
        "fixture-month-google-1012 12 Oct 2026 1,275",
        // Page 1: coverage, the other senders by group, and the problems' dates.
        "Coverage: reports on 5 days from 3 receivers.",
        "Unauthorised senders 6 0.0% 2",
        "Seen 5 Oct – 20 Oct",
        "Seen 12 Oct",
        "Seen 5 Oct – 26 Oct",
    ]

    /// The same figures where the HTML's flow and the printed layout differ.
    static let htmlOnlyFigures = [
        "Messages 2,546 reported by receivers under your domains",
        "DMARC pass rate, provider servers 97.6% 2,540 messages sent by the provider",
        "Change from previous month – no data for the previous month",
        // The to-do list, one line per open problem: who, the fix, where, how much, when.
        "customer Add the provider's servers to the SPF record acme-hr.ch 37 5 Oct – 20 Oct",
        "provider Sign with an agreed selector jobs.acme-hr.ch 25 12 Oct",
        "2,221 98.1% provider servers 98.3% delivered: 2,221",
        "fixture-month-outlook-1019 19 Oct 2026 12:00 – 20 Oct 2026 12:00 15",
    ]
    static let pdfOnlyFigures = [
        // The four key figures side by side: messages, provider servers' rate, other senders' rate, change.
        "2,546 97.6% –",
        "2,540 messages sent by",
        "2,221 98.1% delivered: 2,221",
        // The crossing report's period wraps after its first end.
        "fixture-month-outlook-1019 19 Oct 2026 12:00 – 15",
        "20 Oct 2026 12:00",
    ]

    /// The problem headings (title and class) in the order the paper gives: the tenant's fix, the
    /// provider's fix, foreign senders last.
    static let problemHeadings = ["SPF: provider not listed", "DKIM selector unknown", "Unauthorised senders"]

    /// Internal ids a customer must not see: the tenant id and the diagnosis classes' names.
    static let internalIDs = ["(acme)", "spf-not-authorized", "dkim-selector-unknown", "unauthorized-source"]

    static func checkPrinted(_ text: String, format: String, also extra: [String]) {
        for phrase in printedFigures + extra {
            let shown = text.contains(phrase)
            #expect(shown, "\(format) lacks \"\(phrase)\"")
        }
        // In the problems section: the titles appear on page 1 and in the charts too.
        let section = text.range(of: "Problems and recommendations").map { String(text[$0.upperBound...]) } ?? ""
        let positions = problemHeadings.map { section.range(of: $0)?.lowerBound }
        #expect(!positions.contains(nil), "\(format): a problem heading is missing")
        let found = positions.compactMap { $0 }
        #expect(found == found.sorted(), "\(format): problems not in the order of the paper")
        for id in internalIDs { #expect(!text.contains(id), "\(format) shows the internal id \(id)") }
    }

    @Test("JSON: totals, status, per-day figures, receivers, classes, problems, domains and evidence as on paper")
    func json() throws {
        let (path, _) = try Self.render("json")
        let report = try CommandLineTests.json(path)
        #expect(report["month"] as? String == "2026-10")
        let summary = try #require(report["summary"] as? [String: Any])
        let totals = try #require(summary["totals"] as? [String: [String: Int]])
        #expect(totals["providerInfrastructure"] == ["messages": 2540, "passed": 2478])
        #expect(totals["other"] == ["messages": 6, "passed": 0])
        #expect(summary["authorised"] as? [String: Int] == ["messages": 2540, "passed": 2478])
        #expect(summary["tenantActionMessages"] as? Int == 37)
        #expect(summary["providerActionMessages"] as? Int == 25)
        #expect(summary["status"] as? String == "tenant-action")
        #expect(summary["receiverNames"] as? [String] == ["GMX", "Google", "Microsoft"])
        #expect(summary["coverage"] as? [String: Int] == ["daysWithData": 5, "receivers": 3])
        #expect(summary["previousCoverage"] == nil)
        let others = try #require(summary["otherSenders"] as? [[String: Any]])
        #expect(others.map { "\($0["kind"] as? String ?? "?") \(Self.count($0["traffic"])) \($0["sources"] as? Int ?? -1)" }
            == ["unauthorised [6, 0] 2"])
        #expect(summary["reportCount"] as? Int == 4)
        #expect(summary["apportionedReportCount"] as? Int == 1)
        #expect(summary["firstDayWithData"] as? String == "2026-10-05")
        #expect(summary["lastDayWithData"] as? String == "2026-10-26")

        // Per day: all 31, and "day messages passed" of those with messages.
        let days = try #require(report["days"] as? [[String: Any]])
        #expect(days.count == 31)
        #expect(days.first?["day"] as? String == "2026-10-01" && days.last?["day"] as? String == "2026-10-31")
        var daily: [String: [Int]] = [:]
        for day in days {
            let traffic = day["traffic"] as? [String: Int] ?? [:]
            guard let messages = traffic["messages"], messages > 0 else { continue }
            daily[day["day"] as? String ?? "?"] = [messages, traffic["passed"] ?? -1]
        }
        #expect(daily.keys.sorted() == ["2026-10-05", "2026-10-12", "2026-10-19", "2026-10-20", "2026-10-26"])
        // The days a report covered are those; the other 26 are "no data", not days without mail.
        #expect(days.filter { $0["reported"] as? Bool == true }.compactMap { $0["day"] as? String } == daily.keys.sorted())
        #expect(daily["2026-10-05"] == [1214, 1180])
        #expect(daily["2026-10-12"] == [1275, 1250])
        #expect(daily["2026-10-26"] == [42, 40])
        // The crossing report's two days together: 15 messages, 8 passed (true however it is split).
        #expect((daily["2026-10-19"]?[0] ?? 0) + (daily["2026-10-20"]?[0] ?? 0) == 15)
        #expect((daily["2026-10-19"]?[1] ?? 0) + (daily["2026-10-20"]?[1] ?? 0) == 8)
        // Split row by row, then summed: the passes 3 and 5 give 2 + 3 on the 19th and 1 + 2 on the
        // 20th. Summed before the split (8 → 4 + 4), as the report once did, the days were [8, 4], [7, 4].
        #expect(daily["2026-10-19"] == [9, 5])
        #expect(daily["2026-10-20"] == [6, 3])

        let receivers = try #require(report["receivers"] as? [[String: Any]])
        let receiverFigures = receivers.map { receiver -> String in
            let traffic = receiver["traffic"] as? [String: Int] ?? [:]
            return "\(receiver["receiver"] as? String ?? "?") \(traffic["messages"] ?? -1) \(traffic["passed"] ?? -1) \(receiver["reports"] as? Int ?? -1)"
        }
        #expect(receiverFigures == ["Google 2489 2430 2", "GMX 42 40 1", "Microsoft 15 8 1"])

        let classes = try #require(report["classes"] as? [[String: Any]])
        let classFigures = classes.map {
            "\($0["class"] as? String ?? "?") \($0["responsible"] as? String ?? "?") \($0["messages"] as? Int ?? -1)"
        }
        #expect(classFigures == [
            "pass none 2478", "spf-not-authorized tenant 37", "dkim-selector-unknown provider 25",
            "unauthorized-source tenant 6",
        ])

        let problems = try #require(report["problems"] as? [[String: Any]])
        let problemFigures = problems.map { problem -> String in
            let sources = (problem["sources"] as? [[String: Any]] ?? []).map {
                "\($0["sourceIP"] as? String ?? "?")/\($0["origin"] as? String ?? "?")/\($0["messages"] as? Int ?? -1)"
            }
            return "\(problem["class"] as? String ?? "?") \(problem["responsible"] as? String ?? "?") "
                + "\(problem["messages"] as? Int ?? -1) \((problem["domains"] as? [String] ?? []).joined(separator: ",")) "
                + sources.joined(separator: " ")
        }
        #expect(problemFigures == [
            "spf-not-authorized tenant 37 acme-hr.ch 192.0.2.11/provider/37",
            "dkim-selector-unknown provider 25 jobs.acme-hr.ch 192.0.2.20/provider/25",
            "unauthorized-source tenant 6 acme-hr.ch 203.0.113.66/other/4 203.0.113.99/other/2",
        ])
        #expect(problems.map { "\($0["firstSeen"] as? String ?? "?") \($0["lastSeen"] as? String ?? "?") \($0["resolvedSince"] as? String ?? "open")" } == [
            "2026-10-05 2026-10-20 open", "2026-10-12 2026-10-12 open", "2026-10-05 2026-10-26 open",
        ])

        let domains = try #require(report["domains"] as? [[String: Any]])
        let domainFigures = domains.map { domain -> String in
            let traffic = domain["traffic"] as? [String: Int] ?? [:]
            let provider = domain["providerInfrastructure"] as? [String: Int] ?? [:]
            return "\(domain["domain"] as? String ?? "?") \(traffic["messages"] ?? -1) \(traffic["passed"] ?? -1) "
                + "\(provider["messages"] ?? -1) \(provider["passed"] ?? -1)"
        }
        #expect(domainFigures == ["acme-hr.ch 2221 2178 2215 2178", "jobs.acme-hr.ch 325 300 325 300"])

        let evidence = try #require(report["evidence"] as? [[String: Any]])
        let evidenceFigures = evidence.map {
            "\($0["reportID"] as? String ?? "?") \($0["messages"] as? Int ?? -1) \($0["messagesInMonth"] as? Int ?? -1) "
                + "\($0["isApportioned"] as? Bool ?? false)"
        }
        #expect(evidenceFigures == [
            "fixture-month-google-1005 1214 1214 false", "fixture-month-google-1012 1275 1275 false",
            "fixture-month-outlook-1019 15 15 true", "fixture-month-gmx-1026 42 42 false",
        ])

        let readiness = try #require(report["readiness"] as? [[String: Any]])
        #expect(readiness.map { "\($0["domain"] as? String ?? "?") \($0["daysWithData"] as? Int ?? -1)" }
            == ["acme-hr.ch 5", "jobs.acme-hr.ch 1"])
    }

    @Test("CSV: the rows summed per day and class, per class and in all give the paper's figures")
    func csv() throws {
        let (path, _) = try Self.render("csv")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.components(separatedBy: "\r\n")
        #expect(lines.last == "")
        lines.removeLast()
        #expect(lines.first == "tenant,month,domain,day,source_ip,origin,class,responsible,messages")
        var byDayAndClass: [String: Int] = [:]
        var byClass: [String: Int] = [:]
        var responsible: [String: Set<String>] = [:]
        var total = 0
        for line in lines.dropFirst() {
            let fields = line.components(separatedBy: ",")
            try #require(fields.count == 9, "\(line)")
            #expect(fields[0] == "acme" && fields[1] == "2026-10", "\(line)")
            let messages = try #require(Int(fields[8]), "\(line)")
            byDayAndClass[fields[3] + " " + fields[6], default: 0] += messages
            byClass[fields[6], default: 0] += messages
            responsible[fields[6], default: []].insert(fields[7])
            total += messages
        }
        #expect(total == 2546)
        #expect(byClass == ["pass": 2478, "spf-not-authorized": 37, "dkim-selector-unknown": 25, "unauthorized-source": 6])
        #expect(responsible == [
            "pass": ["none"], "spf-not-authorized": ["tenant"], "dkim-selector-unknown": ["provider"],
            "unauthorized-source": ["tenant"],
        ])
        // Every (day, class) of the paper but the crossing report's passes, which the known issue below covers.
        var unaffected = byDayAndClass
        let crossingPasses = [unaffected.removeValue(forKey: "2026-10-19 pass"), unaffected.removeValue(forKey: "2026-10-20 pass")]
        #expect(unaffected == [
            "2026-10-05 pass": 1180, "2026-10-05 spf-not-authorized": 30, "2026-10-05 unauthorized-source": 4,
            "2026-10-12 pass": 1250, "2026-10-12 dkim-selector-unknown": 25,
            "2026-10-19 spf-not-authorized": 4, "2026-10-20 spf-not-authorized": 3,
            "2026-10-26 pass": 40, "2026-10-26 unauthorized-source": 2,
        ])
        #expect((crossingPasses[0] ?? 0) + (crossingPasses[1] ?? 0) == 8)
        #expect(crossingPasses == [5, 3])
    }

    @Test("HTML: the text shows the paper's totals, rates, classes, receivers, domains, problems and evidence")
    func html() throws {
        let (path, _) = try Self.render("html")
        let text = Self.plainText(try String(contentsOfFile: path, encoding: .utf8))
        #expect(text.contains("ACME HR AG"))
        #expect(text.contains("October 2026"))
        Self.checkPrinted(text, format: "HTML", also: Self.htmlOnlyFigures)
    }

    @Test("PDF: pdftotext of the printed report shows the same figures as the HTML")
    func pdf() throws {
        let (path, directory) = try Self.render("pdf")
        let header = try FileHandle(forReadingFrom: URL(fileURLWithPath: path)).readData(ofLength: 5)
        #expect(header == Data("%PDF-".utf8))
        let text = try Self.pdfText(path, directory: directory)
        #expect(text.contains("ACME HR AG"))
        #expect(text.contains("October 2026"))
        Self.checkPrinted(text, format: "PDF", also: Self.pdfOnlyFigures)
    }

    /// pdftotext -layout of the PDF at `path`, each printed line with its runs of spaces made one: a
    /// phrase is then found only within a line.
    static func pdfText(_ path: String, directory: String) throws -> String {
        let textFile = directory + "/extracted.txt"
        let extract = Process()
        extract.executableURL = URL(fileURLWithPath: "/usr/bin/pdftotext")
        extract.arguments = ["-layout", "-enc", "UTF-8", path, textFile]
        try extract.run()
        extract.waitUntilExit()
        try #require(extract.terminationStatus == 0, "pdftotext failed")
        return try String(contentsOfFile: textFile, encoding: .utf8).components(separatedBy: "\n")
            .map { Self.collapsed($0) }.joined(separator: "\n")
    }

    @Test("November: a problem that stopped is resolved, not to do; coverage holds back the volume change")
    func novemberJSON() throws {
        let (path, _) = try Self.render("json", month: "2026-11")
        let report = try CommandLineTests.json(path)
        let summary = try #require(report["summary"] as? [String: Any])
        let totals = try #require(summary["totals"] as? [String: Any])
        #expect(Self.count(totals["providerInfrastructure"]) == [515, 500])
        #expect(Self.count(totals["other"]) == [4, 0])
        #expect(summary["status"] as? String == "compliant")
        #expect(summary["tenantActionMessages"] as? Int == 0)
        #expect(summary["coverage"] as? [String: Int] == ["daysWithData": 5, "receivers": 1])
        #expect(summary["previousCoverage"] as? [String: Int] == ["daysWithData": 5, "receivers": 3])
        let previous = try #require(summary["previousMonth"] as? [String: Any])
        #expect(Self.count(previous["providerInfrastructure"]) == [2540, 2478])
        let others = try #require(summary["otherSenders"] as? [[String: Any]])
        #expect(others.map { "\($0["kind"] as? String ?? "?") \(Self.count($0["traffic"])) \($0["sources"] as? Int ?? -1)" }
            == ["forwarded [4, 0] 1"])
        let problems = try #require(report["problems"] as? [[String: Any]])
        let spf = try #require(problems.first { $0["class"] as? String == "spf-not-authorized" })
        #expect(spf["messages"] as? Int == 15)
        #expect(spf["firstSeen"] as? String == "2026-11-02" && spf["lastSeen"] as? String == "2026-11-03")
        #expect(spf["resolvedSince"] as? String == "2026-11-09")
        let readiness = try #require(report["readiness"] as? [[String: Any]])
        let acme = try #require(readiness.first { $0["domain"] as? String == "acme-hr.ch" })
        let kinds = (acme["blockers"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(kinds == ["too-few-days-with-data", "pass-rate-below-target"])
        let days = try #require(report["days"] as? [[String: Any]])
        #expect(days.filter { $0["reported"] as? Bool == true }.compactMap { $0["day"] as? String } == [
            "2026-11-02", "2026-11-03", "2026-11-09", "2026-11-16", "2026-11-23",
        ])
    }

    @Test("November in print: the resolved problem, the change led by the pass rate, no volume percentage")
    func novemberPDF() throws {
        let (path, directory) = try Self.render("pdf", month: "2026-11")
        let text = try Self.pdfText(path, directory: directory)
        for phrase in [
            "Compliant", "Nothing to do: no open problem the customer or the provider could fix.",
            "SPF: provider not listed resolved since 9 Nov 2026", "Seen 2 Nov – 3 Nov",
            "Forwarded (forwarders, mailing lists) 4 0.0% 1", "−0.5 pp", "97.6% → 97.1%; message volume not",
            "Coverage: this month reports on 5 days from 1 receiver, the previous month on 5 days from 3 receivers.",
        ] {
            #expect(text.contains(phrase), "PDF lacks \"\(phrase)\"")
        }
        let flat = Self.collapsed(text)
        #expect(!flat.contains("open problems"), "a resolved problem blocks the next step")
        #expect(!flat.contains("−79.6"), "a volume change across months covered this differently")
    }

    @Test("German (Germany) writes ß, Swiss German ss: the same report in de and de-CH")
    func germanSpellings() throws {
        let (german, _) = try Self.render("html", language: "de")
        let (swiss, _) = try Self.render("html", language: "de-CH")
        let de = Self.plainText(try String(contentsOfFile: german, encoding: .utf8))
        let ch = Self.plainText(try String(contentsOfFile: swiss, encoding: .utf8))
        for word in ["größten", "heißt"] { #expect(de.contains(word), "de lacks \(word)") }
        for word in ["grössten", "heisst"] { #expect(ch.contains(word), "de-CH lacks \(word)") }
        #expect(!ch.contains("ß"))
        #expect(de.contains("Handlungsbedarf beim Kunden") && ch.contains("Handlungsbedarf beim Kunden"))
    }
}
