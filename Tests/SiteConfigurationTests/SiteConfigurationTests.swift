import SiteConfiguration
import Testing

@Suite("dmarc.yaml")
struct SiteConfigurationTests {
    static let full = """
        database: postgresql:///dmarc
        tenants: tenants.yaml
        archive: /var/lib/dmarc/archive
        quarantine: /var/lib/dmarc/quarantine
        metrics_file: /var/lib/node-exporter/dmarc.prom
        limits:
          max_message_mib: 128
          jobs: 2
        inputs:
          - directory: /srv/dmarc/incoming
          - maildir: mail/rua
          - imap:
              name: rua
              host: mail.example.com
              user: dmarc-reports
              password_file: /etc/dmarc/imap-password
              processed_folder: Reports/Done
              no_report_folder: Reports/Other
              batch_size: 50
              limit: 1000
              since: 2026-01-01
              leave_unread: yes
          - imap:
              name: local
              host: 127.0.0.1
              port: 1143
              security: plain
              user: reports
              password_env: DMARC_LOCAL_PASSWORD
        """

    @Test("alerts: and dns: read, defaults kept for absent keys; bad values named")
    func alertsAndDNS() throws {
        let configuration = try SiteConfiguration(
            yaml: """
                alerts:
                  new_failing_source: {min_messages: 25, quiet_days: 14}
                  pass_rate_drop: {enabled: no}
                  reports_missing: {silent_days: 4}
                  provider_wide: {min_tenants: 5}
                  reminder_days: 3
                  operators: ops@provider.example
                dns:
                  enabled: true
                  resolver: "[2001:db8::53]:53"
                  tries: 2
                """, path: "/etc/dmarc/dmarc.yaml")
        var expected = AlertSettings()
        expected.newFailingSource.minMessages = 25
        expected.newFailingSource.quietDays = 14
        expected.passRateDrop.enabled = false
        expected.reportsMissing.silentDays = 4
        expected.providerWide.minTenants = 5
        expected.reminderDays = 3
        expected.operators = "ops@provider.example"
        #expect(configuration.alerts == expected)
        #expect(configuration.dns.enabled && configuration.dns.resolver == "[2001:db8::53]:53" && configuration.dns.tries == 2)
        #expect(configuration.dns.timeoutMilliseconds == 2_000)
        #expect(try SiteConfiguration(yaml: "", path: "/x.yaml").alerts == AlertSettings())
        #expect(try !SiteConfiguration(yaml: "", path: "/x.yaml").dns.enabled)

        for (yaml, field) in [
            ("alerts: {pass_rate_drop: {below_percent: 101}}", "alerts.pass_rate_drop.below_percent"),
            ("alerts: {operators: not an address}", "alerts.operators"),
            ("alerts: {reports_missing: {silent: 3}}", "alerts.reports_missing.silent"),
            ("dns: {resolver: 127.0.0.1}", "dns.resolver"),
        ] {
            #expect(throws: SiteConfigurationError.self, "\(yaml)") { try SiteConfiguration(yaml: yaml, path: "/x.yaml") }
            do {
                _ = try SiteConfiguration(yaml: yaml, path: "/x.yaml")
            } catch {
                #expect("\(error)".contains(field), "\(error)")
            }
        }
    }

    @Test("every key read; relative paths resolved against the file's directory; defaults filled in")
    func readsEverything() throws {
        let configuration = try SiteConfiguration(yaml: Self.full, path: "/etc/dmarc/dmarc.yaml")
        #expect(configuration.database == "postgresql:///dmarc")
        #expect(configuration.tenants == "/etc/dmarc/tenants.yaml")
        #expect(configuration.archive == "/var/lib/dmarc/archive")
        #expect(configuration.spool == "/var/lib/dmarc/spool")
        #expect(configuration.metricsFile == "/var/lib/node-exporter/dmarc.prom")
        #expect(configuration.limits == SiteConfiguration.Limits(maxMessageMiB: 128, jobs: 2))
        #expect(configuration.inputs.count == 4)
        #expect(configuration.inputs[0] == .directory("/srv/dmarc/incoming"))
        #expect(configuration.inputs[1] == .maildir("/etc/dmarc/mail/rua"))
        guard case .imap(let rua) = configuration.inputs[2], case .imap(let local) = configuration.inputs[3] else {
            Issue.record("inputs 3 and 4 are not imap: \(configuration.inputs)")
            return
        }
        #expect(rua.port == 993 && rua.security == .tls && rua.folder == "INBOX")
        #expect(rua.password == .file("/etc/dmarc/imap-password"))
        #expect(rua.processedFolder == "Reports/Done" && rua.noReportFolder == "Reports/Other")
        #expect(rua.batchSize == 50 && rua.limit == 1000 && rua.leaveUnread)
        #expect(rua.since.map { "\($0)" } == "2026-01-01")
        #expect(rua.displayURL == "imaps://mail.example.com:993/INBOX")
        #expect(local.port == 1143 && local.security == .plain && local.password == .environment("DMARC_LOCAL_PASSWORD"))
        #expect(local.batchSize == 200 && local.processedFolder == "dmarc-processed" && !local.leaveUnread)
    }

    @Test("an empty file is every default")
    func empty() throws {
        let configuration = try SiteConfiguration(yaml: "", path: "/etc/dmarc/dmarc.yaml")
        #expect(configuration.inputs.isEmpty && configuration.database == nil)
    }

    @Test(
        "mistakes name their line and field",
        arguments: [
            (
                "databse: x\n",
                "line 1, column 1: databse: unknown key 'databse'; did you mean 'database'? (allowed: database, tenants, archive, quarantine, spool, state_directory, metrics_file, inputs, limits, alerts, dns)"
            ),
            ("limits:\n  jobs: many\n", "line 2, column 9: limits.jobs: expected a whole number, found 'many'"),
            ("limits:\n  jobs: 0\n", "line 2, column 9: limits.jobs: 0 is out of range (1–64)"),
            ("inputs: /srv\n", "line 1, column 9: inputs: expected a list ([a, b] or '- a' lines), found the value '/srv'"),
            ("inputs:\n  - ftp: x\n", "line 2, column 5: inputs[0].ftp: unknown key 'ftp'; did you mean 'imap'? (allowed: directory, maildir, imap)"),
            (
                "inputs:\n  - imap:\n      name: a\n      host: mail.example.com\n      security: plain\n      user: u\n      password_env: P\n",
                "line 5, column 17: inputs[0].imap.security: plain IMAP sends the password in clear: only to a loopback host (127.0.0.1, ::1, localhost); use tls or starttls"
            ),
            (
                "inputs:\n  - imap:\n      name: a\n      host: mail.example.com\n      user: u\n",
                "line 3, column 7: inputs[0].imap.password_file: missing key 'password_file' (a file holding the password) or 'password_env' (a variable's name)"
            ),
            (
                "inputs:\n  - imap:\n      name: a\n      host: h\n      user: u\n      password_env: P\n      leave_unread: maybe\n",
                "line 7, column 21: inputs[0].imap.leave_unread: expected true or false, found 'maybe'"
            ),
            ("tenants: [a, b]\n", "line 1, column 10: tenants: expected a single value, found a list"),
        ])
    func mistakes(_ yaml: String, _ expected: String) {
        #expect(throws: SiteConfigurationError.self) { try SiteConfiguration(yaml: yaml, path: "/etc/dmarc/dmarc.yaml") }
        do {
            _ = try SiteConfiguration(yaml: yaml, path: "/etc/dmarc/dmarc.yaml")
        } catch {
            #expect(error.description == "/etc/dmarc/dmarc.yaml: " + expected)
        }
    }

    @Test("two mailboxes under one name are an error: the name keys what was fetched")
    func duplicateNames() {
        let yaml = """
            inputs:
              - imap: {name: rua, host: a.example, user: u, password_env: P}
              - imap: {name: rua, host: b.example, user: u, password_env: P}
            """
        #expect(throws: SiteConfigurationError.self) { try SiteConfiguration(yaml: yaml, path: "/x/dmarc.yaml") }
    }

    @Test("where the file is looked for: --config, DMARC_CONFIG, /etc/dmarc/dmarc.yaml")
    func location() {
        #expect(SiteConfiguration.location(explicit: "/a.yaml", environment: ["DMARC_CONFIG": "/b.yaml"]) == ("/a.yaml", "--config"))
        #expect(SiteConfiguration.location(explicit: nil, environment: ["DMARC_CONFIG": "/b.yaml"]) == ("/b.yaml", "DMARC_CONFIG"))
        #expect(SiteConfiguration.location(explicit: nil, environment: [:]) == ("/etc/dmarc/dmarc.yaml", "default"))
    }

    @Test("the password: the file's first line, or the variable; never empty")
    func password() throws {
        #expect(try IMAPMailbox.Password.environment("P").secret(environment: ["P": "s3cret"]) == "s3cret")
        #expect(throws: PasswordError.self) { try IMAPMailbox.Password.environment("P").secret(environment: [:]) }
        #expect(throws: PasswordError.self) { try IMAPMailbox.Password.environment("P").secret(environment: ["P": ""]) }
        #expect(throws: PasswordError.self) { try IMAPMailbox.Password.file("/nonexistent/pw").secret() }
    }
}
