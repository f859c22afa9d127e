import DMARC
import Diagnosis
import Foundation

/// The report as one self-contained XHTML-compatible HTML page, styled for A4 print.
///
/// No JavaScript, no external files, no web fonts: the page is the archive copy and the PDF's
/// source, so it must look the same wherever and whenever it is opened.
public struct HTMLRenderer: Sendable {
    public init() {}

    public func render(_ report: MonthlyReport) -> String {
        var page = Page(report: report)
        return page.render()
    }
}

private struct Page {
    let report: MonthlyReport
    let strings: ReportStrings
    let format: ReportFormatting
    var out = ""

    init(report: MonthlyReport) {
        self.report = report
        self.strings = ReportStrings(report.language)
        self.format = ReportFormatting(report.language)
    }

    private func e(_ text: String) -> String { Markup.escape(text) }
    private func t(_ key: String, _ arguments: String...) -> String {
        var text = strings.text(key)
        for (index, argument) in arguments.enumerated() { text = text.replacingAll("{\(index)}", with: argument) }
        return text
    }

    private func messages(_ count: Int64) -> String {
        count == 1 ? t("messages.one") : t("messages.many", format.integer(count))
    }

    mutating func render() -> String {
        let title = "\(t("title")) – \(report.tenant.name) – \(format.month(report.month))"
        out += "<!DOCTYPE html>\n"
        out += "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"\(report.language.rawValue)\">\n<head>\n"
        out +=
            "<meta charset=\"utf-8\"/>\n<title>\(e(title))</title>\n<style>\n\(pageCSS)\(Page.css)</style>\n</head>\n<body>\n"
        header()
        summary()
        charts()
        domains()
        problems()
        readiness()
        methodNote()
        evidence()
        out += "</body>\n</html>\n"
        return out
    }

    mutating func header() {
        out += "<header class=\"report-header\">\n"
        out += "<div><p class=\"kicker\">\(e(t("title")))</p>"
        out += "<h1>\(Markup.companyName(report.tenant.name))</h1>"
        out += "<p class=\"month\">\(e(format.month(report.month)))</p></div>\n"
        out += "<dl class=\"meta\">"
        out += "<dt>\(e(t("provider")))</dt><dd>\(e(report.providerName))</dd>"
        out +=
            "<dt>\(e(t("period")))</dt><dd>\(e(format.day(report.month.firstDay))) – \(e(format.day(report.month.lastDay))) (UTC)</dd>"
        if let generated = report.generatedOn {
            out += "<dt>\(e(t("generated")))</dt><dd>\(e(format.day(generated)))</dd>"
        }
        out += "</dl>\n</header>\n"
    }

    mutating func summary() {
        let summary = report.summary
        out += "<section id=\"summary\">\n<h2>\(e(t("section.summary")))</h2>\n"
        out += "<div class=\"status status-\(summary.status.rawValue)\" id=\"status\">"
        out += "<p class=\"status-title\">\(e(strings.status(summary.status)))</p>"
        out += "<p>\(e(strings.statusDetail(summary.status)))</p>"
        if summary.status != .noData {
            let authorised = summary.authorised.messages
            out +=
                "<p class=\"shares\">\(e(t("status.shares", format.percent(summary.tenantActionMessages, of: authorised) ?? format.integer(summary.tenantActionMessages), format.percent(summary.providerActionMessages, of: authorised) ?? format.integer(summary.providerActionMessages), format.integer(authorised))))</p>"
        }
        out += "<p class=\"rule\">\(e(t("status.rule", format.percent(report.thresholds.actionSharePercent))))</p>"
        out += "</div>\n"

        if report.isEmpty {
            out +=
                "<p class=\"empty-month\" id=\"empty-month\">\(e(t("empty.month", format.month(report.month))))</p>\n"
        } else {
            toDo()
        }

        let totals = summary.totals
        out += "<div class=\"kpis\">\n"
        kpi(t("kpi.messages"), format.integer(totals.messages), t("kpi.messages.note"))
        kpi(
            t("kpi.provider"), format.passRate(totals.providerInfrastructure) ?? "–",
            totals.providerInfrastructure.messages > 0
                ? t("kpi.provider.note", format.integer(totals.providerInfrastructure.messages)) : t("no-rate"))
        change()
        out += "</div>\n"
        out += "<p class=\"coverage\" id=\"coverage\">\(e(coverageText()))</p>\n"
        otherSenders()
        out += "</section>\n"
    }

    /// Each open problem someone can fix, in one line: who acts, the fix, where, how much, since when.
    mutating func toDo() {
        let open = report.problems.filter { $0.isOpen && $0.class.isActionable }
        out += "<div class=\"todo\" id=\"todo\"><h3>\(e(t("todo.title")))</h3>"
        guard !open.isEmpty else {
            out += "<p>\(e(t("todo.none")))</p></div>\n"
            return
        }
        // The domains under the fix, in its wide column: a long domain then fits on its line whole.
        out += "<table class=\"todo\"><thead><tr><th class=\"w-who\">\(e(t("col.responsible")))</th>"
        out += "<th class=\"w-what\">\(e(t("col.what")))</th><th class=\"num w-count\">\(e(t("col.messages")))</th>"
        out += "<th class=\"num w-seen\">\(e(t("col.seen")))</th></tr></thead>\n<tbody>\n"
        for problem in open {
            out += "<tr><td><span class=\"badge badge-\(problem.responsible.rawValue)\">"
            out += "\(e(strings.responsible(problem.responsible)))</span></td>"
            out += "<td>\(e(strings.fix(problem.class)))"
            let shown = problem.domains.prefix(3).map { "<span class=\"nowrap\">\(e(DomainDisplay.unicodeForm($0)))</span>" }
            var domains = shown.joined(separator: ", ")
            if problem.domains.count > shown.count {
                domains += " " + e(t("sources.more", format.integer(problem.domains.count - shown.count)))
            }
            out += "<br/><span class=\"muted\">\(domains)</span></td>"
            out += "<td class=\"num\">\(e(format.integer(problem.messages)))</td>"
            out += "<td class=\"num\">\(e(seenText(problem)))</td></tr>\n"
        }
        out += "</tbody></table></div>\n"
    }

    /// `5 Oct – 19 Oct` / `05.10. – 19.10.`, one day alone.
    func seenText(_ problem: Problem) -> String {
        problem.firstSeen == problem.lastSeen
            ? format.shortDay(problem.firstSeen)
            : "\(format.shortDay(problem.firstSeen)) – \(format.shortDay(problem.lastSeen))"
    }

    func days(_ count: Int) -> String { count == 1 ? t("days.one") : t("days.many", format.integer(count)) }
    func receivers(_ count: Int) -> String {
        count == 1 ? t("receivers.one") : t("receivers.many", format.integer(count))
    }

    func coverageText() -> String {
        let now = report.summary.coverage
        guard let before = report.summary.previousCoverage else {
            return t("coverage.this", days(now.daysWithData), receivers(now.receivers))
        }
        return t(
            "coverage.both", days(now.daysWithData), receivers(now.receivers), days(before.daysWithData),
            receivers(before.receivers))
    }

    /// The change from the previous month, led by the pass rate: a volume change is shown only when
    /// reports covered the two months alike (one report last month against eighteen is coverage, not mail).
    mutating func change() {
        let summary = report.summary
        guard let previous = summary.previousMonth, previous.messages > 0, summary.totals.messages > 0 else {
            kpi(t("kpi.change"), "–", t("kpi.change.none"), small: true, id: "change")
            return
        }
        let totals = summary.totals
        var value = "–"
        var lines: [String] = []
        // The provider servers' rate, what the report is about; all mail's when either month had none.
        if let now = totals.providerInfrastructure.passRate, let before = previous.providerInfrastructure.passRate {
            value = format.percentagePoints(now - before)
            lines.append(t("kpi.change.rate", format.percent(before), format.percent(now)))
        } else if let now = totals.all.passRate, let before = previous.all.passRate {
            value = format.percentagePoints(now - before)
            lines.append(t("kpi.change.rate-all", format.percent(before), format.percent(now)))
        }
        let comparable = summary.previousCoverage.map { summary.coverage.isComparable(with: $0) } ?? false
        if comparable {
            let volume = Double(totals.messages - previous.messages) * 100 / Double(previous.messages)
            lines.append(t("kpi.change.messages", format.change(volume)))
        } else {
            lines.append(t("kpi.change.volume-held"))
        }
        kpi(t("kpi.change"), value, lines.joined(separator: "; "), small: true, id: "change")
    }

    /// The mail not sent from the provider's servers, by who sent it: the tenant's relay, forwarders
    /// and unauthorised senders apart, so that growing spoofing never reads as a better rate.
    mutating func otherSenders() {
        let groups = report.summary.otherSenders
        out += "<div class=\"others\" id=\"other-senders\"><h3>\(e(t("others.title")))</h3>"
        guard !groups.isEmpty else {
            out += "<p>\(e(t("others.none")))</p></div>\n"
            return
        }
        out += "<table class=\"others\"><thead><tr><th>\(e(t("col.sender")))</th>"
        out += "<th class=\"num\">\(e(t("col.messages")))</th><th class=\"num\">\(e(t("col.pass-rate")))</th>"
        out += "<th class=\"num\">\(e(t("col.source-count")))</th></tr></thead>\n<tbody>\n"
        for group in groups {
            out += "<tr><td>\(e(t("others.\(group.kind.rawValue)")))</td>"
            out += "<td class=\"num\">\(e(format.integer(group.traffic.messages)))</td>"
            out += "<td class=\"num\">\(e(format.passRate(group.traffic) ?? "–"))</td>"
            out += "<td class=\"num\">\(e(format.integer(group.sources)))</td></tr>\n"
        }
        out += "</tbody></table></div>\n"
    }

    mutating func kpi(_ label: String, _ value: String, _ note: String, small: Bool = false, id: String? = nil) {
        out += "<div class=\"kpi\"\(id.map { " id=\"kpi-\($0)\"" } ?? "")><p class=\"kpi-label\">\(e(label))</p>"
        out += "<p class=\"kpi-value\">\(e(value))</p><p class=\"kpi-note\">\(e(note))</p></div>\n"
    }

    mutating func charts() {
        let charts = SVGCharts(report: report, strings: strings, format: format)
        out += "<section id=\"charts\">\n<h2>\(e(t("section.charts")))</h2>\n"
        out += "<figure><figcaption>\(e(t("chart.daily")))</figcaption>\n\(charts.daily())\n</figure>\n"
        out += "<figure><figcaption>\(e(t("chart.daily-failures")))</figcaption>\n\(charts.dailyFailures())\n</figure>\n"
        out += "<figure><figcaption>\(e(t("chart.failures")))</figcaption>\n\(charts.failures())\n</figure>\n"
        let shown = min(report.receivers.filter { $0.traffic.messages > 0 }.count, SVGCharts.receiverLimit)
        out +=
            "<figure><figcaption>\(e(shown > 0 ? t("chart.receivers", format.integer(shown)) : t("chart.receivers.none")))</figcaption>\n\(charts.receivers())\n</figure>\n"
        out += "</section>\n"
    }

    func policyText(_ policy: PublishedPolicy) -> String {
        var parts = ["p=\(policy.p ?? "?")"]
        if let sp = policy.sp { parts.append("sp=\(sp)") }
        if let np = policy.np { parts.append("np=\(np)") }
        if let pct = policy.pct { parts.append("pct=\(pct)") }
        var text = parts.joined(separator: ", ")
        if policy.testing == "y" { text += " (\(t("policy.testing")))" }
        return text
    }

    mutating func domains() {
        out += "<section id=\"domains\">\n<h2>\(e(t("section.domains")))</h2>\n"
        guard !report.domains.isEmpty else {
            out += "<p>\(e(t("domains.none")))</p>\n</section>\n"
            return
        }
        // A domain too long for its column gets a row of its own above its figures: broken at its own
        // hyphen it would read as two names, and unbroken it would push the table off the page.
        let stacked = report.domains.contains { Page.isLong($0.domain) }
        out += "<table class=\"domains\">\n<thead><tr>"
        out += stacked ? "" : "<th class=\"w-domain\">\(e(t("col.domain")))</th>"
        out += "<th>\(e(t("col.method")))</th>"
        out += "<th class=\"w-policy\">\(e(t("col.policy")))</th><th class=\"num\">\(e(t("col.messages")))</th>"
        out +=
            "<th class=\"num\">\(e(t("col.pass-rate")))</th><th>\(e(t("col.dispositions")))</th></tr></thead>\n<tbody>\n"
        for domain in report.domains {
            if stacked {
                out += "<tr class=\"domain-head\"><td colspan=\"5\" class=\"domain\">\(Markup.domain(DomainDisplay.named(domain.domain)))</td></tr>\n<tr>"
            } else {
                out += "<tr><td class=\"domain\">\(Markup.domain(DomainDisplay.named(domain.domain)))</td>"
            }
            out += "<td>\(e(domain.methods.map { strings.method($0) }.joined(separator: " → ")))</td><td>"
            if domain.policies.isEmpty {
                out += "<span class=\"muted\">\(e(t("policy.not-reported")))</span>"
            }
            for (index, reported) in domain.policies.enumerated() {
                if index > 0 { out += "<br/>" }
                let reports =
                    reported.reports == 1 ? t("reports.one") : t("reports.many", format.integer(reported.reports))
                if reported.policy.domain != domain.domain {
                    out += "<span class=\"muted\">\(Markup.domain(reported.policy.domain)):</span> "
                }
                out += "<code>\(e(policyText(reported.policy)))</code>"
                if domain.policies.count > 1 { out += " <span class=\"muted\">(\(e(reports)))</span>" }
            }
            out += "</td><td class=\"num\">\(e(format.integer(domain.traffic.messages)))</td>"
            out += "<td class=\"num\">\(e(format.passRate(domain.traffic) ?? "–"))"
            if let provider = format.passRate(domain.providerInfrastructure),
                domain.providerInfrastructure.messages != domain.traffic.messages
            {
                out += "<br/><span class=\"muted sub\">\(e(t("col.provider-pass-rate"))) \(e(provider))</span>"
            }
            out += "</td><td class=\"dispositions\">"
            out += domain.dispositions.map {
                "<span class=\"nowrap\">\(e(strings.disposition($0.disposition))): \(e(format.integer($0.messages)))</span>"
            }.joined(separator: "<br/>")
            out += "</td></tr>\n"
        }
        out += "</tbody>\n</table>\n"
        let used = SendingMethod.allCases.filter { method in report.domains.contains { $0.methods.contains(method) } }
        out += "<div class=\"methods\"><p>\(e(t("domains.method-note")))</p><dl>"
        for method in used.isEmpty ? SendingMethod.allCases : used {
            out += "<dt>\(e(strings.method(method)))</dt><dd>\(e(strings.methodMetaphor(method)))</dd>"
        }
        out += "</dl></div>\n</section>\n"
    }

    mutating func problems() {
        out += "<section id=\"problems\">\n<h2>\(e(t("section.problems")))</h2>\n"
        guard !report.problems.isEmpty else {
            out += "<p>\(e(t("problems.none")))</p>\n</section>\n"
            return
        }
        out += "<p class=\"intro\">\(e(t("problems.intro")))</p>\n"
        for problem in report.problems {
            let state = problem.isOpen ? "" : " resolved"
            out += "<article class=\"problem responsible-\(problem.responsible.rawValue)\(state)\">"
            out += "<h3>\(e(strings.classTitle(problem.class)))"
            if let since = problem.resolvedSince {
                out += " <span class=\"resolved-badge\">\(e(t("problem.resolved", format.day(since))))</span>"
            }
            out += "</h3>"
            out += "<dl class=\"facts\">"
            // Foreign senders are the tenant's to judge, but nothing is broken: say it is for information.
            let who =
                problem.class == .unauthorizedSource
                ? t("responsible.informational") : strings.responsible(problem.responsible)
            out +=
                "<dt>\(e(t("col.responsible")))</dt><dd><span class=\"badge badge-\(problem.responsible.rawValue)\">\(e(who))</span></dd>"
            out += "<dt>\(e(t("col.messages")))</dt><dd>\(e(format.integer(problem.messages)))</dd>"
            out +=
                "<dt>\(e(t("col.domains")))</dt><dd>\(problem.domains.map { Markup.domain(DomainDisplay.named($0)) }.joined(separator: ", "))</dd>"
            out += "<dt>\(e(t("col.seen")))</dt><dd>\(e(seenText(problem)))</dd>"
            let shown = problem.sources.prefix(5)
            var sources = shown.map { "\($0.sourceIP) (\(strings.origin($0.origin)), \(format.integer($0.messages)))" }
                .joined(separator: ", ")
            if problem.sources.count > shown.count {
                sources += " " + t("sources.more", format.integer(problem.sources.count - shown.count))
            }
            out += "<dt>\(e(t("col.sources")))</dt><dd>\(e(sources))</dd>"
            out += "</dl>"
            if let dns = problem.dnsEvidence {
                out += "<div class=\"dns-evidence\"><p class=\"label\">\(e(t("col.dns")))</p><p>\(e(dns))</p></div>"
            }
            if problem.isOpen {
                out += "<div class=\"recommendation\"><p class=\"label\">\(e(t("col.recommendation")))</p>"
                for text in problem.recommendations { out += "<p>\(e(text))</p>" }
                out += "</div>"
            } else {
                out += "<p class=\"muted\">\(e(t("problem.resolved.note", format.day(problem.lastSeen))))</p>"
            }
            out += "</article>\n"
        }
        out += "</section>\n"
    }

    mutating func readiness() {
        let thresholds = report.thresholds
        let end = report.month.lastDay
        let start = Day(daysSinceEpoch: end.daysSinceEpoch - thresholds.readinessWindowDays + 1)
        out += "<section id=\"readiness\">\n<h2>\(e(t("section.readiness")))</h2>\n"
        out +=
            "<p class=\"intro\">\(e(t("readiness.intro", format.integer(thresholds.readinessWindowDays), format.day(start), format.day(end), format.integer(thresholds.readinessMinimumDaysWithData), format.percent(thresholds.readinessPassRatePercent))))</p>\n"
        guard !report.readiness.isEmpty else {
            out += "<p>\(e(t("readiness.none")))</p>\n</section>\n"
            return
        }
        let stacked = report.readiness.contains { Page.isLong($0.domain) }
        out += "<table class=\"readiness\">\n<thead><tr>"
        out += stacked ? "" : "<th class=\"w-domain\">\(e(t("col.domain")))</th>"
        out += "<th>\(e(t("col.current"))) → \(e(t("col.next")))</th>"
        out += "<th class=\"num\">\(e(t("col.days")))</th>"
        out +=
            "<th class=\"num\">\(e(t("col.authorised-rate")))</th><th class=\"verdict-column\">\(e(t("col.verdict")))</th></tr></thead>\n<tbody>\n"
        for item in report.readiness {
            if stacked {
                out += "<tr class=\"domain-head\"><td colspan=\"4\" class=\"domain\">\(Markup.domain(DomainDisplay.named(item.domain)))</td></tr>\n<tr>"
            } else {
                out += "<tr><td class=\"domain\">\(Markup.domain(DomainDisplay.named(item.domain)))</td>"
            }
            out +=
                "<td class=\"step\"><code>p=\(e(item.currentPolicy))</code> → <code>p=\(e(item.nextPolicy))</code></td>"
            out += "<td class=\"num\">\(e(format.integer(item.daysWithData)))</td>"
            out += "<td class=\"num\">\(e(format.passRate(item.authorised) ?? "–"))</td><td>"
            if item.isReady {
                out += "<span class=\"verdict ready\">\(e(t("readiness.ready")))</span>"
            } else {
                out += "<span class=\"verdict not-ready\">\(e(t("readiness.not-ready")))</span>: "
                out += e(item.blockers.map(blockerText).joined(separator: "; "))
            }
            out += "</td></tr>\n"
        }
        out += "</tbody>\n</table>\n</section>\n"
    }

    func blockerText(_ blocker: ReadinessBlocker) -> String {
        switch blocker {
        case .tooFewDaysWithData(let days, let required):
            return t(days == 1 ? "blocker.days.one" : "blocker.days", format.integer(days), format.integer(required))
        case .noAuthorisedTraffic:
            return t("blocker.no-traffic")
        case .passRateBelowTarget:
            return t("blocker.rate", format.percent(report.thresholds.readinessPassRatePercent))
        case .openProblems(let classes):
            return t("blocker.problems", classes.map { strings.classTitle($0) }.joined(separator: ", "))
        }
    }

    mutating func methodNote() {
        let summary = report.summary
        out += "<section id=\"method\">\n<h2>\(e(t("section.method")))</h2>\n"
        if summary.receiverNames.isEmpty {
            out += "<p>\(e(t("method.sources.none")))</p>\n"
        } else {
            out += "<p>\(e(t("method.sources", summary.receiverNames.joined(separator: ", "))))</p>\n"
        }
        let reports =
            summary.reportCount == 1 ? t("reports.one") : t("reports.many", format.integer(summary.reportCount))
        out +=
            "<p>\(e(t("method.period", format.day(report.month.firstDay), format.day(report.month.lastDay), reports, format.integer(summary.apportionedReportCount))))</p>\n"
        out += "<p>\(e(t("method.counting")))</p>\n<p>\(e(t("method.classification")))</p>\n</section>\n"
    }

    mutating func evidence() {
        out += "<section id=\"evidence\" class=\"appendix\">\n<h2>\(e(t("section.evidence")))</h2>\n"
        guard !report.evidence.isEmpty else {
            out += "<p>\(e(t("evidence.none")))</p>\n</section>\n"
            return
        }
        out += "<p class=\"intro\">\(e(t("evidence.intro")))</p>\n"
        out += "<table class=\"evidence\">\n<thead><tr><th class=\"w-id\">\(e(t("col.report-id")))</th>"
        out +=
            "<th class=\"w-period\">\(e(t("col.period")))</th><th class=\"num w-count\">\(e(t("col.messages-in-month")))</th>"
        out += "<th class=\"w-hash\">\(e(t("col.sha256")))</th></tr></thead>\n"
        // Grouped by receiver, one line per report: the appendix of a busy month stays a few pages.
        var receivers: [String] = []
        for item in report.evidence where !receivers.contains(item.receiver) { receivers.append(item.receiver) }
        for receiver in receivers.sorted(by: { $0.lowercased() < $1.lowercased() }) {
            let items = report.evidence.filter { $0.receiver == receiver }
            let count = items.count == 1 ? t("reports.one") : t("reports.many", format.integer(items.count))
            let common = ReceiverNames.common(receiver)
            let name = common == receiver ? receiver : "\(common) (\(receiver))"
            out +=
                "<tbody><tr class=\"group\"><th colspan=\"4\">\(e(name)) <span class=\"muted\">· \(e(count))</span></th></tr>\n"
            for item in items {
                out += "<tr><td class=\"id\">\(e(item.reportID))</td>"
                // Each end of the period stays on one line; a period across days may wrap between them.
                let period = format.period(item.begin, item.end).components(separatedBy: " – ")
                out +=
                    "<td class=\"period\">"
                    + period.map { "<span class=\"nowrap\">\(e($0))</span>" }.joined(separator: " – ") + "</td>"
                out += "<td class=\"num\">\(e(format.integer(item.messagesInMonth)))"
                if item.messagesInMonth != item.messages {
                    out += " <span class=\"muted\">/ \(e(format.integer(item.messages)))</span>"
                }
                out += "</td><td class=\"hash\">\(e(item.sha256))</td></tr>\n"
            }
            out += "</tbody>\n"
        }
        out += "</table>\n</section>\n"
    }

    /// Running footer on every printed page: who, which month, page n of m (CSS page margin boxes).
    var pageCSS: String {
        let footer = "\(report.tenant.name) · \(t("title")) · \(format.month(report.month))"
        let page = report.language.isGerman ? "Seite" : "Page"
        let of = report.language.isGerman ? "von" : "of"
        return """
            @page { size: A4; margin: 15mm 15mm 17mm 15mm;
              @bottom-left { content: "\(Page.cssString(footer))"; font-size: 7pt; color: #66707a;
                font-family: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif; }
              @bottom-right { content: "\(page) " counter(page) " \(of) " counter(pages); font-size: 7pt; color: #66707a;
                font-family: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif; } }

            """
    }

    /// Whether a domain as shown has a part too long for a table's domain column (about 24 characters
    /// at its size), which it would then break or overflow.
    static func isLong(_ domain: String) -> Bool {
        DomainDisplay.named(domain).split(separator: " ").contains { $0.count > 24 }
    }

    /// A CSS string literal's content: quotes and backslashes escaped, `<` too so `</style>` cannot appear.
    static func cssString(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\", "\"", "<", ">", "&": out += "\\" + String(scalar.value, radix: 16) + " "
            case "\u{0}"..."\u{1F}": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static let css = """
        * { box-sizing: border-box; }
        html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        body { font-family: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif;
          font-size: 9.5pt; line-height: 1.4; color: #2b3138; margin: 0 auto; max-width: 190mm; }
        h1 { font-size: 20pt; margin: 0; font-weight: 600; }
        h2 { font-size: 13pt; font-weight: 600; margin: 18pt 0 6pt; padding-bottom: 3pt; border-bottom: 1.5pt solid #2b3138;
          break-after: avoid; page-break-after: avoid; }
        h3 { font-size: 10.5pt; margin: 0 0 4pt; font-weight: 600; }
        p { margin: 0 0 5pt; }
        code { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 8.5pt; }
        .muted { color: #66707a; }
        .report-header { display: flex; justify-content: space-between; align-items: flex-end; gap: 12pt;
          border-bottom: 3pt solid #2f5d7c; padding-bottom: 8pt; }
        .kicker { text-transform: uppercase; letter-spacing: 0.08em; font-size: 8pt; color: #2f5d7c; font-weight: 600; margin: 0 0 2pt; }
        .month { font-size: 12pt; color: #4a545e; margin: 2pt 0 0; }
        .meta { display: grid; grid-template-columns: auto auto; gap: 1pt 8pt; margin: 0; font-size: 8.5pt; flex-shrink: 0; }
        .meta dd { white-space: nowrap; }
        tr.domain-head td { border-bottom: none; padding-top: 5pt; padding-bottom: 0; }
        tr.domain-head { break-after: avoid; page-break-after: avoid; }
        .report-header > div { flex: 1 1 0; min-width: 0; }
        table.todo { table-layout: fixed; }
        table.todo th.w-who { width: 15%; } table.todo th.w-what { width: 57%; }
        table.todo th.w-count { width: 12%; } table.todo th.w-seen { width: 16%; }
        .meta dt { color: #66707a; text-align: right; }
        .meta dd { margin: 0; }
        .status { border-left: 6pt solid; border-radius: 3pt; padding: 8pt 12pt; margin: 8pt 0 10pt; break-inside: avoid; }
        .status-title { font-size: 14pt; font-weight: 700; margin-bottom: 3pt; }
        .status .rule, .status .shares { font-size: 8.5pt; color: #4a545e; }
        .status-compliant { background: #e9f4ef; border-color: #2f7d62; }
        .status-compliant .status-title { color: #22634d; }
        .status-tenant-action, .status-both-action { background: #fcf1e4; border-color: #d08a1e; }
        .status-tenant-action .status-title, .status-both-action .status-title { color: #8e5a0c; }
        .status-provider-action { background: #eaf0f8; border-color: #3b6ea8; }
        .status-provider-action .status-title { color: #2c5587; }
        .status-no-data { background: #f0f2f4; border-color: #8a949e; }
        .empty-month { background: #f6f7f8; padding: 8pt 12pt; border-radius: 3pt; }
        .kpis { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8pt; break-inside: avoid; }
        .coverage { font-size: 8pt; color: #4a545e; margin: 4pt 0 6pt; }
        .todo { margin: 0 0 10pt; break-inside: avoid; }
        .todo h3, .others h3 { margin: 6pt 0 2pt; }
        .others { break-inside: avoid; }
        table.others { width: auto; min-width: 60%; }
        .problem.resolved { border-left-color: #9aa5b1; background: #fafbfc; }
        .resolved-badge { font-size: 8pt; font-weight: 600; color: #0b5c8c; background: #e3eef6; padding: 0 5pt;
          border-radius: 6pt; }
        .kpi { border: 0.75pt solid #d5dadf; border-radius: 3pt; padding: 6pt 8pt; }
        .kpi-label { font-size: 8pt; color: #4a545e; margin-bottom: 2pt; min-height: 2.8em; }
        .kpi-value { font-size: 17pt; font-weight: 600; margin: 0; font-variant-numeric: tabular-nums; }
        .kpi-note { font-size: 7.5pt; color: #66707a; margin: 2pt 0 0; }
        figure { margin: 0 0 12pt; break-inside: avoid; page-break-inside: avoid; }
        figcaption { font-weight: 600; font-size: 9.5pt; margin-bottom: 4pt; }
        svg.chart { width: 100%; height: auto; display: block; font-family: inherit; }
        table { width: 100%; border-collapse: collapse; margin: 4pt 0 8pt; font-size: 8.5pt; }
        thead { display: table-header-group; }
        tr { break-inside: avoid; page-break-inside: avoid; }
        th { text-align: left; font-weight: 600; border-bottom: 1pt solid #2b3138; padding: 3pt 5pt; vertical-align: bottom; }
        td { border-bottom: 0.5pt solid #d5dadf; padding: 3pt 5pt; vertical-align: top; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        th.num { white-space: normal; }
        /* Short sections stay whole on one page; Chromium ignores this for longer ones. */
        #readiness, #method { break-inside: avoid; page-break-inside: avoid; }
        td.domain { font-weight: 600; }
        td.dispositions { font-size: 8pt; }
        th.w-domain { width: 24%; }
        th.w-policy { width: 27%; }
        .sub { font-size: 7.5pt; }
        .methods { font-size: 8.5pt; break-inside: avoid; }
        .methods dl { display: grid; grid-template-columns: 4em 1fr; gap: 2pt 8pt; margin: 2pt 0 0; }
        .methods dt { font-weight: 600; }
        .methods dd { margin: 0; }
        .intro { color: #4a545e; break-after: avoid; page-break-after: avoid; }
        .problem { border: 0.75pt solid #d5dadf; border-left: 4pt solid #9aa5b1; border-radius: 3pt; padding: 6pt 10pt;
          margin-bottom: 8pt; break-inside: avoid; page-break-inside: avoid; }
        .problem.responsible-tenant { border-left-color: #d08a1e; }
        .problem.responsible-provider { border-left-color: #cc79a7; }
        .facts { display: grid; grid-template-columns: 7.5em 1fr; gap: 1pt 8pt; margin: 0 0 4pt; font-size: 8.5pt; }
        .facts dt { color: #66707a; }
        .facts dd { margin: 0; overflow-wrap: anywhere; }
        .badge { display: inline-block; padding: 0 5pt; border-radius: 6pt; font-size: 8pt; font-weight: 600; background: #e4e7ea; }
        .badge-tenant { background: #f7e1c2; color: #7a4c08; }
        .badge-provider { background: #ecd5e3; color: #6b2a52; }
        .recommendation { background: #f6f7f8; padding: 4pt 8pt; border-radius: 2pt; }
        .dns-evidence { border-left: 2pt solid #9aa5b1; padding: 2pt 8pt; margin: 0 0 4pt; }
        .dns-evidence p { margin: 0; }
        .dns-evidence .label, .recommendation .label { font-size: 7.5pt; text-transform: uppercase; letter-spacing: 0.06em; color: #66707a; margin: 0 0 2pt; }
        .verdict { font-weight: 700; }
        .verdict.ready { color: #22634d; }
        .verdict.not-ready { color: #8e5a0c; }
        /* The appendix follows on the same page when there is room: a page break before it left the
           short method note alone on a page of its own in a small tenant's report. */
        .appendix { margin-top: 14pt; }
        table.evidence { font-size: 6.5pt; table-layout: fixed; }
        table.evidence thead th { white-space: normal; }
        th.w-id { width: 28%; } th.w-period { width: 18%; } th.w-count { width: 8%; } th.w-hash { width: 46%; }
        table.evidence td { padding: 1pt 4pt; border-bottom-width: 0.25pt; }
        table.evidence tr.group th { font-size: 7.5pt; padding-top: 5pt; border-bottom: 0.75pt solid #8a949e; }
        td.hash, td.id { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 5.6pt; }
        td.id { word-break: break-all; }
        /* Fits on one line at this size; may break rather than be cut off, since the hash is the evidence. */
        td.hash { word-break: break-all; }
        .nowrap { white-space: nowrap; }
        td.step { white-space: nowrap; }
        th.verdict-column { width: 40%; }
        @media screen { body { padding: 12mm 10mm; } }

        """
}
