/// The elements of both report schemas, matched by local name whatever the namespace or prefix.
enum ElementName: UInt8 {
    case feedback, version, reportMetadata, orgName, email, extraContactInfo, reportID, dateRange, begin, end
    case error, generator, policyPublished, domain, adkim, aspf, p, sp, np, pct, fo, testing, discoveryMethod
    case record, row, sourceIP, count, policyEvaluated, disposition, dkim, spf, reason, type, comment
    case identifiers, headerFrom, envelopeFrom, envelopeTo, authResults, selector, result, scope, humanResult
    case `extension`
    /// Anything else: its text is ignored.
    case other

    /// `name` is a NUL-terminated UTF-8 local name from libxml2.
    ///
    /// Runs for every start tag, so it works on the bytes: length and first byte pick the one name
    /// it can be (a second byte where two names share both), and the other bytes confirm it. No
    /// `String`, no hashing.
    init(localName name: UnsafePointer<UInt8>) {
        let length = strlen8(name, limit: 19)
        guard let candidate = Self.candidate(name, length: length), candidate.spelling.utf8CodeUnitCount == length else {
            self = .other
            return
        }
        // A loop, not memcmp: the names are short and a library call costs more than the bytes.
        for index in 1..<length where candidate.spelling.utf8Start[index] != name[index] {
            self = .other
            return
        }
        self = candidate.name
    }

    private typealias Candidate = (spelling: StaticString, name: ElementName)

    /// The only element name that can have this length and these leading bytes.
    private static func candidate(_ name: UnsafePointer<UInt8>, length: Int) -> Candidate? {
        guard length > 0 else { return nil }
        let first = name[0]
        func byte(_ character: Unicode.Scalar) -> UInt8 { UInt8(ascii: character) }
        switch (length, first) {
        case (1, byte("p")): return ("p", .p)
        case (2, byte("s")): return ("sp", .sp)
        case (2, byte("n")): return ("np", .np)
        case (2, byte("f")): return ("fo", .fo)
        case (3, byte("e")): return ("end", .end)
        case (3, byte("p")): return ("pct", .pct)
        case (3, byte("r")): return ("row", .row)
        case (3, byte("s")): return ("spf", .spf)
        case (4, byte("a")): return ("aspf", .aspf)
        case (4, byte("d")): return ("dkim", .dkim)
        case (4, byte("t")): return ("type", .type)
        case (5, byte("a")): return ("adkim", .adkim)
        case (5, byte("b")): return ("begin", .begin)
        case (5, byte("c")): return ("count", .count)
        case (5, byte("e")): return name[1] == byte("m") ? ("email", .email) : ("error", .error)
        case (5, byte("s")): return ("scope", .scope)
        case (6, byte("d")): return ("domain", .domain)
        case (6, byte("r")):
            switch name[2] {
            case byte("c"): return ("record", .record)
            case byte("a"): return ("reason", .reason)
            default: return ("result", .result)
            }
        case (7, byte("v")): return ("version", .version)
        case (7, byte("t")): return ("testing", .testing)
        case (7, byte("c")): return ("comment", .comment)
        case (8, byte("f")): return ("feedback", .feedback)
        case (8, byte("o")): return ("org_name", .orgName)
        case (8, byte("s")): return ("selector", .selector)
        case (9, byte("r")): return ("report_id", .reportID)
        case (9, byte("g")): return ("generator", .generator)
        case (9, byte("s")): return ("source_ip", .sourceIP)
        case (9, byte("e")): return ("extension", .extension)
        case (10, byte("d")): return ("date_range", .dateRange)
        // Some receivers write the draft's name.
        case (10, byte("i")): return ("identities", .identifiers)
        case (11, byte("d")): return ("disposition", .disposition)
        case (11, byte("i")): return ("identifiers", .identifiers)
        case (11, byte("h")): return ("header_from", .headerFrom)
        case (11, byte("e")): return ("envelope_to", .envelopeTo)
        case (12, byte("a")): return ("auth_results", .authResults)
        case (12, byte("h")): return ("human_result", .humanResult)
        case (13, byte("e")): return ("envelope_from", .envelopeFrom)
        case (15, byte("r")): return ("report_metadata", .reportMetadata)
        case (16, byte("p")):
            return name[7] == byte("p") ? ("policy_published", .policyPublished) : ("policy_evaluated", .policyEvaluated)
        case (16, byte("d")): return ("discovery_method", .discoveryMethod)
        case (18, byte("e")): return ("extra_contact_info", .extraContactInfo)
        default: return nil
        }
    }
}

/// The length of a NUL-terminated string, or `limit` when it is at least that long (no name we
/// know is, so the rest need not be counted).
@inline(__always)
private func strlen8(_ pointer: UnsafePointer<UInt8>, limit: Int) -> Int {
    var length = 0
    while length < limit, pointer[length] != 0 { length += 1 }
    return length
}
