import ArgumentParser

@main
struct DMARCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dmarc",
        abstract: "Process DMARC aggregate reports: parse, store, diagnose, report.",
        subcommands: [Ingest.self, Database.self, Reparse.self]
    )
}
