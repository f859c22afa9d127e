import Foundation
import Testing

/// `dmarc --version` of the built binary, checked against the checkout it was built from.
@Suite("dmarc --version")
struct VersionTests {
    @Test("names the release, the checkout's commit and the highest migration in sql/")
    func versionNamesCommitAndSchema() throws {
        let result = try DMARCBinary.run(["--version"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(result.stdout)")
        #expect(lines.first?.hasPrefix("dmarc ") == true, "\(result.stdout)")
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        #expect(fields["commit"] == (try Self.checkoutCommit()), "\(result.stdout)")
        #expect(fields["schema"] == String(try Self.highestMigration()), "\(result.stdout)")
    }

    /// `git rev-parse HEAD` of the package root when it is the top of a git work tree, else "unknown".
    static func checkoutCommit() throws -> String {
        let root = SampleWorkflowTests.root.resolvingSymlinksInPath().path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", root, "rev-parse", "--show-toplevel", "HEAD"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        guard process.terminationStatus == 0, lines.count == 2,
            URL(fileURLWithPath: lines[0]).resolvingSymlinksInPath().path == root
        else { return "unknown" }
        return lines[1]
    }

    /// The highest `NNN` of the `sql/NNN_name.sql` files.
    static func highestMigration() throws -> Int {
        let names = try FileManager.default.contentsOfDirectory(
            atPath: SampleWorkflowTests.root.appendingPathComponent("sql").path)
        let numbers = names.filter { $0.hasSuffix(".sql") }.compactMap { name in
            name.split(separator: "_", maxSplits: 1).first.flatMap { Int($0) }
        }
        return try #require(numbers.max())
    }
}
