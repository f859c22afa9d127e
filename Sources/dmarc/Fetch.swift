import ArgumentParser
import DMARC
import Foundation
import Mailbox
import NightlyRun
import Postgres
import ReportReading
import SiteConfiguration
import Store

struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch reports from the IMAP mailboxes of the configuration and store them, each message once.",
        discussion: """
            For each imap input of the configuration file: fetches the messages by UID in batches, stores \
            each through ingest (like `dmarc ingest`), records it (mailbox, UIDVALIDITY, UID, content \
            hash) in the imap_messages table, and only after that commit marks it \\Seen and moves it to \
            the processed folder (MOVE, else COPY + \\Deleted + UID EXPUNGE). A crash or a lost server at \
            any point: the next run stores nothing twice and loses nothing. Messages without a report \
            stay where they are (or go to no_report_folder); nothing is ever deleted.

            The password comes from password_file or password_env of the configuration, never the \
            command line. One log line per event (key=value fields) goes to stderr.

            Exit status: 0 all stored; 65 some message rejected; 75 the server or the database was lost \
            (rerun); 77 the login was refused; 78 a bad configuration.
            """)

    @OptionGroup var config: ConfigOption
    @OptionGroup var database: DatabaseOption

    @Option(help: ArgumentHelp("Only the imap input with this name.", valueName: "name"))
    var mailbox: String?

    @Option(help: ArgumentHelp("At most this many messages per mailbox in this run.", valueName: "n"))
    var limit: Int?

    @Option(help: ArgumentHelp("Only messages received on or after this day.", valueName: "yyyy-mm-dd"))
    var since: String?

    @Flag(help: "Leave the messages unread (no \\Seen flag) when moving them.")
    var leaveUnread = false

    @Flag(help: "Print the summary of each mailbox as JSON, one object a line.")
    var json = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let since, Day(since) == nil { throw ValidationError("--since '\(since)' is no date; write YYYY-MM-DD") }
    }

    func run() throws {
        let site = try config.load()
        let mailboxes = site.imapMailboxes.filter { mailbox == nil || $0.name == mailbox }
        if mailboxes.isEmpty {
            Terminal.error(
                mailbox.map { "\(site.path) has no imap input named '\($0)'" } ?? "\(site.path) has no imap input")
            throw ExitCode(78)
        }
        let connection = try Terminal.open(site.databaseTarget(explicit: database.url))
        var status: Int32 = 0
        for mailbox in mailboxes {
            let summary = MailboxFetcher.run(
                mailbox, site: site, connection: connection,
                overrides: (limit, since.flatMap { Day($0) }, leaveUnread ? true : nil))
            print(json ? summary.json(exitCode: summary.exitCode) : summary.line)
            status = RunStep.worse(status, summary.exitCode)
        }
        if status != 0 { throw ExitCode(status) }
    }
}

/// The fetch of one mailbox as `fetch` and `nightly` run it: the password looked up, the
/// configuration's spool, archive and limits, log lines to stderr.
enum MailboxFetcher {
    static func run(
        _ mailbox: IMAPMailbox, site: SiteConfiguration, connection: PostgresConnection,
        overrides: (limit: Int?, since: Day?, leaveUnread: Bool?) = (nil, nil, nil)
    ) -> FetchSummary {
        let password: String
        do {
            password = try mailbox.password.secret()
        } catch {
            var summary = FetchSummary(mailbox: mailbox.name)
            summary.failure = "\(error)"
            summary.failureStatus = 78
            Terminal.error("fetch-failed mailbox=\(mailbox.name) reason=\"\(error)\"")
            return summary
        }
        let options = MailboxFetch.Options(
            spool: site.spool,
            ingest: IngestOptions(archive: site.archive, quarantine: site.quarantine, limits: site.readingLimits),
            jobs: 1, limit: overrides.limit, since: overrides.since, leaveUnread: overrides.leaveUnread)
        let fetch = MailboxFetch(mailbox: mailbox, options: options) { line in Terminal.error(line) }
        return fetch.run(password: password, connections: [connection])
    }
}

extension SiteConfiguration {
    var imapMailboxes: [IMAPMailbox] {
        inputs.compactMap { if case .imap(let mailbox) = $0 { mailbox } else { nil } }
    }

    /// The configuration's limits over the defaults, as `ingest`'s options set them.
    var readingLimits: ReadingLimits {
        var readingLimits = ReadingLimits()
        if let mib = limits.maxInputMiB { readingLimits.maxInputBytes = Int64(mib) << 20 }
        if let mib = limits.maxDecompressedMiB { readingLimits.maxDecompressedBytes = Int64(mib) << 20 }
        if let mib = limits.maxArchiveMiB { readingLimits.maxArchiveDecompressedBytes = Int64(mib) << 20 }
        if let mib = limits.maxMessageMiB { readingLimits.maxMessageBytes = mib << 20 }
        return readingLimits
    }
}

extension FetchSummary {
    /// sysexits, as ingest's: the failure's status (75 lost, 77 login refused), else ingest's.
    var exitCode: Int32 { failure != nil ? failureStatus : ingest.exitCode }
}

extension IngestSummary {
    /// The status `dmarc ingest` exits with for this summary; nightly's steps record the same.
    var exitCode: Int32 { Ingest.exitCode(outcome) }
}
