/// How the big receivers write and ship aggregate reports, as the conformance corpus shows them
/// (`../shared/corpus`): element order, indentation, namespaces and packaging differ, and a reader
/// must be fast on all of them.
enum ReceiverStyle: CaseIterable {
    /// No `version`, `extra_contact_info`, `np`; DKIM `result` before `selector`; SPF without scope; zip.
    case google
    /// `d:` prefixes in the dmarc-2.0 namespace, `envelope_to`, `fo`; gzip.
    case microsoft
    /// Lines end in a TAB; millisecond-style report ids; gzip.
    case yahoo
    /// Default dmarc-2.0 namespace, 3-space indent, `discovery_method` and `testing`; gzip.
    case gmx

    var orgName: String {
        switch self {
        case .google: "google.com"
        case .microsoft: "Outlook.com"
        case .yahoo: "Yahoo"
        case .gmx: "GMX"
        }
    }

    var email: String {
        switch self {
        case .google: "noreply-dmarc-support@google.com"
        case .microsoft: "dmarcreport@microsoft.com"
        case .yahoo: "dmarchelp@yahooinc.com"
        case .gmx: "noreply-dmarc@sicher.gmx.net"
        }
    }

    /// The name receivers give their files (`receiver!domain!begin!end`), without extension.
    func baseName(domain: String, begin: Int64, reportID: String) -> String {
        let receiver = self == .microsoft ? "enterprise.protection.outlook.com" : orgName.lowercased()
        return "\(receiver)!\(domain)!\(begin)!\(begin + 86_399)!\(reportID)"
    }

    func reportID(_ random: inout SeededGenerator, begin: Int64) -> String {
        switch self {
        case .google: random.decimal(19)
        case .microsoft, .gmx: random.hex(32)
        case .yahoo: "\(begin + 86_400).\(random.decimal(6))"
        }
    }

    var packaging: Packaging {
        self == .google ? .zip : .gzip
    }

    enum Packaging { case plain, gzip, zip }
}

/// One row as the generator makes it, before any style is applied.
struct GeneratedRecord {
    var sourceIP: String
    var count: Int
    var disposition: String
    var dkim: String
    var spf: String
    var headerFrom: String
    var envelopeFrom: String?
    var envelopeTo: String?
    var dkimResults: [(domain: String, selector: String, result: String)]
    var spfResults: [(domain: String, scope: String, result: String)]
    var reasons: [(type: String, comment: String)]
}

struct GeneratedReport {
    var style: ReceiverStyle
    var reportID: String
    var domain: String
    var begin: Int64
    var policy: String
}

/// Writes one report in a receiver's style, record by record, into a byte buffer the caller drains
/// (so a 500 MiB report never sits in memory whole).
struct StyledXMLWriter {
    let style: ReceiverStyle
    private(set) var bytes: [UInt8] = []
    private let prefix: String
    private let indentUnit: String
    private let lineEnd: String

    init(style: ReceiverStyle) {
        self.style = style
        prefix = style == .microsoft ? "d:" : ""
        indentUnit = style == .gmx ? "   " : "  "
        lineEnd = style == .yahoo ? "\t\n" : "\n"
        bytes.reserveCapacity(1 << 16)
    }

    mutating func drain() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }

    private mutating func line(_ depth: Int, _ text: String) {
        for _ in 0..<depth { bytes += indentUnit.utf8 }
        bytes += text.utf8
        bytes += lineEnd.utf8
    }

    private mutating func open(_ depth: Int, _ name: String) { line(depth, "<\(prefix)\(name)>") }
    private mutating func close(_ depth: Int, _ name: String) { line(depth, "</\(prefix)\(name)>") }
    private mutating func element(_ depth: Int, _ name: String, _ value: String) {
        line(depth, "<\(prefix)\(name)>\(Self.escaped(value))</\(prefix)\(name)>")
    }

    static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") })
        else { return text }
        return text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
    }

    mutating func header(_ report: GeneratedReport) {
        switch style {
        case .google: line(0, "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>")
        case .microsoft, .yahoo: line(0, "<?xml version=\"1.0\"?>")
        case .gmx: line(0, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        }
        switch style {
        case .microsoft:
            line(0, "<d:feedback xmlns:d=\"urn:ietf:params:xml:ns:dmarc-2.0\" "
                + "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">")
        case .gmx: line(0, "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">")
        case .google, .yahoo: line(0, "<feedback>")
        }
        if style == .microsoft || style == .gmx { element(1, "version", "1.0") }
        open(1, "report_metadata")
        element(2, "org_name", style.orgName)
        element(2, "email", style.email)
        if style == .google { element(2, "extra_contact_info", "https://support.google.com/a/answer/2466580") }
        if style == .gmx { element(2, "extra_contact_info", "https://postmaster.gmx.net/en/case?c=r2002") }
        element(2, "report_id", report.reportID)
        open(2, "date_range")
        element(3, "begin", String(report.begin))
        element(3, "end", String(report.begin + (style == .microsoft ? 86_400 : 86_399)))
        close(2, "date_range")
        close(1, "report_metadata")
        open(1, "policy_published")
        element(2, "domain", report.domain)
        if style == .gmx { element(2, "discovery_method", "psl") }
        element(2, "adkim", "r")
        element(2, "aspf", "r")
        element(2, "p", report.policy)
        if style != .yahoo { element(2, "sp", report.policy) }
        if style != .gmx { element(2, "pct", "100") }
        if style == .google { element(2, "np", report.policy) }
        if style == .microsoft { element(2, "fo", "0") }
        if style == .gmx { element(2, "testing", "n") }
        close(1, "policy_published")
    }

    mutating func record(_ record: GeneratedRecord) {
        open(1, "record")
        open(2, "row")
        element(3, "source_ip", record.sourceIP)
        element(3, "count", String(record.count))
        open(3, "policy_evaluated")
        element(4, "disposition", record.disposition)
        element(4, "dkim", record.dkim)
        element(4, "spf", record.spf)
        for reason in record.reasons {
            open(4, "reason")
            element(5, "type", reason.type)
            if !reason.comment.isEmpty { element(5, "comment", reason.comment) }
            close(4, "reason")
        }
        close(3, "policy_evaluated")
        close(2, "row")
        open(2, "identifiers")
        if style == .microsoft, let to = record.envelopeTo { element(3, "envelope_to", to) }
        if style != .google, let from = record.envelopeFrom { element(3, "envelope_from", from) }
        element(3, "header_from", record.headerFrom)
        close(2, "identifiers")
        open(2, "auth_results")
        for dkim in record.dkimResults {
            open(3, "dkim")
            element(4, "domain", dkim.domain)
            if style == .google {
                element(4, "result", dkim.result)
                element(4, "selector", dkim.selector)
            } else {
                element(4, "selector", dkim.selector)
                element(4, "result", dkim.result)
            }
            close(3, "dkim")
        }
        for spf in record.spfResults {
            open(3, "spf")
            element(4, "domain", spf.domain)
            if style == .microsoft || style == .gmx { element(4, "scope", spf.scope) }
            element(4, "result", spf.result)
            close(3, "spf")
        }
        close(2, "auth_results")
        close(1, "record")
    }

    mutating func footer() {
        line(0, style == .microsoft ? "</d:feedback>" : "</feedback>")
    }
}
