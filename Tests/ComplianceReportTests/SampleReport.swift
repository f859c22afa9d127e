import ComplianceReport
import DMARC
import Diagnosis
import Foundation

/// A realistic month for one tenant, built the way the query layer will: real records, diagnosed
/// by `Diagnoser` against a real configuration, grouped into receivers' reports.
///
/// Deterministic (a fixed linear congruential generator), so tests can assert exact numbers.
enum SampleReport {
    static let yaml = """
        provider:
          name: Example HR Cloud
          networks: [192.0.2.0/24, "2001:db8:100::/48"]
          dkim_domains: [mail.provider.example]
          return_path_domains: [bounce.provider.example]
          spf_include: _spf.provider.example
        tenants:
          - id: beispiel
            name: Beispiel AG
            language: de
            domains:
              - domain: beispiel-ag.de
                method: spf
              - domain: beispiel-ag.de
                method: dkim
                dkim_selectors: [hr1, hr2]
                since: 2026-02-01
              - domain: karriere.beispiel-ag.de
                method: spf
              - domain: müller-gmbh.de
                method: relay
                relay_networks: [198.51.100.0/24]
                relay_host: mx.mueller-gmbh.de:25
        """

    static let configuration: TenantConfiguration = {
        do {
            return try TenantConfiguration(yaml: yaml)
        } catch {
            fatalError("sample configuration does not load: \(error)")
        }
    }()

    static var tenant: Tenant { configuration.tenants[0] }
    static let month = ReportMonth(year: 2026, month: 3)!
    static let mueller = "xn--mller-gmbh-9db.de"

    /// A small deterministic generator: the same sample on every run and machine.
    struct Generator {
        var state: UInt64
        mutating func next(_ range: ClosedRange<Int64>) -> Int64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let span = UInt64(range.upperBound - range.lowerBound + 1)
            return range.lowerBound + Int64((state >> 33) % span)
        }
    }

    static func record(
        _ ip: String, _ count: Int64, from: String, dkim: DMARCResult, spf: DMARCResult,
        disposition: Disposition = .none, signatures: [DKIMAuthResult] = [], spfResults: [SPFAuthResult] = [],
        reasons: [PolicyOverrideReason] = []
    ) -> Record {
        Record(
            sourceIP: ip, count: count,
            policyEvaluated: PolicyEvaluated(disposition: disposition, dkim: dkim, spf: spf, reasons: reasons),
            identifiers: Identifiers(headerFrom: from), authResults: AuthResults(dkim: signatures, spf: spfResults))
    }

    /// The rows one receiver reports for one day (scaled by the receiver's share of the mail).
    static func records(day: Int, share: Int64, policyDomain: String, generator: inout Generator) -> [Record] {
        let weekend = (day + 6) % 7 >= 5  // 2026-03-01 is a Sunday
        let base: Int64 = weekend ? 20 : 120
        var records: [Record] = []
        if policyDomain == "beispiel-ag.de" {
            let signed = DKIMAuthResult(domain: "beispiel-ag.de", selector: "hr1", result: .pass)
            let bounce = SPFAuthResult(domain: "bounce.provider.example", scope: .mfrom, result: .pass)
            records.append(
                record(
                    "192.0.2.25", base * share + generator.next(0...20), from: "beispiel-ag.de", dkim: .pass,
                    spf: .fail, signatures: [signed], spfResults: [bounce]))
            let karriere = SPFAuthResult(domain: "karriere.beispiel-ag.de", scope: .mfrom, result: .pass)
            records.append(
                record(
                    "192.0.2.26", base * share / 8 + generator.next(0...4), from: "karriere.beispiel-ag.de",
                    dkim: .fail, spf: .pass, spfResults: [karriere]))
            // 10–13 March: the careers site's SPF record lost the provider's include.
            if (10...13).contains(day) {
                records.append(
                    record(
                        "192.0.2.26", 20 * share + generator.next(0...9), from: "karriere.beispiel-ag.de", dkim: .fail,
                        spf: .fail, disposition: .quarantine,
                        spfResults: [SPFAuthResult(domain: "karriere.beispiel-ag.de", scope: .mfrom, result: .softfail)]
                    ))
            }
            // 20–22 March: selector hr2 signed before its key was published.
            if (20...22).contains(day) {
                records.append(
                    record(
                        "192.0.2.25", 2 * share + generator.next(0...2), from: "beispiel-ag.de", dkim: .fail,
                        spf: .fail,
                        disposition: .quarantine,
                        signatures: [
                            DKIMAuthResult(
                                domain: "beispiel-ag.de", selector: "hr2", result: .fail, humanResult: "no key")
                        ],
                        spfResults: [bounce]))
            }
            if day % 4 == 0 {
                records.append(
                    record(
                        "203.0.113.9", generator.next(1...3), from: "beispiel-ag.de", dkim: .pass, spf: .fail,
                        signatures: [signed],
                        spfResults: [SPFAuthResult(domain: "lists.example.org", scope: .mfrom, result: .pass)]))
                records.append(
                    record(
                        "198.18.7.41", generator.next(1...2), from: "beispiel-ag.de", dkim: .fail, spf: .fail,
                        disposition: .quarantine, reasons: [PolicyOverrideReason(type: .forwarded)]))
            }
            if day % 3 == 0 {
                records.append(
                    record(
                        "185.220.101.4", generator.next(2...12), from: "beispiel-ag.de", dkim: .fail, spf: .fail,
                        disposition: .quarantine,
                        spfResults: [SPFAuthResult(domain: "beispiel-ag.de", scope: .mfrom, result: .fail)]))
            }
        } else {
            let relayed = SPFAuthResult(domain: mueller, scope: .mfrom, result: .pass)
            records.append(
                record(
                    "198.51.100.7", base * share / 6 + generator.next(0...3), from: mueller, dkim: .fail, spf: .pass,
                    spfResults: [relayed]))
            if day == 17 || day == 18 {
                records.append(
                    record(
                        "192.0.2.30", share + 1, from: mueller, dkim: .fail, spf: .fail,
                        signatures: [DKIMAuthResult(domain: "mail.provider.example", selector: "s1", result: .pass)],
                        spfResults: [SPFAuthResult(domain: "bounce.provider.example", scope: .mfrom, result: .pass)]))
            }
        }
        return records
    }

    static let receivers: [(name: String, share: Int64, offsetHours: Int64)] = [
        ("google.com", 10, 0), ("Enterprise Outlook", 7, 12), ("GMX", 4, 0), ("WEB.DE", 3, 0), ("Yahoo", 2, 0),
        ("t-online.de", 2, 0), ("Mail.Ru", 1, 0), ("mailbox.org", 1, 0), ("Fastmail", 1, 0),
    ]

    /// The month's input; `days` limits the generated days (tests of the empty month pass none).
    static func input(days: ClosedRange<Int> = 1...31, language: Language? = nil) -> MonthlyReportInput {
        var generator = Generator(state: 42)
        var reports: [ReceivedReport] = []
        var examples: [Diagnosis] = []
        let policies = [
            "beispiel-ag.de": PublishedPolicy(domain: "beispiel-ag.de", p: "quarantine", sp: "none", pct: 100),
            mueller: PublishedPolicy(domain: mueller, p: "none"),
        ]
        // Day 0 is 28 February: Outlook's rolling window from noon crosses into March.
        for day in ([0] + Array(days)) where day == 0 ? days.contains(1) : true {
            let midnight = Int64(month.firstDay.daysSinceEpoch + day - 1) * 86_400
            for receiver in receivers {
                if day == 0, receiver.offsetHours == 0 { continue }
                let begin = midnight + receiver.offsetHours * 3600
                let period = DateRange(begin: begin, end: begin + 86_400 - (receiver.offsetHours == 0 ? 1 : 0))
                for (domain, policy) in policies.sorted(by: { $0.key < $1.key }) {
                    let records = records(
                        day: max(day, 1), share: receiver.share, policyDomain: domain, generator: &generator)
                    let reportDay = Day(epochSeconds: begin)
                    let diagnoses = records.map {
                        Diagnoser.diagnose($0, day: reportDay, configuration: configuration, policy: nil)
                    }
                    examples += diagnoses.filter { $0.class.isDMARCFailure }
                    let id =
                        "\(receiver.name.lowercased().replacingOccurrences(of: " ", with: "-"))-\(domain)-\(reportDay)"
                    reports.append(
                        ReceivedReport(
                            receiver: receiver.name, reportID: id, period: period,
                            sha256: sha(id), policy: policy, rows: diagnoses.map(ReportedRow.init)))
                }
            }
        }
        let previous = ComplianceTotals(
            providerInfrastructure: PassCount(messages: 61_250, passed: 60_990),
            other: PassCount(messages: 2_310, passed: 1_980))
        return MonthlyReportInput(
            tenant: tenant, providerName: "Example HR Cloud", month: month, language: language, reports: reports,
            previousMonth: previous, examples: examples, generatedOn: Day(year: 2026, month: 4, day: 2))
    }

    static func report(language: Language? = nil) -> MonthlyReport { MonthlyReport.build(input(language: language)) }

    /// A stand-in for a file hash: 64 hex digits derived from the id (FNV-1a, repeated).
    static func sha(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var out = ""
        for round in 0..<4 {
            for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ UInt64(round)) &* 0x100_0000_01b3
            let hex = String(hash, radix: 16)
            out += String(repeating: "0", count: 16 - hex.count) + hex
        }
        return out
    }
}
