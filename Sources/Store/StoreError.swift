/// Why the store could not do its work, apart from errors of PostgreSQL itself (`PostgresError`) and
/// of the managed local cluster (`ClusterError`).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case migrationsNotFound, migrationFailed, badMigration
            case databaseTooNew, inputMissing, io
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No `sql/` directory with migrations (see `MigrationDirectory`).
        public static let migrationsNotFound = Code(.migrationsNotFound)
        public static let migrationFailed = Code(.migrationFailed)
        /// A file in `sql/` whose name is not `NNN_name.sql`, or two with one number.
        public static let badMigration = Code(.badMigration)
        /// The database has migrations this binary does not know: it is older than the schema.
        public static let databaseTooNew = Code(.databaseTooNew)
        /// A path given on the command line does not exist.
        public static let inputMissing = Code(.inputMissing)
        /// A local file could not be read, written or moved.
        public static let io = Code(.io)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
