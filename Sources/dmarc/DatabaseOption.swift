import ArgumentParser
import LocalCluster

/// `--database`, shared by every command that talks to PostgreSQL.
struct DatabaseOption: ParsableArguments {
    @Option(
        name: .customLong("database"),
        help: ArgumentHelp(
            "PostgreSQL URL or conninfo (default: DATABASE_URL, the PG* variables, else the managed local cluster).",
            valueName: "url"))
    var url: String?

    var target: DatabaseTarget { DatabaseTarget.resolve(explicit: url) }
}
