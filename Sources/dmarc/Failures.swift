import ArgumentParser
import DMARC
import Diagnosis
import Foundation
import ReadSide
import ReportReading
import Store

enum FailureFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

struct Failures: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Why mail from a domain fails DMARC: by source IP and diagnosis, with who acts and the fix.",
        discussion: """
            Every stored row of the domain (and its subdomains) is judged against the tenant's configuration \
            valid on the row's day — its method (SPF, DKIM or relay), DKIM selectors, relay networks — and \
            the provider's own sending networks. Failing rows are grouped by source IP and class.

            Classes: \(DiagnosisClass.allCases.filter(\.isDMARCFailure).map(\.rawValue).joined(separator: ", ")).

            Examples:
              dmarc failures --domain beispiel-ag.de
              dmarc failures --domain acme-hr.ch --from 2026-10-01 --to 2026-10-31 --class spf-not-authorized
              dmarc failures --domain acme-hr.ch --source 192.0.2.0/24 --format json
            """)

    @OptionGroup var database: DatabaseOption

    @Option(help: "The domain in header From; its subdomains are included.")
    var domain: String

    @Option(help: "How far back: 30d, 2w (days or weeks up to today). Default 30d unless --from is given.")
    var since: String?

    @Option(help: "First day, YYYY-MM-DD (UTC).")
    var from: String?

    @Option(help: "Last day, inclusive, YYYY-MM-DD (UTC). Default: today.")
    var to: String?

    @Option(name: .customLong("class"), help: "Only this diagnosis class.")
    var diagnosisClass: DiagnosisClass?

    @Option(help: "Only sources in this network, e.g. 192.0.2.0/24 or 2001:db8::/32.")
    var source: String?

    @Option(help: "Only rows of this tenant.")
    var tenant: String?

    @Option(help: "table, json or csv.")
    var format: FailureFormat = .table

    @Option(help: "Language of the recommendations.")
    var lang: Language = .en

    @Option(help: "Hours after which a stored `dns check` counts as stale: shown as such, never as current.")
    var dnsMaxAge = Int(DNSEvidence.defaultMaxAgeSeconds / 3600)

    func validate() throws {
        guard dnsMaxAge > 0 else { throw ValidationError("--dns-max-age must be at least 1 (hours)") }
        if since != nil, from != nil { throw ValidationError("use either --since or --from/--to, not both") }
        _ = try period()
        if let source { _ = try network(source) }
    }

    func period(today: Day = Day(epochSeconds: Int64(Date().timeIntervalSince1970))) throws -> DayRange {
        if let from {
            guard let start = Day(from) else { throw ValidationError("--from \(from) is not a date YYYY-MM-DD") }
            var end = today
            if let to {
                guard let last = Day(to) else { throw ValidationError("--to \(to) is not a date YYYY-MM-DD") }
                end = last
            }
            guard start <= end else { throw ValidationError("--from is after --to") }
            return DayRange(from: start, to: Day(daysSinceEpoch: end.daysSinceEpoch + 1))
        }
        if to != nil { throw ValidationError("--to needs --from") }
        let text = since ?? "30d"
        guard let unit = text.last, let amount = Int(text.dropLast()), amount > 0, unit == "d" || unit == "w" else {
            throw ValidationError("--since \(text): write a number of days or weeks, e.g. 30d or 2w")
        }
        return .last(unit == "w" ? amount * 7 : amount, today: today)
    }

    func network(_ text: String) throws -> IPNetwork {
        do {
            return try IPNetwork(text)
        } catch {
            throw ValidationError("--source \(text): \(error)")
        }
    }

    func run() throws {
        let connection = try Terminal.open(database.target)
        let query = FailureQuery(
            domain: domain, period: try period(), diagnosisClass: diagnosisClass,
            source: try source.map(network), tenantID: tenant)
        var report: FailureReport
        do {
            report = try SupportQueries(connection: connection).failures(query)
        } catch let error as QueryError {
            Terminal.error(error.message)
            throw ExitCode(65)
        }
        let language = lang
        // Every format carries the same DNS evidence: the table as a line, JSON and CSV as fields.
        let notes = try FailureOutput.dnsNotes(
            report.groups, queries: SupportQueries(connection: connection), fallbackDomain: report.domain,
            language: language, maxAgeSeconds: Int64(dnsMaxAge) * 3600)
        for (index, note) in notes { report.groups[index].dns = note }
        switch format {
        case .json: print(try FailureOutput.json(report))
        case .csv: print(FailureOutput.csv(report, language: language), terminator: "")
        case .table: print(FailureOutput.table(report, language: language))
        }
    }
}

/// The three ways `failures` prints, shared with `domain`.
enum FailureOutput {
    static func json(_ report: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    static func csv(_ report: FailureReport, language: Language) -> String {
        var lines = ["domain,source_ip,class,responsible,origin,messages,share,receivers,first_seen,last_seen,none,quarantine,reject,recommendation,dns_status,dns"]
        for group in report.groups {
            let fields = [
                report.domain, group.sourceIP, group.diagnosisClass.rawValue, group.responsible.rawValue, group.origin.rawValue,
                String(group.messages), NumberText.fixed(group.share, digits: 4), group.receivers.joined(separator: ";"),
                group.firstSeen.description, group.lastSeen.description, String(group.dispositions["none"] ?? 0),
                String(group.dispositions["quarantine"] ?? 0), String(group.dispositions["reject"] ?? 0),
                group.recommendation(language), group.dns?.status.rawValue ?? "", group.dns?.text ?? "",
            ]
            lines.append(fields.map(CSVField.escaped).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Per group (by index), what the latest stored `dns check` of its domain says about its class.
    static func dnsNotes(
        _ groups: [FailureGroup], queries: SupportQueries, fallbackDomain: String, language: Language,
        maxAgeSeconds: Int64
    ) throws -> [Int: DNSEvidence.Note] {
        let now = Int64(Date().timeIntervalSince1970)
        var checks: [String: DNSEvidence?] = [:]
        var lines: [Int: DNSEvidence.Note] = [:]
        for index in groups.indices {
            let domain = groups[index].evidence.entry?.domain ?? fallbackDomain
            if checks[domain] == nil { checks[domain] = .some(try queries.dnsEvidence(domain: domain)) }
            guard let evidence = checks[domain] ?? nil else { continue }
            let selector = groups[index].evidence.signature?.selector.map { $0.lowercased() }
            lines[index] = evidence.note(
                for: groups[index].diagnosisClass, selector: selector, language: language, now: now,
                maxAgeSeconds: maxAgeSeconds)
        }
        return lines
    }

    static func table(_ report: FailureReport, language: Language) -> String {
        var out = "\(DomainDisplay.named(report.domain))"
        if let tenant = report.tenantID { out += " (tenant \(tenant))" }
        out += " · \(report.period.from) – \(Day(daysSinceEpoch: report.period.to.daysSinceEpoch - 1))"
        out += " · \(count(report.totalMessages)) messages, \(count(report.failingMessages)) failing"
        out += report.totalMessages > 0 ? " (\(percent(Double(report.failingMessages) / Double(report.totalMessages))))\n" : "\n"
        guard !report.groups.isEmpty else {
            return out + (report.totalMessages == 0 ? "no reports for this period\n" : "no failures: all mail passed DMARC\n")
        }
        var table = TextTable(columns: ["SOURCE", "CLASS", "MESSAGES", "SHARE", "DISPOSITION", "SEEN", "RECEIVERS", "ACTS"], rightAligned: [2, 3])
        // By index: a group holds its whole diagnosis, and copying thousands of them was measurable.
        let groups = report.groups
        for index in groups.indices {
            let dispositions = groups[index].dispositions.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                .map { "\($0.key) \(count($0.value))" }
            let first = groups[index].firstSeen, last = groups[index].lastSeen
            table.add([
                groups[index].sourceIP, groups[index].diagnosisClass.rawValue, count(groups[index].messages),
                percent(groups[index].share), dispositions.joined(separator: ", "),
                first == last ? first.description : "\(first)…\(last)", groups[index].receivers.joined(separator: ", "),
                groups[index].responsible.rawValue,
            ])
        }
        out += table.render() + "\n\n"
        var seen = Set<String>()
        for index in groups.indices {
            let text = groups[index].recommendation(language)
            guard seen.insert(text).inserted else { continue }
            out += "• \(groups[index].sourceIP) \(groups[index].diagnosisClass.rawValue): \(text)\n"
            if let dns = groups[index].dns { out += "  DNS: \(Printable.text(dns.text))\n" }
        }
        return out
    }

    static func count(_ value: Int64) -> String { IngestSummary.grouped(value) }
    static func percent(_ value: Double) -> String { NumberText.fixed(value * 100, digits: 1) + "%" }
}
