import DMARC
import Foundation
import ReportReading
import Testing

@_spi(Testing) @testable import Store

/// Faults of the machine rather than of the input (issue 8), each with the real binary and a real
/// PostgreSQL: a full archive disk, files that cannot be read, inputs over 2 GiB and of 256 MiB.
@Suite("faults: full disk, unreadable files, very large inputs", .dropsTestDatabases)
struct FaultTests {
    // MARK: a full archive disk

    /// A tmpfs of 64 KiB mounted on a fresh directory; nil when this process may not mount (not root).
    final class TinyFilesystem {
        let path: String
        private(set) var mounted = false

        init(size: String = "64k") throws {
            path = try makeTemporaryDirectory(prefix: "dmarc-tinyfs-")
            let result = try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", path])
            mounted = result == 0
        }

        /// Writes a file until the file system says it is full.
        func fill() throws {
            // O_CLOEXEC: a process another test starts meanwhile would keep the unlinked filler's blocks.
            let fd = open(path + "/filler", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw StoreError(.io, "cannot create filler: \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            let block = [UInt8](repeating: 0x41, count: 4096)
            while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
            guard errno == ENOSPC else { throw StoreError(.io, "filling stopped: \(String(cString: strerror(errno)))") }
        }

        func free() { unlink(path + "/filler") }

        func unmount() {
            if mounted { _ = try? Self.run("/bin/umount", [path]) }
            mounted = false
        }

        deinit { unmount() }

        static func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }

        /// Whether a tmpfs can be mounted here: tried once, on a probe.
        static let available: Bool = {
            guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/bin/mount") else { return false }
            guard let probe = try? TinyFilesystem() else { return false }
            defer { probe.unmount() }
            return probe.mounted
        }()
    }

    /// Every file under `directory`, hidden ones too, relative to it.
    static func allFiles(_ directory: String) -> [String] {
        let manager = FileManager.default
        return (manager.subpaths(atPath: directory) ?? []).filter { path in
            var isDirectory: ObjCBool = false
            return manager.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }

    @Test(
        "archive disk full: the files stay in the inbox whole, stored, exit 74 saying why; a rerun archives them",
        .enabled(
            if: TinyFilesystem.available,
            "needs root to mount a 64 KiB tmpfs as the full archive disk (CI runs as root); skipped here"))
    func archiveDiskFull() throws {
        let database = try TestCluster.get().freshDatabase()
        let inbox = try EndToEndTests.batch(files: 2, records: 50, prefix: "full")
        defer { try? FileManager.default.removeItem(atPath: inbox) }
        let originals = try Dictionary(
            uniqueKeysWithValues: InputFiles.expand([inbox]).map { ($0, try FileDigest.sha256(of: $0).digest) })
        let archive = try TinyFilesystem()
        defer { archive.unmount() }
        #expect(archive.mounted)
        try archive.fill()

        let full = try DMARCBinary.run(["ingest", "--database", database.conninfo, "--archive", archive.path, inbox])
        #expect(full.status == 74, "\(full.stdout)\n\(full.stderr)")
        #expect(full.stdout.contains("ingested 2 reports (100 rows) from 2 files"), "\(full.stdout)")
        #expect(full.stdout.contains("2 not moved (left in place, see stderr)"), "\(full.stdout)")
        let lines = full.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(full.stderr)")
        for line in lines {
            #expect(line.contains("stored, but not moved: cannot copy"), "\(line)")
            #expect(line.hasSuffix("No space left on device"), "\(line)")
        }
        // Nothing lost, nothing half-copied: the inbox as it was, the archive only the filler (and the
        // day's folder), the reports committed, and the ledger says ingested, not rejected.
        for (path, digest) in originals { #expect(try FileDigest.sha256(of: path).digest == digest) }
        #expect(Self.allFiles(archive.path) == ["filler"])
        #expect(try database.count("SELECT count(*) FROM reports") == 2)
        #expect(try database.count("SELECT count(*) FROM records") == 100)
        #expect(try database.count("SELECT count(*) FROM input_files WHERE status = 'ingested'") == 2)
        #expect(try database.count("SELECT count(*) FROM input_files WHERE status <> 'ingested'") == 0)

        archive.free()
        let rerun = try DMARCBinary.run(["ingest", "--database", database.conninfo, "--archive", archive.path, inbox])
        #expect(rerun.status == 0, "\(rerun.stdout)\n\(rerun.stderr)")
        #expect(rerun.stdout.contains("· 2 duplicates"), "\(rerun.stdout)")
        #expect(try InputFiles.expand([inbox]).isEmpty)
        let archived = try InputFiles.expand([archive.path])
        #expect(archived.count == 2)
        #expect(Set(try archived.map { try FileDigest.sha256(of: $0).digest }) == Set(originals.values))
        #expect(try database.count("SELECT count(*) FROM reports") == 2)
        #expect(try database.count("SELECT count(*) FROM input_files WHERE status = 'duplicate'") == 2)
    }

    // MARK: unreadable files

    /// Runs the binary as a user that cannot read a mode-000 file: as root, the `postgres` user
    /// (which reaches the test cluster's socket); otherwise ourselves. Nil when root has no way.
    /// The `postgres` user runs a copy of the binary (`ReadableInstall`): the checkout may be out of its reach.
    static var asUnprivileged: [String]? {
        guard getuid() == 0 else { return [] }
        guard let user = getpwnam("postgres"), FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            return nil
        }
        return ["/usr/bin/setpriv", "--reuid=\(user.pointee.pw_uid)", "--regid=\(user.pointee.pw_gid)", "--clear-groups"]
    }

    /// Runs `dmarc` (through `prefix`); a run that blocks on the FIFO is killed after `seconds`, a guard
    /// against a hang (generous, so that a slow machine never trips it), not a measure of speed.
    static func run(_ prefix: [String], _ arguments: [String], seconds: Double = 120) throws -> DMARCBinary.Result {
        let output = try makeTemporaryDirectory(prefix: "dmarc-out-")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let argv = prefix.isEmpty ? arguments : Array(prefix.dropFirst()) + [try ReadableInstall.dmarc()] + arguments
        let pid = try DMARCBinary.spawn(argv, outputDirectory: output, executable: prefix.first)
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                Issue.record("dmarc \(arguments.first ?? "") did not finish within \(Int(seconds)) s")
                break
            }
            usleep(20_000)
        }
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return DMARCBinary.Result(
            status: code, stdout: (try? String(contentsOfFile: output + "/stdout", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: output + "/stderr", encoding: .utf8)) ?? "")
    }

    @Test(
        "unreadable inputs (mode 000, a dangling link, a FIFO, a closed folder) are rejected with their reason; the rest is stored",
        .enabled(if: asUnprivileged != nil, "as root, needs the postgres user and setpriv to run dmarc unprivileged"))
    func unreadableInputs() throws {
        let database = try TestCluster.get().freshDatabase()
        let inbox = try EndToEndTests.batch(files: 2, records: 10, prefix: "unreadable")
        defer { try? FileManager.default.removeItem(atPath: inbox) }
        let report = try String(contentsOfFile: inbox + "/0000.xml", encoding: .utf8)
        let locked = inbox + "/locked.xml"
        try report.replacingOccurrences(of: "unreadable-0", with: "locked").write(toFile: locked, atomically: false, encoding: .utf8)
        chmod(locked, 0)
        symlink(inbox + "/gone.xml", inbox + "/dangling.xml")
        mkfifo(inbox + "/pipe.xml", 0o644)
        let closed = inbox + "/closed"
        mkdir(closed, 0o755)
        try report.replacingOccurrences(of: "unreadable-0", with: "closed").write(
            toFile: closed + "/inside.xml", atomically: false, encoding: .utf8)
        chmod(closed, 0)
        defer { chmod(closed, 0o755) }

        let prefix = try #require(Self.asUnprivileged)
        let result = try Self.run(prefix, ["ingest", "--database", database.conninfo, inbox], seconds: 600)
        #expect(result.status == 65, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("ingested 2 reports (20 rows) from 6 files"), "\(result.stdout)")
        #expect(result.stdout.contains("· 4 rejected"), "\(result.stdout)")
        let expected = [
            closed: "unreadable: cannot open \(closed): Permission denied",
            inbox + "/dangling.xml": "unreadable: cannot open \(inbox)/dangling.xml: No such file or directory",
            locked: "unreadable: cannot open \(locked): Permission denied",
            inbox + "/pipe.xml": "unreadable: \(inbox)/pipe.xml is a FIFO, not a file",
        ]
        for (path, reason) in expected {
            #expect(result.stderr.contains("\(path): \(reason)\n"), "\(path): \(result.stderr)")
        }
        let ledger = try database.connect().query(
            "SELECT path, reason FROM input_files WHERE status = 'rejected' ORDER BY path")
        #expect(ledger.rows.map { $0.string(0) ?? "" } == expected.keys.sorted())
        #expect(ledger.rows.map { $0.string(1) ?? "" } == expected.keys.sorted().map { expected[$0] ?? "" })
        #expect(try database.count("SELECT count(*) FROM input_files WHERE status = 'ingested'") == 2)

        // `dmarc parse` gives the same reasons (in the reader's words) and reads the rest.
        let parse = try Self.run(prefix, ["parse", "--output", "/dev/null", inbox], seconds: 600)
        #expect(parse.status == 65)
        #expect(parse.stderr.contains("\(inbox)/pipe.xml: is a FIFO, not a file"), "\(parse.stderr)")
        #expect(parse.stderr.contains("\(locked): cannot open: Permission denied"), "\(parse.stderr)")
        #expect(parse.stderr.split(separator: "\n").count == 4, "\(parse.stderr)")
    }

    // MARK: very large inputs

    /// A valid report of `mebibytes` MiB: 16 records per MiB, each followed by a comment that fills
    /// its 64 KiB (comments are cheap to parse and hold no text the builder keeps). Written as one
    /// block repeated, in seconds.
    static func writeLargeReport(to path: String, mebibytes: Int) throws -> Int {
        let record = """
            <record><row><source_ip>192.0.2.1</source_ip><count>2</count><policy_evaluated><disposition>none</disposition>\
            <dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from>\
            </identifiers><auth_results><dkim><domain>example.com</domain><selector>s1</selector><result>pass</result>\
            </dkim><spf><domain>example.com</domain><scope>mfrom</scope><result>softfail</result></spf></auth_results></record>

            """
        let piece = record + "<!-- " + String(repeating: "x", count: 65_536 - record.utf8.count - 10) + " -->\n"
        let block = Array(String(repeating: piece, count: 16).utf8)
        guard let file = fopen(path, "wb") else { throw StoreError(.io, "cannot write \(path)") }
        defer { fclose(file) }
        let head = """
            <?xml version="1.0" encoding="UTF-8"?>
            <feedback><report_metadata><org_name>big.example</org_name><email>a@big.example</email>\
            <report_id>big-1</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range>\
            </report_metadata><policy_published><domain>example.com</domain><p>none</p></policy_published>

            """
        fputs(head, file)
        for _ in 0..<mebibytes {
            guard fwrite(block, 1, block.count, file) == block.count else {
                throw StoreError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
        }
        fputs("</feedback>\n", file)
        return mebibytes * 16
    }

    /// The child's exit status, its peak resident set (`ru_maxrss` from `wait4`: the kernel's high-water
    /// mark, nothing sampled) and its stderr.
    /// Runs the binary; its peak resident size as the child itself saw it (`VmHWM` at its exit):
    /// `wait4`'s `ru_maxrss` for a child started by posix_spawn counts this test process's own peak.
    static func measure(_ arguments: [String]) throws -> (status: Int32, peakBytes: Int, stderr: String) {
        let output = try makeTemporaryDirectory(prefix: "dmarc-out-")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let peakFile = output + "/peak"
        let pid = try DMARCBinary.spawn(
            arguments, outputDirectory: output, environment: ["DMARC_TEST_PEAK_RSS_FILE": peakFile])
        let code = DMARCBinary.wait(pid)
        // "VmHWM:    41234 kB"
        let peakKiB = (try? String(contentsOfFile: peakFile, encoding: .utf8))?
            .split(separator: " ").compactMap { Int($0) }.first ?? 0
        return (code, peakKiB * 1024, (try? String(contentsOfFile: output + "/stderr", encoding: .utf8)) ?? "")
    }

    /// A file of `size` bytes that takes no disk space: a hole after a short XML head. For the
    /// limits that look at a file's size before reading it.
    static func writeSparseFile(to path: String, size: Int64) throws {
        let head = "<?xml version=\"1.0\"?><feedback>"
        try head.write(toFile: path, atomically: false, encoding: .utf8)
        guard truncate(path, off_t(size)) == 0 else {
            throw StoreError(.io, "cannot extend \(path): \(String(cString: strerror(errno)))")
        }
    }

    @Test("a file over 2 GiB is refused by its size before it is read: by parse under the default cap, by ingest as too large to keep")
    func oversizedInputRefused() throws {
        let directory = try makeTemporaryDirectory(prefix: "dmarc-2gib-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/large.xml"
        // Sparse: the size is what matters, and a real 2 GiB write would load the disk under every
        // other test running beside this one.
        let size: Int64 = (2 << 30) + 4_096
        try Self.writeSparseFile(to: path, size: size)

        // Were it read, the hole's NUL bytes would be rejected as not XML, not by size.
        let refused = try Self.measure(["parse", "--output", "/dev/null", path])
        #expect(refused.status == 65)
        #expect(refused.stderr == "\(path): file is \(size) bytes, larger than 1 GiB (--max-input-mib to raise)\n")

        // ingest refuses it before hashing (no SHA-256 in the ledger): PostgreSQL keeps no original over 1 GiB.
        let database = try TestCluster.get().freshDatabase()
        let ingest = try Self.measure(["ingest", "--max-input-mib", "3072", "--database", database.conninfo, path])
        #expect(ingest.status == 65)
        #expect(
            ingest.stderr.contains("file is \(size) bytes, larger than 1023 MiB, the largest original PostgreSQL can keep"),
            "\(ingest.stderr)")
        #expect(try database.count("SELECT count(*) FROM input_files WHERE status = 'rejected' AND sha256 IS NULL") == 1)
        #expect(try database.count("SELECT count(*) FROM input_files") == 1)
    }

    @Test("a 256 MiB report with --max-input-mib: every record read, streaming, in half the file's size")
    func largeInputStreams() throws {
        let directory = try makeTemporaryDirectory(prefix: "dmarc-large-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/large.xml"
        let records = try Self.writeLargeReport(to: path, mebibytes: 256)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size > 256 << 20)

        let output = directory + "/out.csv"
        let read = try Self.measure(["parse", "--max-input-mib", "512", "--format", "csv", "--output", output, path])
        #expect(read.status == 0, "\(read.stderr)")
        let rows = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").count - 1
        #expect(rows == records)
        // A reader that held the file would need more than its 256 MiB (a streaming one needs about 40).
        #expect(read.peakBytes > 0 && read.peakBytes < 128 << 20, "peak RSS \(read.peakBytes >> 20) MiB")
    }
}
