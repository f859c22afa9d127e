import Foundation
import Postgres
import Testing

/// The DNS evidence in the monthly report: the real binary renders the report of a tenant whose
/// domain was checked by the real `dns check` against knotd. The expected lines are written out by
/// hand from the zone data (hr1 published, hr2 missing, then published).
extension DNSCheckTests {
    /// `report monthly` for the tenant `beispiel` (beispiel-ag.de, selectors hr1 and hr2) in `format`.
    static func monthlyReport(_ database: TestDatabase, format: String, lang: String) throws -> String {
        let result = try DMARCBinary.run([
            "report", "monthly", "--tenant", "beispiel", "--month", "2026-11", "--format", format, "--lang", lang,
            "--database", database.conninfo,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    /// Each problem's `dnsEvidence` in the JSON report, by class.
    static func evidenceByClass(_ json: String) -> [String: String?] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let problems = object["problems"] as? [[String: Any]]
        else { return [:] }
        var evidence: [String: String?] = [:]
        for problem in problems {
            evidence[problem["class"] as? String ?? "?"] = .some(problem["dnsEvidence"] as? String)
        }
        return evidence
    }

    @Test("the monthly report shows the DNS check beside the problem: confirmed, stale, fixed")
    func evidenceInTheMonthlyReport() async throws {
        let (database, connection) = try Self.beispielFailingHR2()
        func checkedAt() throws -> String { try Self.lastCheckedAt(connection) }
        func check(_ zone: String) async throws {
            let server = try await KnotServer.start(zones: ["beispiel-ag.de": zone])
            defer { server.stop() }
            let result = try DMARCBinary.run(
                ["dns", "check", "--domain", "beispiel-ag.de", "--resolver", server.address, "--database", database.conninfo])
            #expect(result.status != 64, "\(result.stderr)")
        }

        // Never checked: the problem is there, without a DNS line.
        let unchecked = Self.evidenceByClass(try Self.monthlyReport(database, format: "json", lang: "en"))
        #expect(unchecked.keys.contains("dkim-key-missing"), "\(unchecked)")
        #expect(unchecked["dkim-key-missing"] == .some(nil))

        let good = Self.beispielZone
        try await check(good)
        let confirmed = Self.evidenceByClass(try Self.monthlyReport(database, format: "json", lang: "en"))
        #expect(confirmed["dkim-key-missing"] == .some(
            "The DNS check of \(try checkedAt()) UTC confirms it: no key is published at hr2._domainkey.beispiel-ag.de."))
        // The customer's voice: no codes, no commands.
        #expect(confirmed["dkim-key-missing"]??.contains("dkim-key-missing") == false)

        let swiss = try Self.monthlyReport(database, format: "html", lang: "de-CH")
        #expect(swiss.contains(
            "<div class=\"dns-evidence\"><p class=\"label\">DNS-Prüfung</p><p>Die DNS-Prüfung vom \(try checkedAt()) UTC"
                + " bestätigt es: unter hr2._domainkey.beispiel-ag.de ist kein Schlüssel veröffentlicht.</p></div>"),
            "\(swiss)")

        // Three days later, without a new check: stale, said so in Swiss German.
        try connection.execute("UPDATE dns_checks SET checked_at = checked_at - interval '3 days'")
        let stale = Self.evidenceByClass(try Self.monthlyReport(database, format: "json", lang: "de-CH"))
        let staleLine = try #require(stale["dkim-key-missing"] ?? nil)
        #expect(staleLine.hasPrefix(
            "Letzte DNS-Prüfung am \(try checkedAt()) UTC, älter als 48 Stunden und darum womöglich nicht mehr aktuell."
                + " Damals: Kein DKIM-Schlüssel unter hr2._domainkey.beispiel-ag.de ("), "\(staleLine)")
        #expect(!staleLine.contains("ß"))
        #expect(!staleLine.contains("bestätigt"))

        try await check(good + "\nhr2._domainkey TXT \(Self.strings("v=DKIM1; p=\(Self.keyB)"))")
        let fixed = Self.evidenceByClass(try Self.monthlyReport(database, format: "json", lang: "en"))
        #expect(fixed["dkim-key-missing"] == .some(
            "The DNS check of \(try checkedAt()) UTC finds the keys published at hr1._domainkey.beispiel-ag.de,"
                + " hr2._domainkey.beispiel-ag.de:"
                + " possibly fixed since the last failing report."))
    }
}
