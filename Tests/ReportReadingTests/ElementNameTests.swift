@_spi(Testing) @testable import ReportReading
import Testing

@Suite struct ElementNameTests {
    static let known: [(String, ElementName)] = [
        ("feedback", .feedback), ("version", .version), ("report_metadata", .reportMetadata), ("org_name", .orgName),
        ("email", .email), ("extra_contact_info", .extraContactInfo), ("report_id", .reportID),
        ("date_range", .dateRange), ("begin", .begin), ("end", .end), ("error", .error), ("generator", .generator),
        ("policy_published", .policyPublished), ("domain", .domain), ("adkim", .adkim), ("aspf", .aspf), ("p", .p),
        ("sp", .sp), ("np", .np), ("pct", .pct), ("fo", .fo), ("testing", .testing),
        ("discovery_method", .discoveryMethod), ("record", .record), ("row", .row), ("source_ip", .sourceIP),
        ("count", .count), ("policy_evaluated", .policyEvaluated), ("disposition", .disposition), ("dkim", .dkim),
        ("spf", .spf), ("reason", .reason), ("type", .type), ("comment", .comment), ("identifiers", .identifiers),
        ("identities", .identifiers), ("header_from", .headerFrom), ("envelope_from", .envelopeFrom),
        ("envelope_to", .envelopeTo), ("auth_results", .authResults), ("selector", .selector), ("result", .result),
        ("scope", .scope), ("human_result", .humanResult), ("extension", .extension),
    ]

    private func element(_ name: String) -> ElementName {
        var bytes = Array(name.utf8) + [0]
        return bytes.withUnsafeMutableBufferPointer { ElementName(localName: $0.baseAddress!) }
    }

    @Test func everySchemaNameIsKnown() {
        for (name, expected) in Self.known { #expect(element(name) == expected, "\(name)") }
    }

    @Test(arguments: [
        "", "Feedback", "records", "recor", "reco_d", "resolve", "policy_xublished", "policy_published_",
        "extra_contact_infos", "ext", "emails", "x", "spf\u{301}", "rowing_team_captain_of_the_year",
    ])
    func otherNamesAreOther(name: String) {
        #expect(element(name) == .other)
    }
}
