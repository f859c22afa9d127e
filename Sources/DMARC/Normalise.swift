/// The normalisations every stage relies on, so that the same value is always spelled the same way.
public enum Normalise {
    /// Whitespace (including CR, LF, TAB, other C0 controls and NBSP) removed at both ends.
    /// Works on UTF-8 bytes: it runs for every value of every record.
    public static func trimmed(_ text: some StringProtocol) -> String {
        let whole = Substring(text)
        let utf8 = whole.utf8
        guard let first = utf8.first, let last = utf8.last else { return "" }
        if first > 0x20, first != 0xC2, last > 0x20, last != 0xA0 { return String(whole) }
        var copy = String(whole)
        return copy.withUTF8 { bytes in String(decoding: bytes[trimmedRange(bytes)], as: UTF8.self) }
    }

    /// The part of `bytes` that `trimmed` keeps: for callers that hold UTF-8 bytes and want one
    /// `String` of the trimmed value, not two.
    public static func trimmedRange(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var start = 0, end = bytes.count
        while start < end {
            if bytes[start] <= 0x20 {
                start += 1
            } else if bytes[start] == 0xC2, start + 1 < end, bytes[start + 1] == 0xA0 {
                start += 2
            } else {
                break
            }
        }
        while start < end {
            if bytes[end - 1] <= 0x20 {
                end -= 1
            } else if bytes[end - 1] == 0xA0, end - 1 > start, bytes[end - 2] == 0xC2 {
                end -= 2
            } else {
                break
            }
        }
        return start..<end
    }

    /// Canonical text of an IP address: dotted IPv4, RFC 5952 IPv6, IPv4-mapped IPv6 as IPv4.
    /// Nil when `text` is no IP address.
    /// The one parser is `IPAddress`; this adds what report text needs around it (whitespace,
    /// brackets, which some receivers put around IPv6).
    public static func ipAddress(_ text: some StringProtocol) -> String? {
        var value = trimmed(text)
        // Some receivers wrap IPv6 in brackets; they do not belong to the source address.
        if value.hasPrefix("["), value.hasSuffix("]") { value = String(value.dropFirst().dropLast()) }
        guard let address = IPAddress(value) else { return nil }
        // Dotted IPv4 that parsed has no leading zeros: it is its own canonical text, no new string.
        if address.family == .v4, !value.utf8.contains(UInt8(ascii: ":")) { return value }
        return address.description
    }

    /// RFC 5952 section 4: lower-case hex, no leading zeros, the longest run (first on a tie) of two or
    /// more zero groups shortened to `::`. Written out because libc versions differ on the details.
    public static func rfc5952(_ bytes: [UInt8]) -> String {
        func group(_ i: Int) -> UInt16 { UInt16(bytes[2 * i]) << 8 | UInt16(bytes[2 * i + 1]) }
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0...8 {
            if i < 8, group(i) == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                let length = i - runStart
                if length > bestLength { bestStart = runStart; bestLength = length }
                runStart = -1
            }
        }
        if bestLength < 2 { bestStart = -1 }
        // Written as bytes into a buffer of the longest form (8 groups of 4 digits, 7 colons): one
        // String in the end instead of one per group.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 39) { out in
            let hexDigits: StaticString = "0123456789abcdef"
            var count = 0
            var i = 0
            while i < 8 {
                if i == bestStart {
                    out[count] = UInt8(ascii: ":")
                    out[count + 1] = UInt8(ascii: ":")
                    count += 2
                    i += bestLength
                    continue
                }
                if count > 0, out[count - 1] != UInt8(ascii: ":") {
                    out[count] = UInt8(ascii: ":")
                    count += 1
                }
                let value = group(i)
                var shift = 12
                while shift > 0, (value >> shift) & 0xF == 0 { shift -= 4 }
                while shift >= 0 {
                    out[count] = hexDigits.utf8Start[Int((value >> shift) & 0xF)]
                    count += 1
                    shift -= 4
                }
                i += 1
            }
            return String(decoding: UnsafeBufferPointer(rebasing: out[0..<count]), as: UTF8.self)
        }
    }

    /// A domain as lower-case A-labels without a trailing dot; nil when it cannot be a domain.
    public static func domain(_ text: some StringProtocol) -> String? {
        var value = trimmed(text)
        if value.hasSuffix(".") { value.removeLast() }
        guard !value.isEmpty, value.utf8.count <= 1024 else { return nil }
        if isCanonicalASCIIDomain(value) { return value }
        var labels: [String] = []
        for label in value.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else { return nil }
            if label.unicodeScalars.allSatisfy(\.isASCII) {
                labels.append(label.lowercased())
            } else {
                guard let encoded = Punycode.encode(label.lowercased()) else { return nil }
                labels.append("xn--" + encoded)
            }
        }
        return labels.joined(separator: ".")
    }

    /// Lower-case ASCII letters, digits, `-`, `_` and single dots: nothing to do (the common case).
    private static func isCanonicalASCIIDomain(_ value: String) -> Bool {
        var value = value
        // On the contiguous bytes: iterating `String.UTF8View` costs an index check per byte.
        return value.withUTF8 { isCanonicalASCIIDomain($0) }
    }

    private static func isCanonicalASCIIDomain(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        var previous = UInt8(ascii: ".")
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"),
                UInt8(ascii: "_"):
                break
            case UInt8(ascii: "."):
                if previous == UInt8(ascii: ".") { return false }
            default:
                return false
            }
            previous = byte
        }
        return previous != UInt8(ascii: ".")
    }

    /// Seconds since the epoch; accepts the decimals (`1538204542.0`) and spaces some receivers write.
    public static func epochSeconds(_ text: some StringProtocol) -> Int64? {
        let value = trimmed(text)
        let integerPart = value.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = integerPart.first, !whole.isEmpty else { return nil }
        if integerPart.count == 2, !integerPart[1].allSatisfy(\.isASCIIDigit) { return nil }
        return Int64(whole)
    }

    /// A non-negative 64-bit count; nil for anything else (no guessing from `12abc`).
    public static func count(_ text: some StringProtocol) -> Int64? {
        let value = trimmed(text)
        // On the bytes: a character is an ASCII digit exactly when its one byte is.
        guard !value.isEmpty, value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int64(value)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
