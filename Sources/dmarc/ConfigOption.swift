import ArgumentParser
import Foundation
import LocalCluster
import SiteConfiguration

/// `--config`, shared by the commands that read `/etc/dmarc/dmarc.yaml` (`config check`, `fetch`, `nightly`).
struct ConfigOption: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "The configuration file (default: DMARC_CONFIG, else /etc/dmarc/dmarc.yaml).", valueName: "file"))
    var path: String?

    var location: (path: String, origin: String) {
        SiteConfiguration.location(explicit: path, environment: ProcessInfo.processInfo.environment)
    }

    /// The configuration read and checked; a bad file is one line on stderr and exit 78 (EX_CONFIG).
    func load() throws -> SiteConfiguration {
        let (path, origin) = location
        do {
            return try SiteConfiguration(contentsOfFile: path)
        } catch {
            Terminal.error("\(error)" + (origin == "default" ? " (give another with --config or DMARC_CONFIG)" : ""))
            throw ExitCode(78)
        }
    }
}

extension SiteConfiguration {
    /// `--database`, else `DATABASE_URL`, else the file's `database`, else libpq's environment or the
    /// managed cluster: the environment overrides the file, so a secret can stay out of it.
    func databaseTarget(explicit: String?) -> DatabaseTarget {
        let environment = ProcessInfo.processInfo.environment
        if explicit == nil, environment["DATABASE_URL"].map({ $0.isEmpty }) ?? true, let database {
            return .conninfo(database, origin: path)
        }
        return DatabaseTarget.resolve(explicit: explicit)
    }
}
