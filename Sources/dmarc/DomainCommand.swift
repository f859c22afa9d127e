import ArgumentParser
import DMARC
import Diagnosis
import Foundation
import ReadSide

struct DomainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain",
        abstract: "One domain on one screen: tenant, method, configuration, weekly pass rate, last report, top problems.")

    @OptionGroup var database: DatabaseOption

    @Option(help: "table or json.")
    var format: FailureFormat = .table

    @Option(help: "Language of the recommendations.")
    var lang: Language = .en

    @Argument(help: "The domain, e.g. beispiel-ag.de.")
    var domain: String

    @Option(help: "Hours after which a stored `dns check` counts as stale: shown as such, never as current.")
    var dnsMaxAge = Int(DNSEvidence.defaultMaxAgeSeconds / 3600)

    func validate() throws {
        guard dnsMaxAge > 0 else { throw ValidationError("--dns-max-age must be at least 1 (hours)") }
        if format == .csv { throw ValidationError("domain prints table or json") }
    }

    func run() throws {
        let connection = try Terminal.open(database.target)
        let today = Day(epochSeconds: Int64(Date().timeIntervalSince1970))
        let overview: DomainOverview
        do {
            overview = try SupportQueries(connection: connection).domainOverview(domain, today: today)
        } catch let error as QueryError {
            Terminal.error(error.message)
            throw ExitCode(65)
        }
        if format == .json { return print(try FailureOutput.json(overview)) }
        let language = lang
        print(DomainDisplay.named(overview.domain))
        if let id = overview.tenantID {
            print("  tenant      \(id) (\(overview.tenantName ?? ""))")
        } else {
            print("  tenant      none: this domain is not configured (its rows are unknown-domain)")
        }
        for entry in overview.entries {
            var line = "  method      \(entry.method.rawValue)"
            if !entry.dkimSelectors.isEmpty { line += ", selectors \(entry.dkimSelectors.joined(separator: ", "))" }
            if !entry.relayNetworks.isEmpty { line += ", relay \(entry.relayNetworks.map(\.description).joined(separator: ", "))" }
            line += entry.since.map { " (since \($0))" } ?? ""
            print(line)
        }
        if let end = overview.lastReportEnd {
            print("  last report \(end) from \(overview.lastReporter ?? "?")")
        } else {
            print("  last report none in the last \(overview.weeks.count) weeks")
        }
        print("  pass rate by week (Monday):")
        for week in overview.weeks {
            let rate = week.passRate.map { FailureOutput.percent($0) } ?? "–"
            let bar = week.passRate.map { String(repeating: "█", count: Int(($0 * 20).rounded())) } ?? ""
            print("    \(week.start)  \(rate.padding(toLength: 7, withPad: " ", startingAt: 0)) \(bar)  \(FailureOutput.count(week.messages)) msgs")
        }
        let queries = SupportQueries(connection: connection)
        let maxAge = Int64(dnsMaxAge) * 3600
        let now = Int64(Date().timeIntervalSince1970)
        if let evidence = try queries.dnsEvidence(domain: overview.domain) {
            let stale = evidence.isStale(now: now, maxAgeSeconds: maxAge) ? " — stale (older than \(dnsMaxAge) h)" : ""
            let problems = evidence.findings.filter { $0.verdict != "ok" }.map(\.code)
            print("  dns check   \(evidence.verdict) (checked \(evidence.checkedText))\(stale)"
                + (problems.isEmpty ? "" : ": \(problems.joined(separator: ", "))"))
        } else {
            print("  dns check   never: `dmarc dns check --domain \(overview.domain)` checks its records")
        }
        let dnsNotes = try FailureOutput.dnsNotes(
            overview.topProblems, queries: queries, fallbackDomain: overview.domain, language: language,
            maxAgeSeconds: maxAge)
        if overview.topProblems.isEmpty {
            print("  no failures in the last 30 days")
        } else {
            print("  top problems (30 days):")
            for (index, group) in overview.topProblems.enumerated() {
                print("    \(group.sourceIP)  \(group.diagnosisClass.rawValue)  \(FailureOutput.count(group.messages)) msgs  → \(group.responsible.rawValue)")
                print("      \(group.recommendation(language))")
                if let dns = dnsNotes[index] { print("      DNS: \(Printable.text(dns.text))") }
            }
        }
    }
}
