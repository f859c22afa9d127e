import ArgumentParser
import Diagnosis
import Foundation
import LocalCluster
import ReadSide
import Store

struct Tenants: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load and show the tenants' sending configuration (SPF, DKIM or relay per domain).",
        discussion: """
            The configuration is one YAML file (see samples/tenants.yaml): the provider's sending networks \
            and signing domains, and per tenant its domains with method spf, dkim (with selectors) or \
            relay (with the relay's networks). `since:` keeps history: the entry valid on a row's day \
            decides its diagnosis, so changing the file re-explains past rows from that date on, \
            without re-ingesting anything.
            """,
        subcommands: [Apply.self, List.self, Show.self])

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the database's configuration match FILE and print what changed.",
            discussion: "Errors name the line and the field; a file with any error changes nothing.")

        @OptionGroup var database: DatabaseOption
        @Flag(help: "Show what would change without storing anything.")
        var dryRun = false
        @Argument(help: "The tenants YAML file.")
        var file: String

        func run() throws {
            let yaml: String
            do {
                yaml = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                Terminal.error("cannot read \(file): \(error.localizedDescription)")
                throw ExitCode(66)
            }
            let connection = try Terminal.open(database.target)
            let changes: ConfigurationChanges
            do {
                changes = try TenantStore(connection: connection).apply(yaml: yaml, sourcePath: file, dryRun: dryRun)
            } catch let error as ConfigurationError {
                Terminal.error("\(file): \(error)")
                throw ExitCode(65)
            }
            if changes.isEmpty {
                print("no changes: the database already matches \(file)")
                return
            }
            for line in changes.lines { print(line) }
            print(dryRun ? "dry run: nothing stored (\(changes.lines.count) change(s))" : "applied \(changes.lines.count) change(s) from \(file)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenants with their domains and methods.")
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let connection = try Terminal.open(database.target)
            guard let configuration = try TenantStore(connection: connection).current() else {
                print("no tenants configured: `dmarc tenants apply FILE.yaml` loads them")
                return
            }
            var table = TextTable(columns: ["TENANT", "NAME", "LANG", "DOMAINS"])
            for tenant in configuration.tenants {
                let domains = Dictionary(grouping: tenant.domains, by: \.domain).keys.sorted().map { domain in
                    let current = tenant.domains.filter { $0.domain == domain }.max { ($0.since?.daysSinceEpoch ?? .min) < ($1.since?.daysSinceEpoch ?? .min) }
                    return "\(DomainDisplay.named(domain)) (\(current?.method.rawValue ?? "?"))"
                }
                table.add([tenant.id, tenant.name, tenant.language.rawValue, domains.joined(separator: ", ")])
            }
            print(table.render())
            print("provider \(configuration.provider.name): \(configuration.provider.networks.map(\.description).joined(separator: ", "))")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one tenant's configuration with its history.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The tenant id.")
        var id: String

        func run() throws {
            let connection = try Terminal.open(database.target)
            guard let configuration = try TenantStore(connection: connection).current(),
                let tenant = configuration.tenants.first(where: { $0.id == id })
            else {
                Terminal.error("no tenant \"\(id)\"; `dmarc tenants list` shows them")
                throw ExitCode(65)
            }
            print("\(tenant.id): \(tenant.name) (reports in \(tenant.language.rawValue))")
            for entry in tenant.domains.sorted(by: { ($0.domain, $0.since?.daysSinceEpoch ?? .min) < ($1.domain, $1.since?.daysSinceEpoch ?? .min) }) {
                var line = "  \(DomainDisplay.named(entry.domain))  \(entry.method.rawValue)"
                if !entry.dkimSelectors.isEmpty { line += "  selectors: \(entry.dkimSelectors.joined(separator: ", "))" }
                if !entry.relayNetworks.isEmpty { line += "  relay: \(entry.relayNetworks.map(\.description).joined(separator: ", "))" }
                if let host = entry.relayHost { line += " (\(host))" }
                line += entry.since.map { "  since \($0)" } ?? "  (from the start)"
                print(line)
            }
        }
    }
}
