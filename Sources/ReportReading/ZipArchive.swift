import DMARC

/// The members of a zip file, from its central directory. Only what DMARC zips need: stored and
/// deflate members, no encryption, no zip64 (a report over 4 GiB is rejected by the size cap anyway).
/// Member names are only ever used for display, never as paths.
struct ZipArchive {
    struct Member {
        let name: String
        let method: UInt16
        let flags: UInt16
        let crc: UInt32
        let compressedSize: Int64
        let uncompressedSize: Int64
        let localHeaderOffset: Int64

        var isDirectory: Bool { name.hasSuffix("/") }
        var isEncrypted: Bool { flags & 1 != 0 }

        /// macOS resource forks and Finder metadata that archivers add next to the real files.
        var isMetadataJunk: Bool {
            let lastComponent = name.split(separator: "/").last.map(String.init) ?? name
            return name.hasPrefix("__MACOSX/") || name.contains("/__MACOSX/") || lastComponent.hasPrefix("._")
                || lastComponent == ".DS_Store"
        }
    }

    let bytes: any RandomAccessBytes
    let members: [Member]

    init(_ bytes: any RandomAccessBytes, limits: ReadingLimits) throws(ReadError) {
        self.bytes = bytes
        let tailLength = Int(min(bytes.size, 65_535 + 22))
        var tail = [UInt8](repeating: 0, count: tailLength)
        try Self.readFully(bytes, at: bytes.size - Int64(tailLength), into: &tail)
        guard let eocd = Self.lastIndex(of: [0x50, 0x4B, 0x05, 0x06], in: tail), eocd + 22 <= tail.count else {
            throw ReadError(.badArchive, "zip has no end of central directory (truncated?)")
        }
        let entryCount = Int(tail.le16(eocd + 10))
        let directorySize = Int64(tail.le32(eocd + 12))
        let directoryOffset = Int64(tail.le32(eocd + 16))
        if entryCount == 0xFFFF || directoryOffset == 0xFFFF_FFFF {
            throw ReadError(.unsupported, "zip64 archives are not supported")
        }
        guard entryCount <= limits.maxArchiveMembers else {
            throw ReadError(.limitExceeded, "zip has \(entryCount) members, more than \(limits.maxArchiveMembers)")
        }
        guard directoryOffset + directorySize <= bytes.size, directorySize <= 64 << 20 else {
            throw ReadError(.badArchive, "zip central directory lies outside the file")
        }
        var directory = [UInt8](repeating: 0, count: Int(directorySize))
        try Self.readFully(bytes, at: directoryOffset, into: &directory)
        var members: [Member] = []
        var cursor = 0
        for _ in 0..<entryCount {
            guard cursor + 46 <= directory.count, directory.le32(cursor) == 0x0201_4B50 else {
                throw ReadError(.badArchive, "zip central directory is corrupt")
            }
            let nameLength = Int(directory.le16(cursor + 28))
            let extraLength = Int(directory.le16(cursor + 30))
            let commentLength = Int(directory.le16(cursor + 32))
            guard cursor + 46 + nameLength <= directory.count else {
                throw ReadError(.badArchive, "zip central directory is corrupt")
            }
            let rawName = directory[(cursor + 46)..<(cursor + 46 + nameLength)]
            let member = Member(
                name: Self.displayName(rawName),
                method: directory.le16(cursor + 10),
                flags: directory.le16(cursor + 8),
                crc: directory.le32(cursor + 16),
                compressedSize: Int64(directory.le32(cursor + 20)),
                uncompressedSize: Int64(directory.le32(cursor + 24)),
                localHeaderOffset: Int64(directory.le32(cursor + 42)))
            members.append(member)
            cursor += 46 + nameLength + extraLength + commentLength
        }
        self.members = members
    }

    /// Where a member's data starts, from its local header (whose extra field may differ).
    func dataOffset(of member: Member) throws(ReadError) -> Int64 {
        var header = [UInt8](repeating: 0, count: 30)
        try Self.readFully(bytes, at: member.localHeaderOffset, into: &header)
        guard header.le32(0) == 0x0403_4B50 else {
            throw ReadError(.badArchive, "zip member \(member.name) has no local header")
        }
        let start = member.localHeaderOffset + 30 + Int64(header.le16(26)) + Int64(header.le16(28))
        guard start + member.compressedSize <= bytes.size else {
            throw ReadError(.truncated, "zip member \(member.name) extends past the end of the file")
        }
        return start
    }

    /// Names go to terminals and logs.
    private static func displayName(_ raw: ArraySlice<UInt8>) -> String { Printable.text(bytes: raw) }

    private static func readFully(_ bytes: any RandomAccessBytes, at offset: Int64, into buffer: inout [UInt8]) throws(ReadError) {
        guard offset >= 0 else { throw ReadError(.badArchive, "zip structure points before the file start") }
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count, alignment: 1)
        defer { scratch.deallocate() }
        var done = 0
        while done < buffer.count {
            let n = try bytes.read(at: offset + Int64(done), into: UnsafeMutableRawBufferPointer(rebasing: scratch[done...]))
            if n == 0 { throw ReadError(.truncated, "zip ends early") }
            done += n
        }
        buffer = Array(scratch)
    }

    private static func lastIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = haystack.count - needle.count
        while index >= 0 {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index -= 1
        }
        return nil
    }
}

/// Checks a zip member's CRC-32 and size as its bytes pass, so a corrupt member fails before it is used.
struct CheckedStream<Upstream: ByteStream>: ByteStream {
    var upstream: Upstream
    let expectedCRC: UInt32
    let expectedSize: Int64
    let name: String
    private var crc = CRC32()
    private var seen: Int64 = 0
    var consumed: Int64 { upstream.consumed }

    init(_ upstream: Upstream, crc: UInt32, size: Int64, name: String) {
        self.upstream = upstream
        expectedCRC = crc
        expectedSize = size
        self.name = name
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int {
        let n = try upstream.read(into: buffer)
        if n == 0 {
            guard seen == expectedSize else {
                throw ReadError(.badArchive, "zip member \(name) is \(seen) bytes, its directory says \(expectedSize)")
            }
            guard crc.value == expectedCRC else { throw ReadError(.badArchive, "zip member \(name) fails its CRC check") }
            return 0
        }
        seen += Int64(n)
        // Checked as bytes pass, not only at the end: the archive's total cap counts on these sizes.
        guard seen <= expectedSize else {
            throw ReadError(.badArchive, "zip member \(name) is larger than the \(expectedSize) bytes its directory says")
        }
        crc.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        return n
    }
}

extension Array where Element == UInt8 {
    func le16(_ offset: Int) -> UInt16 { UInt16(self[offset]) | UInt16(self[offset + 1]) << 8 }
    func le32(_ offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 3]) << 24
    }
}
