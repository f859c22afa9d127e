import ArgumentParser
import ReportReading

extension OutputFormat: ExpressibleByArgument {}

struct Parse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the reports in files or directories; no database needed.",
        discussion: """
            Every file is read by its bytes: plain XML (UTF-8 or UTF-16, with or without a BOM), gzip \
            (also gzip inside gzip) or zip (every member; folders and __MACOSX/ skipped). Directories are \
            walked recursively in name order. E-mail works too: a message (.eml), an mbox \
            (mailbox#12!report.zip for its 12th message) or a Maildir (cur/ and new/); a message without \
            a report (a bounce, a TLS report) is counted, not rejected.

            Output: ndjson (one report a line, fields named as in the XML), json (one array) or csv (one \
            row per record, parsedmarc's column names). Each rejected input gets one line on stderr: \
            the path (archive.zip!member.xml for members) and the reason. Repairs made while reading \
            (BOM, junk before <feedback>, non-UTF-8 bytes) are listed in the report's `warnings`.

            Examples:
              dmarc parse samples/
              dmarc parse --format csv --output rows.csv inbox/*.zip
            """)

    @Option(help: "ndjson, json or csv.")
    var format: OutputFormat = .ndjson

    @Option(name: .shortAndLong, help: "Write here instead of standard output.")
    var output: String?

    @OptionGroup(title: "Limits")
    var limits: ReadingLimitOptions

    @Argument(help: "Report files or directories.")
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("Give at least one file or directory to read.") }
    }

    func run() throws {
        let files: [String]
        do {
            files = try InputPaths.expand(paths)
        } catch {
            printError("dmarc: \(error)")
            throw ExitCode(66)
        }
        let destination: OutputFile
        if let output {
            guard let file = OutputFile(path: output) else {
                printError("dmarc: cannot write \(output)")
                throw ExitCode(73)
            }
            destination = file
        } else {
            destination = OutputFile.standardOutput()
        }
        let reader = ReportReader(limits: limits.limits)
        var printer = ReportPrinter(format: format, output: destination, errors: printError)
        for file in files { try reader.read(file: file, into: &printer) }
        printer.finish()
        if printer.messagesWithoutReport > 0 {
            printError("dmarc: \(printer.messagesWithoutReport) message(s) held no aggregate report (not an error)")
        }
        if printer.rejectedCount > 0 { throw ExitCode(65) }
    }
}
