import DMARC
import Diagnosis
import Foundation
import Testing

@testable import ComplianceReport

@Suite struct MonthlyReportTests {
    static let report = SampleReport.report()

    /// A month read in parts (failing rows on one connection, passes on another), tallied apart and
    /// added up, is the month read whole; the reports split include ones across the month's start.
    @Test func tallyOfPartsIsTheWhole() {
        let input = SampleReport.input()
        var failing = MonthlyReportTally(month: input.month)
        var passing = MonthlyReportTally(month: input.month)
        for (index, report) in input.reports.enumerated() {
            for (position, row) in report.rows.enumerated() {
                // Passes apart from the rest; every third report's rows alternate instead.
                let first = index % 3 == 0 ? position % 2 == 0 : row.class != .pass
                if first {
                    failing.add(row, ofReport: Int64(index), report)
                } else {
                    passing.add(row, ofReport: Int64(index), report)
                }
            }
        }
        #expect(input.reports.contains { DayApportioning.singleDay(of: $0.period) == nil })
        failing.add(passing)
        var facts = input
        facts.reports = []
        #expect(MonthlyReport.build(facts, from: failing) == MonthlyReport.build(input))
    }

    @Test func totalsAgreeEverywhere() {
        let report = Self.report
        let total = report.summary.totals.messages
        #expect(total > 10_000)
        #expect(report.days.count == 31)
        #expect(report.days.reduce(0) { $0 + $1.traffic.messages } == total)
        #expect(report.days.reduce(0) { $0 + $1.traffic.passed } == report.summary.totals.all.passed)
        #expect(report.rows.reduce(0) { $0 + $1.messages } == total)
        #expect(report.classes.reduce(0) { $0 + $1.messages } == total)
        #expect(report.domains.reduce(0) { $0 + $1.traffic.messages } == total)
        #expect(report.receivers.reduce(0) { $0 + $1.traffic.messages } == total)
        #expect(report.evidence.reduce(0) { $0 + $1.messagesInMonth } == total)
        for domain in report.domains {
            #expect(domain.dispositions.reduce(0) { $0 + $1.messages } == domain.traffic.messages)
        }
        // Passed messages are exactly the `pass` class.
        #expect(report.classes.first { $0.class == .pass }?.messages == report.summary.totals.all.passed)
        let failures = report.classes.filter(\.class.isDMARCFailure).reduce(0) { $0 + $1.messages }
        #expect(report.problems.reduce(0) { $0 + $1.messages } == failures)
        for problem in report.problems {
            #expect(problem.sources.reduce(0) { $0 + $1.messages } == problem.messages)
        }
    }

    @Test("policies reported equally often are listed in one fixed order, whatever the reports' order")
    func equallyReportedPoliciesInFixedOrder() throws {
        var input = SampleReport.input()
        // Six policies, all `p=quarantine`, each on the same number of one domain's reports.
        let variants = [
            PublishedPolicy(domain: "beispiel-ag.de", p: "quarantine", sp: "none", pct: 100),
            PublishedPolicy(domain: "beispiel-ag.de", p: "quarantine", sp: "quarantine"),
            PublishedPolicy(domain: "beispiel-ag.de", p: "quarantine", sp: "reject", np: "reject"),
            PublishedPolicy(domain: "beispiel-ag.de", p: "quarantine", pct: 50),
            PublishedPolicy(domain: "beispiel-ag.de", p: "quarantine", testing: "y"),
            PublishedPolicy(domain: "beispiel-ag.de", p: "quarantine"),
        ]
        let indices = input.reports.indices.filter { input.reports[$0].policy.domain == "beispiel-ag.de" }
        let used = indices.prefix(indices.count / variants.count * variants.count)
        for (position, index) in used.enumerated() { input.reports[index].policy = variants[position % variants.count] }
        input.reports.removeAll { $0.policy.domain == "beispiel-ag.de" && !variants.contains($0.policy) }
        let listed = try #require(MonthlyReport.build(input).domains.first { $0.domain == "beispiel-ag.de" }).policies
        // Most of them tie (the month's first report is February's, and not counted).
        #expect(listed.count == variants.count)
        #expect(Dictionary(grouping: listed, by: \.reports).values.contains { $0.count >= 4 })
        let expected = listed.sorted { $0.reports != $1.reports ? $0.reports > $1.reports : $0.policy.precedes($1.policy) }
        #expect(listed == expected)
        input.reports.reverse()
        #expect(try #require(MonthlyReport.build(input).domains.first { $0.domain == "beispiel-ag.de" }).policies == listed)
    }

    @Test func everyClassOfTheSampleIsFound() {
        let classes = Set(Self.report.classes.map(\.class))
        #expect(
            classes == [.pass, .spfNotAuthorized, .dkimKeyMissing, .forwarded, .unauthorizedSource, .relayBypassed])
    }

    @Test func statusFollowsTheThreshold() {
        // The whole month: every fixable problem of the sample stopped before its end (SPF of the careers
        // site on 10–13 March, the relay bypass on 17–18, the missing hr2 key on 20–22), each followed
        // by days of reports without it: resolved, nothing open, compliant.
        let summary = Self.report.summary
        #expect(summary.tenantActionMessages == 0 && summary.providerActionMessages == 0)
        #expect(summary.status == .compliant)
        // Outlook's windows run from noon to noon: the last failures of the 13th, 18th and 22nd reach
        // into the next day, so each is seen until then and resolved from the day after.
        let resolved = Self.report.problems.filter(\.class.isActionable).map { "\($0.class.rawValue) \($0.resolvedSince?.description ?? "open")" }
        #expect(resolved.sorted() == [
            "dkim-key-missing 2026-03-24", "relay-bypassed 2026-03-20", "spf-not-authorized 2026-03-15",
        ])
        // Cut on the 13th, the careers site's SPF failures are still going on: the customer must act.
        let cut = MonthlyReport.build(SampleReport.input(days: 1...13)).summary
        let tenantShare = Double(cut.tenantActionMessages) * 100 / Double(cut.authorised.messages)
        #expect(tenantShare > 1.0)
        #expect(cut.providerActionMessages == 0)
        #expect(cut.status == .tenantAction)
        // Cut on the 18th with a strict threshold: the relay bypass is open, the SPF failures stopped.
        var strict = SampleReport.input(days: 1...18)
        strict.thresholds.actionSharePercent = 0.01
        let strictSummary = MonthlyReport.build(strict).summary
        #expect(strictSummary.tenantActionMessages == 0)
        #expect(strictSummary.status == .providerAction)
        var lenient = SampleReport.input()
        lenient.thresholds.actionSharePercent = 50
        #expect(MonthlyReport.build(lenient).summary.status == .compliant)
    }

    @Test func theReportAcrossTheMonthBoundaryCountsOnlyItsMarchPart() throws {
        let report = Self.report
        let crossing = try #require(
            report.evidence.first { $0.reportID == "enterprise-outlook-beispiel-ag.de-2026-02-28" })
        #expect(crossing.isApportioned)
        #expect(crossing.messagesInMonth > 0)
        #expect(crossing.messagesInMonth < crossing.messages)
        // Outlook's last window (31 March noon to 1 April noon) has only half in March.
        let last = try #require(report.evidence.first { $0.reportID == "enterprise-outlook-beispiel-ag.de-2026-03-31" })
        #expect(last.messagesInMonth < last.messages)
        #expect(report.summary.apportionedReportCount == report.evidence.filter(\.isApportioned).count)
        #expect(report.summary.apportionedReportCount == 2 * 32)
    }

    @Test func recommendationsAreTheDiagnosisTexts() throws {
        let report = Self.report
        let missing = try #require(report.problems.first { $0.class == .dkimKeyMissing })
        #expect(missing.responsible == .tenant)
        #expect(missing.recommendations.count == 1)
        #expect(missing.recommendations[0].hasPrefix("Veröffentlichen Sie den DKIM-Schlüssel für den Selektor hr2"))
        // The count in the text is the month's from that source, not one report row's.
        let spf = try #require(report.problems.first { $0.class == .spfNotAuthorized })
        #expect(
            spf.recommendations[0].contains(
                "192.0.2.26 hat \(ReportFormatting(.de).integer(spf.messages).replacingOccurrences(of: ".", with: "")) Nachrichten"
            ))
        let english = SampleReport.report(language: .en)
        let bypassed = try #require(english.problems.first { $0.class == .relayBypassed })
        #expect(bypassed.recommendations[0].hasPrefix("Provider: route the mail of müller-gmbh.de"))
        // Whoever has to act comes first, forwarded mail after.
        #expect(report.problems.last?.class == .forwarded)
    }

    @Test func domainsCarryMethodPolicyAndDispositions() throws {
        let report = Self.report
        #expect(report.domains.map(\.domain) == ["beispiel-ag.de", "karriere.beispiel-ag.de", SampleReport.mueller])
        let main = try #require(report.domains.first)
        #expect(main.methods == [.dkim])
        #expect(main.policies.first?.policy.p == "quarantine")
        #expect(main.dispositions.map(\.disposition) == ["none", "quarantine"])
        #expect(report.domains[2].methods == [.relay])
        // A month in which the tenant switched: the old and the new method.
        var switching = SampleReport.input(days: 1...1)
        switching.tenant.domains = [
            TenantDomain(domain: "beispiel-ag.de", method: .spf),
            TenantDomain(domain: "beispiel-ag.de", method: .dkim, dkimSelectors: ["hr1"], since: Day("2026-03-15")),
        ]
        #expect(MonthlyReport.build(switching).domains.first?.methods == [.spf, .dkim])
    }

    @Test func readinessNamesWhatBlocks() throws {
        let report = Self.report
        #expect(report.readiness.map(\.domain) == ["beispiel-ag.de", "karriere.beispiel-ag.de", SampleReport.mueller])
        let main = try #require(report.readiness.first)
        #expect(main.currentPolicy == "quarantine")
        #expect(main.nextPolicy == "reject")
        // The sample's problems all stopped before the month's end: none blocks (statusFollowsTheThreshold).
        #expect(main.blockers == [])
        // The careers subdomain is reported under beispiel-ag.de's record: its `sp=none` applies.
        let careers = report.readiness[1]
        #expect(careers.currentPolicy == "none")
        #expect(careers.nextPolicy == "quarantine")
        #expect(careers.blockers == [.passRateBelowTarget])
        let relay = try #require(report.readiness.last)
        #expect(relay.nextPolicy == "quarantine")
        #expect(relay.blockers == [])
        // Cut on the 22nd, the missing hr2 key is still failing: it blocks beispiel-ag.de's next step.
        let cut = MonthlyReport.build(SampleReport.input(days: 1...22))
        #expect(cut.readiness.first?.blockers == [.openProblems([.dkimKeyMissing])])
        // The same month with the problems fixed: ready.
        var clean = SampleReport.input()
        clean.reports = clean.reports.map { report in
            var report = report
            report.rows = report.rows.filter { !$0.class.isActionable }
            return report
        }
        let fixed = MonthlyReport.build(clean)
        #expect(fixed.readiness.allSatisfy { $0.isReady })
        #expect(fixed.summary.status == .compliant)
        // Ten days of reports (eleven days of data: Outlook's last window ends at noon of the next day)
        // are not enough.
        let short = MonthlyReport.build(SampleReport.input(days: 20...29))
        #expect(short.readiness.first?.blockers.first == .tooFewDaysWithData(days: 11, required: 20))
    }

    @Test func februaryReadinessReachesIntoJanuary() throws {
        // The March sample moved back 31 days: 29 January to 28 February (2026 is no leap year).
        var input = SampleReport.input()
        input.month = ReportMonth(year: 2026, month: 2)!
        input.reports = input.reports.map { report in
            var report = report
            report.period = DateRange(begin: report.period.begin - 31 * 86_400, end: report.period.end - 31 * 86_400)
            return report
        }
        let february = MonthlyReport.build(input)
        #expect(february.days.count == 28)
        #expect(february.days.first?.traffic.messages ?? 0 > 0)
        #expect(february.rows.allSatisfy { input.month.contains($0.day) })
        #expect(february.days.reduce(0) { $0 + $1.traffic.messages } == february.summary.totals.messages)
        // Reports wholly in January are no evidence for February; they still count for readiness, whose
        // 30-day window runs from 30 January.
        #expect(february.evidence.allSatisfy { $0.end > Int64(input.month.firstDay.daysSinceEpoch) * 86_400 })
        let main = try #require(february.readiness.first)
        #expect(main.windowStart == Day(year: 2026, month: 1, day: 30))
        #expect(main.daysWithData == 30)
    }

    @Test("the totals alone, as the previous month is read, equal the whole report's, reports across the month's edges included")
    func totalsAloneEqualTheReports() throws {
        let march = SampleReport.input()
        #expect(MonthlyReport.totals(march) == MonthlyReport.build(march).summary.totals)
        #expect(MonthlyReport.totals(march).messages > 10_000)
        // Shifted by 31 days and 5 hours: February's reports start in January, and many straddle midnight.
        var february = march
        february.month = ReportMonth(year: 2026, month: 2)!
        february.reports = march.reports.map { report in
            var report = report
            let shift: Int64 = 31 * 86_400 + 5 * 3_600
            report.period = DateRange(begin: report.period.begin - shift, end: report.period.end - shift)
            return report
        }
        let whole = MonthlyReport.build(february).summary.totals
        #expect(MonthlyReport.totals(february) == whole)
        #expect(whole.messages > 0 && whole.messages < MonthlyReport.totals(march).messages)
    }

    @Test func anEmptyMonthSaysSo() throws {
        var input = SampleReport.input()
        input.reports = []
        input.previousMonth = nil
        let report = MonthlyReport.build(input)
        #expect(report.isEmpty)
        #expect(report.summary.status == .noData)
        #expect(report.summary.totals.all.passRate == nil)
        #expect(report.days.count == 31)
        #expect(report.problems.isEmpty)
        #expect(report.domains.count == 3)
        let html = HTMLRenderer().render(report)
        #expect(html.contains("id=\"empty-month\""))
        #expect(html.contains("Keine Daten"))
        for bad in ["NaN", ">nan", " nan ", "inf%", "Infinity"] { #expect(!html.contains(bad)) }
        // JSON: encodes (a NaN rate would throw), says "no data" and reads back as the same report.
        let json = try ReportRenderer.json(report)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"status\" : \"no-data\""), "\(text.prefix(400))")
        #expect(try JSONDecoder().decode(MonthlyReport.self, from: json) == report)
        #expect(CSVRenderer().render(report) == CSVRenderer.columns.joined(separator: ",") + "\r\n")
    }

    @Test func jsonIsTheWholeModelAndStable() throws {
        let data = try ReportRenderer.json(Self.report)
        #expect(try ReportRenderer.json(Self.report) == data)
        let decoded = try JSONDecoder().decode(MonthlyReport.self, from: data)
        #expect(decoded == Self.report)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"month\" : \"2026-03\""))
        #expect(text.contains("\"status\" : \"compliant\""))
        #expect(text.contains("\"resolvedSince\" : \"2026-03-15\""))
        #expect(text.contains("\"kind\" : \"pass-rate-below-target\""))
    }

    @Test func csvHasOneRowPerDomainDaySourceClass() {
        let csv = CSVRenderer().render(Self.report)
        let lines = csv.split(separator: "\r\n")
        #expect(lines.first == "tenant,month,domain,day,source_ip,origin,class,responsible,messages")
        #expect(lines.count == Self.report.rows.count + 1)
        let sum = lines.dropFirst().compactMap { $0.split(separator: ",").last.flatMap { Int64($0) } }.reduce(0, +)
        #expect(sum == Self.report.summary.totals.messages)
        #expect(
            lines.contains {
                $0.hasPrefix(
                    "beispiel,2026-03,karriere.beispiel-ag.de,2026-03-10,192.0.2.26,provider,spf-not-authorized,tenant,"
                )
            })
        #expect(CSVField.escaped("=cmd()") == "'=cmd()")
        #expect(CSVField.escaped("a,\"b\"") == "\"a,\"\"b\"\"\"")
    }

    /// "\r\n" is one Character, equal to neither "\r" nor "\n": the report's own escaper compared
    /// characters and wrote such a field unquoted, breaking the row in two.
    @Test func csvQuotesALineBreakInAnyField() {
        var report = Self.report
        report.rows[0].domain = "evil\r\nbeispiel-ag.de"
        let csv = CSVRenderer().render(report)
        #expect(csv.contains(",\"evil\r\nbeispiel-ag.de\","))
    }

    @Test func months() {
        #expect(ReportMonth("2026-03") == ReportMonth(year: 2026, month: 3))
        #expect(ReportMonth("2026-13") == nil)
        #expect(ReportMonth("26-03") == nil)
        #expect(ReportMonth.lastComplete(before: Day(year: 2026, month: 1, day: 1)!).description == "2025-12")
        #expect(ReportMonth(year: 2028, month: 2)?.dayCount == 29)
        #expect(
            ReportRenderer.fileName(tenantID: "acme", month: SampleReport.month, format: .pdf) == "acme-2026-03.pdf")
    }
}
