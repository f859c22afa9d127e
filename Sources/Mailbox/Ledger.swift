import Postgres

/// The `imap_messages` rows of one mailbox and UIDVALIDITY: which UIDs were handled, where each
/// is to go and whether it went.
final class Ledger {
    struct Row {
        var status: MessageStatus
        var target: String?
        var moved: Bool
    }

    private let connection: PostgresConnection
    private let mailbox: String
    private let uidValidity: UInt32
    private(set) var rows: [UInt32: Row] = [:]

    init(connection: PostgresConnection, mailbox: String, uidValidity: UInt32) throws {
        self.connection = connection
        self.mailbox = mailbox
        self.uidValidity = uidValidity
        let result = try connection.query(
            "SELECT uid, status, target, moved_at IS NOT NULL FROM imap_messages WHERE mailbox = $1 AND uidvalidity = $2",
            [mailbox, String(uidValidity)])
        for row in result.rows {
            guard let uid = row.int64(0).flatMap({ UInt32(exactly: $0) }), let status = row.string(1).flatMap(MessageStatus.init)
            else { continue }
            rows[uid] = Row(status: status, target: row.string(2), moved: row.bool(3) ?? false)
        }
    }

    /// What the ingest ledger says of this content, its latest row: nil when it has none (not processed).
    func status(ofContent digest: [UInt8]) throws -> MessageStatus? {
        let result = try connection.query(
            "SELECT status FROM input_files WHERE sha256 = decode($1, 'hex') ORDER BY id DESC LIMIT 1",
            [Self.hex(digest)], prepared: true)
        guard let status = result.first?.string(0) else { return nil }
        switch status {
        case "ingested", "duplicate", "conflict": return .stored
        case "no_report": return .noReport
        default: return .rejected
        }
    }

    /// Records a batch's messages in one transaction, before any of them is moved.
    func record(_ outcomes: [(uid: UInt32, status: MessageStatus, target: String?, digest: [UInt8])]) throws {
        guard !outcomes.isEmpty else { return }
        try connection.transaction {
            for outcome in outcomes {
                try connection.query(
                    """
                    INSERT INTO imap_messages (mailbox, uidvalidity, uid, sha256, status, target)
                    VALUES ($1, $2, $3, decode($4, 'hex'), $5, $6)
                    ON CONFLICT (mailbox, uidvalidity, uid) DO NOTHING
                    """,
                    [
                        mailbox, String(uidValidity), String(outcome.uid), Self.hex(outcome.digest), outcome.status.rawValue,
                        outcome.target,
                    ], prepared: true)
                rows[outcome.uid] = Row(status: outcome.status, target: outcome.target, moved: false)
            }
        }
    }

    /// Notes that the server confirmed these messages' moves.
    func markMoved(_ uids: [UInt32]) throws {
        guard !uids.isEmpty else { return }
        try connection.query(
            """
            UPDATE imap_messages SET moved_at = now()
            WHERE mailbox = $1 AND uidvalidity = $2 AND uid = ANY($3::bigint[]) AND moved_at IS NULL
            """,
            [mailbox, String(uidValidity), "{" + uids.map(String.init).joined(separator: ",") + "}"])
        for uid in uids { rows[uid]?.moved = true }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
