import DMARC

/// What one step of a nightly run did: its name, exit status, one line for people and the counts
/// the metrics file and the console show.
public struct RunStep: Sendable, Equatable {
    /// `fetch rua`, `ingest`, `tenants apply`, …
    public var name: String
    /// sysexits, as the command of the same name would exit.
    public var status: Int32
    public var summary: String
    public var seconds: Double
    public var reports: Int
    public var rows: Int64
    public var rejected: Int

    public init(
        name: String, status: Int32, summary: String, seconds: Double, reports: Int = 0, rows: Int64 = 0, rejected: Int = 0
    ) {
        self.name = name
        self.status = status
        self.summary = summary
        self.seconds = seconds
        self.reports = reports
        self.rows = rows
        self.rejected = rejected
    }

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.string("step", name)
        writer.number("status", Int64(status))
        writer.string("summary", summary)
        writer.number("milliseconds", Int64((seconds * 1000).rounded()))
        writer.number("reports", Int64(reports))
        writer.number("rows", rows)
        writer.number("rejected", Int64(rejected))
        writer.endObject()
    }

    /// The exit status that says more, for a run of several steps: a lost server or database (75),
    /// a configuration or login problem, a file not moved (74), a rejected input (65), success.
    public static func worse(_ a: Int32, _ b: Int32) -> Int32 {
        func rank(_ code: Int32) -> Int { code == 0 ? 0 : code == 65 ? 1 : code == 74 ? 2 : 3 }
        return rank(b) > rank(a) ? b : a
    }
}

/// A whole nightly run as `--json` prints it and the runs table keeps its steps.
public struct RunSummary: Sendable {
    public var id: Int64
    public var steps: [RunStep]
    public var seconds: Double

    public init(id: Int64, steps: [RunStep], seconds: Double) {
        self.id = id
        self.steps = steps
        self.seconds = seconds
    }

    public var exitStatus: Int32 { steps.reduce(0) { RunStep.worse($0, $1.status) } }
    public var reports: Int { steps.reduce(0) { $0 + $1.reports } }
    public var rows: Int64 { steps.reduce(0) { $0 + $1.rows } }
    public var rejected: Int { steps.reduce(0) { $0 + $1.rejected } }

    /// The steps as a JSON array (the runs table's `steps`).
    public var stepsJSON: String {
        var writer = JSONWriter()
        writer.beginArray(nil)
        for step in steps { step.write(to: &writer) }
        writer.endArray()
        return writer.output
    }

    public var json: String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.number("run", id)
        writer.number("exit_code", Int64(exitStatus))
        writer.number("milliseconds", Int64((seconds * 1000).rounded()))
        writer.number("reports", Int64(reports))
        writer.number("rows", rows)
        writer.number("rejected", Int64(rejected))
        writer.beginArray("steps")
        for step in steps { step.write(to: &writer) }
        writer.endArray()
        writer.endObject()
        return writer.output
    }
}
