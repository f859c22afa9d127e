import ArgumentParser
import LocalCluster
import Postgres
import Store

struct Database: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Show, migrate or stop the database.",
        discussion: """
            Which database: --database, else DATABASE_URL, else the libpq environment (PGHOST, PGSERVICE, \
            ~/.pgpass …), else a managed local PostgreSQL in $XDG_DATA_HOME/dmarc/postgres \
            (~/.local/share/dmarc/postgres; /var/lib/dmarc/postgres as root, run as user postgres), \
            listening on a unix socket in that directory only.
            """,
        subcommands: [Status.self, Migrate.self, Stop.self])

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Where the database is and what it holds.")
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let status = DatabaseStatus.inspect(database.target)
            for line in status.lines { print(line) }
            if status.connectionError != nil { throw ExitCode(75) }
        }
    }

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Apply pending migrations from sql/ (DMARC_SQL_DIR, <bin>/../share/dmarc/sql, or the source checkout).")
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let target = database.target
            let connection = try Terminal.open(target, migrate: false)
            do {
                let applied = try Migrator.located().migrate(connection)
                print(applied.isEmpty ? "schema up to date" : "applied \(applied.map(\.name).joined(separator: ", "))")
            } catch let error as StoreError {
                Terminal.error(error.message)
                throw ExitCode(70)
            } catch let error as PostgresError {
                Terminal.error("\(error)")
                throw ExitCode(75)
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the managed local PostgreSQL.")

        func run() throws {
            let cluster = ManagedPostgres.defaultLocation()
            do {
                print(
                    try cluster.stop()
                        ? "stopped the managed PostgreSQL in \(cluster.directory)"
                        : "not running (\(cluster.directory))")
            } catch let error as ClusterError {
                Terminal.error(error.message)
                throw ExitCode(70)
            }
        }
    }
}
