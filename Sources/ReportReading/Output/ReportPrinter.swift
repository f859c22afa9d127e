#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DMARC

/// The formats `dmarc parse` writes.
public enum OutputFormat: String, Sendable, CaseIterable {
    case ndjson, json, csv
}

/// Prints reports as they are read. A report's records are held back (in memory, spilling to an
/// unlinked temporary file past a few MiB) until the report is known to be complete, so a
/// rejected report never leaves half a report in the output and memory stays bounded.
public struct ReportPrinter: ReportHandler {
    public private(set) var reportCount = 0
    public private(set) var recordCount: Int64 = 0
    public private(set) var rejectedCount = 0
    /// Mail messages that carried no aggregate report: not rejections, counted apart.
    public private(set) var messagesWithoutReport = 0
    private let format: OutputFormat
    private let output: OutputFile
    private let errors: (String) -> Void
    private var current: AggregateReport?
    private var held = HeldText()
    private var currentRecords = 0
    private var recordJSON = JSONWriter()

    /// `errors` receives one line per rejected input or report.
    public init(format: OutputFormat, output: OutputFile, errors: @escaping (String) -> Void) {
        self.format = format
        self.output = output
        self.errors = errors
        if format == .csv { output.write(CSVRow.header + "\n") }
        if format == .json { output.write("[") }
    }

    public mutating func beginReport(_ report: AggregateReport) {
        current = report
        held.reset()
        currentRecords = 0
    }

    public mutating func record(_ record: Record) {
        guard let report = current else { return }
        switch format {
        case .csv:
            held.append(CSVRow.line(report: report, record: record) + "\n")
        case .ndjson, .json:
            recordJSON.reset()
            record.writeJSON(to: &recordJSON)
            if currentRecords > 0 { held.append(",") }
            recordJSON.bytes.withUnsafeBytes { held.append(bytes: $0) }
        }
        currentRecords += 1
    }

    public mutating func endReport(warnings: [String]) {
        guard var report = current else { return }
        report.warnings = warnings
        switch format {
        case .csv:
            held.flush(to: output)
        case .ndjson, .json:
            var json = JSONWriter()
            report.writeJSONHead(to: &json)
            if format == .json { output.write(reportCount > 0 ? ",\n" : "\n") }
            json.takeBytes().withUnsafeBytes { output.write(raw: $0) }
            held.flush(to: output)
            report.writeJSONTail(to: &json)
            json.takeBytes().withUnsafeBytes { output.write(raw: $0) }
            if format == .ndjson { output.write("\n") }
        }
        for warning in warnings { errors("\(report.source): warning: \(warning)") }
        reportCount += 1
        recordCount += Int64(currentRecords)
        current = nil
        held.reset()
    }

    public mutating func abandonReport(_ error: ReadError) {
        if let report = current { rejected(source: report.source, error: error) }
        current = nil
        held.reset()
    }

    public mutating func rejected(source: String, error: ReadError) {
        rejectedCount += 1
        errors("\(source): \(error.message)")
    }

    public mutating func endMessage(_ origin: MessageOrigin, outcome: MessageOutcome) {
        guard outcome.hasNoAggregateReport else { return }
        messagesWithoutReport += 1
        let subject = origin.subject.map { " (subject: \($0))" } ?? ""
        errors("\(origin.source): no aggregate report in this message\(subject)")
    }

    /// Closes a `json` array; call once after the last input.
    public func finish() {
        if format == .json { output.write(reportCount > 0 ? "\n]\n" : "]\n") }
        output.flush()
    }
}

/// A `FILE*` for output: stdout or a file, written in large buffered blocks.
public final class OutputFile: @unchecked Sendable {
    // @unchecked: used from one task at a time by the command that owns it.
    private let handle: UnsafeMutablePointer<FILE>
    private let owned: Bool

    public static func standardOutput() -> OutputFile { OutputFile(handle: fdopen(dup(1), "w")!, owned: true) }

    public init?(path: String) {
        guard let handle = fopen(path, "w") else { return nil }
        self.handle = handle
        owned = true
        setvbuf(handle, nil, _IOFBF, 1 << 20)
    }

    private init(handle: UnsafeMutablePointer<FILE>, owned: Bool) {
        self.handle = handle
        self.owned = owned
        setvbuf(handle, nil, _IOFBF, 1 << 20)
    }

    deinit { if owned { fclose(handle) } else { fflush(handle) } }

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = fwrite(bytes.baseAddress, 1, bytes.count, handle) }
    }

    func write(raw bytes: UnsafeRawBufferPointer) { _ = fwrite(bytes.baseAddress, 1, bytes.count, handle) }

    public func flush() { fflush(handle) }
}

/// Text held back until its report is complete: memory first, then an unlinked temporary file.
private struct HeldText {
    private static let memoryLimit = 4 << 20
    private static let spillBlock = 1 << 20
    private var memory: [UInt8] = []
    private var spill: UnsafeMutablePointer<FILE>?

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(bytes: UnsafeRawBufferPointer($0)) }
    }

    mutating func append(bytes: UnsafeRawBufferPointer) {
        memory.append(contentsOf: bytes)
        if let spill {
            // Once spilling, records still gather in memory and go out a MiB at a time: one by
            // one, stdio's 4 KiB buffer made a write(2) of every tenth record.
            if memory.count >= Self.spillBlock { writeMemory(to: spill) }
            return
        }
        if memory.count > Self.memoryLimit, let file = tmpfile() {
            writeMemory(to: file)
            spill = file
        }
    }

    private mutating func writeMemory(to file: UnsafeMutablePointer<FILE>) {
        memory.withUnsafeBytes { bytes in _ = fwrite(bytes.baseAddress, 1, bytes.count, file) }
        memory.removeAll(keepingCapacity: true)
    }

    mutating func flush(to output: OutputFile) {
        if let spill {
            writeMemory(to: spill)
            rewind(spill)
            let buffer = ChunkBuffer(byteCount: 1 << 20)
            while true {
                let n = fread(buffer.bytes.baseAddress, 1, buffer.bytes.count, spill)
                if n == 0 { break }
                output.write(raw: UnsafeRawBufferPointer(rebasing: buffer.bytes[0..<n]))
            }
        } else {
            memory.withUnsafeBytes { output.write(raw: $0) }
        }
    }

    mutating func reset() {
        if let spill { fclose(spill) }
        spill = nil
        memory.removeAll(keepingCapacity: memory.capacity <= Self.memoryLimit * 2)
    }
}
