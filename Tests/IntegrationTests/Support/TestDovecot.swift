import Foundation
import Testing

/// A real Dovecot IMAP server for one test: its own configuration, passwd file and Maildir in a
/// temporary directory, listening on a free loopback port (plain IMAP: loopback only).
///
/// Messages are delivered by writing them into the Maildir's `new/`, as a local delivery agent
/// would; the test reads folders back the same way (Maildir++: a folder is `.NAME/`).
final class TestDovecot {
    let root: String
    let port: Int
    /// The IMAPS port when made with `tls`; its certificate (self-signed for 127.0.0.1) is `certificate`.
    let tlsPort: Int?
    let user = "reports"
    let password: String
    private var pid: pid_t = 0
    private let owner: (uid: uid_t, gid: gid_t, name: String)

    /// `capabilities`: Dovecot's `imap_capability` (e.g. without MOVE); nil: Dovecot's own.
    /// `tls`: a certificate made here with openssl, IMAPS on `tlsPort` and STARTTLS on `port`.
    init(capabilities: String? = nil, tls: Bool = false) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/dovecot") else {
            throw DovecotError("dovecot is not installed (scripts/setup installs dovecot-imapd)")
        }
        root = try makeTemporaryDirectory(prefix: "dmarc-dovecot-")
        port = try LoopbackPort.free()
        tlsPort = tls ? try LoopbackPort.free() : nil
        password = "pw-\(UInt64.random(in: 0...UInt64.max))"
        // Mail processes never run as root: as root the mailbox belongs to nobody.
        owner = getuid() == 0 ? (65_534, 65_534, "nobody") : (getuid(), getgid(), String(cString: getpwuid(getuid()).pointee.pw_name))
        let home = root + "/home/" + user
        for folder in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(atPath: "\(home)/Maildir/\(folder)", withIntermediateDirectories: true)
        }
        try "\(user):{PLAIN}\(password)\n".write(toFile: root + "/passwd", atomically: true, encoding: .utf8)
        var ssl = "ssl = no"
        if tlsPort != nil {
            let made = try PackageTests.run([
                "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", root + "/key.pem", "-out", root + "/cert.pem",
            ])
            guard made.status == 0 else { throw DovecotError("openssl: \(made.output)") }
            ssl = "ssl = yes\nssl_cert = <\(root)/cert.pem\nssl_key = <\(root)/key.pem"
        }
        var configuration = """
            base_dir = \(root)/run
            state_dir = \(root)/run/state
            log_path = \(root)/dovecot.log
            protocols = imap
            listen = 127.0.0.1
            \(ssl)
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u \(root)/passwd
            }
            userdb {
              driver = static
              args = uid=\(owner.uid) gid=\(owner.gid) home=\(root)/home/%u
            }
            mail_location = maildir:~/Maildir
            service imap-login {
              chroot =
              inet_listener imap {
                port = \(port)
              }
              inet_listener imaps {
                port = \(tlsPort ?? 0)
              }
            }
            service anvil {
              chroot =
            }

            """
        if getuid() != 0 {
            configuration += "default_login_user = \(owner.name)\ndefault_internal_user = \(owner.name)\n"
        }
        if let capabilities { configuration += "imap_capability = \(capabilities)\n" }
        try configuration.write(toFile: root + "/dovecot.conf", atomically: true, encoding: .utf8)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    var maildir: String { root + "/home/" + user + "/Maildir" }
    var certificate: String { root + "/cert.pem" }

    /// Writes messages into INBOX's `new/` (before or while the server runs).
    func deliver(_ messages: [String]) throws {
        for (i, message) in messages.enumerated() {
            let name = "\(1_800_000_000 + i).M\(i)P1.test"
            try message.write(toFile: "\(maildir)/new/\(name)", atomically: false, encoding: .utf8)
        }
        try chownTree()
    }

    /// Starts the server and waits until it accepts connections.
    func start() throws {
        try chownTree()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, root + "/stdout", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, root + "/stderr", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let arguments = ["/usr/sbin/dovecot", "-F", "-c", root + "/dovecot.conf"]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // Its own process group, so that stop reaches every Dovecot process; no signal blocked, as
        // the test process may block some and a child inherits the mask (Dovecot then ignores SIGTERM).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))
        let result = posix_spawn(&pid, "/usr/sbin/dovecot", &actions, &attributes, argv, environ)
        guard result == 0 else { throw DovecotError("cannot start dovecot: \(result)") }
        // Readiness, not a timing guess: try to connect until the listener answers (or dovecot died).
        for _ in 0..<600 {
            if Self.accepts(port: port) { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                throw DovecotError("dovecot exited: \(log)")
            }
            usleep(50_000)
        }
        throw DovecotError("dovecot did not listen on port \(port): \(log)")
    }

    /// Stops the server (all its processes, at once: clients lose their connections) and waits for it.
    func stop() {
        guard pid > 0 else { return }
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        pid = 0
    }

    var log: String {
        ((try? String(contentsOfFile: root + "/dovecot.log", encoding: .utf8)) ?? "")
            + ((try? String(contentsOfFile: root + "/stderr", encoding: .utf8)) ?? "")
    }

    /// The messages in a folder (nil: INBOX) with their Maildir flags (`S` seen, `T` deleted).
    func messages(in folder: String? = nil) -> [(name: String, flags: String)] {
        let directory = folder.map { "\(maildir)/.\($0)" } ?? maildir
        var found: [(String, String)] = []
        for sub in ["new", "cur"] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/\(sub)")) ?? [] {
                let flags = name.range(of: ":2,").map { String(name[$0.upperBound...]) } ?? ""
                found.append((name, flags))
            }
        }
        return found.sorted { $0.0 < $1.0 }
    }

    /// The contents of the messages in a folder, sorted.
    func contents(in folder: String? = nil) -> [String] {
        let directory = folder.map { "\(maildir)/.\($0)" } ?? maildir
        return messages(in: folder).compactMap { message in
            ["new", "cur"].lazy.compactMap {
                try? String(contentsOfFile: "\(directory)/\($0)/\(message.name)", encoding: .utf8)
            }.first
        }.sorted()
    }

    /// A configuration file for `dmarc` with this server as its one imap input.
    /// `security` and `port` as the configuration writes them (default: plain on `port`).
    func configuration(
        in directory: String, extra: String = "", imapExtra: String = "", name: String = "rua",
        security: String = "plain", port: Int? = nil
    ) throws -> String {
        try password.write(toFile: directory + "/imap-password", atomically: true, encoding: .utf8)
        let text = """
            spool: spool
            \(extra)
            inputs:
              - imap:
                  name: \(name)
                  host: 127.0.0.1
                  port: \(port ?? self.port)
                  security: \(security)
                  user: \(user)
                  password_file: imap-password
            \(imapExtra)
            """
        let path = directory + "/dmarc.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func chownTree() throws {
        guard getuid() == 0 else { return }
        let enumerator = FileManager.default.enumerator(atPath: root + "/home")
        chown(root + "/home", owner.uid, owner.gid)
        while let relative = enumerator?.nextObject() as? String {
            chown(root + "/home/" + relative, owner.uid, owner.gid)
        }
    }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

struct DovecotError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Mail messages carrying generated aggregate reports, each with figures known by construction:
/// report `i` is for `kunde.example`, id `fetch-i`, two rows with counts 1 and 2.
enum ReportMail {
    static func message(_ index: Int, domain: String = "kunde.example") -> String {
        let begin = 1_793_923_200 + Int64(index % 30) * 86_400
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <feedback>
              <report_metadata><org_name>Receiver</org_name><email>noreply@receiver.example</email>
                <report_id>fetch-\(index)</report_id><date_range><begin>\(begin)</begin><end>\(begin + 86_399)</end></date_range>
              </report_metadata>
              <policy_published><domain>\(domain)</domain><p>none</p></policy_published>
              <record><row><source_ip>192.0.2.\(index % 250 + 1)</source_ip><count>1</count>
                <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>
                <identifiers><header_from>\(domain)</header_from></identifiers>
                <auth_results><dkim><domain>\(domain)</domain><result>pass</result></dkim><spf><domain>\(domain)</domain><result>pass</result></spf></auth_results></record>
              <record><row><source_ip>198.51.100.\(index % 250 + 1)</source_ip><count>2</count>
                <policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
                <identifiers><header_from>\(domain)</header_from></identifiers>
                <auth_results><spf><domain>other.example</domain><result>fail</result></spf></auth_results></record>
            </feedback>
            """
        let encoded = Data(xml.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return """
            From: noreply@receiver.example\r
            To: rua@provider.example\r
            Subject: Report Domain: \(domain) Submitter: receiver.example Report-ID: fetch-\(index)\r
            Message-ID: <fetch-\(index)@receiver.example>\r
            Date: Sat, 7 Nov 2026 09:30:02 +0000\r
            MIME-Version: 1.0\r
            Content-Type: application/xml\r
            Content-Transfer-Encoding: base64\r
            Content-Disposition: attachment; filename="receiver.example!\(domain)!\(begin)!\(begin + 86_399).xml"\r
            \r
            \(encoded)\r

            """
    }

    /// A message with no report in it (a bounce-like note): fetch must leave it, never delete it.
    static func withoutReport(_ index: Int) -> String {
        """
        From: postmaster@receiver.example\r
        To: rua@provider.example\r
        Subject: Out of office \(index)\r
        Message-ID: <note-\(index)@receiver.example>\r
        Date: Sat, 7 Nov 2026 09:30:02 +0000\r
        Content-Type: text/plain\r
        \r
        I am away this week.\r

        """
    }
}
