import DMARC

/// Domains as people write them: `müller-gmbh.de` rather than `xn--mller-gmbh-9db.de`.
///
/// Recommendations name a German tenant's IDN domain in the form the tenant knows, followed by the
/// A-label form its DNS uses. Decoding is RFC 3492 Punycode; a label that does not decode, or does
/// not encode back to the same A-label, stays as it is, so the output is never a different domain.
public enum DomainDisplay {
    /// `müller-gmbh.de (xn--mller-gmbh-9db.de)` for an IDN, the domain itself otherwise.
    public static func named(_ domain: String) -> String {
        let unicode = unicodeForm(domain)
        return unicode == domain ? domain : "\(unicode) (\(domain))"
    }

    /// The domain with every decodable `xn--` label as U-label.
    static func unicodeForm(_ domain: String) -> String {
        guard domain.contains("xn--") else { return domain }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false).map { label -> String in
            guard label.hasPrefix("xn--"), let decoded = decode(String(label.dropFirst(4))),
                Normalise.domain(decoded) == String(label)
            else { return String(label) }
            return decoded
        }
        return labels.joined(separator: ".")
    }

    private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700

    static func decode(_ input: String) -> String? {
        let bytes = Array(input.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var output: [UInt32] = []
        var position = 0
        if let delimiter = bytes.lastIndex(of: UInt8(ascii: "-")) {
            output = bytes[..<delimiter].map(UInt32.init)
            position = delimiter + 1
        }
        var n = 128, i = 0, bias = 72
        while position < bytes.count {
            let oldI = i
            var weight = 1
            var k = base
            while true {
                guard position < bytes.count, let digit = digitValue(bytes[position]) else { return nil }
                position += 1
                let (product, overflow1) = digit.multipliedReportingOverflow(by: weight)
                let (sum, overflow2) = i.addingReportingOverflow(product)
                guard !overflow1, !overflow2 else { return nil }
                i = sum
                let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                if digit < t { break }
                let (nextWeight, overflow3) = weight.multipliedReportingOverflow(by: base - t)
                guard !overflow3 else { return nil }
                weight = nextWeight
                k += base
            }
            let count = output.count + 1
            bias = adapt(i - oldI, count, oldI == 0)
            n += i / count
            i %= count
            guard n < 0x11_0000, Unicode.Scalar(UInt32(n)) != nil, output.count < 253 else { return nil }
            output.insert(UInt32(n), at: i)
            i += 1
        }
        var text = ""
        for value in output {
            guard let scalar = Unicode.Scalar(value) else { return nil }
            text.unicodeScalars.append(scalar)
        }
        return text
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(byte - UInt8(ascii: "a"))
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0")) + 26
        default: nil
        }
    }

    private static func adapt(_ delta: Int, _ numPoints: Int, _ firstTime: Bool) -> Int {
        var delta = firstTime ? delta / damp : delta / 2
        delta += delta / numPoints
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}
