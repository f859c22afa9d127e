import Foundation
import Testing

/// The Debian package as an operator gets it: built by scripts/package-deb (here from the debug
/// binary, to spare a release build), installed with `dpkg -i` into a temporary root (the machine
/// stays untouched), then run: `--version`, `config check` of the shipped example configuration,
/// the man page, and the systemd units checked by `systemd-analyze verify`.
@Suite("Debian package")
struct PackageTests {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Runs a program; its status and what it printed (stdout and stderr together).
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("built, installed with dpkg -i, and run: --version, config check, man page, units verified")
    func buildInstallRun() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/dpkg-deb") else {
            Issue.record("dpkg-deb is missing: this test needs a Debian system")
            return
        }
        let directory = try makeTemporaryDirectory(prefix: "dmarc-package-")
        let built = try Self.run([Self.checkout + "/scripts/package-deb", "--binary", DMARCBinary.path, "--output", directory])
        #expect(built.status == 0, "\(built.output)")
        let deb = built.output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(deb.hasPrefix(directory + "/dmarc_0.1.0_") && deb.hasSuffix(".deb"), "\(built.output)")

        let root = directory + "/root"
        for sub in ["var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "etc"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(sub)", withIntermediateDirectories: true)
        }
        _ = FileManager.default.createFile(atPath: root + "/var/lib/dpkg/status", contents: Data())
        // The temporary root has no Debian packages of its own: their absence is not the package's fault.
        let installed = try Self.run([
            "/usr/bin/dpkg", "--root=" + root, "--force-depends", "--force-script-chrootless", "--force-not-root", "-i", deb,
        ])
        #expect(installed.status == 0, "\(installed.output)")
        #expect(installed.output.contains("Setting up dmarc (0.1.0)"), "\(installed.output)")
        let status = try String(contentsOfFile: root + "/var/lib/dpkg/status", encoding: .utf8)
        #expect(status.contains("Package: dmarc\nStatus: install ok installed"), "\(status)")
        for path in [
            "usr/bin/dmarc", "usr/share/dmarc/sql/001_schema.sql", "usr/share/dmarc/sql/026_alerts.sql",
            "lib/systemd/system/dmarc-nightly.service", "lib/systemd/system/dmarc-nightly.timer",
            "lib/systemd/system/dmarc-console.service", "usr/share/man/man1/dmarc.1.gz", "etc/dmarc/dmarc.yaml",
            "usr/lib/sysusers.d/dmarc.conf", "usr/share/doc/dmarc/examples/dmarc.cron",
        ] {
            #expect(FileManager.default.fileExists(atPath: "\(root)/\(path)"), "\(path) not installed")
        }

        let version = try Self.run([root + "/usr/bin/dmarc", "--version"])
        #expect(version.status == 0 && version.output.hasPrefix("dmarc 0.1.0\ncommit "), "\(version.output)")
        #expect(version.output.contains("\nschema 26\n"), "\(version.output)")

        // The shipped configuration, its paths moved into the temporary root: valid, every input found.
        let example = try String(contentsOfFile: root + "/etc/dmarc/dmarc.yaml", encoding: .utf8)
        try example.replacingOccurrences(of: "/var/lib/dmarc", with: root + "/var/lib/dmarc")
            .write(toFile: directory + "/dmarc.yaml", atomically: true, encoding: .utf8)
        let check = try Self.run([root + "/usr/bin/dmarc", "config", "check", "--config", directory + "/dmarc.yaml"])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("configuration \(directory)/dmarc.yaml: valid"), "\(check.output)")
        #expect(check.output.contains("  directory \(root)/var/lib/dmarc/incoming (exists, writable)"), "\(check.output)")

        // The man page names every command and reads as a man page.
        let manual = try Self.run(["/bin/sh", "-c", "zcat '\(root)/usr/share/man/man1/dmarc.1.gz'"])
        #expect(manual.output.hasPrefix(".TH DMARC 1 "), "\(manual.output.prefix(200))")
        for command in ["ingest", "fetch", "nightly", "runs", "config check"] {
            #expect(manual.output.contains(".SS dmarc \(command)\n"), "\(command) missing from the man page")
        }

        // systemd-analyze verify, with ExecStart pointing at the installed binary (the machine has none).
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") {
            var units: [String] = []
            for unit in ["dmarc-nightly.service", "dmarc-nightly.timer", "dmarc-console.service"] {
                let text = try String(contentsOfFile: "\(root)/lib/systemd/system/\(unit)", encoding: .utf8)
                try text.replacingOccurrences(of: "/usr/bin/dmarc", with: root + "/usr/bin/dmarc")
                    .write(toFile: "\(directory)/\(unit)", atomically: true, encoding: .utf8)
                units.append("\(directory)/\(unit)")
            }
            let verified = try Self.run(["/usr/bin/systemd-analyze", "verify", "--man=no"] + units)
            #expect(verified.status == 0, "\(verified.output)")
            #expect(verified.output.isEmpty, "\(verified.output)")
        }
    }
}
