/// A small streaming JSON writer: reports are printed by the million, and Foundation's encoder
/// neither keeps key order nor keeps up.
public struct JSONWriter: Sendable {
    /// UTF-8 bytes written so far.
    public private(set) var bytes: [UInt8] = []
    /// Whether the innermost open object or array (or the top level) already has a member.
    private var needsComma = false
    /// The same for the enclosing ones, outermost first; apart so that the hot `separator` never
    /// touches an array.
    private var outerNeedsComma: [Bool] = []

    public init() { bytes.reserveCapacity(1024) }

    public var output: String { String(decoding: bytes, as: UTF8.self) }

    /// Empties the writer but keeps its storage, for writing many small objects in a row.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
        outerNeedsComma.removeAll(keepingCapacity: true)
    }

    /// Drops the bytes written so far but stays inside the open objects and arrays, so a document
    /// can be written out in pieces.
    public mutating func takeBytes() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }

    public mutating func beginObject(_ key: String? = nil) { open(key, UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray(_ key: String? = nil) { open(key, UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    public mutating func string(_ key: String?, _ value: String?) {
        guard let value else {
            separator(key)
            bytes.append(contentsOf: "null".utf8)
            return
        }
        if let key {
            // The common case, in one append: `,"key":"value"`.
            let comma = needsComma
            needsComma = true
            Self.appendQuoted(key, value, comma: comma, to: &bytes)
        } else {
            separator(nil)
            Self.appendQuoted(value, to: &bytes)
        }
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
        outerNeedsComma.append(needsComma)
        needsComma = false
    }

    private mutating func close(_ bracket: UInt8) {
        needsComma = outerNeedsComma.popLast() ?? true
        bytes.append(bracket)
    }

    private mutating func separator(_ key: String?) {
        let comma = needsComma
        needsComma = true
        if let key {
            Self.appendQuoted(key, comma: comma, colon: true, to: &bytes)
        } else if comma {
            bytes.append(UInt8(ascii: ","))
        }
    }

    static func appendQuoted(_ value: String, to output: inout [UInt8]) {
        appendQuoted(value, comma: false, colon: false, to: &output)
    }

    /// `[,]"value"[:]`, escaped, in one append: called for every key and value, and each append
    /// to an array checks its uniqueness and capacity.
    private static func appendQuoted(_ value: String, comma: Bool, colon: Bool, to output: inout [UInt8]) {
        var value = value
        value.withUTF8 { utf8 in
            withEscapeBuffer(for: utf8.count) { buffer in
                var count = 0
                if comma { put(UInt8(ascii: ","), in: buffer, at: &count) }
                putQuoted(utf8, in: buffer, at: &count)
                if colon { put(UInt8(ascii: ":"), in: buffer, at: &count) }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<count]))
            }
        }
    }

    /// `[,]"key":"value"` in one append.
    private static func appendQuoted(_ key: String, _ value: String, comma: Bool, to output: inout [UInt8]) {
        var key = key, value = value
        key.withUTF8 { keyUTF8 in
            value.withUTF8 { valueUTF8 in
                withEscapeBuffer(for: keyUTF8.count + valueUTF8.count) { buffer in
                    var count = 0
                    if comma { put(UInt8(ascii: ","), in: buffer, at: &count) }
                    putQuoted(keyUTF8, in: buffer, at: &count)
                    put(UInt8(ascii: ":"), in: buffer, at: &count)
                    putQuoted(valueUTF8, in: buffer, at: &count)
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<count]))
                }
            }
        }
    }

    /// Room for `byteCount` bytes escaped (at most six bytes each, `\u001f`), two pairs of quotes
    /// and two separators; on the stack when small.
    private static func withEscapeBuffer(for byteCount: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: byteCount * 6 + 6, body)
    }

    @inline(__always)
    private static func put(_ byte: UInt8, in buffer: UnsafeMutableBufferPointer<UInt8>, at count: inout Int) {
        buffer[count] = byte
        count += 1
    }

    private static func putQuoted(_ utf8: UnsafeBufferPointer<UInt8>, in buffer: UnsafeMutableBufferPointer<UInt8>, at count: inout Int) {
        let hexDigits: StaticString = "0123456789abcdef"
        put(UInt8(ascii: "\""), in: buffer, at: &count)
        for byte in utf8 {
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                put(byte, in: buffer, at: &count)
                continue
            }
            put(UInt8(ascii: "\\"), in: buffer, at: &count)
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): put(byte, in: buffer, at: &count)
            case 0x0A: put(UInt8(ascii: "n"), in: buffer, at: &count)
            case 0x0D: put(UInt8(ascii: "r"), in: buffer, at: &count)
            case 0x09: put(UInt8(ascii: "t"), in: buffer, at: &count)
            default:
                put(UInt8(ascii: "u"), in: buffer, at: &count)
                put(UInt8(ascii: "0"), in: buffer, at: &count)
                put(UInt8(ascii: "0"), in: buffer, at: &count)
                put(hexDigits.utf8Start[Int(byte >> 4)], in: buffer, at: &count)
                put(hexDigits.utf8Start[Int(byte & 0x0F)], in: buffer, at: &count)
            }
        }
        put(UInt8(ascii: "\""), in: buffer, at: &count)
    }
}

extension AggregateReport {
    /// The report as one JSON object, fields named as in the XML (DESIGN's `dmarc parse` interface).
    public func writeJSON(to json: inout JSONWriter) {
        writeJSONHead(to: &json)
        for record in records { record.writeJSON(to: &json) }
        writeJSONTail(to: &json)
    }

    /// Everything up to and including the opening of `records`; the records may then be written
    /// elsewhere (each with a leading comma but the first), followed by `writeJSONTail`.
    public func writeJSONHead(to json: inout JSONWriter) {
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
    }

    /// Closes `records`, then the warnings and the object.
    public func writeJSONTail(to json: inout JSONWriter) {
        json.endArray()
        json.beginArray("warnings")
        for warning in warnings { json.string(nil, warning) }
        json.endArray()
        json.endObject()
    }

    @_spi(Testing) public var jsonLine: String {
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
