import ArgumentParser
import Diagnosis
import Foundation
import SiteConfiguration

struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the configuration file (/etc/dmarc/dmarc.yaml).",
        discussion: """
            One YAML file configures the nightly run: database, tenants file, inputs (directory, maildir \
            and imap entries), archive, quarantine, spool, metrics_file and limits. See deploy/dmarc.yaml \
            for every key with its meaning.
            """,
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the configuration and say what each setting and input resolves to.",
            discussion: """
                Unknown keys and wrong types are errors with the line and the field. The tenants file is \
                read and checked too; IMAP passwords are looked up (never printed); nothing connects \
                anywhere. Exit status: 0 valid; 78 the configuration or a file it names is wrong.
                """)

        @OptionGroup var config: ConfigOption
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let site = try config.load()
            let report = SiteCheck(configuration: site, database: site.databaseTarget(explicit: database.url).summary)
            for line in report.lines { print(line) }
            for problem in report.problems { Terminal.error(problem) }
            if !report.problems.isEmpty { throw ExitCode(78) }
        }
    }
}

/// What `config check` says about each setting: where it points and whether that is usable.
struct SiteCheck {
    var lines: [String] = []
    var problems: [String] = []

    init(configuration site: SiteConfiguration, database: String) {
        lines.append("configuration \(site.path): valid")
        lines.append("database: \(database)")
        if let tenants = site.tenants {
            do {
                let tenantConfiguration = try TenantConfiguration(contentsOfFile: tenants)
                let domains = tenantConfiguration.tenants.reduce(0) { $0 + $1.domains.count }
                lines.append("tenants: \(tenants) (\(tenantConfiguration.tenants.count) tenants, \(domains) domains)")
            } catch {
                lines.append("tenants: \(tenants) (invalid)")
                problems.append("\(tenants): \(error)")
            }
        } else {
            lines.append("tenants: none (tenants are applied with `dmarc tenants apply FILE`)")
        }
        lines.append("archive: \(site.archive.map { "\($0) (\(Self.directoryState($0)))" } ?? "none (stored files stay where they are)")")
        lines.append("quarantine: \(site.quarantine.map { "\($0) (\(Self.directoryState($0)))" } ?? "none (rejected files stay where they are)")")
        lines.append("spool: \(site.spool) (\(Self.directoryState(site.spool)))")
        lines.append("metrics: \(site.metricsFile ?? "none")")
        if site.inputs.isEmpty { lines.append("inputs: none") } else { lines.append("inputs:") }
        for input in site.inputs {
            switch input {
            case .directory(let path):
                lines.append("  directory \(path) (\(Self.directoryState(path)))")
                if !Self.isDirectory(path) { problems.append("input directory \(path) does not exist") }
            case .maildir(let path):
                let isMaildir = Self.isDirectory(path + "/new") && Self.isDirectory(path + "/cur")
                lines.append("  maildir \(path) (\(isMaildir ? "a Maildir: new/ and cur/" : "not a Maildir"))")
                if !isMaildir { problems.append("input maildir \(path) has no new/ and cur/") }
            case .imap(let mailbox):
                var line = "  imap \(mailbox.name): \(mailbox.displayURL) as \(mailbox.user)"
                line += ", stored messages to '\(mailbox.processedFolder)'"
                line += mailbox.noReportFolder.map { ", messages without a report to '\($0)'" } ?? ", messages without a report stay"
                line += ", batches of \(mailbox.batchSize)"
                if let limit = mailbox.limit { line += ", at most \(limit) a run" }
                if let since = mailbox.since { line += ", since \(since)" }
                if mailbox.leaveUnread { line += ", left unread" }
                do {
                    _ = try mailbox.password.secret()
                    line += "; password \(mailbox.password.origin)"
                } catch {
                    line += "; password missing"
                    problems.append("imap \(mailbox.name): \(error)")
                }
                lines.append(line)
            }
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func directoryState(_ path: String) -> String {
        guard isDirectory(path) else { return "does not exist yet" }
        return access(path, W_OK) == 0 ? "exists, writable" : "exists, not writable by this user"
    }
}
