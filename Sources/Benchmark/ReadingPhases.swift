import DMARC
import Diagnosis
import ReportReading

/// Counts what the reader delivers; a rejection of a generated file is a bug and stops the run.
struct CountingHandler: ReportHandler {
    var reports = 0
    var records = 0
    var rejections: [String] = []

    mutating func beginReport(_ report: AggregateReport) { reports += 1 }
    mutating func record(_ record: Record) { records += 1 }
    mutating func endReport(warnings: [String]) {}
    mutating func abandonReport(_ error: ReadError) { rejections.append("abandoned: \(error)") }
    mutating func rejected(source: String, error: ReadError) { rejections.append("\(source): \(error)") }
}

/// Keeps rows with what the diagnosis needs (day, published policy), up to a cap.
struct DiagnosisInputCollector: ReportHandler {
    struct Row {
        let record: Record
        let day: Day
        let policy: PolicyPublished
    }

    let cap: Int
    var rows: [Row] = []
    private var day = Day(daysSinceEpoch: 0)
    private var policy = PolicyPublished(domain: "")

    init(cap: Int) {
        self.cap = cap
        rows.reserveCapacity(min(cap, 1 << 20))
    }

    mutating func beginReport(_ report: AggregateReport) {
        day = Day(epochSeconds: report.metadata.dateRange.begin)
        policy = report.policy
    }
    mutating func record(_ record: Record) {
        if rows.count < cap { rows.append(Row(record: record, day: day, policy: policy)) }
    }
    mutating func endReport(warnings: [String]) {}
    mutating func abandonReport(_ error: ReadError) {}
    mutating func rejected(source: String, error: ReadError) {}
}

/// Reading with our reader, in process: the parse and unpack phases.
enum ReadingPhases {
    static func limits(forLargest bytes: Int) -> ReadingLimits {
        var limits = ReadingLimits()
        limits.maxDecompressedBytes = max(limits.maxDecompressedBytes, Int64(bytes) + (64 << 20))
        limits.maxInputBytes = max(limits.maxInputBytes, Int64(bytes) + (64 << 20))
        return limits
    }

    /// Reads every file once and returns the wall time and counts; throws on any rejection.
    static func read(_ files: [String], limits: ReadingLimits) throws -> (timing: Timing, handler: CountingHandler) {
        let reader = ReportReader(limits: limits)
        var handler = CountingHandler()
        let timing = try Stopwatch.measure {
            for file in files { try reader.read(file: file, into: &handler) }
        }
        if let first = handler.rejections.first {
            throw BenchError(.corpusRejected, "the reader rejected generated input (\(handler.rejections.count)): \(first)")
        }
        return (timing, handler)
    }

    /// Median times of `repetitions` reads.
    static func medianRead(_ files: [String], limits: ReadingLimits, repetitions: Int) throws -> (Timing, CountingHandler) {
        var times: [Timing] = []
        var last = CountingHandler()
        for _ in 0..<repetitions {
            let (timing, handler) = try read(files, limits: limits)
            times.append(timing)
            last = handler
        }
        return (times.median, last)
    }

    /// `xmllint --stream --noout` over the same files, in batches that fit a command line.
    static func xmllint(_ files: [String], scratch: String) throws -> Timing {
        guard let xmllint = ChildProcess.which("xmllint") else {
            throw BenchError(.toolFailed, "xmllint not found (Debian: apt-get install libxml2-utils)")
        }
        var total = Timing.zero
        var start = 0
        while start < files.count {
            let batch = Array(files[start..<min(files.count, start + 400)])
            let outcome = try ChildProcess.check([xmllint, "--stream", "--noout"] + batch, output: scratch + "/xmllint.out")
            total = total + Timing(wall: outcome.seconds, cpu: outcome.cpuSeconds)
            start += batch.count
        }
        return total
    }

    /// zlib's inflate over the compressed files, in memory (files read before the clock starts).
    static func zlibInflate(_ files: [String]) throws -> (timing: Timing, bytes: Int) {
        let contents = try files.map { path throws(BenchError) in try FileOutput.read(path) }
        var bytes = 0
        let timing = try Stopwatch.measure {
            for content in contents { bytes += try Zlib.inflatedSize(of: content) }
        }
        return (timing, bytes)
    }
}

/// The classifier alone, on rows already in memory.
enum DiagnosisPhase {
    static func run(_ rows: [DiagnosisInputCollector.Row], configuration: TenantConfiguration) -> (timing: Timing, failing: Int) {
        var failing = 0
        let timing = Stopwatch.measure {
            for row in rows {
                let diagnosis = Diagnoser.diagnose(row.record, day: row.day, configuration: configuration, policy: row.policy)
                if diagnosis.class.isDMARCFailure { failing += 1 }
            }
        }
        return (timing, failing)
    }
}
