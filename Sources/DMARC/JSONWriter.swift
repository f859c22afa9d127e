/// A small streaming JSON writer: reports are printed by the million, and Foundation's encoder
/// neither keeps key order nor keeps up.
public struct JSONWriter: Sendable {
    /// UTF-8 bytes written so far.
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]

    public init() { bytes.reserveCapacity(1024) }

    public var output: String { String(decoding: bytes, as: UTF8.self) }

    /// Empties the writer but keeps its storage, for writing many small objects in a row.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = [false]
    }

    public mutating func beginObject(_ key: String? = nil) { open(key, UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray(_ key: String? = nil) { open(key, UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    public mutating func string(_ key: String?, _ value: String?) {
        separator(key)
        if let value { Self.appendQuoted(value, to: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
    }

    public mutating func number(_ key: String?, _ value: Int64?) {
        separator(key)
        bytes.append(contentsOf: (value.map { String($0) } ?? "null").utf8)
    }

    public mutating func bool(_ key: String?, _ value: Bool) {
        separator(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Leaves `key` out altogether when `value` is nil: optional fields that most reports lack.
    public mutating func optionalString(_ key: String, _ value: String?) {
        if let value { string(key, value) }
    }

    private mutating func open(_ key: String?, _ bracket: UInt8) {
        separator(key)
        bytes.append(bracket)
        needsComma.append(false)
    }

    private mutating func close(_ bracket: UInt8) {
        needsComma.removeLast()
        bytes.append(bracket)
    }

    private mutating func separator(_ key: String?) {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
        if let key {
            Self.appendQuoted(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
        }
    }

    static func appendQuoted(_ value: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var plainStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainStart..<index]))
                switch byte {
                case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
                case 0x0A: output.append(contentsOf: #"\n"#.utf8)
                case 0x0D: output.append(contentsOf: #"\r"#.utf8)
                case 0x09: output.append(contentsOf: #"\t"#.utf8)
                default:
                    let hex = String(byte, radix: 16)
                    output.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                }
                plainStart = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }
}

extension AggregateReport {
    /// The report as one JSON object, fields named as in the XML (DESIGN's `dmarc parse` interface).
    public func writeJSON(to json: inout JSONWriter) {
        json.beginObject()
        json.string("source", source)
        json.string("schema", schema.rawValue)
        json.beginObject("report_metadata")
        json.string("org_name", metadata.orgName)
        json.string("email", metadata.email)
        json.optionalString("extra_contact_info", metadata.extraContactInfo)
        json.string("report_id", metadata.reportID)
        json.beginObject("date_range")
        json.number("begin", metadata.dateRange.begin)
        json.number("end", metadata.dateRange.end)
        json.endObject()
        if !metadata.errors.isEmpty {
            json.beginArray("error")
            for error in metadata.errors { json.string(nil, error) }
            json.endArray()
        }
        json.optionalString("generator", metadata.generator)
        json.endObject()

        json.beginObject("policy_published")
        json.string("domain", policy.domain)
        json.string("adkim", policy.adkim?.rawValue)
        json.string("aspf", policy.aspf?.rawValue)
        json.string("p", policy.p?.rawValue)
        json.string("sp", policy.sp?.rawValue)
        json.optionalString("np", policy.np?.rawValue)
        if let pct = policy.pct { json.number("pct", Int64(pct)) }
        json.optionalString("fo", policy.fo)
        json.optionalString("testing", policy.testing)
        json.optionalString("discovery_method", policy.discoveryMethod)
        json.endObject()

        json.beginArray("records")
        for record in records { record.writeJSON(to: &json) }
        json.endArray()
        json.beginArray("warnings")
        for warning in warnings { json.string(nil, warning) }
        json.endArray()
        json.endObject()
    }

    public var jsonLine: String {
        var json = JSONWriter()
        writeJSON(to: &json)
        return json.output
    }
}

extension Record {
    public func writeJSON(to json: inout JSONWriter) {
        json.beginObject()
        json.string("source_ip", sourceIP)
        json.number("count", count)
        json.beginObject("policy_evaluated")
        json.string("disposition", policyEvaluated.disposition?.rawValue)
        json.string("dkim", policyEvaluated.dkim?.rawValue)
        json.string("spf", policyEvaluated.spf?.rawValue)
        json.beginArray("reasons")
        for reason in policyEvaluated.reasons {
            json.beginObject()
            json.string("type", reason.type?.rawValue)
            json.string("comment", reason.comment)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        json.beginObject("identifiers")
        json.string("header_from", identifiers.headerFrom)
        json.string("envelope_from", identifiers.envelopeFrom)
        json.string("envelope_to", identifiers.envelopeTo)
        json.endObject()
        json.beginObject("auth_results")
        json.beginArray("dkim")
        for dkim in authResults.dkim {
            json.beginObject()
            json.string("domain", dkim.domain)
            json.string("selector", dkim.selector)
            json.string("result", dkim.result?.rawValue)
            json.optionalString("human_result", dkim.humanResult)
            json.endObject()
        }
        json.endArray()
        json.beginArray("spf")
        for spf in authResults.spf {
            json.beginObject()
            json.string("domain", spf.domain)
            json.string("scope", spf.scope?.rawValue)
            json.string("result", spf.result?.rawValue)
            json.optionalString("human_result", spf.humanResult)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        json.endObject()
    }
}
