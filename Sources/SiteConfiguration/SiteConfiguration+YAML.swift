import DMARC
import Foundation
import Resolver
import YAMLFields
import Yams

extension SiteConfiguration {
    /// Reads `dmarc.yaml`; errors name line, column and field. Relative paths in it are relative to
    /// the file's own directory, so a configuration and its tenants file can move together.
    public init(yaml: String, path: String) throws(SiteConfigurationError) {
        var reader = SiteConfigurationReader(path: path)
        do {
            self = try reader.read(yaml)
        } catch {
            throw SiteConfigurationError(path: path, error)
        }
    }

    /// Reads the file at `path`.
    public init(contentsOfFile given: String) throws(SiteConfigurationError) {
        // Absolute, so that the paths resolved against its directory stay right whatever the working directory.
        let path = given.hasPrefix("/") ? given : FileManager.default.currentDirectoryPath + "/" + given
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw SiteConfigurationError(
                path: path, YAMLFieldError(code: .unreadable, field: "", message: "the file \(reason)"))
        }
        guard let yaml = String(data: data, encoding: .utf8) else {
            throw SiteConfigurationError(
                path: path, YAMLFieldError(code: .unreadable, field: "", message: "the file is not UTF-8 text"))
        }
        try self.init(yaml: yaml, path: path)
    }
}

/// The keys of `dmarc.yaml` and what their values must be; the walking is `YAMLFields`.
struct SiteConfigurationReader {
    private var fields = YAMLFields()
    private let directory: String
    private let path: String

    /// Top-level sections. The console, DNS and alert issues add theirs here, each read by a
    /// function of its own like `readLimits`, so one file keeps configuring the whole tool.
    static let rootKeys = [
        "database", "tenants", "archive", "quarantine", "spool", "state_directory", "metrics_file", "inputs",
        "limits", "alerts", "dns",
    ]
    static let limitKeys = ["max_input_mib", "max_decompressed_mib", "max_archive_mib", "max_message_mib", "jobs"]
    static let inputKinds = ["directory", "maildir", "imap"]
    static let imapKeys = [
        "name", "host", "port", "security", "user", "password_file", "password_env", "folder", "processed_folder",
        "no_report_folder", "batch_size", "limit", "since", "leave_unread", "ca_file",
    ]

    init(path: String) {
        self.path = path
        let cut = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        directory = cut.isEmpty ? "/" : cut
    }

    mutating func read(_ yaml: String) throws(YAMLFieldError) -> SiteConfiguration {
        guard let root = try YAMLFields.compose(yaml) else {
            // An empty file is a valid configuration: every default.
            return SiteConfiguration(path: path)
        }
        let values = try fields.mapping(root, path: "", allowed: Self.rootKeys)
        var configuration = SiteConfiguration(path: path)
        configuration.database = try values["database"].map { node throws(YAMLFieldError) in
            try fields.text(node, path: "database")
        }
        configuration.tenants = try optionalPath(values["tenants"], field: "tenants")
        configuration.archive = try optionalPath(values["archive"], field: "archive")
        configuration.quarantine = try optionalPath(values["quarantine"], field: "quarantine")
        if let spool = try optionalPath(values["spool"], field: "spool") { configuration.spool = spool }
        if let state = try optionalPath(values["state_directory"], field: "state_directory") {
            configuration.stateDirectory = state
        }
        configuration.metricsFile = try optionalPath(values["metrics_file"], field: "metrics_file")
        if let node = values["limits"] { configuration.limits = try readLimits(node) }
        if let node = values["alerts"] { configuration.alerts = try readAlerts(node) }
        if let node = values["dns"] { configuration.dns = try readDNS(node) }
        if let node = values["inputs"] {
            var names: [String: Node] = [:]
            for (i, item) in try fields.list(node, path: "inputs").enumerated() {
                let input = try readInput(item, path: "inputs[\(i)]")
                if case .imap(let mailbox) = input {
                    // The name keys the ledger of fetched messages: two mailboxes under one name would share it.
                    if names[mailbox.name] != nil {
                        throw fields.error(
                            .badValue, at: item, path: "inputs[\(i)].imap.name",
                            "the name '\(mailbox.name)' is used by another mailbox; give each its own")
                    }
                    names[mailbox.name] = item
                }
                configuration.inputs.append(input)
            }
        }
        return configuration
    }

    private mutating func readLimits(_ node: Node) throws(YAMLFieldError) -> SiteConfiguration.Limits {
        let values = try fields.mapping(node, path: "limits", allowed: Self.limitKeys)
        var limits = SiteConfiguration.Limits()
        // 1 TiB: past any report, and far from overflowing a byte count (as `ingest`'s options).
        let mib = 1...(1 << 20)
        limits.maxInputMiB = try optionalInteger(values["max_input_mib"], "limits.max_input_mib", mib)
        limits.maxDecompressedMiB = try optionalInteger(values["max_decompressed_mib"], "limits.max_decompressed_mib", mib)
        limits.maxArchiveMiB = try optionalInteger(values["max_archive_mib"], "limits.max_archive_mib", mib)
        limits.maxMessageMiB = try optionalInteger(values["max_message_mib"], "limits.max_message_mib", mib)
        limits.jobs = try optionalInteger(values["jobs"], "limits.jobs", 1...64)
        return limits
    }

    static let alertKeys = [
        "new_failing_source", "pass_rate_drop", "reports_missing", "provider_wide", "reminder_days", "operators",
    ]

    /// `alerts:` — each rule a mapping of `enabled` and its thresholds; absent keys keep their defaults.
    private mutating func readAlerts(_ node: Node) throws(YAMLFieldError) -> AlertSettings {
        let values = try fields.mapping(node, path: "alerts", allowed: Self.alertKeys)
        var settings = AlertSettings()
        let days = 1...366, messages = 1...1_000_000_000, percent = 0...100
        try readRule(
            values["new_failing_source"], "new_failing_source", into: &settings.newFailingSource,
            [("min_messages", messages, \.minMessages), ("recent_days", days, \.recentDays), ("quiet_days", days, \.quietDays)])
        try readRule(
            values["pass_rate_drop"], "pass_rate_drop", into: &settings.passRateDrop,
            [("below_percent", percent, \.belowPercent), ("drop_points", 1...100, \.dropPoints), ("min_messages", messages, \.minMessages)])
        try readRule(
            values["reports_missing"], "reports_missing", into: &settings.reportsMissing,
            [("silent_days", days, \.silentDays), ("baseline_days", 2...366, \.baselineDays), ("min_days_percent", 1...100, \.minDaysPercent)])
        try readRule(
            values["provider_wide"], "provider_wide", into: &settings.providerWide,
            [("min_tenants", 2...100_000, \.minTenants), ("min_messages", messages, \.minMessages), ("recent_days", days, \.recentDays)])
        settings.reminderDays = try optionalInteger(values["reminder_days"], "alerts.reminder_days", days) ?? settings.reminderDays
        if let node = values["operators"] {
            let address = try fields.text(node, path: "alerts.operators")
            guard address.contains("@"), !address.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" }) else {
                throw fields.error(.badValue, at: node, path: "alerts.operators", "'\(address)' is no e-mail address")
            }
            settings.operators = address
        }
        return settings
    }

    /// One rule of `alerts:`: `enabled` and its integer thresholds, each within its range.
    private mutating func readRule<Rule: AlertRuleSettings>(
        _ node: Node?, _ name: String, into rule: inout Rule, _ thresholds: [(String, ClosedRange<Int>, WritableKeyPath<Rule, Int>)]
    ) throws(YAMLFieldError) {
        guard let node else { return }
        let path = "alerts.\(name)"
        let values = try fields.mapping(node, path: path, allowed: ["enabled"] + thresholds.map(\.0))
        if let flag = values["enabled"] { rule.enabled = try fields.boolean(flag, path: "\(path).enabled") }
        for (key, range, field) in thresholds {
            if let value = try optionalInteger(values[key], "\(path).\(key)", range) { rule[keyPath: field] = value }
        }
    }

    /// `dns:` — `enabled`, `resolver` (IP:PORT), `timeout_ms`, `tries`.
    private mutating func readDNS(_ node: Node) throws(YAMLFieldError) -> DNSSettings {
        let values = try fields.mapping(node, path: "dns", allowed: ["enabled", "resolver", "timeout_ms", "tries"])
        var settings = DNSSettings()
        if let flag = values["enabled"] { settings.enabled = try fields.boolean(flag, path: "dns.enabled") }
        if let node = values["resolver"] {
            let text = try fields.text(node, path: "dns.resolver")
            guard ResolverOptions.validServer(text) else {
                throw fields.error(
                    .badValue, at: node, path: "dns.resolver", "'\(text)' is no IP:PORT or [IPv6]:PORT, e.g. 127.0.0.1:53")
            }
            settings.resolver = text
        }
        settings.timeoutMilliseconds = try optionalInteger(values["timeout_ms"], "dns.timeout_ms", 1...60_000) ?? settings.timeoutMilliseconds
        settings.tries = try optionalInteger(values["tries"], "dns.tries", 1...10) ?? settings.tries
        return settings
    }

    /// `- directory: PATH`, `- maildir: PATH` or `- imap: {…}`: one key per list item.
    private mutating func readInput(_ node: Node, path: String) throws(YAMLFieldError) -> SiteConfiguration.Input {
        let values = try fields.mapping(node, path: path, allowed: Self.inputKinds)
        guard values.count == 1, let (kind, value) = values.first else {
            throw fields.error(
                .badValue, at: node, path: path,
                "each input is one of directory: PATH, maildir: PATH or imap: (a mapping); found \(values.count) keys")
        }
        switch kind {
        case "directory": return .directory(try resolvedPath(value, field: "\(path).directory"))
        case "maildir": return .maildir(try resolvedPath(value, field: "\(path).maildir"))
        default: return .imap(try readIMAP(value, path: "\(path).imap"))
        }
    }

    private mutating func readIMAP(_ node: Node, path: String) throws(YAMLFieldError) -> IMAPMailbox {
        let values = try fields.mapping(node, path: path, allowed: Self.imapKeys)
        let nameNode = try fields.required(values, "name", in: node, path: path)
        let name = try fields.text(nameNode, path: "\(path).name")
        guard name.utf8.count <= 64, name.unicodeScalars.allSatisfy({ Self.nameCharacters.contains($0) }) else {
            throw fields.error(
                .badValue, at: nameNode, path: "\(path).name",
                "'\(name)' is no mailbox name (letters, digits, '-', '_', '.'; 1–64 characters)")
        }
        let hostNode = try fields.required(values, "host", in: node, path: path)
        let host = try fields.text(hostNode, path: "\(path).host")
        guard Self.isHost(host) else {
            throw fields.error(.badValue, at: hostNode, path: "\(path).host", "'\(host)' is no host name or IP address")
        }
        var security = IMAPMailbox.Security.tls
        if let securityNode = values["security"] {
            let text = try fields.text(securityNode, path: "\(path).security")
            guard let value = IMAPMailbox.Security(rawValue: text.lowercased()) else {
                throw fields.error(
                    .badValue, at: securityNode, path: "\(path).security",
                    "unknown security '\(text)' (expected tls, starttls or plain)")
            }
            if value == .plain, !IMAPMailbox.isLoopback(host) {
                throw fields.error(
                    .badValue, at: securityNode, path: "\(path).security",
                    "plain IMAP sends the password in clear: only to a loopback host (127.0.0.1, ::1, localhost); use tls or starttls"
                )
            }
            security = value
        }
        let port = try optionalInteger(values["port"], "\(path).port", 1...65_535)
        let user = try fields.text(try fields.required(values, "user", in: node, path: path), path: "\(path).user")
        let password: IMAPMailbox.Password
        switch (values["password_file"], values["password_env"]) {
        case (let file?, nil): password = .file(try resolvedPath(file, field: "\(path).password_file"))
        case (nil, let variable?): password = .environment(try fields.text(variable, path: "\(path).password_env"))
        case (.some, .some):
            throw fields.error(
                .badValue, at: node, path: path, "give either password_file or password_env, not both")
        case (nil, nil):
            throw fields.error(
                .missingKey, at: node, path: "\(path).password_file",
                "missing key 'password_file' (a file holding the password) or 'password_env' (a variable's name)")
        }
        var mailbox = IMAPMailbox(
            name: name, host: host, port: port, security: security, user: user, password: password)
        if let node = values["folder"] { mailbox.folder = try folderName(node, field: "\(path).folder") }
        if let node = values["processed_folder"] {
            mailbox.processedFolder = try folderName(node, field: "\(path).processed_folder")
        }
        if let node = values["no_report_folder"] {
            mailbox.noReportFolder = try folderName(node, field: "\(path).no_report_folder")
        }
        if mailbox.processedFolder == mailbox.folder || mailbox.noReportFolder == mailbox.folder {
            throw fields.error(
                .badValue, at: node, path: "\(path).processed_folder",
                "the folder reports are moved to must differ from the folder they arrive in ('\(mailbox.folder)')")
        }
        if let size = try optionalInteger(values["batch_size"], "\(path).batch_size", 1...10_000) {
            mailbox.batchSize = size
        }
        mailbox.limit = try optionalInteger(values["limit"], "\(path).limit", 1...10_000_000)
        if let node = values["since"] {
            let text = try fields.text(node, path: "\(path).since")
            guard let day = Day(text) else {
                throw fields.error(
                    .badValue, at: node, path: "\(path).since", "'\(text)' is no date; write YYYY-MM-DD, e.g. 2026-03-01")
            }
            mailbox.since = day
        }
        if let node = values["leave_unread"] { mailbox.leaveUnread = try fields.boolean(node, path: "\(path).leave_unread") }
        mailbox.caFile = try optionalPath(values["ca_file"], field: "\(path).ca_file")
        return mailbox
    }

    // MARK: Values

    private static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.".unicodeScalars)

    /// A folder name as IMAP's quoted string carries it: printable, no quote, backslash or line break.
    private mutating func folderName(_ node: Node, field: String) throws(YAMLFieldError) -> String {
        let name = try fields.text(node, path: field)
        guard name.utf8.count <= 200, name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" })
        else {
            throw fields.error(
                .badValue, at: node, path: field,
                "'\(name)' is no folder name this tool sends (printable ASCII without quotes or backslashes)")
        }
        return name
    }

    private static func isHost(_ host: String) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        if Normalise.ipAddress(host) != nil { return true }
        return host.unicodeScalars.allSatisfy { nameCharacters.contains($0) } && !host.hasPrefix("-")
    }

    private mutating func optionalInteger(
        _ node: Node?, _ field: String, _ range: ClosedRange<Int>
    ) throws(YAMLFieldError) -> Int? {
        guard let node else { return nil }
        return try fields.integer(node, path: field, in: range)
    }

    private mutating func optionalPath(_ node: Node?, field: String) throws(YAMLFieldError) -> String? {
        guard let node else { return nil }
        return try resolvedPath(node, field: field)
    }

    private mutating func resolvedPath(_ node: Node, field: String) throws(YAMLFieldError) -> String {
        let value = try fields.text(node, path: field)
        guard !value.contains("\0") else { throw fields.error(.badValue, at: node, path: field, "a path with a NUL byte") }
        return value.hasPrefix("/") ? value : directory + "/" + value
    }
}
