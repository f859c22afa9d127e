import DMARC

/// Turns element events into a report and its records. Knows nothing of libxml2, so every quirk
/// of structure (child order, `identities`, a second `policy_published`, empty values) is handled
/// and tested here in plain Swift.
struct ReportBuilder {
    let limits: ReadingLimits
    let source: String
    private var stack: [ElementName] = []
    /// The current element's text from its first byte that is not whitespace: `value()` trims it
    /// anyway, and the indentation between elements then costs no copy.
    private var text: [UInt8] = []
    /// Bytes of text seen in the current element, leading whitespace included, for the limit.
    private var textLength = 0
    /// Depth inside an `<extension>` (RFC 9990) whose content we do not read.
    private var ignoredDepth = 0
    private(set) var sawRoot = false
    private(set) var rootEnded = false

    private var metadata = MetadataDraft()
    private var policy = PolicyDraft()
    private var policyCount = 0
    private var metadataDone = false
    private var policyDone = false
    private var schema = ReportSchema.rfc7489

    private var record = RecordDraft()
    private var dkim = AuthDraft()
    private var spf = AuthDraft()
    private var reason = ReasonDraft()
    private(set) var recordCount = 0
    /// Messages of the rows read so far.
    private var messages: Int64 = 0

    private(set) var warnings: [String] = []
    /// Warnings past `limits.maxWarningsPerReport`, counted instead of kept.
    private var droppedWarnings = 0
    /// Control characters in values, replaced by `value()`; one warning says how many.
    private var replacedCharacters = 0
    /// Records ready to hand out; held back until the header is known, then drained by the caller.
    var pending: [Record] = []
    /// Set once the header validated; the caller emits it before any record.
    private(set) var header: AggregateReport?

    init(limits: ReadingLimits, source: String) {
        self.limits = limits
        self.source = source
        text.reserveCapacity(256)
        stack.reserveCapacity(16)
    }

    /// The parser's few warnings at the end (repairs, recovered errors): kept whatever the cap.
    mutating func addWarning(_ warning: String) { warnings.append(warning) }

    /// The warnings for `endReport`: the first `maxWarningsPerReport` about rows and fields, the
    /// parser's own, then how many were dropped.
    var reportedWarnings: [String] {
        var reported = warnings.map(Printable.text)
        if replacedCharacters > 0 {
            reported.append("replaced \(replacedCharacters) control character(s) in values by U+FFFD")
        }
        guard droppedWarnings > 0 else { return reported }
        return reported + [
            "\(droppedWarnings) more warnings dropped (at most \(limits.maxWarningsPerReport) are kept per report)"
        ]
    }

    /// Called after each step that may add warnings, so a report with a bad value in every one of
    /// its millions of rows holds a bounded list. Only ever cuts the end: what `beginReport` got stays.
    private mutating func capWarnings() {
        let excess = warnings.count - limits.maxWarningsPerReport
        guard excess > 0 else { return }
        droppedWarnings += excess
        warnings.removeSubrange(limits.maxWarningsPerReport...)
    }

    // MARK: events

    /// `namespaceURI` is only looked at for the root element: the callback need not make a
    /// `String` for every other one.
    mutating func start(_ name: ElementName, namespaceURI: @autoclosure () -> String?) throws(ReadError) {
        if stack.count >= limits.maxElementDepth {
            throw ReadError(.limitExceeded, "elements nested deeper than \(limits.maxElementDepth)")
        }
        clearText()
        if !sawRoot {
            sawRoot = true
            guard name == .feedback else { throw ReadError(.notAReport, "not a DMARC aggregate report: root element is not <feedback>") }
            if let namespaceURI = namespaceURI(), namespaceURI.lowercased().contains("dmarc-2.0") { schema = .dmarc2 }
        }
        if ignoredDepth > 0 || name == .extension {
            ignoredDepth += 1
            stack.append(name)
            return
        }
        let parent = stack.last
        stack.append(name)
        switch (name, parent) {
        case (.policyPublished, .feedback?):
            policyCount += 1
            if policyCount == 2 { warnings.append("used the first of several <policy_published> elements") }
        case (.record, .feedback?):
            record = RecordDraft()
        case (.dkim, .authResults?):
            dkim = AuthDraft()
        case (.spf, .authResults?):
            spf = AuthDraft()
        case (.reason, .policyEvaluated?):
            reason = ReasonDraft()
        default:
            break
        }
    }

    mutating func characters(_ bytes: UnsafeRawBufferPointer) throws(ReadError) {
        guard ignoredDepth == 0 else { return }
        if textLength + bytes.count > limits.maxTextBytes {
            throw ReadError(.limitExceeded, "text of one element exceeds \(ByteCount(Int64(limits.maxTextBytes)))")
        }
        textLength += bytes.count
        var start = 0
        if text.isEmpty {
            while start < bytes.count, bytes[start] <= 0x20 { start += 1 }
            if start == bytes.count { return }
        }
        text.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start...]))
    }

    private mutating func clearText() {
        if !text.isEmpty { text.removeAll(keepingCapacity: true) }
        textLength = 0
    }

    /// Closes the innermost open element. libxml2 names the element on its own stack in end events,
    /// which after a repair is not the tag that closed it, so the name is not trusted.
    mutating func end() throws(ReadError) {
        guard let name = stack.popLast() else { return }
        if ignoredDepth > 0 {
            ignoredDepth -= 1
            return
        }
        let parent = stack.last
        let grandparent = stack.count >= 2 ? stack[stack.count - 2] : nil
        defer { clearText() }
        switch parent {
        case nil:
            if name == .feedback { rootEnded = true }
        case .reportMetadata?:
            endMetadataField(name)
        case .dateRange? where grandparent == .reportMetadata:
            if name == .begin { metadata.begin = value() }
            if name == .end { metadata.end = value() }
        case .policyPublished? where policyCount == 1:
            endPolicyField(name)
        case .feedback?:
            switch name {
            case .reportMetadata: metadataDone = true
            case .policyPublished where policyCount == 1: policyDone = true
            case .record: try endRecord()
            default: break
            }
        case .row? where grandparent == .record:
            if name == .sourceIP { record.sourceIP = value() }
            if name == .count { record.count = value() }
            if name == .policyEvaluated { record.hasPolicyEvaluated = true }
        case .policyEvaluated?:
            switch name {
            case .disposition: record.disposition = value()
            case .dkim: record.dkim = value()
            case .spf: record.spf = value()
            case .reason:
                if record.reasons.count < limits.maxReasonsPerRecord {
                    record.reasons.append(reason)
                } else {
                    record.droppedReasons += 1
                }
            default: break
            }
        case .reason?:
            if name == .type { reason.type = value() }
            if name == .comment { reason.comment = value() }
        case .identifiers? where grandparent == .record:
            switch name {
            case .headerFrom: record.headerFrom = value()
            case .envelopeFrom: record.envelopeFrom = value()
            case .envelopeTo: record.envelopeTo = value()
            default: break
            }
        case .authResults? where grandparent == .record:
            if name == .dkim {
                guard record.dkimResults.count < limits.maxAuthResultsPerRecord else {
                    throw ReadError(.limitExceeded, "record \(recordCount + 1) has more than \(limits.maxAuthResultsPerRecord) DKIM results")
                }
                record.dkimResults.append(dkim)
            } else if name == .spf {
                guard record.spfResults.count < limits.maxAuthResultsPerRecord else {
                    throw ReadError(.limitExceeded, "record \(recordCount + 1) has more than \(limits.maxAuthResultsPerRecord) SPF results")
                }
                record.spfResults.append(spf)
            }
        case .dkim? where grandparent == .authResults:
            dkim.set(name, value())
        case .spf? where grandparent == .authResults:
            spf.set(name, value())
        default:
            break
        }
    }

    /// libxml2 gave up on a start tag it already reported (`<bad@x>`) and dropped the element
    /// from its tree without an end event; the builder follows.
    mutating func discardOpenElement() {
        guard stack.popLast() != nil else { return }
        if ignoredDepth > 0 { ignoredDepth -= 1 }
        clearText()
    }

    /// The current element's text, trimmed on its bytes so that only one `String` is made, with
    /// what `Printable` replaces replaced: values are stored, printed and shown on pages.
    private mutating func value() -> String {
        let (text, mayNeedCleaning) = self.text.withUnsafeBufferPointer { bytes in
            let trimmed = UnsafeBufferPointer(rebasing: bytes[Normalise.trimmedRange(bytes)])
            return (String(decoding: trimmed, as: UTF8.self), Printable.mayNeedCleaning(trimmed))
        }
        guard mayNeedCleaning else { return text }
        let cleaned = Printable.cleaned(text)
        replacedCharacters += cleaned.replaced
        return cleaned.text
    }

    private mutating func endMetadataField(_ name: ElementName) {
        switch name {
        case .orgName: metadata.orgName = value()
        case .email: metadata.email = value()
        case .extraContactInfo: metadata.extraContactInfo = value()
        case .reportID: metadata.reportID = value()
        case .error:
            if metadata.errors.count < limits.maxErrorsPerReport {
                metadata.errors.append(value())
            } else {
                metadata.droppedErrors += 1
            }
        case .generator:
            metadata.generator = value()
            schema = .dmarc2
        default: break
        }
    }

    private mutating func endPolicyField(_ name: ElementName) {
        let text = value()
        switch name {
        case .domain: policy.domain = text
        case .adkim: policy.adkim = text
        case .aspf: policy.aspf = text
        case .p: policy.p = text
        case .sp: policy.sp = text
        case .np:
            policy.np = text
            schema = .dmarc2
        case .pct: policy.pct = text
        case .fo: policy.fo = text
        case .testing:
            policy.testing = text
            schema = .dmarc2
        case .discoveryMethod:
            policy.discoveryMethod = text
            schema = .dmarc2
        default: break
        }
    }

    private mutating func endRecord() throws(ReadError) {
        recordCount += 1
        guard recordCount <= limits.maxRecordsPerReport else {
            throw ReadError(.limitExceeded, "more than \(limits.maxRecordsPerReport) records in one report")
        }
        if let built = record.build(number: recordCount, warnings: &warnings) {
            // Each row is capped, so the sum cannot wrap before it passes the report's cap.
            messages += built.count
            guard messages <= MessageCount.maxPerReport else {
                throw ReadError(
                    .limitExceeded,
                    "the report's rows add up to more than \(MessageCount.maxPerReport) messages, more than any receiver reports")
            }
            pending.append(built)
        }
        capWarnings()
        if header == nil, metadataDone, policyDone { try makeHeader() }
    }

    /// Called at the end of the document: the header, if no record made it yet, and the final check.
    mutating func finish() throws(ReadError) {
        guard sawRoot else { throw ReadError(.notAReport, "no <feedback> element") }
        if header == nil { try makeHeader() }
    }

    private mutating func makeHeader() throws(ReadError) {
        // Real receivers leave one of the two empty (parsedmarc's samples have an empty org_name);
        // without both, nobody could tell who sent the report.
        let orgName = metadata.orgName ?? "", email = metadata.email ?? ""
        if orgName.isEmpty, email.isEmpty {
            throw ReadError(.missingField, "report_metadata has neither org_name nor email")
        }
        if orgName.isEmpty { warnings.append("report_metadata has no org_name") }
        if email.isEmpty { warnings.append("report_metadata has no email") }
        guard let reportID = metadata.reportID, !reportID.isEmpty else {
            throw ReadError(.missingField, "report_metadata has no report_id")
        }
        guard let beginText = metadata.begin, let endText = metadata.end else {
            throw ReadError(.missingField, "report_metadata has no date_range with begin and end")
        }
        guard let begin = Normalise.epochSeconds(beginText) else {
            throw ReadError(.missingField, "date_range begin \"\(beginText.prefix(40))\" is not a number")
        }
        guard let end = Normalise.epochSeconds(endText) else {
            throw ReadError(.missingField, "date_range end \"\(endText.prefix(40))\" is not a number")
        }
        if end < begin { warnings.append("date_range ends (\(end)) before it begins (\(begin))") }
        guard let domainText = policy.domain, !domainText.isEmpty, !domainText.allSatisfy(\.isWhitespace) else {
            throw ReadError(.missingField, "policy_published has no domain")
        }
        let published = policy.build(warnings: &warnings)
        if metadata.droppedErrors > 0 {
            warnings.append(
                "\(metadata.droppedErrors) more report_metadata errors dropped (at most \(limits.maxErrorsPerReport) are kept)")
        }
        capWarnings()
        // Those the header carries stay as they are at the end (`reportedWarnings` cleans the rest).
        warnings = warnings.map(Printable.text)
        header = AggregateReport(
            schema: schema,
            metadata: ReportMetadata(
                orgName: orgName, email: email, extraContactInfo: metadata.extraContactInfo?.nonEmpty,
                reportID: reportID, dateRange: DateRange(begin: begin, end: end), errors: metadata.errors,
                generator: metadata.generator?.nonEmpty),
            policy: published, records: [], warnings: warnings, source: source)
    }
}

// MARK: drafts: text as read, turned into model values once complete

private struct MetadataDraft {
    var orgName, email, extraContactInfo, reportID, begin, end, generator: String?
    var errors: [String] = []
    var droppedErrors = 0
}

private struct PolicyDraft {
    var domain, adkim, aspf, p, sp, np, pct, fo, testing, discoveryMethod: String?

    func build(warnings: inout [String]) -> PolicyPublished {
        let domainText = domain ?? ""
        var result = PolicyPublished(domain: Normalise.domain(domainText) ?? domainText.lowercased())
        if Normalise.domain(domainText) == nil { warnings.append("policy domain \"\(domainText)\" is not a valid domain name") }
        result.adkim = parse(adkim, "adkim", &warnings)
        result.aspf = parse(aspf, "aspf", &warnings)
        result.p = parse(p, "p", &warnings)
        // RFC 7489: an absent (or, in practice, empty) sp means p applies to subdomains too.
        result.sp = parse(sp, "sp", &warnings) ?? result.p
        result.np = parse(np, "np", &warnings)
        if let pct, !pct.isEmpty {
            if let value = Int(pct), (0...100).contains(value) {
                result.pct = value
            } else {
                warnings.append("pct \"\(pct.prefix(20))\" is not a percentage; left out")
            }
        }
        result.fo = fo?.nonEmpty
        result.testing = testing?.nonEmpty?.lowercased()
        result.discoveryMethod = discoveryMethod?.nonEmpty?.lowercased()
        return result
    }
}

private struct RecordDraft {
    var sourceIP, count, disposition, dkim, spf, headerFrom, envelopeFrom, envelopeTo: String?
    var hasPolicyEvaluated = false
    var reasons: [ReasonDraft] = []
    /// Override reasons past `limits.maxReasonsPerRecord`, counted instead of kept.
    var droppedReasons = 0
    var dkimResults: [AuthDraft] = []
    var spfResults: [AuthDraft] = []

    func build(number: Int, warnings: inout [String]) -> Record? {
        guard let ip = sourceIP.flatMap(Normalise.ipAddress) else {
            let shown = sourceIP.flatMap { $0.isEmpty ? nil : "\"\($0.prefix(60))\"" } ?? "empty"
            warnings.append("record \(number): source_ip \(shown) is not an IP address; its \(count ?? "?") message(s) are left out")
            return nil
        }
        let countText = Normalise.trimmed(count ?? "")
        guard let messages = Normalise.count(countText), MessageCount.isPlausible(record: messages) else {
            let digits = !countText.isEmpty && countText.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            warnings.append(
                "record \(number) (\(ip)): count \"\(countText.prefix(30))\" "
                    + (digits ? "is more than one row can hold (\(MessageCount.maxPerRecord))" : "is not a number")
                    + "; left out")
            return nil
        }
        // Only built when a warning needs it: this runs for every record.
        var prefix: String { "record \(number) (\(ip))" }
        var evaluated = PolicyEvaluated(
            disposition: parse(disposition, "\(prefix) disposition", &warnings),
            dkim: parse(dkim, "\(prefix) dkim", &warnings),
            spf: parse(spf, "\(prefix) spf", &warnings))
        evaluated.reasons = reasons.map { reason in
            PolicyOverrideReason(
                type: parse(reason.type, "\(prefix) reason type", &warnings), comment: reason.comment?.nonEmpty)
        }
        if droppedReasons > 0 { warnings.append("\(prefix): \(droppedReasons) more override reasons dropped") }
        let header = headerFrom ?? ""
        if header.isEmpty { warnings.append("\(prefix): no header_from") }
        let identifiers = Identifiers(
            headerFrom: domainValue(header),
            envelopeFrom: envelopeFrom?.nonEmpty.map(domainValue),
            envelopeTo: envelopeTo?.nonEmpty.map(domainValue))
        let auth = AuthResults(
            dkim: dkimResults.map { draft in
                DKIMAuthResult(
                    domain: domainValue(draft.domain ?? ""), selector: draft.selector?.nonEmpty?.lowercased(),
                    result: parse(draft.result, "\(prefix) dkim result", &warnings),
                    humanResult: draft.humanResult?.nonEmpty)
            },
            spf: spfResults.map { draft in
                SPFAuthResult(
                    domain: domainValue(draft.domain ?? ""),
                    scope: parse(draft.scope, "\(prefix) spf scope", &warnings),
                    result: parse(draft.result, "\(prefix) spf result", &warnings),
                    humanResult: draft.humanResult?.nonEmpty)
            })
        return Record(sourceIP: ip, count: messages, policyEvaluated: evaluated, identifiers: identifiers, authResults: auth)
    }

    /// Domains as A-labels; what is no domain (an address, garbage) stays as written, lower-cased.
    private func domainValue(_ text: String) -> String {
        text.isEmpty ? "" : (Normalise.domain(text) ?? text.lowercased())
    }
}

private struct ReasonDraft {
    var type, comment: String?
}

private struct AuthDraft {
    var domain, selector, result, scope, humanResult: String?

    mutating func set(_ name: ElementName, _ value: String) {
        switch name {
        case .domain: domain = value
        case .selector: selector = value
        case .result: result = value
        case .scope: scope = value
        case .humanResult: humanResult = value
        default: break
        }
    }
}

/// An enum from report text; empty means absent, anything unknown is named in a warning.
private func parse<T: ReportEnum>(_ text: String?, _ field: @autoclosure () -> String, _ warnings: inout [String]) -> T? {
    guard let text, !text.isEmpty else { return nil }
    if let value = T(reportText: text) { return value }
    warnings.append("\(field()) \"\(text.prefix(30))\" is not a known value; left empty")
    return nil
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
