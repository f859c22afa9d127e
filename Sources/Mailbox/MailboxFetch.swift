import Crypto
import Curl
import DMARC
import DurableFiles
import Foundation
import Postgres
import SiteConfiguration
import Store

/// Fetches one IMAP mailbox's messages into the database exactly once.
///
/// In rounds of `batchSize` UIDs: fetch each message into the spool, ingest the files (their
/// ledger rows), record each message (mailbox, UIDVALIDITY, UID, content hash) in `imap_messages`,
/// and only then mark and move them on the server, recording the move. A crash at any point leaves
/// a state the next run completes: a message not yet recorded is fetched again and ingest finds it
/// a duplicate; a recorded one still in the folder is moved without being fetched again. UIDs only
/// pick messages: whether a message is stored is decided by its content hash, so a new UIDVALIDITY
/// (the folder rebuilt) refetches messages but stores nothing twice.
public struct MailboxFetch {
    public struct Options: Sendable {
        /// Where messages are written before ingest (`SPOOL/<mailbox>/<uidvalidity>-<uid>.eml`).
        public var spool: String
        /// Archive, quarantine and reading limits, as `dmarc ingest` takes them.
        public var ingest: IngestOptions
        public var jobs: Int
        /// Overrides of the mailbox's own settings from the command line.
        public var limit: Int?
        public var since: Day?
        public var leaveUnread: Bool?

        public init(
            spool: String, ingest: IngestOptions, jobs: Int = 1, limit: Int? = nil, since: Day? = nil,
            leaveUnread: Bool? = nil
        ) {
            self.spool = spool
            self.ingest = ingest
            self.jobs = jobs
            self.limit = limit
            self.since = since
            self.leaveUnread = leaveUnread
        }
    }

    public let mailbox: IMAPMailbox
    public let options: Options
    /// One line per event, `key=value` fields, for the journal.
    public let log: (String) -> Void

    public init(mailbox: IMAPMailbox, options: Options, log: @escaping (String) -> Void) {
        self.mailbox = mailbox
        self.options = options
        self.log = log
    }

    /// Runs the fetch; failures of the server or the database end it early, in the summary.
    public func run(password: String, connections: [PostgresConnection]) -> FetchSummary {
        var summary = FetchSummary(mailbox: mailbox.name)
        do {
            try fetch(password: password, connections: connections, into: &summary)
        } catch let error as CurlError {
            summary.failure = "IMAP \(mailbox.displayURL): \(error)"
            summary.failureStatus = error.code == .login ? 77 : 75
        } catch let error as PostgresError {
            summary.failure = "database: \(error)"
            summary.failureStatus = 75
        } catch let error as FetchFailure {
            summary.failure = error.message
            summary.failureStatus = error.status
        } catch {
            summary.failure = "\(error)"
            summary.failureStatus = 70
        }
        if let failure = summary.failure { log("fetch-failed mailbox=\(mailbox.name) reason=\(Self.field(failure))") }
        return summary
    }

    private func fetch(password: String, connections: [PostgresConnection], into summary: inout FetchSummary) throws {
        guard let database = connections.first else { throw FetchFailure(message: "no database connection", status: 70) }
        let client = try IMAPClient(mailbox: mailbox, password: password)
        let capabilities = try client.capabilities()
        summary.moveMethod = capabilities.contains("MOVE") ? "MOVE" : "COPY + EXPUNGE"
        let (uidValidity, uidNext) = try client.status()
        summary.uidValidity = uidValidity
        try client.ensureFolder(mailbox.processedFolder)
        if let folder = mailbox.noReportFolder { try client.ensureFolder(folder) }
        var criteria = "UNDELETED"
        if let since = options.since ?? mailbox.since { criteria += " SINCE \(Self.imapDate(since))" }
        let present = try client.search(criteria, uidValidity: uidValidity, uidNext: uidNext)
        let known = try Ledger(connection: database, mailbox: mailbox.name, uidValidity: uidValidity)
        log(
            "fetch-start mailbox=\(mailbox.name) uidvalidity=\(uidValidity) present=\(present.count) known=\(known.rows.count) move=\(Self.field(summary.moveMethod))"
        )

        // Moves a crashed run recorded but did not finish (or finished without recording).
        let presentSet = Set(present)
        var pending: [String: [UInt32]] = [:]
        for (uid, row) in known.rows {
            guard let target = row.target, !row.moved else { continue }
            if presentSet.contains(uid) { pending[target, default: []].append(uid) }
        }
        let leaveUnread = options.leaveUnread ?? mailbox.leaveUnread
        for (target, uids) in pending.sorted(by: { $0.key < $1.key }) {
            if target == mailbox.processedFolder, !leaveUnread {
                try client.store(uids, "+FLAGS.SILENT (\\Seen)", uidValidity: uidValidity)
            }
            try client.move(uids, to: target, uidValidity: uidValidity, capabilities: capabilities)
            summary.moved += uids.count
            log("fetch-resumed-move mailbox=\(mailbox.name) messages=\(uids.count) target=\(Self.field(target))")
        }
        try known.markMoved(known.rows.filter { $0.value.target != nil && !$0.value.moved }.map(\.key))

        var waiting = present.filter { known.rows[$0] == nil }
        summary.waiting = waiting.count
        if let limit = options.limit ?? mailbox.limit, waiting.count > limit { waiting = Array(waiting.prefix(limit)) }
        let spool = options.spool + "/" + mailbox.name
        try Self.makeDirectory(spool)
        let ingest = ParallelIngest(jobs: options.jobs, options: options.ingest)
        var batchNumber = 0
        for start in stride(from: 0, to: waiting.count, by: mailbox.batchSize) {
            batchNumber += 1
            let uids = Array(waiting[start..<min(start + mailbox.batchSize, waiting.count)])
            // A connection per batch: libcurl counts every response line of a handle's life against
            // a 300 KiB limit meant for HTTP headers, which a long run would otherwise reach.
            let client = try IMAPClient(mailbox: mailbox, password: password)
            let unseen = Set(try client.search("UID \(IMAPClient.set(uids)) UNSEEN", uidValidity: uidValidity))
            var fetched: [(uid: UInt32, path: String, digest: [UInt8])] = []
            for uid in uids {
                guard
                    let bytes = try client.fetch(
                        uid: uid, uidValidity: uidValidity, limit: options.ingest.limits.maxMessageBytes + 1)
                else { continue }  // gone meanwhile: another client moved it
                let path = "\(spool)/\(uidValidity)-\(uid).eml"
                do {
                    try DurableFile.write(bytes, to: path)
                } catch {
                    throw FetchFailure(message: "cannot write \(path): \(error)", status: 74)
                }
                fetched.append((uid, path, Array(SHA256.hash(data: bytes))))
                summary.fetched += 1
                FaultPoint.afterIMAPFetch.reach()
            }
            let result = try ingest.ingest(files: fetched.map(\.path), connections: connections)
            summary.ingest.add(result)
            if let failure = result.databaseFailure {
                throw FetchFailure(message: "database unavailable: \(failure)", status: 75)
            }
            // What the ledger says of each message decides what happens to it on the server.
            var outcomes: [(uid: UInt32, status: MessageStatus, target: String?, digest: [UInt8])] = []
            for message in fetched {
                guard let status = try known.status(ofContent: message.digest) else {
                    throw FetchFailure(message: "the ledger has no row for \(message.path); nothing was moved", status: 75)
                }
                let target = status == .stored ? mailbox.processedFolder : mailbox.noReportFolder
                outcomes.append((message.uid, status, target, message.digest))
            }
            try known.record(outcomes)
            FaultPoint.afterIMAPRecord.reach()
            // Recorded, and their bytes are in the database's originals: what ingest did not move to
            // the archive or the quarantine leaves the spool.
            for message in fetched { unlink(message.path) }
            // Fetching set \Seen: undo it where the message stays or is to stay unread.
            let stored = outcomes.filter { $0.status == .stored }.map(\.uid)
            let others = outcomes.filter { $0.status != .stored }
            let restore = outcomes.filter { unseen.contains($0.uid) && (leaveUnread || $0.status != .stored) }.map(\.uid)
            try client.store(restore, "-FLAGS.SILENT (\\Seen)", uidValidity: uidValidity)
            if !leaveUnread { try client.store(stored, "+FLAGS.SILENT (\\Seen)", uidValidity: uidValidity) }
            try client.move(stored, to: mailbox.processedFolder, uidValidity: uidValidity, capabilities: capabilities)
            if let folder = mailbox.noReportFolder {
                try client.move(others.map(\.uid), to: folder, uidValidity: uidValidity, capabilities: capabilities)
            }
            FaultPoint.afterIMAPMove.reach()
            let moved = outcomes.filter { $0.target != nil }.map(\.uid)
            try known.markMoved(moved)
            summary.moved += moved.count
            summary.stored += stored.count
            summary.withoutReport += others.filter { $0.status == .noReport }.count
            summary.rejected += others.filter { $0.status == .rejected }.count
            log(
                "fetch-batch mailbox=\(mailbox.name) batch=\(batchNumber) fetched=\(fetched.count) stored=\(stored.count) reports=\(result.reports) rows=\(result.rows) without_report=\(others.filter { $0.status == .noReport }.count) rejected=\(others.filter { $0.status == .rejected }.count) moved=\(moved.count)"
            )
        }
        log(
            "fetch-done mailbox=\(mailbox.name) fetched=\(summary.fetched) stored=\(summary.stored) reports=\(summary.ingest.reports) rows=\(summary.ingest.rows) moved=\(summary.moved)"
        )
    }

    // MARK: Helpers

    /// `1-Jan-2026`: IMAP's date for SEARCH SINCE.
    static func imapDate(_ day: Day) -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let (year, month, dayOfMonth) = day.components
        return "\(dayOfMonth)-\(months[month - 1])-\(year)"
    }

    /// A log field's value: quoted when it has spaces or quotes.
    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw FetchFailure(message: "cannot create the spool \(path): \(error.localizedDescription)", status: 73)
        }
    }
}

/// What a fetched message turned out to be, from the ledger.
enum MessageStatus: String, Sendable {
    /// Its reports are stored (ingested now or before, or a conflicting resend kept in originals).
    case stored
    case noReport = "no_report"
    case rejected
}

/// A reason the fetch stopped that is neither the server's nor the database's error.
struct FetchFailure: Error, Sendable {
    var message: String
    var status: Int32
}
