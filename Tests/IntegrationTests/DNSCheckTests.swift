import Foundation
import Postgres
import ReadSide
import Store
import Testing
import Crypto
import Diagnosis
import _CryptoExtras

/// `dmarc dns check` end to end: the real binary, a real authoritative server (knotd) on loopback
/// with zones written here, a real PostgreSQL. Every expectation is read off the zone data by hand.
@Suite(.serialized) struct DNSCheckTests {
    static let keyA = try! _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey.derRepresentation.base64EncodedString()
    static let keyB = try! _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey.derRepresentation.base64EncodedString()

    static let tenantsYAML = """
        provider:
          name: Provider
          networks: [192.0.2.0/24]
          spf_include: _spf.provider.test
          report_address: dmarc@reports.provider.test
        tenants:
          - id: alpha
            name: Alpha AG
            language: de
            domains: [\(spf(["good", "eleven", "twospf", "loop", "void"]))]
          - id: beta
            name: Beta Ltd
            language: en
            domains:
              - {domain: relay.test, method: relay, relay_networks: [198.51.100.0/24, 203.0.113.16/28]}
              - {domain: broken.test, method: spf}
              - \(spf(["nodmarc", "monitor", "otheraddr", "unauthorised"], separator: "\n      - "))
              - domain: dkim.test
                method: dkim
                dkim_selectors: [ok1, cname1, gone1, cut1, other1, loopy1]
                dkim_keys:
                  ok1: \(keyA)
                  cname1: sha256:\(sha256Hex(keyA))
                  cut1: \(keyA)
                  other1: \(keyA)
        """

    /// `{domain: a.test, method: spf}, …` for flow-style lists of method-spf entries.
    static func spf(_ names: [String], separator: String = ", ") -> String {
        names.map { "{domain: \($0).test, method: spf}" }.joined(separator: separator)
    }

    static func sha256Hex(_ base64: String) -> String {
        guard let data = Data(base64Encoded: base64) else { return "" }
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// A good DMARC record pointing at the provider's report address.
    static func dmarc(_ policy: String = "reject") -> String {
        "_dmarc TXT \"v=DMARC1; p=\(policy); rua=mailto:dmarc@reports.provider.test\""
    }

    /// Long values as several strings of one TXT record (each string at most 255 bytes).
    static func strings(_ text: String) -> String {
        var parts: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            parts.append("\"\(rest.prefix(200))\"")
            rest = rest.dropFirst(200)
        }
        return parts.joined(separator: " ")
    }

    static var zones: [String: String?] {
        let authorised = ["good", "eleven", "twospf", "loop", "void", "monitor", "relay", "dkim", "nodmarc", "otheraddr"]
        var zones: [String: String?] = [:]
        zones["provider.test"] =
            """
            _spf TXT "v=spf1 ip4:192.0.2.0/24 -all"
            cname1.keys TXT \(strings("v=DKIM1; k=rsa; p=\(keyA)"))
            """ + "\n" + authorised.map { "\($0).test._report._dmarc.reports TXT \"v=DMARC1\"" }.joined(separator: "\n")
        // An unrelated TXT record of 3,000 bytes at the apex: the answer needs TCP.
        let huge = (0..<15).map { "\"\(String(repeating: Character(String($0 % 10)), count: 200))\"" }.joined(separator: " ")
        zones["good.test"] =
            """
            \(dmarc())
            @ TXT "v=spf1 include:_spf.provider.test -all"
            @ TXT \(huge)
            """
        zones["eleven.test"] =
            """
            \(dmarc())
            @ TXT "v=spf1 include:_spf.provider.test include:vendor.eleven.test -all"
            vendor TXT "v=spf1 \((1...9).map { "include:s\($0).eleven.test" }.joined(separator: " ")) -all"
            """ + "\n" + (1...9).map { "s\($0) TXT \"v=spf1 ip4:198.51.100.\($0) -all\"" }.joined(separator: "\n")
        zones["twospf.test"] =
            """
            \(dmarc())
            @ TXT "v=spf1 include:_spf.provider.test -all"
            @ TXT "v=spf1 ip4:198.51.100.7 -all"
            """
        zones["loop.test"] =
            """
            \(dmarc())
            @ TXT "v=spf1 include:_spf.provider.test include:a.loop.test -all"
            a TXT "v=spf1 include:b.loop.test -all"
            b TXT "v=spf1 include:a.loop.test -all"
            """
        zones["void.test"] =
            """
            \(dmarc())
            @ TXT "v=spf1 include:_spf.provider.test a:gone1.void.test a:gone2.void.test mx:gone3.void.test -all"
            """
        zones["nodmarc.test"] = "@ TXT \"v=spf1 include:_spf.provider.test -all\""
        zones["monitor.test"] = "\(dmarc("none"))\n@ TXT \"v=spf1 include:_spf.provider.test -all\""
        zones["otheraddr.test"] =
            """
            _dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@otheraddr.test"
            @ TXT "v=spf1 include:_spf.provider.test -all"
            """
        zones["unauthorised.test"] = "\(dmarc())\n@ TXT \"v=spf1 include:_spf.provider.test -all\""
        zones["relay.test"] = "\(dmarc())\n@ TXT \"v=spf1 ip4:198.51.100.0/24 -all\""
        zones["broken.test"] = .some(nil)
        zones["dkim.test"] =
            """
            \(dmarc())
            ok1._domainkey TXT \(strings("v=DKIM1; k=rsa; p=\(keyA)"))
            cname1._domainkey CNAME cname1.keys.provider.test.
            cut1._domainkey TXT "v=DKIM1; k=rsa; p=\(keyA.prefix(180))"
            other1._domainkey TXT \(strings("v=DKIM1; k=rsa; p=\(keyB)"))
            loopy1._domainkey CNAME loopy2._domainkey.dkim.test.
            loopy2._domainkey CNAME loopy1._domainkey.dkim.test.
            """
        return zones
    }

    struct Finding {
        var check: String
        var code: String
        var verdict: String
        var english: String
        var german: String
    }

    /// Runs the binary and returns, per domain, its verdict and findings from the JSON output.
    static func check(
        _ database: TestDatabase, resolver: String, extra: [String] = []
    ) throws -> (DMARCBinary.Result, [String: (verdict: String, findings: [Finding])]) {
        let result = try DMARCBinary.run(
            ["dns", "check", "--all", "--format", "json", "--resolver", resolver, "--database", database.conninfo] + extra)
        var domains: [String: (String, [Finding])] = [:]
        if let data = result.stdout.data(using: .utf8),
            let entries = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        {
            for entry in entries {
                let findings = (entry["findings"] as? [[String: Any]] ?? []).map {
                    Finding(
                        check: $0["check"] as? String ?? "", code: $0["code"] as? String ?? "",
                        verdict: $0["verdict"] as? String ?? "", english: $0["english"] as? String ?? "",
                        german: $0["german"] as? String ?? "")
                }
                domains[entry["domain"] as? String ?? ""] = (entry["verdict"] as? String ?? "", findings)
            }
        }
        return (result, domains)
    }

    @Test("every case of the issue against a real authoritative server")
    func cases() async throws {
        let knot = try await KnotServer.start(zones: Self.zones)
        defer { knot.stop() }
        let database = try TestCluster.get().freshDatabase()
        let connection = try database.connect()
        _ = try TenantStore(connection: connection).apply(yaml: Self.tenantsYAML, sourcePath: "t.yaml", dryRun: false)

        let (result, domains) = try Self.check(database, resolver: knot.address)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(domains.count == 12)
        func codes(_ domain: String) -> Set<String> { Set(domains[domain]?.findings.map(\.code) ?? []) }
        func finding(_ domain: String, _ code: String) -> Finding? { domains[domain]?.findings.first { $0.code == code } }

        // good.test: one SPF record among a 3,000-byte TXT answer (fetched over TCP), the provider included.
        #expect(codes("good.test") == ["dmarc-ok", "spf-ok"])
        #expect(domains["good.test"]?.verdict == "ok")
        #expect(finding("good.test", "spf-ok")?.english.contains("1 of 10 DNS lookups, 0 of 2 void lookups") == true)

        // 11 lookups: include:_spf (1), include:vendor (2), s1…s9 (3…11).
        let eleven = try #require(finding("eleven.test", "spf-lookup-limit"))
        #expect(eleven.verdict == "error")
        #expect(eleven.english.contains("needs 11 DNS lookups"))
        #expect(eleven.english.contains("The 11th is include:s9.eleven.test (reached through include:vendor.eleven.test)"))

        #expect(codes("twospf.test").contains("spf-multiple"))
        #expect(finding("twospf.test", "spf-multiple")?.english.hasPrefix("2 SPF records at twospf.test") == true)

        let loop = try #require(finding("loop.test", "spf-loop"))
        #expect(loop.english.contains("include:a.loop.test in the record of b.loop.test leads back to a.loop.test"))

        // a:gone1, a:gone2, mx:gone3 all NXDOMAIN: the third void lookup is mx:gone3.void.test.
        let void = try #require(finding("void.test", "spf-void-limit"))
        #expect(void.english.contains("has 3 lookups that find nothing"))
        #expect(void.english.contains("The 3rd is mx:gone3.void.test"))

        #expect(codes("nodmarc.test").contains("dmarc-missing"))
        #expect(finding("nodmarc.test", "dmarc-missing")?.english.hasPrefix("No DMARC record at _dmarc.nodmarc.test") == true)

        #expect(codes("monitor.test") == ["dmarc-policy-none", "spf-ok"])
        #expect(domains["monitor.test"]?.verdict == "warning")

        let other = try #require(finding("otheraddr.test", "dmarc-rua-misses-provider"))
        #expect(other.english.contains("rua=mailto:dmarc@otheraddr.test: the provider receives no reports for otheraddr.test"))

        let unauthorised = try #require(finding("unauthorised.test", "dmarc-rua-unauthorised"))
        #expect(unauthorised.english.hasPrefix(
            "Provider: publish a TXT record \"v=DMARC1\" at unauthorised.test._report._dmarc.reports.provider.test"))
        #expect(!codes("good.test").contains("dmarc-rua-unauthorised"))

        let relay = try #require(finding("relay.test", "spf-relay-missing"))
        #expect(relay.english.contains("does not cover the relay's networks ip4:203.0.113.16/28"))
        #expect(!relay.english.contains("198.51.100.0/24"))

        // SERVFAIL is a DNS failure, not a missing record.
        #expect(codes("broken.test") == ["dmarc-dns-failure", "spf-dns-failure"])
        #expect(finding("broken.test", "spf-dns-failure")?.english.contains("answered SERVFAIL for broken.test") == true, "\(String(describing: finding("broken.test", "spf-dns-failure")?.english))")

        let dkim = try #require(domains["dkim.test"]).findings
        func dkimCodes(_ selector: String) -> [String] { dkim.filter { $0.check == "dkim:\(selector)" }.map(\.code) }
        #expect(dkimCodes("ok1") == ["dkim-ok"])
        #expect(dkim.first { $0.check == "dkim:ok1" }?.english == "Key published at ok1._domainkey.dkim.test: RSA 2048, the provider's key.")
        #expect(dkimCodes("cname1") == ["dkim-ok"])
        #expect(dkim.first { $0.check == "dkim:cname1" }?.english.contains("(via CNAME to cname1.keys.provider.test)") == true)
        #expect(dkimCodes("gone1") == ["dkim-key-missing"])
        #expect(dkim.first { $0.check == "dkim:gone1" }?.english.hasPrefix(
            "No DKIM key at gone1._domainkey.dkim.test (the name does not exist)") == true)
        #expect(dkimCodes("cut1") == ["dkim-key-unreadable", "dkim-key-different"])
        #expect(dkim.first { $0.code == "dkim-key-different" && $0.check == "dkim:cut1" }?.english.contains("(it is cut off)") == true)
        #expect(dkimCodes("other1") == ["dkim-key-different"])
        #expect(dkim.first { $0.check == "dkim:other1" }?.english.contains("(stale or from another sender)") == true)
        #expect(dkimCodes("loopy1") == ["dkim-dns-failure"])
        #expect(dkim.first { $0.check == "dkim:loopy1" }?.english.contains("returned a CNAME loop") == true)

        // Alpha's language is German: the table output speaks it.
        let table = try DMARCBinary.run(
            ["dns", "check", "--tenant", "alpha", "--resolver", knot.address, "--database", database.conninfo, "--no-store"])
        #expect(table.stdout.contains("Die 11. ist include:s9.eleven.test (erreicht über include:vendor.eleven.test)"))
        #expect(table.stdout.contains("checked 5 domains: 1 ok, 0 warning, 4 error"))

        // The run was stored, one row per domain, with its answers.
        let stored = try connection.query(
            "SELECT count(*), count(*) FILTER (WHERE verdict = 'error'), sum(jsonb_array_length(answers)) > 12 FROM dns_checks")
        #expect(stored.rows.first?.int(0) == 12)
        // Errors: all but good.test (ok) and monitor.test (warning).
        #expect(stored.rows.first?.int(1) == 10)
        #expect(stored.rows.first?.bool(2) == true)
    }

    /// A fresh database whose tenants file has one tenant with one domain entry (YAML flow style).
    static func database(entry: String) throws -> (TestDatabase, PostgresConnection) {
        let database = try TestCluster.get().freshDatabase()
        let connection = try database.connect()
        _ = try TenantStore(connection: connection).apply(
            yaml: """
                provider: {name: P, networks: [192.0.2.0/24], spf_include: _spf.provider.test}
                tenants:
                  - {id: t, name: T, language: en, domains: [\(entry)]}
                """, sourcePath: "t.yaml", dryRun: false)
        return (database, connection)
    }

    @Test("a server that never answers is a timeout, not a missing record")
    func timeout() throws {
        let silent = try SilentServer()
        defer { silent.close() }
        let (database, _) = try Self.database(entry: "{domain: quiet.test, method: dkim, dkim_selectors: [s1]}")
        let (result, domains) = try Self.check(database, resolver: silent.address, extra: ["--timeout-ms", "100", "--tries", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let findings = try #require(domains["quiet.test"]).findings
        #expect(findings.map(\.code) == ["dmarc-dns-failure", "dkim-dns-failure"])
        #expect(findings.allSatisfy { $0.english.contains("did not answer in time") })
    }

    @Test("a second run names what changed since the first")
    func changes() async throws {
        let (database, connection) = try Self.database(entry: "{domain: change.test, method: spf}")
        let provider = "_spf TXT \"v=spf1 ip4:192.0.2.0/24 -all\""
        let before = try await KnotServer.start(zones: [
            "provider.test": provider, "change.test": "@ TXT \"v=spf1 include:_spf.provider.test -all\"",
        ])
        let first = try Self.check(database, resolver: before.address)
        before.stop()
        #expect(first.1["change.test"]?.verdict == "error")  // no _dmarc record

        let after = try await KnotServer.start(zones: ["provider.test": provider, "change.test": "@ TXT \"v=spf1 ip4:198.51.100.0/24 -all\""])
        defer { after.stop() }
        let second = try DMARCBinary.run(
            ["dns", "check", "--domain", "change.test", "--resolver", after.address, "--database", database.conninfo])
        let today = ISO8601DateFormatter().string(from: Date()).prefix(10)
        #expect(second.stdout.contains("changed  removed since \(today): spf include _spf.provider.test"))
        #expect(second.stdout.contains("spf-provider-missing"))
        let rows = try connection.query("SELECT count(*) FROM dns_checks WHERE domain = 'change.test'")
        #expect(rows.rows.first?.int(0) == 2)
    }

    /// A database with beispiel-ag.de's November: 12 messages from the provider's 192.0.2.10 whose
    /// DKIM signature with selector hr2 failed (dkim-key-missing).
    static func beispielFailingHR2() throws -> (TestDatabase, PostgresConnection) {
        let xml = SupportQueryTests.reportXML(id: "dns-1", domain: "beispiel-ag.de", rows: [
            SupportQueryTests.Row(
                ip: "192.0.2.10", count: 12, dkim: "fail", spf: "fail", from: "beispiel-ag.de",
                signatures: [("beispiel-ag.de", "hr2", "fail")], spfResults: [("beispiel-ag.de", "fail")])
        ])
        return try SupportQueryTests.prepared([xml])
    }

    /// beispiel-ag.de's zone with a DMARC record and hr1's key, without hr2's.
    static var beispielZone: String {
        "_dmarc TXT \"v=DMARC1; p=reject\"\nhr1._domainkey TXT \(strings("v=DKIM1; p=\(keyA)"))"
    }

    /// The time of the latest stored check as `DNSEvidence.checkedText` prints it.
    static func lastCheckedAt(_ connection: PostgresConnection) throws -> String {
        try connection.query(
            "SELECT to_char(max(checked_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM dns_checks"
        ).rows.first?.string(0) ?? "?"
    }

    /// The evidence beside the diagnosis: confirmed, stale, then fixed, as `failures` and `domain` print it.
    @Test("failures and domain show the latest DNS check beside the class")
    func evidenceBesideTheDiagnosis() async throws {
        let (database, connection) = try Self.beispielFailingHR2()
        let good = Self.beispielZone
        let failures = ["failures", "--domain", "beispiel-ag.de", "--from", "2026-11-01", "--to", "2026-11-30", "--database", database.conninfo]
        func checkedAt() throws -> String { try Self.lastCheckedAt(connection) }

        // Before any check: no DNS line.
        #expect(try !DMARCBinary.run(failures).stdout.contains("DNS:"))

        let missing = try await KnotServer.start(zones: ["beispiel-ag.de": good])
        _ = try DMARCBinary.run(["dns", "check", "--domain", "beispiel-ag.de", "--resolver", missing.address, "--database", database.conninfo])
        missing.stop()
        let confirmed = try DMARCBinary.run(failures)
        #expect(confirmed.stdout.contains("192.0.2.10 dkim-key-missing"), "\(confirmed.stdout)")
        #expect(confirmed.stdout.contains("  DNS: confirmed: no key at hr2._domainkey.beispiel-ag.de (checked \(try checkedAt()))"))
        // JSON and CSV carry the same evidence per row.
        let confirmedText = "confirmed: no key at hr2._domainkey.beispiel-ag.de (checked \(try checkedAt()))"
        #expect(try Self.failuresDNS(failures) == [["status": "confirmed", "text": confirmedText]])
        let csv = try DMARCBinary.run(failures + ["--format", "csv"]).stdout.split(separator: "\n")
        #expect(csv.first?.hasSuffix(",recommendation,dns_status,dns") == true, "\(csv)")
        #expect(csv.count == 2 && csv[1].hasSuffix(",confirmed,\(confirmedText)"), "\(csv)")

        // Three days later, without a new check: stale, never shown as current.
        try connection.execute("UPDATE dns_checks SET checked_at = checked_at - interval '3 days'")
        let stale = try DMARCBinary.run(failures)
        #expect(stale.stdout.contains(
            "  DNS: stale (checked \(try checkedAt()), older than 48 h): it showed dkim-key-missing at hr2._domainkey.beispiel-ag.de then"))
        #expect(!stale.stdout.contains("confirmed"))
        let staleJSON = try Self.failuresDNS(failures)
        #expect(staleJSON.map { $0["status"] } == ["stale"])
        #expect(staleJSON.first?["text"]?.hasPrefix("stale (checked \(try checkedAt()), older than 48 h)") == true)

        let published = try await KnotServer.start(zones: [
            "beispiel-ag.de": good + "\nhr2._domainkey TXT \(Self.strings("v=DKIM1; p=\(Self.keyB)"))"
        ])
        defer { published.stop() }
        _ = try DMARCBinary.run(["dns", "check", "--domain", "beispiel-ag.de", "--resolver", published.address, "--database", database.conninfo])
        let fixed = try DMARCBinary.run(failures)
        #expect(fixed.stdout.contains(
            "  DNS: the key is published now at hr2._domainkey.beispiel-ag.de (checked \(try checkedAt())): fixed since the last failing report?"))
        #expect(try Self.failuresDNS(failures) == [[
            "status": "fixed",
            "text": "the key is published now at hr2._domainkey.beispiel-ag.de (checked \(try checkedAt())): fixed since the last failing report?",
        ]])
        let overview = try DMARCBinary.run(["domain", "beispiel-ag.de", "--database", database.conninfo])
        #expect(overview.stdout.contains("  dns check   ok (checked \(try checkedAt()))"), "\(overview.stdout)")
    }

    /// The `dns` field of each row of `failures --format json`, empty for a row where it is null.
    static func failuresDNS(_ arguments: [String]) throws -> [[String: String]] {
        let result = try DMARCBinary.run(arguments + ["--format", "json"])
        guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let groups = object["groups"] as? [[String: Any]]
        else { return [] }
        return groups.map { ($0["dns"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String } }
    }

    /// `tenants apply` names the new fields when they change (before, a changed report_address
    /// printed "~ provider P: " with nothing after it).
    @Test func applyNamesTheNewFields() throws {
        func configuration(_ address: String, _ keys: String) throws -> TenantConfiguration {
            try TenantConfiguration(yaml: """
                provider: {name: P, networks: [192.0.2.0/24], report_address: \(address)}
                tenants:
                  - {id: t, name: T, language: en, domains: [{domain: a.test, method: dkim, dkim_selectors: [s1, s2], dkim_keys: {\(keys)}}]}
                """)
        }
        let before = try configuration("dmarc@old.test", "")
        let after = try configuration("dmarc@new.test", "s2: sha256:\(String(repeating: "ab", count: 32))")
        #expect(ConfigurationChanges(from: before, to: after).lines == [
            "~ provider P: report_address dmarc@new.test",
            "+ tenant t: a.test via dkim (selectors s1, s2) (keys for s2)",
            "- tenant t: a.test via dkim (selectors s1, s2)",
        ])
    }
}
