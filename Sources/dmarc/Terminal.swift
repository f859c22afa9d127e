import ArgumentParser
import Foundation
import LocalCluster
import Postgres
import Store

/// Shared command-line plumbing: stderr lines, TTY progress, opening the database with exit 75.
enum Terminal {
    static func error(_ line: String) {
        printError("dmarc: " + line)
    }

    /// A progress printer when stderr is a terminal, else nil (cron output stays quiet).
    static func progress() -> (@Sendable (String) -> Void)? {
        guard isatty(2) == 1 else { return nil }
        return { text in
            let line = text.count > 100 ? String(text.prefix(97)) + "…" : text
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        }
    }

    static func clearProgress(_ progress: ((String) -> Void)?) {
        if progress != nil { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// Connects (starting the managed cluster if that is the target) and applies pending migrations.
    /// Unreachable database: exit 75; missing PostgreSQL or migrations: exit 69 / 70.
    static func open(_ target: DatabaseTarget, migrate: Bool = true) throws -> PostgresConnection {
        do {
            let connection: PostgresConnection
            if case .managed(let cluster) = target {
                if try cluster.start() {
                    error(
                        "started the managed PostgreSQL in \(cluster.directory) (unix socket only); `dmarc db stop` stops it"
                    )
                }
                connection = try PostgresConnection(conninfo: cluster.conninfo)
            } else {
                connection = try target.connect()
            }
            if migrate { try Migrator.located().migrate(connection) }
            return connection
        } catch let failure as PostgresError {
            error("database unavailable (\(target.summary)): \(failure)")
            throw ExitCode(75)
        } catch let failure as ClusterError {
            error(failure.message)
            throw ExitCode(failure.code == .postgresNotInstalled ? 69 : 70)
        } catch let failure as StoreError {
            error(failure.message)
            throw ExitCode(70)
        }
    }
}
