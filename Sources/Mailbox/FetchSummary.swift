import DMARC
import Store

/// What one `dmarc fetch` of one mailbox did, for the summary line, `--json`, the runs table and
/// the exit code.
public struct FetchSummary: Sendable {
    public var mailbox: String
    public var uidValidity: UInt32 = 0
    /// Messages in the folder that this run had not handled before (after `since`, before `limit`).
    public var waiting = 0
    public var fetched = 0
    /// Messages whose reports are stored (new, or duplicates of stored ones): moved to the processed folder.
    public var stored = 0
    public var withoutReport = 0
    public var rejected = 0
    /// Messages moved on the server this run (including moves a crashed run had recorded).
    public var moved = 0
    /// `MOVE`, or `COPY + EXPUNGE` on a server without MOVE.
    public var moveMethod = ""
    /// What ingest did with the fetched messages, all batches together.
    public var ingest = IngestSummary()
    /// Why the run stopped early: the server or the database was lost, the login refused.
    public var failure: String?
    /// The exit status `failure` calls for (75 lost, 77 login refused); 0 without failure.
    public var failureStatus: Int32 = 0

    public init(mailbox: String) { self.mailbox = mailbox }


    /// `fetched 12 messages from rua (…) · 10 stored · 1 without a report · 1 rejected · 11 moved (MOVE)`
    public var line: String {
        var text = "fetched \(NumberText.grouped(fetched)) \(fetched == 1 ? "message" : "messages") from \(mailbox)"
        text += " · \(NumberText.grouped(stored)) stored (\(NumberText.grouped(ingest.reports)) new "
        text += "\(ingest.reports == 1 ? "report" : "reports"), \(NumberText.grouped(ingest.rows)) \(ingest.rows == 1 ? "row" : "rows"))"
        text += " · \(NumberText.grouped(withoutReport)) without a report"
        text += " · \(NumberText.grouped(rejected)) rejected"
        text += " · \(NumberText.grouped(moved)) moved"
        if !moveMethod.isEmpty { text += " (\(moveMethod))" }
        if let failure { text += " · stopped: \(failure)" }
        return text
    }

    /// The summary as one JSON object; `exitCode` is the status the command line chose for it.
    public func json(exitCode: Int32) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.string("mailbox", mailbox)
        writer.number("uidvalidity", Int64(uidValidity))
        writer.number("waiting", Int64(waiting))
        writer.number("fetched", Int64(fetched))
        writer.number("stored", Int64(stored))
        writer.number("without_report", Int64(withoutReport))
        writer.number("rejected", Int64(rejected))
        writer.number("moved", Int64(moved))
        writer.string("move_method", moveMethod.isEmpty ? nil : moveMethod)
        writer.number("reports", Int64(ingest.reports))
        writer.number("rows", ingest.rows)
        writer.number("duplicates", Int64(ingest.duplicates))
        writer.string("failure", failure)
        writer.number("exit_code", Int64(exitCode))
        writer.endObject()
        return writer.output
    }
}
