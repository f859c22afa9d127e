/// The elements of both report schemas, matched by local name whatever the namespace or prefix.
enum ElementName: UInt8 {
    case feedback, version, reportMetadata, orgName, email, extraContactInfo, reportID, dateRange, begin, end
    case error, generator, policyPublished, domain, adkim, aspf, p, sp, np, pct, fo, testing, discoveryMethod
    case record, row, sourceIP, count, policyEvaluated, disposition, dkim, spf, reason, type, comment
    case identifiers, headerFrom, envelopeFrom, envelopeTo, authResults, selector, result, scope, humanResult
    case `extension`
    /// Anything else: its text is ignored.
    case other

    private static let byName: [String: ElementName] = [
        "feedback": .feedback, "version": .version, "report_metadata": .reportMetadata, "org_name": .orgName,
        "email": .email, "extra_contact_info": .extraContactInfo, "report_id": .reportID,
        "date_range": .dateRange, "begin": .begin, "end": .end, "error": .error, "generator": .generator,
        "policy_published": .policyPublished, "domain": .domain, "adkim": .adkim, "aspf": .aspf, "p": .p,
        "sp": .sp, "np": .np, "pct": .pct, "fo": .fo, "testing": .testing, "discovery_method": .discoveryMethod,
        "record": .record, "row": .row, "source_ip": .sourceIP, "count": .count,
        "policy_evaluated": .policyEvaluated, "disposition": .disposition, "dkim": .dkim, "spf": .spf,
        "reason": .reason, "type": .type, "comment": .comment, "identifiers": .identifiers,
        // Some receivers write the draft's name.
        "identities": .identifiers,
        "header_from": .headerFrom, "envelope_from": .envelopeFrom, "envelope_to": .envelopeTo,
        "auth_results": .authResults, "selector": .selector, "result": .result, "scope": .scope,
        "human_result": .humanResult, "extension": .extension,
    ]

    /// `name` is a NUL-terminated UTF-8 local name from libxml2.
    init(localName name: UnsafePointer<UInt8>) {
        let length = strlen8(name)
        guard length <= 24 else {
            self = .other
            return
        }
        let key = String(decoding: UnsafeBufferPointer(start: name, count: length), as: UTF8.self)
        self = Self.byName[key] ?? .other
    }
}

@inline(__always)
private func strlen8(_ pointer: UnsafePointer<UInt8>) -> Int {
    var length = 0
    while pointer[length] != 0 { length += 1 }
    return length
}
