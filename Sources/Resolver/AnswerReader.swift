internal import CCAres

/// Reads the answer section of a DNS response: every read is bounds-checked, names are expanded by
/// c-ares (`ares_expand_name`, which follows compression pointers safely), so a hostile packet ends
/// in `nil`, never in a read past its end.
struct AnswerReader {
    struct Section {
        /// Owner name (lower-case, no trailing dot) → CNAME target.
        var cnames: [String: String] = [:]
        /// Owner name → TXT records (each record's strings joined).
        var texts: [String: [String]] = [:]
        var addresses: [String: [String]] = [:]
        var exchanges: [String: [(preference: UInt16, name: String)]] = [:]
    }

    /// The answer section of `packet`, or nil when the packet is malformed.
    static func read(_ packet: UnsafeBufferPointer<UInt8>) -> Section? {
        guard let base = packet.baseAddress, packet.count >= 12, packet.count <= Int(Int32.max) else { return nil }
        let length = Int32(packet.count)
        let questions = Int(packet[4]) << 8 | Int(packet[5])
        let answers = Int(packet[6]) << 8 | Int(packet[7])
        var offset = 12

        func name(at position: Int) -> (String, Int)? {
            guard position < packet.count else { return nil }
            var expanded: UnsafeMutablePointer<CChar>?
            var consumed = 0
            guard ares_expand_name(base + position, base, length, &expanded, &consumed) == ARES_SUCCESS,
                let expanded
            else { return nil }
            defer { ares_free_string(expanded) }
            return (normalisedName(String(cString: expanded)), consumed)
        }
        func u16(_ at: Int) -> Int? {
            guard at + 2 <= packet.count else { return nil }
            return Int(packet[at]) << 8 | Int(packet[at + 1])
        }

        for _ in 0..<questions {
            guard let (_, consumed) = name(at: offset) else { return nil }
            offset += consumed + 4
            guard offset <= packet.count else { return nil }
        }
        var section = Section()
        for _ in 0..<answers {
            guard let (owner, consumed) = name(at: offset) else { return nil }
            offset += consumed
            guard let type = u16(offset), let recordClass = u16(offset + 2), let rdLength = u16(offset + 8) else {
                return nil
            }
            let rdStart = offset + 10
            let rdEnd = rdStart + rdLength
            guard rdEnd <= packet.count else { return nil }
            defer { offset = rdEnd }
            guard recordClass == 1 else { continue }
            switch type {
            case 5:  // CNAME
                guard let (target, _) = name(at: rdStart) else { return nil }
                section.cnames[owner] = target
            case 16:  // TXT: one or more <length><bytes> strings
                var bytes: [UInt8] = []
                bytes.reserveCapacity(rdLength)
                var at = rdStart
                while at < rdEnd {
                    let count = Int(packet[at])
                    guard at + 1 + count <= rdEnd else { return nil }
                    bytes.append(contentsOf: packet[(at + 1)..<(at + 1 + count)])
                    at += 1 + count
                }
                section.texts[owner, default: []].append(String(decoding: bytes, as: UTF8.self))
            case 1:  // A
                guard rdLength == 4 else { return nil }
                section.addresses[owner, default: []].append(
                    (rdStart..<rdEnd).map { String(packet[$0]) }.joined(separator: "."))
            case 28:  // AAAA
                guard rdLength == 16 else { return nil }
                section.addresses[owner, default: []].append(ipv6Text(Array(packet[rdStart..<rdEnd])))
            case 15:  // MX
                guard rdLength >= 3, let preference = u16(rdStart), let (exchange, _) = name(at: rdStart + 2) else {
                    return nil
                }
                section.exchanges[owner, default: []].append((UInt16(preference), exchange))
            default:
                continue
            }
        }
        return section
    }

    static func normalisedName(_ name: String) -> String {
        var name = name.lowercased()
        while name.hasSuffix(".") { name.removeLast() }
        return name
    }

    /// RFC 5952 text: lower-case hex, the longest run of two or more zero groups as `::`.
    static func ipv6Text(_ bytes: [UInt8]) -> String {
        let groups = stride(from: 0, to: 16, by: 2).map { Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]) }
        var bestStart = -1, bestLength = 0, start = -1
        for i in 0...8 {
            if i < 8, groups[i] == 0 {
                if start < 0 { start = i }
            } else if start >= 0 {
                if i - start > bestLength, i - start >= 2 { bestStart = start; bestLength = i - start }
                start = -1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            range.map { String(groups[$0], radix: 16) }.joined(separator: ":")
        }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
