import DMARC
import Foundation
import Postgres
import ReportReading

@_spi(Testing) @testable import Store

/// Deterministic reports for tests: as values (for the in-process fake reader) and as RFC 7489 XML
/// (for the real reader and the binary).
enum Synthetic {
    static func record(_ index: Int, domain: String) -> Record {
        let ip = "10.\((index >> 16) & 255).\((index >> 8) & 255).\(index & 255)"
        let pass = index % 3 != 0
        return Record(
            sourceIP: ip, count: Int64(index % 7 + 1),
            policyEvaluated: PolicyEvaluated(
                disposition: pass ? Disposition.none : .quarantine, dkim: pass ? .pass : .fail, spf: .fail,
                reasons: index % 10 == 0 ? [PolicyOverrideReason(type: .forwarded, comment: "list")] : []),
            identifiers: Identifiers(headerFrom: domain, envelopeFrom: "bounce.\(domain)"),
            authResults: AuthResults(
                dkim: [DKIMAuthResult(domain: domain, selector: "s\(index % 4)", result: pass ? .pass : .fail)],
                spf: [SPFAuthResult(domain: "bounce.\(domain)", scope: .mfrom, result: .fail)]))
    }

    static func report(
        org: String = "Example Receiver", id: String, domain: String = "kunde.example", begin: Int64 = 1_700_000_000,
        records: Int, recordOffset: Int = 0, source: String = "test.xml"
    ) -> AggregateReport {
        AggregateReport(
            schema: .rfc7489,
            metadata: ReportMetadata(
                orgName: org, email: "noreply@receiver.example", reportID: id,
                dateRange: DateRange(begin: begin, end: begin + 86_399)),
            policy: PolicyPublished(
                domain: domain, adkim: .relaxed, aspf: .relaxed, p: PolicyAction.none,
                sp: PolicyAction.none, pct: 100),
            records: (0..<records).map { record($0 + recordOffset, domain: domain) }, source: source)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Writes `report` as RFC 7489 XML, record by record (for large files).
    static func writeXML(_ report: AggregateReport, to path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw StoreError(.io, "cannot write \(path)") }
        defer { handle.closeFile() }
        let meta = report.metadata
        let policy = report.policy
        var text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <feedback>
              <report_metadata>
                <org_name>\(escape(meta.orgName))</org_name>
                <email>\(escape(meta.email))</email>
                <report_id>\(escape(meta.reportID))</report_id>
                <date_range><begin>\(meta.dateRange.begin)</begin><end>\(meta.dateRange.end)</end></date_range>
              </report_metadata>
              <policy_published>
                <domain>\(escape(policy.domain))</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct>
              </policy_published>

            """
        for record in report.records {
            let evaluated = record.policyEvaluated
            text += "  <record><row><source_ip>\(record.sourceIP)</source_ip><count>\(record.count)</count>"
            text += "<policy_evaluated><disposition>\(evaluated.disposition?.rawValue ?? "none")</disposition>"
            text += "<dkim>\(evaluated.dkim?.rawValue ?? "fail")</dkim><spf>\(evaluated.spf?.rawValue ?? "fail")</spf>"
            for reason in evaluated.reasons {
                text += "<reason><type>\(reason.type?.rawValue ?? "other")</type>"
                if let comment = reason.comment { text += "<comment>\(escape(comment))</comment>" }
                text += "</reason>"
            }
            text +=
                "</policy_evaluated></row><identifiers><header_from>\(escape(record.identifiers.headerFrom))</header_from>"
            if let from = record.identifiers.envelopeFrom { text += "<envelope_from>\(escape(from))</envelope_from>" }
            text += "</identifiers><auth_results>"
            for dkim in record.authResults.dkim {
                text += "<dkim><domain>\(escape(dkim.domain))</domain>"
                if let selector = dkim.selector { text += "<selector>\(escape(selector))</selector>" }
                text += "<result>\(dkim.result?.rawValue ?? "none")</result></dkim>"
            }
            for spf in record.authResults.spf {
                text += "<spf><domain>\(escape(spf.domain))</domain>"
                if let scope = spf.scope { text += "<scope>\(scope.rawValue)</scope>" }
                text += "<result>\(spf.result?.rawValue ?? "none")</result></spf>"
            }
            text += "</auth_results></record>\n"
            if text.utf8.count > 1 << 16 {
                handle.write(Data(text.utf8))
                text = ""
            }
        }
        text += "</feedback>\n"
        handle.write(Data(text.utf8))
    }
}

/// What the fake reader emits for one input.
enum FakeEvent {
    case report(AggregateReport)
    /// A report that begins, yields `records` rows, then turns out bad.
    case abandoned(AggregateReport, records: Int)
    case rejected(String)
}

/// Stands in for the XML reader in in-process tests: each input path maps to a list of events.
/// Files must exist (the ingestor hashes and stores them); their content just has to be unique.
struct FakeInputs {
    var events: [String: [FakeEvent]] = [:]
    let directory: String

    init() throws {
        directory = try makeTemporaryDirectory(prefix: "dmarc-fake-")
    }

    /// Creates a file with unique content and registers what reading it yields.
    @discardableResult
    mutating func add(_ name: String, _ list: [FakeEvent], content: String? = nil) -> String {
        let path = directory + "/" + name
        let text = content ?? "fake input \(name) \(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        events[path] = list
        return path
    }

    /// An ingestor that reads these files' registered events, batched (small files, the default) or,
    /// with `filesPerTransaction: 1` in `options`, streamed one transaction each.
    func ingestor(_ connection: PostgresConnection, options: IngestOptions = IngestOptions()) -> Ingestor {
        let ingestor = Ingestor(connection: connection, options: options)
        let events = self.events
        func feed<Handler: ReportHandler>(_ path: String, _ handler: inout Handler) throws {
            for event in events[path] ?? [] {
                switch event {
                case .report(let report):
                    var header = report
                    header.records = []
                    try handler.beginReport(header)
                    for record in report.records { try handler.record(record) }
                    try handler.endReport(warnings: report.warnings)
                case .abandoned(let report, let records):
                    var header = report
                    header.records = []
                    try handler.beginReport(header)
                    for record in report.records.prefix(records) { try handler.record(record) }
                    try handler.abandonReport(ReadError(.truncated, "document ends early"))
                case .rejected(let reason):
                    try handler.rejected(source: path, error: ReadError(.notXML, reason))
                }
            }
        }
        ingestor.readFile = { path, handler in try feed(path, &handler) }
        ingestor.readContents = { path, _, handler in try feed(path, &handler) }
        return ingestor
    }
}
