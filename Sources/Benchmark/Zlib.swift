import CZlib

/// The benchmark's only use of zlib: deflating the generated corpus into gzip and zip containers,
/// and zlib's own inflate speed as the physical limit for the unpack phase.
enum Zlib {
    /// Raw deflate data (no zlib header or trailer), as both gzip and zip carry it.
    ///
    /// `compress2` writes a zlib stream: a 2-byte header (no preset dictionary), the deflate data and
    /// a 4-byte Adler-32. Cutting those off gives raw deflate without the `deflateInit2` macro.
    static func rawDeflate(_ bytes: [UInt8], level: Int32 = 6) throws(BenchError) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(capacity))
        let status = out.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                compress2(target.baseAddress, &capacity, source.baseAddress, uLong(bytes.count), level)
            }
        }
        guard status == Z_OK, capacity >= 6 else { throw BenchError(.io, "compress2 failed (\(status))") }
        return Array(out[2..<(Int(capacity) - 4)])
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(CZlib.crc32(0, $0.baseAddress, uInt($0.count))) }
    }

    /// A single-member gzip file (RFC 1952) with no name and mtime 0, so output is reproducible.
    static func gzip(_ bytes: [UInt8]) throws(BenchError) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]
        out += try rawDeflate(bytes)
        out.appendLittleEndian(crc32(bytes))
        out.appendLittleEndian(UInt32(truncatingIfNeeded: bytes.count))
        return out
    }

    /// A zip with one deflated member, sizes in the local header (no data descriptor), no zip64.
    static func zip(member name: String, _ bytes: [UInt8]) throws(BenchError) -> [UInt8] {
        let data = try rawDeflate(bytes)
        let crc = crc32(bytes)
        let nameBytes = Array(name.utf8)
        guard data.count < Int(UInt32.max), bytes.count < Int(UInt32.max) else {
            throw BenchError(.io, "\(name) needs zip64, which DMARC zips never use")
        }
        var out: [UInt8] = []
        // Local file header.
        out.appendLittleEndian(UInt32(0x0403_4B50))
        out.appendLittleEndian(UInt16(20))  // version needed
        out.appendLittleEndian(UInt16(0))  // flags
        out.appendLittleEndian(UInt16(8))  // deflate
        out.appendLittleEndian(UInt16(0))  // time
        out.appendLittleEndian(UInt16(0x21))  // date 1980-01-01
        out.appendLittleEndian(crc)
        out.appendLittleEndian(UInt32(data.count))
        out.appendLittleEndian(UInt32(bytes.count))
        out.appendLittleEndian(UInt16(nameBytes.count))
        out.appendLittleEndian(UInt16(0))
        out += nameBytes
        out += data
        let directoryOffset = out.count
        // Central directory entry.
        out.appendLittleEndian(UInt32(0x0201_4B50))
        out.appendLittleEndian(UInt16(20))  // made by
        out.appendLittleEndian(UInt16(20))  // needed
        out.appendLittleEndian(UInt16(0))
        out.appendLittleEndian(UInt16(8))
        out.appendLittleEndian(UInt16(0))
        out.appendLittleEndian(UInt16(0x21))
        out.appendLittleEndian(crc)
        out.appendLittleEndian(UInt32(data.count))
        out.appendLittleEndian(UInt32(bytes.count))
        out.appendLittleEndian(UInt16(nameBytes.count))
        out.appendLittleEndian(UInt16(0))  // extra
        out.appendLittleEndian(UInt16(0))  // comment
        out.appendLittleEndian(UInt16(0))  // disk
        out.appendLittleEndian(UInt16(0))  // internal attributes
        out.appendLittleEndian(UInt32(0))  // external attributes
        out.appendLittleEndian(UInt32(0))  // local header offset
        out += nameBytes
        let directorySize = out.count - directoryOffset
        // End of central directory.
        out.appendLittleEndian(UInt32(0x0605_4B50))
        out.appendLittleEndian(UInt16(0))
        out.appendLittleEndian(UInt16(0))
        out.appendLittleEndian(UInt16(1))
        out.appendLittleEndian(UInt16(1))
        out.appendLittleEndian(UInt32(directorySize))
        out.appendLittleEndian(UInt32(directoryOffset))
        out.appendLittleEndian(UInt16(0))
        return out
    }

    /// Inflates a gzip file or the single member of one of our zips in memory and returns the
    /// decompressed byte count: zlib alone, the floor under any unpacking.
    static func inflatedSize(of file: [UInt8]) throws(BenchError) -> Int {
        if file.count > 30, file[0] == 0x50, file[1] == 0x4B {
            // Our own zips: data right after the local header, sizes in it.
            let nameLength = Int(file[26]) | Int(file[27]) << 8
            let extraLength = Int(file[28]) | Int(file[29]) << 8
            let start = 30 + nameLength + extraLength
            let size = Int(file[18]) | Int(file[19]) << 8 | Int(file[20]) << 16 | Int(file[21]) << 24
            guard start + size <= file.count else { throw BenchError(.io, "zip member runs past the end") }
            return try inflate(file, from: start, count: size, windowBits: -15)
        }
        return try inflate(file, from: 0, count: file.count, windowBits: 15 + 32)
    }

    private static func inflate(_ bytes: [UInt8], from start: Int, count: Int, windowBits: Int32) throws(BenchError)
        -> Int
    {
        var stream = z_stream()
        guard dmarc_inflateInit2(&stream, windowBits) == Z_OK else { throw BenchError(.io, "inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 18)
        defer { chunk.deallocate() }
        var total = 0
        var status: Int32 = Z_OK
        guard count > 0 else { throw BenchError(.io, "nothing to inflate") }
        bytes.withUnsafeBufferPointer { input in
            guard let base = input.baseAddress else { return }
            stream.next_in = UnsafeMutablePointer(mutating: base + start)
            stream.avail_in = uInt(count)
            repeat {
                stream.next_out = chunk
                stream.avail_out = 1 << 18
                status = CZlib.inflate(&stream, Z_NO_FLUSH)
                total += (1 << 18) - Int(stream.avail_out)
            } while status == Z_OK
        }
        guard status == Z_STREAM_END else { throw BenchError(.io, "inflate failed (\(status))") }
        return total
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
