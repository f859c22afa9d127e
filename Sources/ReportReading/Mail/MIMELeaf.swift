import DMARC

/// A leaf of a message's MIME tree: its headers and where its still-encoded body lies.
struct MIMELeaf {
    /// The buffer the body lies in: the message, or a decoded forwarded message.
    let bytes: [UInt8]
    let body: Range<Int>
    let contentType: String
    let transferEncoding: String
    /// From Content-Disposition `filename`, else Content-Type `name`; decoded, for display only.
    let filename: String?
    /// IMAP-style part number: `1`, `2.1`.
    let path: String

    /// The name in `source` strings: the filename, else the part number.
    var displayName: String {
        guard let filename, !filename.isEmpty else { return "part\(path)" }
        // Names go to terminals and logs.
        return Printable.text(filename)
    }

    /// Whether the part is worth decoding: body text, delivery and failure notices never hold an
    /// aggregate report; everything else is decided by its bytes. A filename that says report
    /// wins over a text type (an `.xml` sent as text/plain).
    var mayHoldReport: Bool {
        let name = (filename ?? "").lowercased()
        for suffix in [".xml", ".gz", ".gzip", ".zip"] where name.hasSuffix(suffix) { return true }
        switch contentType {
        case "text/plain", "text/html", "text/enriched", "text/rfc822-headers", "text/calendar",
            "message/delivery-status", "message/feedback-report", "message/disposition-notification":
            return false
        default:
            return !contentType.hasPrefix("image/") && !contentType.hasPrefix("audio/")
                && !contentType.hasPrefix("video/")
        }
    }

    /// The body with its transfer encoding undone.
    func decodedBody() throws(ReadError) -> [UInt8] {
        let encoded = bytes[body]
        switch transferEncoding {
        case "base64": return try Base64.decode(encoded)
        case "quoted-printable": return QuotedPrintable.decode(encoded)
        default: return Array(encoded)
        }
    }
}
