import ArgumentParser
import DMARC
import DNSChecks
import Diagnosis
import Foundation
import Postgres
import Resolver
import ReadSide

enum DNSCheckFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// `dmarc dns check`; `dmarc dns` only groups it (room for more DNS commands).
struct DNSCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check DMARC, SPF and DKIM records of configured domains and store the result.",
        discussion: """
            For each domain, with the tenants-file entry in force today:
              DMARC  _dmarc.<domain> TXT, else the organisational domain's (Public Suffix List); tags \
            checked and syntax errors named; p=none flagged; rua must name provider.report_address; a rua \
            in another domain needs <domain>._report._dmarc.<rua-domain> (RFC 7489 §7.1).
              SPF    (method spf and relay) exactly one v=spf1 record; the provider's spf_include reached \
            through include/redirect (relay: every relay network covered by ip4/ip6/a/mx); at most 10 DNS \
            lookups and 2 void lookups, naming the term that crosses; include loops; +all, ?all, ptr.
              DKIM   (method dkim) each selector's key at <selector>._domainkey.<domain>, CNAMEs followed: \
            v=DKIM1, p= not empty, a readable RSA (2048 bits advised) or Ed25519 key, and, where dkim_keys \
            in the tenants file gives the provider's key (or sha256:<hex>), that very key.

            Every run is stored (table dns_checks: time, domain, what was asked, the raw answers, the \
            verdicts); the output names what changed since the previous run ("changed  removed since \
            2026-11-28: spf include _spf.provider.example"). `failures` and `domain` show the latest check beside the diagnosis.

            "No record" (NXDOMAIN or an empty answer) is judged; SERVFAIL, REFUSED and timeouts are shown \
            as DNS failures, never as a missing record.

            Examples:
              dmarc dns check --all
              dmarc dns check --domain beispiel-ag.de --format json
              dmarc dns check --tenant acme --resolver 127.0.0.1:5353

            Exit codes: 0 checked (whatever the verdicts; see --strict); 1 with --strict, some check is \
            an error; 64 bad usage; 65 unknown tenant or domain, or no tenants loaded; 69 the resolver \
            cannot start; 75 database unavailable.
            """)

    @OptionGroup var database: DatabaseOption

    @Option(help: "Check this tenant's domains (its id, as in `dmarc tenants list`).")
    var tenant: String?

    @Option(help: "Check one configured domain.")
    var domain: String?

    @Flag(help: "Check every configured domain.")
    var all = false

    @Option(help: "table (grouped by domain, in each tenant's language) or json (every finding and raw answer).")
    var format: DNSCheckFormat = .table

    @Option(help: "Ask this server (IP:PORT or [IPv6]:PORT) instead of the system's resolver (/etc/resolv.conf).")
    var resolver: String?

    @Option(help: "Milliseconds to wait for an answer, per try.")
    var timeoutMs = 2_000

    @Option(help: "Tries per question before it counts as timed out.")
    var tries = 3

    @Option(help: "Domains checked at once (1–500).")
    var concurrency = CheckRun.defaultConcurrency

    @Option(help: "Language of the findings (default: each tenant's own).")
    var lang: Language?

    @Flag(help: "Exit 1 when any check is an error (for cron and monitoring).")
    var strict = false

    @Flag(help: "Do not store the run in dns_checks.")
    var noStore = false

    func validate() throws {
        let chosen = [tenant != nil, domain != nil, all].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("choose one of --tenant T, --domain D or --all") }
        if let resolver, !ResolverOptions.validServer(resolver) {
            throw ValidationError("--resolver takes IP:PORT or [IPv6]:PORT, e.g. 127.0.0.1:53 (got '\(resolver)')")
        }
        guard (1...60_000).contains(timeoutMs) else { throw ValidationError("--timeout-ms must be 1–60000") }
        guard (1...10).contains(tries) else { throw ValidationError("--tries must be 1–10") }
        guard (1...500).contains(concurrency) else { throw ValidationError("--concurrency must be 1–500") }
    }

    func run() throws {
        let connection = try Terminal.open(database.target)
        let selection: CheckSelection =
            if let tenant { .tenant(tenant) } else if let domain { .domain(Normalise.domain(domain) ?? domain) } else { .all }
        let outcome: DNSCheckOutcome
        do {
            outcome = try Self.perform(
                selection, connection: connection,
                options: ResolverOptions(server: resolver, timeoutMilliseconds: timeoutMs, tries: tries),
                concurrency: concurrency, store: !noStore)
        } catch let failure as DNSCheckFailure {
            Terminal.error(failure.message)
            throw ExitCode(failure.exitCode)
        }
        let checks = outcome.checks, changes = outcome.changes
        switch format {
        case .json: print(DNSCheckOutput.json(checks, changes: changes))
        case .table: print(DNSCheckOutput.text(checks, changes: changes, language: lang), terminator: "")
        }
        if strict, checks.contains(where: { $0.verdict == .error }) { throw ExitCode(1) }
    }
}

/// What one run of the DNS checks found: each domain's check, and what changed since the stored one before.
struct DNSCheckOutcome {
    var checks: [DomainCheck]
    var changes: [String: FactChanges]
}

/// Why the DNS checks could not run: one line for people and the exit code of `dns check`.
struct DNSCheckFailure: Error {
    var message: String
    var exitCode: Int32
}

extension DNSCheck {
    /// Checks the selected domains and stores the run (unless `store` is false): `dns check` and
    /// the nightly run's DNS step.
    static func perform(
        _ selection: CheckSelection, connection: PostgresConnection, options: ResolverOptions, concurrency: Int,
        store: Bool
    ) throws -> DNSCheckOutcome {
        guard let configuration = try TenantStore(connection: connection).current() else {
            throw DNSCheckFailure(message: "no tenants configured: `dmarc tenants apply FILE.yaml` loads them", exitCode: 65)
        }
        let now = Int64(Date().timeIntervalSince1970)
        let targets: [(Tenant, TenantDomain)]
        do {
            targets = try CheckRun.targets(selection, configuration: configuration, day: Day(epochSeconds: now))
        } catch {
            throw DNSCheckFailure(message: error.description, exitCode: 65)
        }
        let suffixes: PublicSuffixList
        do {
            suffixes = try PublicSuffixList.load()
        } catch {
            throw DNSCheckFailure(
                message: "cannot read the Public Suffix List at \(PublicSuffixList.debianPath) (Debian package publicsuffix): \(error.localizedDescription)",
                exitCode: 69)
        }
        let dns: DNSResolver
        do {
            dns = try DNSResolver(options: options)
        } catch {
            throw DNSCheckFailure(message: error.description, exitCode: 69)
        }
        let checker = DomainChecker(provider: configuration.provider, suffixes: suffixes)
        let checks = CheckRun.runBlocking(targets, checker: checker, lookup: dns, now: now, concurrency: concurrency)
        dns.shutdown()

        let checkStore = CheckStore(connection: connection)
        let previous = try checkStore.previousFacts(domains: checks.map(\.domain))
        if store { try checkStore.save(checks, resolver: options.server ?? "system") }
        let changes = Dictionary(
            uniqueKeysWithValues: checks.compactMap { check -> (String, FactChanges)? in
                guard let before = previous[check.domain] else { return nil }
                let changes = FactChanges(previous: before.facts, current: check.facts, since: before.checkedAt)
                return changes.isEmpty ? nil : (check.domain, changes)
            })
        return DNSCheckOutcome(checks: checks, changes: changes)
    }
}

struct DNSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns", abstract: "Check the tenants' published DNS records against what they agreed with the provider.",
        subcommands: [DNSCheck.self])
}
