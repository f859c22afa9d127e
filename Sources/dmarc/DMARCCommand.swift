import ArgumentParser

@main
struct DMARCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dmarc",
        abstract: "Read, store and explain DMARC aggregate reports.",
        discussion: """
            Reports arrive as XML, gzip or zip (decided by their bytes, not their names). `parse` prints \
            what a report says without a database; `ingest` stores reports in PostgreSQL; `tenants` \
            loads the customers' sending configuration; `failures` and `domain` explain what failed; \
            `dns check` compares the tenants' published SPF, DKIM and DMARC records with what they agreed. \
            `nightly` is the job for cron or the systemd timer: it runs `fetch` (the IMAP mailbox), \
            `ingest` and `tenants apply` as /etc/dmarc/dmarc.yaml configures them (`config check`) and \
            records the run (`runs`); `alerts` keeps the conditions worth telling someone (new failing \
            sources, pass-rate drops, silent receivers, provider-wide failures).

            Exit codes: 0 all good; 65 some input rejected (the rest still processed); 64 bad usage; \
            66 a path that does not exist; 69/75 database unavailable; 74 an ingested file could not be \
            moved to the archive (a full disk: it stays where it was).
            """,
        version: Version.text,
        subcommands: [
            Parse.self, Ingest.self, Tenants.self, Failures.self, DomainCommand.self, Report.self, Database.self, Reparse.self,
            DNSCommand.self, Config.self, Fetch.self, Nightly.self, Runs.self, AlertsCommand.self,
        ]
    )

    static func main() {
        PeakMemoryReport.installIfAsked()
        main(nil)
    }
}
