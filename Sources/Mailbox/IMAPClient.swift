import Curl
import SiteConfiguration

/// The IMAP commands `dmarc fetch` needs, over one libcurl session (one connection, one login).
///
/// libcurl speaks the protocol (login, TLS, literals, tags); this type builds the URLs and commands
/// and reads the few untagged responses it needs. Server text is hostile: numbers are parsed
/// strictly and anything unexpected is an error, never a guess.
final class IMAPClient {
    private let session: CurlSession
    private let base: String
    private let folder: String

    init(mailbox: IMAPMailbox, password: String) throws(CurlError) {
        let scheme = mailbox.security == .tls ? "imaps" : "imap"
        let host = mailbox.host.contains(":") ? "[\(mailbox.host)]" : mailbox.host
        base = "\(scheme)://\(host):\(mailbox.port)/"
        folder = mailbox.folder
        session = try CurlSession(
            options: CurlSession.Options(
                user: mailbox.user, password: password, requireStartTLS: mailbox.security == .starttls,
                caFile: mailbox.caFile))
    }

    /// The server's capabilities after login (`MOVE`, `UIDPLUS`), upper-cased.
    func capabilities() throws(CurlError) -> Set<String> {
        let lines = try untagged(url: base, request: "CAPABILITY")
        var names = Set<String>()
        for line in lines where line.hasPrefix("CAPABILITY ") {
            for word in line.dropFirst("CAPABILITY ".count).split(separator: " ") { names.insert(word.uppercased()) }
        }
        return names
    }

    /// The folder's UIDVALIDITY and UIDNEXT, from `STATUS` (no need to select it).
    func status() throws(CurlError) -> (uidValidity: UInt32, uidNext: UInt32) {
        let lines = try untagged(url: base, request: "STATUS \(Self.quoted(folder)) (UIDVALIDITY UIDNEXT)")
        for line in lines where line.uppercased().hasPrefix("STATUS ") {
            guard let open = line.lastIndex(of: "(") else { continue }
            let words = line[line.index(after: open)...].split(whereSeparator: { $0 == " " || $0 == ")" })
            func value(_ name: String) -> UInt32? {
                guard let at = words.firstIndex(where: { $0.uppercased() == name }), at + 1 < words.count else { return nil }
                return UInt32(words[at + 1])
            }
            if let validity = value("UIDVALIDITY"), validity > 0, let next = value("UIDNEXT"), next > 0 {
                return (validity, next)
            }
        }
        throw CurlError(code: .connection, curlCode: 0, message: "the server sent no UIDVALIDITY and UIDNEXT for '\(folder)'")
    }

    /// Creates `name` unless it exists.
    func ensureFolder(_ name: String) throws(CurlError) {
        let listed = try untagged(url: base, request: "LIST \"\" \(Self.quoted(name))")
        if listed.contains(where: { $0.uppercased().hasPrefix("LIST ") }) { return }
        _ = try session.perform(url: base, request: "CREATE \(Self.quoted(name))")
    }

    /// UIDs below `uidNext` matching `criteria` (`UNDELETED SINCE 1-Jan-2026`), ascending. Asked
    /// for in windows of UIDs: libcurl keeps only the first 16 KiB of a response line, and one
    /// SEARCH line over a large backlog is longer. The URL names UIDVALIDITY: libcurl fails the
    /// command (`.notFound`) when it is no longer the same.
    func search(_ criteria: String, uidValidity: UInt32, uidNext: UInt32) throws(CurlError) -> [UInt32] {
        var uids: [UInt32] = []
        var low: UInt32 = 1
        while low < uidNext {
            let high = uidNext - 1 - low < Self.searchWindow ? uidNext - 1 : low + Self.searchWindow - 1
            uids += try search("UID \(low):\(high) \(criteria)", uidValidity: uidValidity)
            low = high + 1
        }
        return Set(uids).sorted()
    }

    /// UIDs per SEARCH: 1,000 numbers of up to 10 digits stay below libcurl's line limit.
    static let searchWindow: UInt32 = 1_000

    /// One `UID SEARCH` whose answer is known to be short (a window, a batch's UIDs).
    func search(_ criteria: String, uidValidity: UInt32) throws(CurlError) -> [UInt32] {
        let lines = try untagged(url: selected(uidValidity), request: "UID SEARCH \(criteria)")
        var uids: [UInt32] = []
        for line in lines where line.uppercased().hasPrefix("SEARCH") {
            guard line.utf8.count < 16_000 else {
                throw CurlError(code: .connection, curlCode: 0, message: "a SEARCH response too long to be whole")
            }
            for word in line.split(separator: " ").dropFirst() {
                guard let uid = UInt32(word), uid > 0 else {
                    throw CurlError(code: .connection, curlCode: 0, message: "unreadable SEARCH response from the server")
                }
                uids.append(uid)
            }
        }
        return Set(uids).sorted()
    }

    /// The message's bytes; nil when the UID is gone (moved or expunged by someone else meanwhile).
    func fetch(uid: UInt32, uidValidity: UInt32, limit: Int) throws(CurlError) -> [UInt8]? {
        do {
            return try session.perform(url: "\(selected(uidValidity))/;UID=\(uid)", bodyLimit: limit)
        } catch where error.code == .notFound {
            return nil
        }
    }

    /// `UID STORE set ±FLAGS.SILENT (flags)`.
    func store(_ uids: [UInt32], _ change: String, uidValidity: UInt32) throws(CurlError) {
        guard !uids.isEmpty else { return }
        _ = try session.perform(url: selected(uidValidity), request: "UID STORE \(Self.set(uids)) \(change)")
    }

    /// Moves `uids` to `target`: `UID MOVE` where the server has MOVE, else `UID COPY`, `\Deleted`
    /// and `UID EXPUNGE` of exactly those UIDs (UIDPLUS; without it they stay flagged `\Deleted`
    /// and every search skips them, since a plain EXPUNGE would remove other clients' deletions too).
    func move(_ uids: [UInt32], to target: String, uidValidity: UInt32, capabilities: Set<String>) throws(CurlError) {
        guard !uids.isEmpty else { return }
        let url = selected(uidValidity)
        let set = Self.set(uids)
        if capabilities.contains("MOVE") {
            _ = try session.perform(url: url, request: "UID MOVE \(set) \(Self.quoted(target))")
            return
        }
        _ = try session.perform(url: url, request: "UID COPY \(set) \(Self.quoted(target))")
        _ = try session.perform(url: url, request: "UID STORE \(set) +FLAGS.SILENT (\\Deleted)")
        if capabilities.contains("UIDPLUS") {
            _ = try session.perform(url: url, request: "UID EXPUNGE \(set)")
        }
    }

    // MARK: Helpers

    /// The folder with its UIDVALIDITY in the URL, percent-encoded as a path segment.
    private func selected(_ uidValidity: UInt32) -> String {
        "\(base)\(Self.percentEncoded(folder));UIDVALIDITY=\(uidValidity)"
    }

    /// The untagged responses (`* …` lines) of one command, without the `* `.
    private func untagged(url: String, request: String) throws(CurlError) -> [String] {
        let body = try session.perform(url: url, request: request, bodyLimit: 64 << 20)
        return String(decoding: body, as: UTF8.self)
            .split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .compactMap { $0.hasPrefix("* ") ? String($0.dropFirst(2)) : nil }
    }

    /// `1:3,7,9:10`: consecutive UIDs as ranges, so a batch is one short command.
    static func set(_ uids: [UInt32]) -> String {
        var parts: [String] = []
        var range: (first: UInt32, last: UInt32)?
        for uid in Set(uids).sorted() {
            if let current = range, uid == current.last &+ 1 {
                range = (current.first, uid)
                continue
            }
            if let current = range { parts.append(text(current)) }
            range = (uid, uid)
        }
        if let current = range { parts.append(text(current)) }
        return parts.joined(separator: ",")
    }

    private static func text(_ range: (first: UInt32, last: UInt32)) -> String {
        range.first == range.last ? "\(range.first)" : "\(range.first):\(range.last)"
    }

    /// An IMAP quoted string; the configuration admits no quote or backslash in folder names.
    static func quoted(_ name: String) -> String { "\"\(name)\"" }

    /// Everything but unreserved characters percent-encoded, for a folder name in the URL's path.
    static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }
}
