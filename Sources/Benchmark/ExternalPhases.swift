import Foundation

/// Phases measured on a child process: peak memory of `dmarc parse` on one very large report, and
/// parsedmarc on the same files as the peer.
enum ExternalPhases {
    /// `dmarc` next to this binary (`swift build` puts both in .build/<config>/); else this binary's
    /// hidden `--parse-only` mode, which runs the same reader and ndjson printer as `dmarc parse`.
    /// The `dmarc` binary built next to this one, if there is one.
    static func siblingDMARC() -> String? {
        let sibling = URL(fileURLWithPath: ownExecutable).deletingLastPathComponent().appendingPathComponent("dmarc").path
        return FileManager.default.isExecutableFile(atPath: sibling) ? sibling : nil
    }

    static var ownExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func parseCommand(for file: String, maxMiB: Int) -> (argv: [String], what: String) {
        let exe = ownExecutable
        if let sibling = siblingDMARC() {
            return ([sibling, "parse", "--max-decompressed-mib", String(maxMiB), "--max-input-mib", String(maxMiB), "--output", "/dev/null", file],
                    "dmarc parse (\(sibling))")
        }
        return ([exe, "--parse-only", file, "--large-mib", String(maxMiB)],
                "dmarc-bench --parse-only (no dmarc binary next to it; same reader and printer)")
    }

    struct MemoryResult {
        var records: Int
        var bytes: Int
        var ours: ChildProcess.Outcome
        var what: String
        var xmllint: ChildProcess.Outcome?
    }

    static func memory(mebibytes: Int, seed: UInt64, scratch: String) throws -> MemoryResult {
        let file = scratch + "/large-\(mebibytes)MiB.xml"
        let records = try CorpusGenerator.writeLargeReport(to: file, mebibytes: mebibytes, seed: seed)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        defer { try? FileManager.default.removeItem(atPath: file) }
        let command = parseCommand(for: file, maxMiB: mebibytes + 64)
        let ours = try ChildProcess.check(command.argv, output: scratch + "/parse-large.out")
        let xmllint = try ChildProcess.which("xmllint").map { tool throws(BenchError) in
            try ChildProcess.check([tool, "--stream", "--noout", file], output: scratch + "/xmllint-large.out")
        }
        return MemoryResult(records: records, bytes: bytes, ours: ours, what: command.what, xmllint: xmllint)
    }

    /// parsedmarc from PATH (or `explicit`), or nil when it is not installed.
    static func parsedmarc(explicit: String?) -> String? {
        if let explicit { return explicit }
        return ChildProcess.which("parsedmarc")
    }

    /// `parsedmarc --offline` on `files`, its output into scratch.
    static func runParsedmarc(_ tool: String, files: [String], scratch: String) throws -> ChildProcess.Outcome {
        let output = scratch + "/parsedmarc"
        try? FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        return try ChildProcess.check([tool, "--offline", "-s", "-o", output] + files, output: scratch + "/parsedmarc.out")
    }
}
