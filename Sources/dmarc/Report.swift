import ArgumentParser
import ComplianceReport
import DMARC
import Diagnosis
import Foundation
import ReadSide

extension ReportFormat: ExpressibleByArgument {}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Customer reports built from the stored data.",
        subcommands: [Monthly.self])

    struct Monthly: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A tenant's monthly DMARC compliance report: HTML or PDF with charts, CSV, JSON; German or English.",
            discussion: """
                Summary with status and thresholds, per-domain policy and pass rates, daily volume, \
                diagnosis classes and receivers as charts, problems with who acts and the fix (and what the \
                latest `dmarc dns check` of the domain shows about it), readiness for \
                the next policy step, and an appendix of every report behind the figures (receiver, report \
                id, period, sha256 of the original file). PDF is the HTML printed by headless Chromium \
                (`chromium` on PATH).

                Examples:
                  dmarc report monthly --tenant acme --month 2026-11 --format pdf --out acme.pdf
                  dmarc report monthly --all --month 2026-11 --format html --format pdf --out reports/

                Cron, on the 2nd of each month: dmarc report monthly --all --out /srv/dmarc/reports
                """)

        @OptionGroup var database: DatabaseOption

        @Option(help: "The tenant id (see `dmarc tenants list`).")
        var tenant: String?

        @Flag(help: "Every tenant, one file per tenant and format into --out DIR.")
        var all = false

        @Option(help: "YYYY-MM. Default: the last complete month.")
        var month: String?

        @Option(help: "html, pdf, csv or json; repeat for several with --all. Default: html (with --all: html and pdf).")
        var format: [ReportFormat] = []

        @Option(help: "de (Germany, Austria: \"ß\"), de-CH (Swiss spelling: \"ss\") or en. Default: the tenant's language.")
        var lang: Language?

        @Option(
            help: "File, or an existing directory to write TENANT-YYYY-MM.FORMAT into (--all: a directory). Default: standard output; for pdf ./TENANT-YYYY-MM.pdf.")
        var out: String?

        @Option(help: "Hours after which a stored `dns check` counts as stale: the problems show it as possibly out of date.")
        var dnsMaxAge = Int(DNSEvidence.defaultMaxAgeSeconds / 3600)

        func validate() throws {
            guard dnsMaxAge > 0 else { throw ValidationError("--dns-max-age must be at least 1 (hours)") }
            if all == (tenant != nil) { throw ValidationError("give either --tenant ID or --all") }
            if all, out == nil { throw ValidationError("--all needs --out DIR") }
            if !all, format.count > 1 { throw ValidationError("one --format per tenant report; use --all for several") }
            if let month, ReportMonth(month) == nil { throw ValidationError("--month \(month) is not YYYY-MM") }
        }

        func run() throws {
            let today = Day(epochSeconds: Int64(Date().timeIntervalSince1970))
            let reportMonth = month.flatMap { ReportMonth($0) } ?? ReportMonth.lastComplete(before: today)
            let language = lang
            let connection = try Terminal.open(database.target)
            let query = MonthlyReportQuery(connection: connection)
            do {
                if all {
                    try runAll(query, month: reportMonth, language: language, today: today)
                } else if let tenant {
                    let report = try query.report(
                        tenantID: tenant, month: reportMonth, language: language, today: today,
                        dnsMaxAgeSeconds: Int64(dnsMaxAge) * 3600)
                    try write(report, tenant: tenant, month: reportMonth)
                }
            } catch let error as QueryError {
                Terminal.error(error.message)
                throw ExitCode(65)
            } catch let error as ComplianceReportError {
                Terminal.error(error.message)
                throw ExitCode(error.code == .browserNotFound ? 69 : 73)
            }
        }

        private func write(_ report: MonthlyReport, tenant: String, month: ReportMonth) throws {
            let chosen = format.first ?? .html
            let renderer = ReportRenderer()
            if var out {
                // An existing directory gets the file under the name --all would give it.
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), isDirectory.boolValue {
                    out += (out.hasSuffix("/") ? "" : "/") + ReportRenderer.fileName(tenantID: tenant, month: month, format: chosen)
                }
                try renderer.write(report, as: chosen, to: out)
                Terminal.error("wrote \(out)")
            } else if chosen == .pdf {
                let path = ReportRenderer.fileName(tenantID: tenant, month: month, format: .pdf)
                try renderer.write(report, as: .pdf, to: path)
                Terminal.error("wrote \(path)")
            } else {
                FileHandle.standardOutput.write(try renderer.render(report, as: chosen))
            }
        }

        private func runAll(_ query: MonthlyReportQuery, month: ReportMonth, language: Language?, today: Day) throws {
            let directory = out ?? "."
            let reports = try query.tenantIDs().map {
                try query.report(
                    tenantID: $0, month: month, language: language, today: today, dnsMaxAgeSeconds: Int64(dnsMaxAge) * 3600)
            }
            var failed = 0
            for chosen in format.isEmpty ? [.html, .pdf] : format {
                for outcome in MonthlyReportBatch().write(reports, as: chosen, into: directory) {
                    if let error = outcome.error {
                        failed += 1
                        Terminal.error("\(outcome.tenantID): \(error.message)")
                    }
                }
            }
            print("wrote \(reports.count) tenant report(s) for \(month) into \(directory)" + (failed > 0 ? " · \(failed) failed" : ""))
            if failed > 0 { throw ExitCode(73) }
        }
    }
}
