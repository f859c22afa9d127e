/// An IPv4 or IPv6 address as 128 bits, parsed once so that network tests are two masked compares.
///
/// The one IP parser: `Normalise.ipAddress` (report values) is this one with whitespace and brackets
/// trimmed first. IPv4 addresses keep their own family (and IPv4-mapped IPv6 `::ffff:a.b.c.d` becomes
/// IPv4), so `192.0.2.1` and `::ffff:192.0.2.1` are the same source. Written out over UTF-8 bytes
/// without Foundation or libc (`inet_pton` stops at a NUL and accepts what precedes it): it runs
/// once per report row.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable {
        case v4, v6
    }

    public let family: Family
    /// The upper 64 bits of an IPv6 address; 0 for IPv4.
    let high: UInt64
    /// The lower 64 bits of an IPv6 address; an IPv4 address in the low 32 bits.
    let low: UInt64

    init(family: Family, high: UInt64, low: UInt64) {
        self.family = family
        self.high = high
        self.low = low
    }

    /// Reads dotted IPv4 or any RFC 4291 text form of IPv6 (with `::` and an embedded IPv4 tail).
    /// Nil for anything else, including zones (`%eth0`), brackets and surrounding whitespace.
    public init?(_ text: some StringProtocol) {
        var text = String(text)
        let parsed: IPAddress? = text.withUTF8 { IPAddress.parse($0) }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Bits in the address: 32 or 128.
    public var bitWidth: Int { family == .v4 ? 32 : 128 }

    /// The 4 or 16 bytes in network order.
    public var bytes: [UInt8] {
        if family == .v4 {
            return (0..<4).map { UInt8(truncatingIfNeeded: low >> (24 - 8 * UInt64($0))) }
        }
        let hi = (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64($0))) }
        let lo = (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64($0))) }
        return hi + lo
    }

    /// Canonical text: dotted IPv4 or RFC 5952 IPv6, the same as `Normalise.ipAddress` writes.
    public var description: String {
        let b = bytes
        if family == .v4 { return "\(b[0]).\(b[1]).\(b[2]).\(b[3])" }
        return Normalise.rfc5952(b)
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        guard !bytes.isEmpty, bytes.count <= 45 else { return nil }
        if !bytes.contains(UInt8(ascii: ":")) {
            guard let v4 = parseIPv4(bytes[...]) else { return nil }
            return IPAddress(family: .v4, high: 0, low: UInt64(v4))
        }
        return parseIPv6(bytes)
    }

    /// Four decimal octets without leading zeros (`010` is rejected: some parsers read it as octal).
    static func parseIPv4(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> UInt32? {
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var parts = 0
        var leadingZero = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | octet
                parts += 1
                octet = 0
                digits = 0
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            if digits == 1, leadingZero { return nil }
            if digits == 0 { leadingZero = byte == UInt8(ascii: "0") }
            octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
            digits += 1
            guard digits <= 3, octet <= 255 else { return nil }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | octet
    }

    static func parseIPv6(_ bytes: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        // Eight groups on the stack: no allocation per parsed address.
        withUnsafeTemporaryAllocation(of: UInt16.self, capacity: 8) { groups in
            groups.initialize(repeating: 0)
            return parseIPv6(bytes, into: groups)
        }
    }

    private static func parseIPv6(_ bytes: UnsafeBufferPointer<UInt8>, into groups: UnsafeMutableBufferPointer<UInt16>)
        -> IPAddress?
    {
        var count = 0
        var gap = -1  // index in `groups` where `::` stands
        var index = 0
        let end = bytes.count
        if end >= 2, bytes[0] == UInt8(ascii: ":") {
            guard bytes[1] == UInt8(ascii: ":") else { return nil }
            gap = 0
            index = 2
        }
        while index < end {
            // One group: up to four hex digits, or an IPv4 tail in the last 32 bits.
            var value: UInt32 = 0
            var digits = 0
            var cursor = index
            while cursor < end, let nibble = hexValue(bytes[cursor]) {
                value = value << 4 | UInt32(nibble)
                digits += 1
                cursor += 1
                if digits > 4 { return nil }
            }
            if cursor < end, bytes[cursor] == UInt8(ascii: ".") {
                guard count <= 6, let v4 = parseIPv4(bytes[index..<end]) else { return nil }
                groups[count] = UInt16(truncatingIfNeeded: v4 >> 16)
                groups[count + 1] = UInt16(truncatingIfNeeded: v4)
                count += 2
                index = end
                break
            }
            guard digits > 0, count < 8 else { return nil }
            groups[count] = UInt16(value)
            count += 1
            index = cursor
            if index == end { break }
            guard bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            if index < end, bytes[index] == UInt8(ascii: ":") {
                guard gap < 0 else { return nil }
                gap = count
                index += 1
            } else if index == end {
                return nil  // a single trailing colon
            }
        }
        if gap >= 0 {
            guard count < 8 else { return nil }
            let tail = count - gap
            let shift = 8 - count
            for i in stride(from: tail - 1, through: 0, by: -1) {
                groups[gap + shift + i] = groups[gap + i]
            }
            for i in gap..<(gap + shift) { groups[i] = 0 }
        } else {
            guard count == 8 else { return nil }
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for i in 0..<4 { high = high << 16 | UInt64(groups[i]) }
        for i in 4..<8 { low = low << 16 | UInt64(groups[i]) }
        if high == 0, low >> 32 == 0xffff {
            return IPAddress(family: .v4, high: 0, low: low & 0xffff_ffff)
        }
        return IPAddress(family: .v6, high: high, low: low)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
