import DMARC

/// Repairs what real receivers get wrong before libxml2 sees the bytes, and says so:
/// a UTF-8 byte order mark, junk before `<feedback>` (IKEA's unclosed `<xs:schema>`), C0 control
/// characters, and bytes that are not UTF-8 in a document that claims or implies UTF-8 (read as
/// windows-1252, the usual culprit). Documents in UTF-16 or a declared 8-bit encoding pass through
/// to libxml2's own decoders, with only control characters removed from the 8-bit ones.
struct XMLPrefilter<Upstream: ByteStream>: ByteStream {
    private var upstream: Upstream
    private var started = false
    private var mode = Mode.utf8
    private let storage = ChunkBuffer(byteCount: 64 << 10)
    private var raw: UnsafeMutableRawBufferPointer { storage.bytes }
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    /// Bytes of an unfinished UTF-8 sequence at the end of the previous chunk.
    private var carry: [UInt8] = []
    private var upstreamEnded = false
    /// A stream error met while reading the head, raised once the bytes before it are handed out:
    /// a problem in those comes first, as it would had the head been shorter.
    private var headError: ReadError?
    private var removedControls = 0
    private var transcodedBytes = 0
    private(set) var warnings: [String] = []
    var consumed: Int64 { upstream.consumed }

    private enum Mode { case utf8, eightBit, passThrough }

    init(_ upstream: Upstream) {
        self.upstream = upstream
    }

    /// Call once the stream is exhausted: the repairs as warnings for the report.
    func finalWarnings() -> [String] {
        var result = warnings
        if removedControls > 0 { result.append("removed \(removedControls) control character(s) not allowed in XML") }
        if transcodedBytes > 0 {
            result.append("read \(transcodedBytes) byte(s) that are not UTF-8 as windows-1252")
        }
        return result
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int {
        if !started {
            started = true
            try start()
        }
        if pendingOffset == pending.count, carry.isEmpty, !upstreamEnded {
            // The usual case: read straight into the caller's buffer and hand the bytes out as they
            // are, up to the first one that needs a repair; that one and the rest go through `pending`.
            let n = try upstream.read(into: buffer)
            if n > 0 {
                let read = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                let clean = mode == .passThrough ? n : Self.cleanPrefixLength(read, eightBit: mode == .eightBit)
                if clean == n { return n }
                pending.removeAll(keepingCapacity: true)
                pendingOffset = 0
                process(UnsafeRawBufferPointer(rebasing: read[clean...]))
                if clean > 0 { return clean }
            } else {
                upstreamEnded = true
            }
        }
        while pendingOffset == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingOffset = 0
            if upstreamEnded {
                if let error = headError {
                    headError = nil
                    throw error
                }
                return 0
            }
            let n = try upstream.read(into: raw)
            if n == 0 {
                upstreamEnded = true
                if !carry.isEmpty {
                    // A sequence cut off by the end of the document: each byte is windows-1252.
                    let leftover = carry
                    carry = []
                    for byte in leftover { appendWindows1252(byte) }
                }
                continue
            }
            process(UnsafeRawBufferPointer(rebasing: raw[0..<n]))
        }
        let count = min(buffer.count, pending.count - pendingOffset)
        pending.withUnsafeBytes { source in
            buffer.baseAddress?.copyMemory(from: source.baseAddress! + pendingOffset, byteCount: count)
        }
        pendingOffset += count
        return count
    }

    /// Looks at the head of the document: encoding, BOM, declaration, junk before the root.
    private mutating func start() throws(ReadError) {
        // Exactly the first 64 KiB (or the whole document), however the upstream's reads end: the
        // decisions below (declaration, comments, junk before the root) search the head, so a head
        // that stopped wherever a read happened to end made the same bytes read differently.
        let headLength = 64 << 10
        var head: [UInt8] = []
        while head.count < headLength {
            let n: Int
            do {
                n = try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<(headLength - head.count)]))
            } catch {
                headError = error
                upstreamEnded = true
                break
            }
            if n == 0 {
                upstreamEnded = true
                break
            }
            head.append(contentsOf: raw[0..<n])
        }
        if let headError, head.allSatisfy({ Self.isXMLSpace($0) }) { throw headError }
        guard !head.allSatisfy({ Self.isXMLSpace($0) }) else {
            throw ReadError(.empty, head.isEmpty ? "empty file" : "contains only whitespace")
        }
        if head.starts(with: [0xFE, 0xFF]) || head.starts(with: [0xFF, 0xFE])
            || head.starts(with: [0x00, 0x3C]) || head.starts(with: [0x3C, 0x00])
        {
            mode = .passThrough
            pending = head
            return
        }
        var body = head[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) {
            body = body.dropFirst(3)
            warnings.append("removed a UTF-8 byte order mark")
        }
        guard let firstNonSpace = body.firstIndex(where: { !Self.isXMLSpace($0) }), body[firstNonSpace] == UInt8(ascii: "<")
        else {
            let preview = Printable.text(bytes: body.drop(while: { Self.isXMLSpace($0) }).prefix(40))
            throw ReadError(.notXML, "not XML: starts with \"\(preview)\"")
        }
        var cursor = firstNonSpace
        if let declarationEnd = Self.declarationEnd(body, at: cursor) {
            let declaration = String(decoding: body[cursor..<declarationEnd], as: UTF8.self).lowercased()
            if let encoding = Self.declaredEncoding(declaration),
                !["utf-8", "utf8", "us-ascii", "ascii"].contains(encoding)
            {
                mode = encoding.hasPrefix("utf-16") ? .passThrough : .eightBit
            }
            cursor = declarationEnd
        }
        if mode != .passThrough {
            cursor = skipMisc(body, from: cursor)
            if let rootStart = body[cursor...].firstIndex(of: UInt8(ascii: "<")),
                !Self.isFeedbackStart(body, at: rootStart),
                !body[rootStart...].starts(with: Array("<!DOCTYPE".utf8)),
                let feedback = Self.findFeedbackStart(body, from: rootStart)
            {
                let junk = String(decoding: body[rootStart..<min(feedback, rootStart + 40)], as: UTF8.self)
                    .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
                warnings.append("skipped \(feedback - rootStart) bytes before <feedback> (\(junk)…)")
                body = body[body.startIndex..<rootStart] + body[feedback...]
            }
        }
        if mode == .passThrough {
            pending = Array(body)
        } else {
            body.withUnsafeBytes { process($0) }
        }
    }

    /// Comments, processing instructions and whitespace between the declaration and the root.
    private func skipMisc(_ body: ArraySlice<UInt8>, from start: Int) -> Int {
        var cursor = start
        while true {
            while cursor < body.endIndex, Self.isXMLSpace(body[cursor]) { cursor += 1 }
            if body[cursor...].starts(with: Array("<!--".utf8)) {
                guard let end = Self.find(Array("-->".utf8), in: body, from: cursor) else { return cursor }
                cursor = end + 3
            } else if body[cursor...].starts(with: Array("<?".utf8)) {
                guard let end = Self.find(Array("?>".utf8), in: body, from: cursor) else { return cursor }
                cursor = end + 2
            } else {
                return cursor
            }
        }
    }

    private mutating func process(_ bytes: UnsafeRawBufferPointer) {
        if mode == .passThrough {
            pending.append(contentsOf: bytes)
            return
        }
        if !carry.isEmpty {
            // A UTF-8 sequence was cut at the previous chunk's end: finish it with this chunk.
            let joined = carry + Array(bytes)
            carry = []
            joined.withUnsafeBytes { process($0) }
            return
        }
        pending.reserveCapacity(pending.count + bytes.count + 16)
        var index = 0
        var runStart = index
        let count = bytes.count
        while index < count {
            index += Self.cleanPrefixLength(UnsafeRawBufferPointer(rebasing: bytes[index...]), eightBit: mode == .eightBit)
            guard index < count else { break }
            if runStart < index { pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])) }
            let used = scanOne(bytes, at: index, final: false)
            if used == 0 {
                // An incomplete sequence at the chunk's end: wait for the next chunk.
                carry = Array(bytes[index...])
                return
            }
            index += used
            runStart = index
        }
        if runStart < count { pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<count])) }
    }

    /// Handles one byte that needs attention at `index`; returns how many bytes it consumed, or 0
    /// when a UTF-8 sequence continues past the end of `bytes`.
    private mutating func scanOne(_ bytes: UnsafeRawBufferPointer, at index: Int, final: Bool) -> Int {
        let byte = bytes[index]
        if byte < 0x80 {
            if byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D {
                removedControls += 1
            } else {
                pending.append(byte)
            }
            return 1
        }
        if mode == .eightBit {
            pending.append(byte)
            return 1
        }
        let length = Self.utf8SequenceLength(byte)
        if length > 1 {
            if index + length > bytes.count {
                // Only the continuation bytes present so far can tell whether this is valid.
                let available = bytes.count - index
                let validSoFar = (1..<available).allSatisfy { bytes[index + $0] & 0xC0 == 0x80 }
                if validSoFar && !final { return 0 }
            } else if Self.isValidSequence(bytes, at: index, length: length) {
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + length)]))
                return length
            }
        }
        appendWindows1252(byte)
        return 1
    }

    private mutating func appendWindows1252(_ byte: UInt8) {
        transcodedBytes += 1
        let scalar = Windows1252.scalar(byte)
        pending.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    /// How many bytes at the start of `bytes` pass through as they are: printable ASCII, TAB, LF
    /// and CR, and in an 8-bit document every byte from 0x80 on. Every byte of every document
    /// comes through here, so it tests eight at a time; only a word with a byte to repair is
    /// looked at byte by byte.
    static func cleanPrefixLength(_ bytes: UnsafeRawBufferPointer, eightBit: Bool) -> Int {
        let count = bytes.count
        var index = 0
        while index + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            var repair = EightBytes.below(0x20, word) & ~EightBytes.equal(0x09, word) & ~EightBytes.equal(0x0A, word)
                & ~EightBytes.equal(0x0D, word)
            if !eightBit { repair |= word & EightBytes.high }
            if repair != 0 { break }
            index += 8
        }
        while index < count, passesThrough(bytes[index], eightBit: eightBit) { index += 1 }
        return index
    }

    private static func passesThrough(_ byte: UInt8, eightBit: Bool) -> Bool {
        if byte >= 0x80 { return eightBit }
        return byte >= 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
    }

    private static func utf8SequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xC2...0xDF: return 2
        case 0xE0...0xEF: return 3
        case 0xF0...0xF4: return 4
        default: return 1
        }
    }

    private static func isValidSequence(_ bytes: UnsafeRawBufferPointer, at index: Int, length: Int) -> Bool {
        for offset in 1..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
        let lead = bytes[index], second = bytes[index + 1]
        switch lead {
        case 0xE0: return second >= 0xA0
        case 0xED: return second < 0xA0  // no UTF-16 surrogates
        case 0xF0: return second >= 0x90
        case 0xF4: return second < 0x90
        default: return true
        }
    }

    static func isXMLSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    private static func declarationEnd(_ body: ArraySlice<UInt8>, at start: Int) -> Int? {
        guard body[start...].starts(with: Array("<?xml".utf8)),
            let end = find(Array("?>".utf8), in: body, from: start)
        else { return nil }
        return end + 2
    }

    private static func declaredEncoding(_ declaration: String) -> String? {
        let utf8 = Array(declaration.utf8)
        guard let start = find(Array("encoding".utf8), in: utf8, from: 0) else { return nil }
        let rest = String(decoding: utf8[(start + 8)...], as: UTF8.self).drop { $0 == " " || $0 == "=" || $0 == "\t" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        return String(rest.dropFirst().prefix { $0 != quote })
    }

    /// `<feedback` or `<prefix:feedback`, followed by a space, `>` or `/`.
    private static func isFeedbackStart(_ body: ArraySlice<UInt8>, at index: Int) -> Bool {
        var cursor = index + 1
        var nameStart = cursor
        while cursor < body.endIndex, cursor - index < 64 {
            let byte = body[cursor]
            if byte == UInt8(ascii: ":") {
                nameStart = cursor + 1
            } else if isXMLSpace(byte) || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") {
                return body[nameStart..<cursor].elementsEqual("feedback".utf8)
            }
            cursor += 1
        }
        return false
    }

    private static func findFeedbackStart(_ body: ArraySlice<UInt8>, from start: Int) -> Int? {
        var cursor = start
        while let next = body[cursor...].firstIndex(of: UInt8(ascii: "<")) {
            if isFeedbackStart(body, at: next) { return next }
            cursor = next + 1
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: some Collection<UInt8>, from start: Int) -> Int? {
        let bytes = Array(haystack)
        let offset = (haystack as? ArraySlice<UInt8>)?.startIndex ?? 0
        guard bytes.count >= needle.count else { return nil }
        var index = max(0, start - offset)
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0], bytes[index..<(index + needle.count)].elementsEqual(needle) {
                return index + offset
            }
            index += 1
        }
        return nil
    }
}

/// windows-1252 differs from Latin-1 only in 0x80–0x9F; five of those are undefined and kept as C1.
enum Windows1252 {
    private static let high: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x9D, 0x017E, 0x0178,
    ]

    static func scalar(_ byte: UInt8) -> Unicode.Scalar {
        let value = (0x80...0x9F).contains(byte) ? high[Int(byte) - 0x80] : UInt32(byte)
        return Unicode.Scalar(value) ?? "\u{FFFD}"
    }
}

/// Byte-wise tests on eight bytes at once, exact for each byte (no carry crosses a byte): the
/// result has the high bit of each byte that passes the test.
private enum EightBytes {
    static let high: UInt64 = 0x8080_8080_8080_8080
    static let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    static func spread(_ byte: UInt8) -> UInt64 { 0x0101_0101_0101_0101 &* UInt64(byte) }

    /// Bytes below `limit` (at most 0x80).
    static func below(_ limit: UInt8, _ word: UInt64) -> UInt64 {
        ~(((word & low) &+ spread(0x80 - limit)) | word) & high
    }

    static func equal(_ byte: UInt8, _ word: UInt64) -> UInt64 {
        let difference = word ^ spread(byte)
        return ~(((difference & low) &+ low) | difference) & high
    }
}
