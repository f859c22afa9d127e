/// Walks a message's MIME tree depth first: multiparts (nested), forwarded `message/rfc822`
/// messages, and the leaves in between. Structural problems are reported per part, so one broken
/// part does not hide the reports in the others.
struct MIMEWalker {
    enum Event {
        case leaf(MIMELeaf)
        case problem(path: String, ReadError)
    }

    let limits: ReadingLimits

    func walk(
        _ bytes: [UInt8], header: MessageHeader, body: Range<Int>, path: String, depth: Int, defaultType: String,
        visit: (Event) throws -> Void
    ) throws {
        let contentType = header[.contentType].map(HeaderParameters.init)
        var mediaType = contentType?.value ?? ""
        if mediaType.isEmpty || !mediaType.contains("/") { mediaType = defaultType }
        let encoding = header.text(.contentTransferEncoding)?.lowercased() ?? "7bit"
        let shownPath = path.isEmpty ? "1" : path

        if mediaType.hasPrefix("multipart/") {
            guard depth < limits.maxMIMEDepth else {
                return try visit(
                    .problem(
                        path: shownPath,
                        ReadError(.limitExceeded, "MIME parts nested more than \(limits.maxMIMEDepth) deep")))
            }
            guard let boundary = contentType?["boundary"], !boundary.isEmpty else {
                return try visit(.problem(path: shownPath, ReadError(.badMessage, "\(mediaType) without a boundary")))
            }
            let childDefault = mediaType == "multipart/digest" ? "message/rfc822" : "text/plain"
            let parts = Self.split(bytes, body: body, boundary: Array(boundary.utf8))
            for (number, part) in parts.enumerated() {
                let childPath = path.isEmpty ? "\(number + 1)" : "\(path).\(number + 1)"
                let parsed: (header: MessageHeader, bodyStart: Int)
                do {
                    parsed = try MessageHeader.parse(bytes, in: part, limits: limits)
                } catch {
                    try visit(.problem(path: childPath, error))
                    continue
                }
                try walk(
                    bytes, header: parsed.header, body: parsed.bodyStart..<part.upperBound, path: childPath,
                    depth: depth + 1, defaultType: childDefault, visit: visit)
            }
            return
        }

        if mediaType == "message/rfc822" || mediaType == "message/global" {
            // A forwarded report: walk the message inside. Its body should be 7bit or 8bit, but
            // some forwarders encode it anyway.
            guard depth < limits.maxMIMEDepth else {
                return try visit(
                    .problem(
                        path: shownPath,
                        ReadError(.limitExceeded, "MIME parts nested more than \(limits.maxMIMEDepth) deep")))
            }
            let inner: [UInt8]
            let range: Range<Int>
            if encoding == "base64" || encoding == "quoted-printable" {
                let leaf = MIMELeaf(
                    bytes: bytes, body: body, contentType: mediaType, transferEncoding: encoding, filename: nil,
                    path: shownPath)
                do {
                    inner = try leaf.decodedBody()
                } catch {
                    return try visit(.problem(path: shownPath, error))
                }
                range = 0..<inner.count
            } else {
                inner = bytes
                range = body
            }
            let parsed: (header: MessageHeader, bodyStart: Int)
            do {
                parsed = try MessageHeader.parse(inner, in: range, limits: limits)
            } catch {
                return try visit(.problem(path: shownPath, error))
            }
            return try walk(
                inner, header: parsed.header, body: parsed.bodyStart..<range.upperBound, path: shownPath,
                depth: depth + 1, defaultType: "text/plain", visit: visit)
        }

        let disposition = header[.contentDisposition].map(HeaderParameters.init)
        let filename = disposition?["filename"] ?? contentType?["name"]
        try visit(
            .leaf(
                MIMELeaf(
                    bytes: bytes, body: body, contentType: mediaType, transferEncoding: encoding,
                    filename: filename?.trimmingBlanks(), path: shownPath)))
    }

    /// The body parts of a multipart: between `--boundary` lines, up to `--boundary--`. The line
    /// break before a delimiter belongs to the delimiter (RFC 2046). A multipart cut off before its
    /// closing delimiter still yields its last part: the decoder then says what is missing.
    static func split(_ bytes: [UInt8], body: Range<Int>, boundary: [UInt8]) -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var partStart: Int?
        var position = body.lowerBound
        while position < body.upperBound {
            let newline = bytes[position..<body.upperBound].firstIndex(of: 0x0A)
            let lineEnd = newline ?? body.upperBound
            if lineEnd - position >= boundary.count + 2, bytes[position] == 0x2D, bytes[position + 1] == 0x2D,
                bytes[(position + 2)..<(position + 2 + boundary.count)].elementsEqual(boundary)
            {
                var rest = position + 2 + boundary.count
                var closing = false
                if rest + 1 < lineEnd, bytes[rest] == 0x2D, bytes[rest + 1] == 0x2D {
                    closing = true
                    rest += 2
                }
                // Only blanks may follow a delimiter; otherwise it is a longer boundary's line.
                if bytes[rest..<lineEnd].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                    if let start = partStart {
                        var end = position
                        if end > start, bytes[end - 1] == 0x0A { end -= 1 }
                        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                        parts.append(start..<end)
                    }
                    if closing { return parts }
                    partStart = min(lineEnd + 1, body.upperBound)
                }
            }
            position = lineEnd + 1
        }
        if let start = partStart, start < body.upperBound { parts.append(start..<body.upperBound) }
        return parts
    }
}
