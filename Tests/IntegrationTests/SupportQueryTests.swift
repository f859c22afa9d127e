import DMARC
import Diagnosis
import Foundation
import Postgres
@testable import ReadSide
import Testing
@_spi(Testing) @testable import Store

/// Tenants, diagnoses and support queries against a real PostgreSQL with reports ingested by the
/// real reader: each class from a realistic row, history by `since`, tenant isolation.
@Suite("tenants, failures and domain queries", .dropsTestDatabases)
struct SupportQueryTests {
    static let tenantsYAML = """
        provider:
          name: Example HR Cloud
          networks: [192.0.2.0/24, "2001:db8:100::/48"]
          dkim_domains: [mail.provider.example]
          return_path_domains: [bounce.provider.example]
        tenants:
          - id: acme
            name: ACME HR AG
            language: de
            domains:
              - domain: acme-hr.ch
                method: spf
          - id: beispiel
            name: Beispiel AG
            language: de
            domains:
              - domain: beispiel-ag.de
                method: dkim
                dkim_selectors: [hr1, hr2]
          - id: contoso
            name: Contoso Talent
            language: en
            domains:
              - domain: contoso-talent.com
                method: relay
                relay_networks: [198.51.100.0/24]
                relay_host: mx.contoso-talent.com:25
        """

    /// 2026-11-10 00:00 UTC.
    static let day: Int64 = 1_794_268_800

    struct Row {
        var ip: String, count: Int, dkim: String, spf: String, from: String
        var envelope: String? = nil
        var signatures: [(String, String, String)] = []
        var spfResults: [(String, String)] = []
        var reasons: [String] = []
    }

    static func reportXML(id: String, reporter: String = "google.com", domain: String, begin: Int64 = day, rows: [Row]) -> String {
        var xml = """
            <?xml version="1.0"?><feedback><report_metadata><org_name>\(reporter)</org_name><email>dmarc@\(reporter)</email>
            <report_id>\(id)</report_id><date_range><begin>\(begin)</begin><end>\(begin + 86_399)</end></date_range>
            </report_metadata><policy_published><domain>\(domain)</domain><adkim>r</adkim><aspf>r</aspf><p>none</p></policy_published>
            """
        for row in rows {
            xml += "<record><row><source_ip>\(row.ip)</source_ip><count>\(row.count)</count><policy_evaluated><disposition>none</disposition>"
            // An empty verdict is left out, as some receivers do.
            if !row.dkim.isEmpty { xml += "<dkim>\(row.dkim)</dkim>" }
            if !row.spf.isEmpty { xml += "<spf>\(row.spf)</spf>" }
            for reason in row.reasons { xml += "<reason><type>\(reason)</type></reason>" }
            xml += "</policy_evaluated></row><identifiers><header_from>\(row.from)</header_from>"
            if let envelope = row.envelope { xml += "<envelope_from>\(envelope)</envelope_from>" }
            xml += "</identifiers><auth_results>"
            for (domain, selector, result) in row.signatures {
                xml += "<dkim><domain>\(domain)</domain><selector>\(selector)</selector><result>\(result)</result></dkim>"
            }
            for (domain, result) in row.spfResults {
                xml += "<spf><domain>\(domain)</domain><scope>mfrom</scope><result>\(result)</result></spf>"
            }
            xml += "</auth_results></record>"
        }
        return xml + "</feedback>"
    }

    /// A database with the tenants applied and the given reports ingested through the real reader.
    static func prepared(_ reports: [String]) throws -> (TestDatabase, PostgresConnection) {
        let database = try TestCluster.get().freshDatabase()
        let connection = try database.connect()
        _ = try TenantStore(connection: connection).apply(yaml: tenantsYAML, sourcePath: "tenants.yaml", dryRun: false)
        let directory = try makeTemporaryDirectory(prefix: "dmarc-support-")
        var files: [String] = []
        for (index, xml) in reports.enumerated() {
            let path = "\(directory)/report-\(index).xml"
            try Data(xml.utf8).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        let summary = try Ingestor(connection: connection).ingest(files: files)
        #expect(summary.outcome == .allStored)
        return (database, connection)
    }

    static let november = DayRange(from: Day("2026-11-01")!, to: Day("2026-12-01")!)

    @Test("every class from a realistic row, with exact counts")
    func everyClass() throws {
        let acme = Self.reportXML(id: "g-1", domain: "acme-hr.ch", rows: [
            Row(ip: "192.0.2.10", count: 400, dkim: "fail", spf: "pass", from: "acme-hr.ch", envelope: "acme-hr.ch",
                spfResults: [("acme-hr.ch", "pass")]),
            Row(ip: "192.0.2.11", count: 37, dkim: "fail", spf: "fail", from: "acme-hr.ch", envelope: "acme-hr.ch",
                spfResults: [("acme-hr.ch", "softfail")]),
            Row(ip: "192.0.2.12", count: 12, dkim: "fail", spf: "fail", from: "acme-hr.ch", envelope: "acme-hr.ch",
                spfResults: [("acme-hr.ch", "permerror")]),
            Row(ip: "192.0.2.13", count: 9, dkim: "fail", spf: "fail", from: "acme-hr.ch", envelope: "bounce.provider.example",
                spfResults: [("bounce.provider.example", "pass")]),
            Row(ip: "203.0.113.45", count: 3, dkim: "fail", spf: "fail", from: "acme-hr.ch", envelope: "spam.example",
                spfResults: [("spam.example", "pass")]),
            Row(ip: "192.0.2.14", count: 4, dkim: "fail", spf: "fail", from: "acme-hr.ch", envelope: "acme-hr.ch",
                spfResults: [("acme-hr.ch", "temperror")]),
            Row(ip: "192.0.2.15", count: 0, dkim: "fail", spf: "fail", from: "acme-hr.ch"),
            // Another domain in the same report, whose name ends like the tenant's: not acme's.
            Row(ip: "192.0.2.16", count: 50, dkim: "fail", spf: "fail", from: "notacme-hr.ch"),
        ])
        let beispiel = Self.reportXML(id: "o-1", reporter: "Outlook.com", domain: "beispiel-ag.de", rows: [
            Row(ip: "192.0.2.20", count: 280, dkim: "pass", spf: "fail", from: "beispiel-ag.de", signatures: [("beispiel-ag.de", "hr1", "pass")]),
            Row(ip: "192.0.2.21", count: 19, dkim: "fail", spf: "fail", from: "beispiel-ag.de", signatures: [("beispiel-ag.de", "hr2", "fail")]),
            Row(ip: "192.0.2.22", count: 5, dkim: "fail", spf: "fail", from: "beispiel-ag.de", signatures: [("mail.provider.example", "p1", "pass")]),
            Row(ip: "192.0.2.23", count: 6, dkim: "fail", spf: "fail", from: "beispiel-ag.de", signatures: [("beispiel-ag.de", "old2024", "fail")]),
        ])
        let contoso = Self.reportXML(id: "y-1", reporter: "Yahoo", domain: "contoso-talent.com", rows: [
            Row(ip: "198.51.100.7", count: 150, dkim: "pass", spf: "pass", from: "contoso-talent.com", signatures: [("contoso-talent.com", "r", "pass")]),
            Row(ip: "192.0.2.30", count: 8, dkim: "fail", spf: "fail", from: "contoso-talent.com", signatures: [("mail.provider.example", "p1", "pass")]),
            Row(ip: "198.51.100.8", count: 7, dkim: "fail", spf: "fail", from: "contoso-talent.com", signatures: [("contoso-talent.com", "r", "fail")],
                spfResults: [("contoso-talent.com", "fail")]),
            Row(ip: "209.85.220.41", count: 2, dkim: "fail", spf: "fail", from: "contoso-talent.com", reasons: ["forwarded"]),
            Row(ip: "192.0.2.31", count: 1, dkim: "fail", spf: "fail", from: "unknown-customer.example"),
        ])
        let (_, connection) = try Self.prepared([acme, beispiel, contoso])
        let queries = SupportQueries(connection: connection)
        func classes(_ domain: String) throws -> [String: Int64] {
            let report = try queries.failures(FailureQuery(domain: domain, period: Self.november))
            return Dictionary(report.groups.map { ($0.diagnosisClass.rawValue, $0.messages) }, uniquingKeysWith: +)
        }
        #expect(try classes("acme-hr.ch") == [
            "spf-not-authorized": 37, "spf-record-error": 12, "spf-not-aligned": 9, "unauthorized-source": 3, "transient": 4,
        ])
        #expect(try classes("beispiel-ag.de") == ["dkim-key-missing": 19, "dkim-not-aligned": 5, "dkim-selector-unknown": 6])
        #expect(try classes("contoso-talent.com") == ["relay-bypassed": 8, "relay-failure": 7, "forwarded": 2])
        #expect(try classes("unknown-customer.example") == ["unknown-domain": 1])
        #expect(try classes("notacme-hr.ch") == ["unknown-domain": 50])

        let acmeReport = try queries.failures(FailureQuery(domain: "acme-hr.ch", period: Self.november))
        #expect(acmeReport.totalMessages == 465)
        #expect(acmeReport.tenantID == "acme")
        let missing = try #require(try queries.failures(FailureQuery(domain: "beispiel-ag.de", period: Self.november)).groups.first)
        #expect(missing.sourceIP == "192.0.2.21")
        #expect(missing.responsible == .tenant)
        #expect(missing.receivers == ["Outlook.com"])
        #expect(missing.recommendation(.en).contains("hr2._domainkey.beispiel-ag.de"))
        #expect(missing.recommendation(.de).contains("hr2._domainkey.beispiel-ag.de"))
    }

    @Test("rows the receiver reported as passing count once; where no tenant owns them they are unknown-domain failures")
    func reportedPasses() throws {
        let report = Self.reportXML(id: "g-pass", domain: "acme-hr.ch", rows: [
            Row(ip: "192.0.2.10", count: 400, dkim: "fail", spf: "pass", from: "acme-hr.ch", spfResults: [("acme-hr.ch", "pass")]),
            Row(ip: "192.0.2.11", count: 30, dkim: "pass", spf: "pass", from: "mail.acme-hr.ch"),
            Row(ip: "192.0.2.12", count: 0, dkim: "pass", spf: "pass", from: "acme-hr.ch"),
            Row(ip: "192.0.2.13", count: 5, dkim: "fail", spf: "fail", from: "acme-hr.ch", spfResults: [("acme-hr.ch", "fail")]),
        ])
        // The same domain in a report for a subdomain nobody configured, passing.
        let stray = Self.reportXML(id: "g-stray", domain: "unknown-customer.example", rows: [
            Row(ip: "203.0.113.9", count: 7, dkim: "pass", spf: "fail", from: "unknown-customer.example"),
            Row(ip: "203.0.113.10", count: 2, dkim: "pass", spf: "pass", from: "news.unknown-customer.example"),
        ])
        let (_, connection) = try Self.prepared([report, stray])
        let queries = SupportQueries(connection: connection)
        let acme = try queries.failures(FailureQuery(domain: "acme-hr.ch", period: Self.november))
        #expect(acme.totalMessages == 435)
        #expect(acme.groups.map(\.sourceIP) == ["192.0.2.13"])
        #expect(acme.failingMessages == 5)
        let unknown = try queries.failures(FailureQuery(domain: "unknown-customer.example", period: Self.november))
        #expect(unknown.totalMessages == 9)
        #expect(unknown.groups.map { "\($0.sourceIP) \($0.diagnosisClass.rawValue) \($0.messages)" }.sorted() == [
            "203.0.113.10 unknown-domain 2", "203.0.113.9 unknown-domain 7",
        ])
    }

    @Test("a group's texts quote the group's messages, and groups of equal size always print in one order")
    func groupTexts() throws {
        // 192.0.2.11 fails SPF in two reports (37 + 13 messages); 192.0.2.12 fails two ways with 6 each.
        let google = Self.reportXML(id: "g-3", domain: "acme-hr.ch", rows: [
            Row(ip: "192.0.2.11", count: 37, dkim: "fail", spf: "fail", from: "acme-hr.ch", spfResults: [("acme-hr.ch", "softfail")]),
            Row(ip: "192.0.2.12", count: 6, dkim: "fail", spf: "fail", from: "acme-hr.ch", spfResults: [("acme-hr.ch", "softfail")]),
        ])
        let outlook = Self.reportXML(id: "o-3", reporter: "Outlook.com", domain: "acme-hr.ch", rows: [
            Row(ip: "192.0.2.11", count: 13, dkim: "fail", spf: "fail", from: "acme-hr.ch", spfResults: [("acme-hr.ch", "fail")]),
            Row(ip: "192.0.2.12", count: 6, dkim: "fail", spf: "fail", from: "acme-hr.ch", spfResults: [("acme-hr.ch", "permerror")]),
        ])
        let (_, connection) = try Self.prepared([google, outlook])
        let report = try SupportQueries(connection: connection).failures(FailureQuery(domain: "acme-hr.ch", period: Self.november))
        let group = try #require(report.groups.first)
        #expect(group.sourceIP == "192.0.2.11" && group.messages == 50)
        #expect(group.recommendation(.en).contains("sent 50 messages"), "\(group.recommendation(.en))")
        #expect(group.recommendation(.de).contains("50 Nachrichten"), "\(group.recommendation(.de))")
        #expect(group.observed.hasPrefix("50 messages from 192.0.2.11"), "\(group.observed)")
        // Same address, same count, two classes: by class name, not by dictionary order.
        #expect(report.groups.dropFirst().map(\.diagnosisClass) == [.spfNotAuthorized, .spfRecordError])
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        let first = try #require((json?["groups"] as? [[String: Any]])?.first)
        #expect(Set(first.keys) == [
            "sourceIP", "diagnosisClass", "origin", "responsible", "messages", "share", "receivers", "firstSeen",
            "lastSeen", "dispositions", "expected", "observed", "recommendationEnglish", "recommendationGerman", "dns",
        ])
        // No check stored: the key is there, null.
        #expect(first["dns"] is NSNull)
        #expect((first["recommendationGerman"] as? String)?.contains("50 Nachrichten") == true)
    }

    @Test("read in two halves or in one, the report is the same, down to which row's advice a group shows")
    func halvesAgreeWithOneScan() throws {
        // 192.0.2.21 fails with two selectors: hr2 for 19 + 2 messages, hr1 for 20; 192.0.2.22 with
        // two kinds of equal size, so the advice that sorts first is shown.
        var rows: [Row] = []
        for (index, selector) in ["hr2", "hr1", "hr2"].enumerated() {
            rows.append(Row(ip: "192.0.2.21", count: [19, 20, 2][index], dkim: "fail", spf: "fail", from: "beispiel-ag.de",
                signatures: [("beispiel-ag.de", selector, "fail")]))
        }
        rows.append(Row(ip: "192.0.2.22", count: 7, dkim: "fail", spf: "fail", from: "beispiel-ag.de", signatures: [("beispiel-ag.de", "hr2", "fail")]))
        rows.append(Row(ip: "192.0.2.22", count: 7, dkim: "fail", spf: "fail", from: "beispiel-ag.de", signatures: [("beispiel-ag.de", "hr1", "fail")]))
        for index in 0..<40 {
            rows.append(Row(ip: "203.0.113.\(index)", count: index % 5 + 1, dkim: "fail", spf: "fail", from: "beispiel-ag.de"))
        }
        let report = Self.reportXML(id: "halves", reporter: "Outlook.com", domain: "beispiel-ag.de", rows: rows)
        let other = Self.reportXML(id: "halves-2", domain: "beispiel-ag.de", rows: Array(rows.reversed()))
        let (_, connection) = try Self.prepared([report, other])
        var one = SupportQueries(connection: connection)
        one.readsInTwoHalves = false
        let query = FailureQuery(domain: "beispiel-ag.de", period: Self.november)
        let single = try one.failures(query)
        let twoHalves = SupportQueries(connection: connection)
        let halves = try twoHalves.failures(query)
        #expect(twoHalves.hasSecondConnection && !one.hasSecondConnection)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(try encoder.encode(halves) == encoder.encode(single))
        // Remembering one kind of row at a time, the same kinds come back as new ones: still counted together.
        var forgetful = one
        forgetful.rememberedKinds = 1
        #expect(try encoder.encode(forgetful.failures(query)) == encoder.encode(single))
        let mixed = try #require(single.groups.first { $0.sourceIP == "192.0.2.21" })
        #expect(mixed.messages == 82)
        #expect(mixed.recommendation(.en).contains("selector hr2"), "\(mixed.recommendation(.en))")  // 42 of the 82
        let tied = try #require(single.groups.first { $0.sourceIP == "192.0.2.22" })
        #expect(tied.recommendation(.en).contains("selector hr1"), "\(tied.recommendation(.en))")  // sorts before hr2
    }

    @Test("a domain holding LIKE's wildcards finds its own rows and its subdomains', no others")
    func wildcardCharactersInDomains() throws {
        let report = Self.reportXML(id: "g-wild", domain: "a_b.example", rows: [
            Row(ip: "203.0.113.1", count: 1, dkim: "fail", spf: "fail", from: "a_b.example"),
            Row(ip: "203.0.113.2", count: 2, dkim: "fail", spf: "fail", from: "news.a_b.example"),
            // "_" is any character to LIKE: these would match a pattern left unescaped or escaped backwards.
            Row(ip: "203.0.113.3", count: 4, dkim: "fail", spf: "fail", from: "x.aqb.example"),
            Row(ip: "203.0.113.4", count: 8, dkim: "fail", spf: "fail", from: "aqb.example"),
        ])
        let (_, connection) = try Self.prepared([report])
        let queries = SupportQueries(connection: connection)
        let found = try queries.failures(FailureQuery(domain: "a_b.example", period: Self.november))
        #expect(found.groups.map(\.sourceIP).sorted() == ["203.0.113.1", "203.0.113.2"])
        #expect(found.totalMessages == 3)
        let other = try queries.failures(FailureQuery(domain: "aqb.example", period: Self.november))
        #expect(other.totalMessages == 12)
    }

    @Test("filters: class, source network, and an empty period")
    func filters() throws {
        let acme = Self.reportXML(id: "g-2", domain: "acme-hr.ch", rows: [
            Row(ip: "192.0.2.11", count: 37, dkim: "fail", spf: "fail", from: "acme-hr.ch", spfResults: [("acme-hr.ch", "softfail")]),
            Row(ip: "203.0.113.45", count: 3, dkim: "fail", spf: "fail", from: "mail.acme-hr.ch", spfResults: [("x.example", "pass")]),
        ])
        let (_, connection) = try Self.prepared([acme])
        let queries = SupportQueries(connection: connection)
        let onlySPF = try queries.failures(FailureQuery(domain: "acme-hr.ch", period: Self.november, diagnosisClass: .spfNotAuthorized))
        #expect(onlySPF.groups.map(\.sourceIP) == ["192.0.2.11"])
        let fromOutside = try queries.failures(FailureQuery(domain: "acme-hr.ch", period: Self.november, source: try IPNetwork("203.0.113.0/24")))
        #expect(fromOutside.groups.map(\.sourceIP) == ["203.0.113.45"])  // the subdomain's row is included
        let october = DayRange(from: Day("2026-10-01")!, to: Day("2026-11-01")!)
        let empty = try queries.failures(FailureQuery(domain: "acme-hr.ch", period: october))
        #expect(empty.totalMessages == 0 && empty.groups.isEmpty)
    }

    @Test("a changed method re-explains past rows only from its since day on, without re-ingesting")
    func historyBySince() throws {
        let before = Self.reportXML(id: "b", domain: "contoso-talent.com", begin: Self.day - 5 * 86_400, rows: [
            Row(ip: "192.0.2.30", count: 8, dkim: "fail", spf: "fail", from: "contoso-talent.com",
                spfResults: [("contoso-talent.com", "fail")]),
        ])
        let after = Self.reportXML(id: "a", domain: "contoso-talent.com", begin: Self.day + 5 * 86_400, rows: [
            Row(ip: "192.0.2.30", count: 4, dkim: "fail", spf: "fail", from: "contoso-talent.com",
                spfResults: [("contoso-talent.com", "fail")]),
        ])
        let (_, connection) = try Self.prepared([before, after])
        let queries = SupportQueries(connection: connection)
        func classes() throws -> [String: Int64] {
            let report = try queries.failures(FailureQuery(domain: "contoso-talent.com", period: Self.november))
            return Dictionary(report.groups.map { ($0.diagnosisClass.rawValue, $0.messages) }, uniquingKeysWith: +)
        }
        #expect(try classes() == ["relay-bypassed": 12])
        // The tenant used SPF until 2026-11-10, then the relay.
        let changed = Self.tenantsYAML.replacingOccurrences(
            of: "      - domain: contoso-talent.com\n        method: relay",
            with: "      - domain: contoso-talent.com\n        method: spf\n      - domain: contoso-talent.com\n        since: 2026-11-10\n        method: relay")
        let changes = try TenantStore(connection: connection).apply(yaml: changed, sourcePath: "t.yaml", dryRun: false)
        #expect(changes.lines.contains { $0.contains("contoso-talent.com via spf") })
        #expect(try classes() == ["spf-not-authorized": 8, "relay-bypassed": 4])
    }

    @Test("rows diagnosed by kind get exactly the diagnosis each row gets alone, across days, entries, origins and policies")
    func diagnosedRowsEqualDiagnoses() throws {
        // The same kinds of row from many addresses and days, before and after a method change, from
        // the provider's network, the tenant's relay and elsewhere, under relaxed and strict policies.
        var reports: [String] = []
        let kinds: [(String, String) -> Row] = [
            { ip, from in Row(ip: ip, count: 8, dkim: "fail", spf: "fail", from: from, spfResults: [(from, "fail")]) },
            { ip, from in Row(ip: ip, count: 5, dkim: "fail", spf: "fail", from: from, signatures: [("mail.provider.example", "p1", "pass")]) },
            { ip, from in Row(ip: ip, count: 3, dkim: "pass", spf: "fail", from: from, signatures: [(from, "r", "pass")]) },
            { ip, from in Row(ip: ip, count: 0, dkim: "fail", spf: "fail", from: from) },
            { ip, from in Row(ip: ip, count: 2, dkim: "fail", spf: "fail", from: from, reasons: ["forwarded"]) },
            { ip, from in Row(ip: ip, count: 4, dkim: "fail", spf: "fail", from: from, envelope: "bounce.provider.example", spfResults: [("bounce.provider.example", "pass")]) },
        ]
        for day in 0..<4 {
            let begin = Self.day + Int64(day * 3 - 5) * 86_400
            var rows: [Row] = []
            for (index, kind) in kinds.enumerated() {
                for ip in ["192.0.2.\(40 + index)", "198.51.100.\(7 + day)", "203.0.113.\(index * 4 + day)"] {
                    rows.append(kind(ip, day % 2 == 0 ? "contoso-talent.com" : "news.contoso-talent.com"))
                }
            }
            reports.append(Self.reportXML(id: "k\(day)", domain: "contoso-talent.com", begin: begin, rows: rows))
            let strict = Self.reportXML(id: "s\(day)", reporter: "Yahoo", domain: "contoso-talent.com", begin: begin, rows: rows)
            reports.append(strict.replacingOccurrences(of: "<adkim>r</adkim><aspf>r</aspf>", with: "<adkim>s</adkim><aspf>s</aspf>"))
        }
        let (_, connection) = try Self.prepared(reports)
        let changed = Self.tenantsYAML.replacingOccurrences(
            of: "      - domain: contoso-talent.com\n        method: relay",
            with: "      - domain: contoso-talent.com\n        method: spf\n      - domain: contoso-talent.com\n        since: 2026-11-10\n        method: relay")
        _ = try TenantStore(connection: connection).apply(yaml: changed, sourcePath: "t.yaml", dryRun: false)
        let configuration = try #require(try TenantStore(connection: connection).current())

        var expected: [String] = []
        var classes: Set<DiagnosisClass> = []
        for row in try connection.storedRows(domain: "contoso-talent.com", period: Self.november) {
            let diagnosis = Diagnoser.diagnose(row.record, day: row.day, configuration: configuration, policy: row.policy)
            classes.insert(diagnosis.class)
            expected.append("\(row.reportKey) \(row.record) \(row.reporter) \(row.begin) \(row.end) \(diagnosis)")
        }
        var actual: [String] = []
        try connection.forEachDiagnosedRow(domain: "contoso-talent.com", period: Self.november, configuration: configuration) {
            diagnosed in
            let row = diagnosed.stored
            actual.append("\(row.reportKey) \(row.record) \(row.reporter) \(row.begin) \(row.end) \(diagnosed.diagnosis)")
            // What the callers read in place agrees with the whole diagnosis.
            #expect(diagnosed.diagnosisClass == diagnosed.diagnosis.class && diagnosed.origin == diagnosed.diagnosis.origin)
            #expect(diagnosed.domain == (diagnosed.diagnosis.entry?.domain ?? diagnosed.diagnosis.headerFrom))
        }
        #expect(actual.count == 4 * 2 * kinds.count * 3)
        let firstDifference = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(firstDifference == nil, "row \(firstDifference?.offset ?? -1): \(firstDifference?.element.0 ?? "") ≠ \(firstDifference?.element.1 ?? "")")
        #expect(classes.count >= 5, "\(classes)")
    }

    @Test("tenant A's query never shows tenant B's rows")
    func tenantIsolation() throws {
        let shared = Self.reportXML(id: "mixed", domain: "acme-hr.ch", rows: [
            Row(ip: "192.0.2.11", count: 5, dkim: "fail", spf: "fail", from: "acme-hr.ch", spfResults: [("acme-hr.ch", "fail")]),
            Row(ip: "192.0.2.21", count: 7, dkim: "fail", spf: "fail", from: "beispiel-ag.de", signatures: [("beispiel-ag.de", "hr2", "fail")]),
        ])
        let (_, connection) = try Self.prepared([shared])
        let queries = SupportQueries(connection: connection)
        let acme = try queries.failures(FailureQuery(domain: "acme-hr.ch", period: Self.november, tenantID: "acme"))
        #expect(acme.groups.map(\.sourceIP) == ["192.0.2.11"])
        #expect(acme.totalMessages == 5)
        #expect(throws: QueryError.self) {
            try queries.failures(FailureQuery(domain: "beispiel-ag.de", period: Self.november, tenantID: "acme"))
        }
    }

    @Test("bad YAML names line and field and changes nothing")
    func badYAMLChangesNothing() throws {
        let (database, connection) = try Self.prepared([])
        let broken = Self.tenantsYAML.replacingOccurrences(of: "method: dkim", with: "method: dkin")
        do {
            _ = try TenantStore(connection: connection).apply(yaml: broken, sourcePath: "t.yaml", dryRun: false)
            Issue.record("a bad method was accepted")
        } catch let error as ConfigurationError {
            #expect(error.line == 18)
            #expect(error.field == "tenants[1].domains[0].method")
        }
        #expect(try database.count("SELECT count(*) FROM tenant_configurations") == 1)
        #expect(try TenantStore(connection: connection).current()?.tenants.count == 3)
    }

    @Test("unknown domain names close matches")
    func unknownDomain() throws {
        let (_, connection) = try Self.prepared([])
        do {
            _ = try SupportQueries(connection: connection).failures(FailureQuery(domain: "beispel-ag.de", period: Self.november))
            Issue.record("an unknown domain gave an answer")
        } catch let error as QueryError {
            #expect(error.code == .unknownDomain)
            #expect(error.message.contains("did you mean beispiel-ag.de"))
        }
    }

    @Test("domain overview: tenant, method, weekly pass rate, last report, top problems")
    func overview() throws {
        let report = Self.reportXML(id: "o-2", reporter: "Outlook.com", domain: "beispiel-ag.de", rows: [
            Row(ip: "192.0.2.20", count: 90, dkim: "pass", spf: "fail", from: "beispiel-ag.de", signatures: [("beispiel-ag.de", "hr1", "pass")]),
            Row(ip: "192.0.2.21", count: 10, dkim: "fail", spf: "fail", from: "beispiel-ag.de", signatures: [("beispiel-ag.de", "hr2", "fail")]),
        ])
        let (_, connection) = try Self.prepared([report])
        let overview = try SupportQueries(connection: connection).domainOverview("Beispiel-AG.de", today: Day("2026-11-20")!)
        #expect(overview.tenantID == "beispiel")
        #expect(overview.entries.map(\.method) == [.dkim])
        #expect(overview.lastReporter == "Outlook.com")
        #expect(overview.weeks.count == 8)
        let week = try #require(overview.weeks.first { $0.messages > 0 })
        #expect(week.start == Day("2026-11-09"))
        #expect(week.passRate == 0.9)
        #expect(overview.topProblems.first?.diagnosisClass == .dkimKeyMissing)
    }
}
