import DMARC

/// The operator's one configuration file, `/etc/dmarc/dmarc.yaml`: which database, the tenants
/// file, where reports come from (directories, Maildirs, IMAP mailboxes), where they go after
/// ingest, and the limits. What `dmarc fetch`, `dmarc nightly` and `dmarc config check` read.
///
/// Secrets are never in the file itself: the database URL may be overridden by `DATABASE_URL`
/// (and `--database`), an IMAP password comes from a file or an environment variable.
public struct SiteConfiguration: Sendable, Equatable {
    /// Where the file was read from, for messages.
    public var path: String
    /// A PostgreSQL URL or conninfo; nil: `DATABASE_URL`, the PG* variables, else the managed cluster.
    public var database: String?
    /// The tenants file; `dmarc nightly` applies it when it changed.
    public var tenants: String?
    /// Ingested inputs are moved here (dated subfolders) after their commit.
    public var archive: String?
    /// Rejected inputs are moved here (dated subfolders).
    public var quarantine: String?
    /// Where fetched messages are written before they are ingested (one file per message).
    public var spool: String
    /// State of the nightly run: its lock and the Prometheus text file.
    public var stateDirectory: String
    /// node_exporter's textfile collector file; nil: none written.
    public var metricsFile: String?
    public var inputs: [Input]
    public var limits: Limits
    /// The rules of `dmarc alerts check` and their thresholds.
    public var alerts = AlertSettings()
    /// The nightly DNS checks.
    public var dns = DNSSettings()

    public init(
        path: String, database: String? = nil, tenants: String? = nil, archive: String? = nil,
        quarantine: String? = nil, spool: String = SiteConfiguration.defaultSpool,
        stateDirectory: String = SiteConfiguration.defaultStateDirectory, metricsFile: String? = nil,
        inputs: [Input] = [], limits: Limits = Limits()
    ) {
        self.path = path
        self.database = database
        self.tenants = tenants
        self.archive = archive
        self.quarantine = quarantine
        self.spool = spool
        self.stateDirectory = stateDirectory
        self.metricsFile = metricsFile
        self.inputs = inputs
        self.limits = limits
    }

    public static let defaultPath = "/etc/dmarc/dmarc.yaml"
    public static let defaultSpool = "/var/lib/dmarc/spool"
    public static let defaultStateDirectory = "/var/lib/dmarc"

    /// Which file to read: `--config`, else `DMARC_CONFIG`, else `/etc/dmarc/dmarc.yaml`.
    public static func location(explicit: String?, environment: [String: String]) -> (path: String, origin: String) {
        if let explicit, !explicit.isEmpty { return (explicit, "--config") }
        if let path = environment["DMARC_CONFIG"], !path.isEmpty { return (path, "DMARC_CONFIG") }
        return (defaultPath, "default")
    }

    /// One place reports come from.
    public enum Input: Sendable, Equatable {
        /// Files under a directory (searched recursively), as `dmarc ingest DIR` reads them.
        case directory(String)
        /// A Maildir: its messages in `new/` move to `cur/` with the Seen flag once stored.
        case maildir(String)
        case imap(IMAPMailbox)
    }

    /// The reading caps and parallelism, as `dmarc ingest`'s options set them; nil: the default.
    public struct Limits: Sendable, Equatable {
        public var maxInputMiB: Int?
        public var maxDecompressedMiB: Int?
        public var maxArchiveMiB: Int?
        public var maxMessageMiB: Int?
        public var jobs: Int?

        public init(
            maxInputMiB: Int? = nil, maxDecompressedMiB: Int? = nil, maxArchiveMiB: Int? = nil,
            maxMessageMiB: Int? = nil, jobs: Int? = nil
        ) {
            self.maxInputMiB = maxInputMiB
            self.maxDecompressedMiB = maxDecompressedMiB
            self.maxArchiveMiB = maxArchiveMiB
            self.maxMessageMiB = maxMessageMiB
            self.jobs = jobs
        }
    }
}

/// An IMAP mailbox that receives reports (the `rua` address).
public struct IMAPMailbox: Sendable, Equatable {
    public enum Security: String, Sendable, Equatable, CaseIterable {
        /// TLS from the first byte (port 993).
        case tls
        /// Plain, then STARTTLS before the login, required (port 143).
        case starttls
        /// No encryption: allowed only to a loopback address (a local Dovecot, tests).
        case plain
    }

    /// Where the password comes from; never the command line or the file itself.
    public enum Password: Sendable, Equatable {
        case file(String)
        case environment(String)
    }

    /// A short name for logs, the ledger of fetched messages and `--input`.
    public var name: String
    public var host: String
    public var port: Int
    public var security: Security
    public var user: String
    public var password: Password
    /// The folder reports arrive in.
    public var folder: String
    /// Where stored messages are moved after their commit.
    public var processedFolder: String
    /// Where messages without a report are moved; nil: left where they are.
    public var noReportFolder: String?
    /// Messages fetched and stored per round (each round: fetch, ingest, commit, then move).
    public var batchSize: Int
    /// At most this many messages per run; nil: all.
    public var limit: Int?
    /// Only messages received on or after this day.
    public var since: Day?
    /// Leave messages unread (no `\Seen` flag) when moving them.
    public var leaveUnread: Bool
    /// Trust anchors for the server's certificate (a private CA); nil: the system's.
    public var caFile: String?

    public init(
        name: String, host: String, port: Int? = nil, security: Security = .tls, user: String, password: Password,
        folder: String = "INBOX", processedFolder: String = "dmarc-processed", noReportFolder: String? = nil,
        batchSize: Int = 200, limit: Int? = nil, since: Day? = nil, leaveUnread: Bool = false, caFile: String? = nil
    ) {
        self.name = name
        self.host = host
        self.port = port ?? (security == .tls ? 993 : 143)
        self.security = security
        self.user = user
        self.password = password
        self.folder = folder
        self.processedFolder = processedFolder
        self.noReportFolder = noReportFolder
        self.batchSize = batchSize
        self.limit = limit
        self.since = since
        self.leaveUnread = leaveUnread
        self.caFile = caFile
    }

    /// `imaps://mail.example.com:993/INBOX` — what `config check` shows; no user or password.
    public var displayURL: String {
        let scheme = security == .tls ? "imaps" : "imap"
        let hostText = host.contains(":") ? "[\(host)]" : host
        let suffix = security == .starttls ? " (STARTTLS)" : security == .plain ? " (plain, loopback only)" : ""
        return "\(scheme)://\(hostText):\(port)/\(folder)\(suffix)"
    }

    /// Whether `host` is a loopback address or `localhost`: the only hosts plain IMAP may go to.
    public static func isLoopback(_ host: String) -> Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" { return true }
        let parts = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
