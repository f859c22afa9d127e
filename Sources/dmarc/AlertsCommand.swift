import Alerts
import ArgumentParser
import DMARC
import Foundation
import Postgres
import SiteConfiguration

/// `dmarc alerts check|list|ack|resolve`.
struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Conditions worth telling someone: new failing sources, pass-rate drops, silent receivers, provider-wide failures.",
        discussion: """
            `alerts check` judges the stored rows (diagnosed as `failures` diagnoses them) with four rules \
            and keeps one alert per condition in the alerts table: it opens when the condition appears, \
            is told once, again only when it gets worse or after `reminder_days` still open and not \
            acknowledged, and resolves itself when the condition clears. Thresholds live in the \
            `alerts:` section of dmarc.yaml (see README); `dmarc nightly` runs the check as its last step.
            """,
        subcommands: [Check.self, List.self, Acknowledge.self, Resolve.self])

    /// The configuration file when there is one; defaults when the file does not exist.
    static func settings(_ config: ConfigOption) throws -> SiteConfiguration? {
        FileManager.default.fileExists(atPath: config.location.path) ? try config.load() : nil
    }

    static func open(_ config: ConfigOption, _ database: DatabaseOption) throws -> (PostgresConnection, SiteConfiguration?) {
        let site = try settings(config)
        return (try Terminal.open(site?.databaseTarget(explicit: database.url) ?? database.target), site)
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate the alert rules over the stored data; open, update and resolve alerts.",
            discussion: """
                Rules (defaults; set them in dmarc.yaml under alerts:):
                  new-failing-source  a source failing DMARC for a tenant's domain with at least 10 messages \
                in the last 2 days and none failing there in the 30 days before (tenant-side classes go to \
                the tenant, provider-side to the operators)
                  pass-rate-drop      a domain's pass rate over the last 7 days under 90 %, or 10 points under \
                the 4 weeks before, with at least 100 messages
                  reports-missing     a receiver that reported on at least half of 28 days and not in the \
                last 3: its rua or the report mailbox likely broke
                  provider-wide       one provider network failing with the same provider-side class for \
                at least 3 tenants in the last 2 days: one operator alert, instead of one per tenant

                Prints one line per alert told (opened, worse, reminder) and per alert resolved, then a \
                summary. Exit codes: 0 done; 65 no tenants loaded; 75 database unavailable; 78 a bad \
                configuration file.
                """)

        @OptionGroup var config: ConfigOption
        @OptionGroup var database: DatabaseOption

        @Option(help: "The last day of data to judge, YYYY-MM-DD (UTC); default today. For replaying history.")
        var today: String?

        func validate() throws {
            if let today, Day(today) == nil { throw ValidationError("--today \(today) is not a date YYYY-MM-DD") }
        }

        func run() throws {
            let (connection, site) = try AlertsCommand.open(config, database)
            let now = AlertsCommand.now
            let day = today.flatMap { Day($0) } ?? Day(epochSeconds: now)
            // A replayed day is stamped at its end, so reminders count days of the replayed history.
            let stamp = today == nil ? now : Int64(day.daysSinceEpoch + 1) * 86_400 - 1
            guard
                let result = try AlertCheck.run(
                    connection: connection, settings: site?.alerts ?? AlertSettings(), today: day, now: stamp)
            else {
                Terminal.error("no tenants configured: `dmarc tenants apply FILE.yaml` loads them")
                throw ExitCode(65)
            }
            for line in result.changeLines { print(line) }
            print("alerts: \(result.line)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List alerts, newest first (default: open and acknowledged).")

        @OptionGroup var config: ConfigOption
        @OptionGroup var database: DatabaseOption

        @Option(help: "open, acknowledged, resolved or all; repeat for several.")
        var status: [String] = []

        @Flag(help: "One JSON object per alert, with its details.")
        var json = false

        func validate() throws {
            for value in status where value != "all" && AlertStatus(rawValue: value) == nil {
                throw ValidationError("--status \(value): write open, acknowledged, resolved or all")
            }
        }

        func run() throws {
            let (connection, _) = try AlertsCommand.open(config, database)
            let wanted: Set<AlertStatus> =
                status.isEmpty ? [.open, .acknowledged]
                : status.contains("all") ? Set(AlertStatus.allCases) : Set(status.compactMap(AlertStatus.init(rawValue:)))
            let alerts = try AlertStore(connection: connection).list(statuses: wanted)
            if json {
                for alert in alerts {
                    var writer = JSONWriter()
                    writer.beginObject()
                    writer.number("id", alert.id)
                    writer.string("status", alert.status.rawValue)
                    writer.string("severity", alert.severity)
                    writer.string("kind", alert.kind)
                    writer.optionalString("tenant", alert.tenantID)
                    writer.optionalString("domain", alert.domain)
                    writer.string("first_seen", alert.firstSeen)
                    writer.string("last_seen", alert.lastSeen)
                    writer.number("notifications", Int64(alert.notifications))
                    writer.string("summary", alert.summary)
                    writer.endObject()
                    // details is the database's own JSON text: spliced in whole, not re-encoded.
                    print(String(writer.output.dropLast()) + ",\"details\":\(alert.details)}")
                }
                return
            }
            if alerts.isEmpty {
                print("no alerts")
                return
            }
            var table = TextTable(
                columns: ["id", "status", "severity", "kind", "tenant", "domain", "first seen", "last seen", "summary"],
                rightAligned: [0])
            for alert in alerts {
                table.add([
                    "\(alert.id)", alert.status.rawValue, alert.severity, alert.kind, alert.tenantID ?? "-", alert.domain ?? "-",
                    alert.firstSeen, alert.lastSeen, alert.summary,
                ])
            }
            print(table.render(), terminator: "")
        }
    }

    /// The alerts `ack` and `resolve` change, and where they are.
    struct Selection: ParsableArguments {
        @OptionGroup var config: ConfigOption
        @OptionGroup var database: DatabaseOption
        @Argument(help: "Alert ids, as `alerts list` shows them.")
        var ids: [Int64]

        /// Applies `change` to each id; an id without a matching alert is one line on stderr and exit 65.
        func change(verb: String, expected: String, _ change: (AlertStore, Int64) throws -> Bool) throws {
            let store = AlertStore(connection: try AlertsCommand.open(config, database).0)
            var missing = false
            for id in ids {
                if try change(store, id) {
                    print("\(verb) #\(id)")
                } else {
                    Terminal.error("no \(expected) alert #\(id)")
                    missing = true
                }
            }
            if missing { throw ExitCode(65) }
        }
    }

    struct Acknowledge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ack",
            abstract: "Take open alerts: no reminders while their condition holds (a worsening is still told).")

        @OptionGroup var selection: Selection

        func run() throws {
            try selection.change(verb: "acknowledged", expected: "open") { try $0.acknowledge($1, now: AlertsCommand.now) }
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close alerts by hand; a condition that still holds opens a new alert at the next check.")

        @OptionGroup var selection: Selection

        func run() throws {
            try selection.change(verb: "resolved", expected: "unresolved") { try $0.resolve($1, now: AlertsCommand.now) }
        }
    }
}
