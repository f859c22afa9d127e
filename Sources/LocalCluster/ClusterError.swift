/// Why the managed local PostgreSQL could not be used: its programs are missing, or creating,
/// starting, stopping or running something for it failed.
public struct ClusterError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable { case postgresNotInstalled, clusterFailed }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No `initdb`/`pg_ctl` for the managed local PostgreSQL.
        public static let postgresNotInstalled = Code(.postgresNotInstalled)
        /// The managed local PostgreSQL could not be created, started or stopped.
        public static let clusterFailed = Code(.clusterFailed)

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
