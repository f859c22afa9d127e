internal import CZlib

/// Inflates gzip (also concatenated members), zlib or raw deflate data as it is read, enforcing
/// the decompressed-size and ratio caps before a bomb can fill memory or disk.
struct InflateStream<Upstream: ByteStream>: ByteStream {
    enum Format {
        /// gzip or zlib header, detected by zlib (`15 + 32`).
        case gzip
        /// Headerless deflate, as in zip members.
        case raw
    }

    private let state: ZStream
    private var upstream: Upstream
    private let format: Format
    private let limits: ReadingLimits
    private var input: UnsafeMutableRawBufferPointer { state.input }
    private var upstreamEnded = false
    private var finished = false
    private(set) var produced: Int64 = 0
    /// Bytes after the last gzip member that are not another member: ignored, but worth a warning.
    private(set) var trailingBytes: Int64 = 0
    /// A stream error found while producing bytes already handed out; raised by the next read.
    private var deferredError: ReadError?
    var consumed: Int64 { upstream.consumed }
    /// What the stream is called in error messages ("gzip stream", "zip member").
    private let what: String

    init(_ upstream: Upstream, format: Format, limits: ReadingLimits, what: String) throws(ReadError) {
        self.upstream = upstream
        self.format = format
        self.limits = limits
        self.what = what
        state = try ZStream(windowBits: format == .gzip ? 15 + 32 : -15)
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int {
        if let deferredError { throw deferredError }
        do {
            return try inflating(into: buffer)
        } catch where error.code != .limitExceeded {
            // Bytes zlib wrote in the call that found the damage (a bad checksum at the end) are
            // handed out first, so a problem in them is found before the stream error whatever the
            // input chunking, as when they came out in an earlier call. Caps stop at once.
            let n = buffer.count - Int(state.pointer.pointee.avail_out)
            guard n > 0 else { throw error }
            deferredError = error
            try account(n)
            return n
        }
    }

    private mutating func inflating(into buffer: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        let stream = state.pointer
        stream.pointee.next_out = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(min(buffer.count, Int(UInt32.max)))
        while stream.pointee.avail_out == uInt(buffer.count) {
            if stream.pointee.avail_in == 0, !upstreamEnded {
                let n = try upstream.read(into: input)
                if n == 0 {
                    upstreamEnded = true
                } else {
                    stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_in = uInt(n)
                }
            }
            if stream.pointee.avail_in == 0, upstreamEnded {
                throw ReadError(.truncated, "\(what) truncated after \(produced) bytes")
            }
            let status = inflate(stream, Z_NO_FLUSH)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                break
            case Z_STREAM_END:
                if try !startNextMember() {
                    finished = true
                    let n = buffer.count - Int(stream.pointee.avail_out)
                    try account(n)
                    return n
                }
            case Z_NEED_DICT:
                throw ReadError(.badCompression, "\(what) needs a preset dictionary")
            case Z_MEM_ERROR:
                throw ReadError(.limitExceeded, "\(what): out of memory while inflating")
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
                throw ReadError(.badCompression, "\(what) corrupt: \(message)")
            }
        }
        let n = buffer.count - Int(stream.pointee.avail_out)
        try account(n)
        return n
    }

    private mutating func account(_ n: Int) throws(ReadError) {
        produced += Int64(n)
        if produced > limits.maxDecompressedBytes {
            throw ReadError(
                .limitExceeded,
                "exceeds \(ByteCount(limits.maxDecompressedBytes)) decompressed (--max-decompressed-mib to raise)")
        }
        let used = max(upstream.consumed, 1)
        if produced > limits.ratioGraceBytes, produced / used > limits.maxCompressionRatio {
            throw ReadError(
                .limitExceeded,
                "compression ratio over \(limits.maxCompressionRatio):1 (\(produced) bytes from \(used)): a decompression bomb")
        }
    }

    /// After one gzip member ends, another may follow (`cat a.gz b.gz`); anything else is junk
    /// some senders append, skipped with a warning rather than failing a complete report.
    private mutating func startNextMember() throws(ReadError) -> Bool {
        guard format == .gzip else { return false }
        let stream = state.pointer
        while stream.pointee.avail_in < 2, !upstreamEnded {
            // Pull more so the next member's magic can be seen: reads may be as short as one byte,
            // and one byte of magic read as junk dropped the whole next member.
            let leftover = Int(stream.pointee.avail_in)
            if leftover > 0, let next = stream.pointee.next_in {
                input.baseAddress?.copyMemory(from: next, byteCount: leftover)
            }
            let n = try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: input[leftover...]))
            if n == 0 { upstreamEnded = true }
            stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_in = uInt(leftover + n)
        }
        let available = Int(stream.pointee.avail_in)
        guard available > 0, let next = stream.pointee.next_in else { return false }
        if available >= 2, next[0] == 0x1f, next[1] == 0x8b {
            guard inflateReset(stream) == Z_OK else {
                throw ReadError(.badCompression, "\(what): cannot start the next gzip member")
            }
            return true
        }
        // Junk: counted to its end, not only what this read happened to buffer, so that the warning
        // says the same however the input arrives (the upstream is bounded by the input limit).
        trailingBytes += Int64(available)
        stream.pointee.avail_in = 0
        while !upstreamEnded {
            let n = try upstream.read(into: input)
            if n == 0 { upstreamEnded = true }
            trailingBytes += Int64(n)
        }
        return false
    }
}

/// Owns a `z_stream` at a fixed address: zlib keeps a pointer back to it and refuses a moved copy.
private final class ZStream {
    let pointer: UnsafeMutablePointer<z_stream>
    let input: UnsafeMutableRawBufferPointer

    init(windowBits: Int32) throws(ReadError) {
        input = .allocate(byteCount: 64 << 10, alignment: 16)
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: z_stream())
        guard dmarc_inflateInit2(pointer, windowBits) == Z_OK else {
            pointer.deallocate()
            input.deallocate()
            throw ReadError(.badCompression, "zlib could not start")
        }
    }

    deinit {
        inflateEnd(pointer)
        pointer.deallocate()
        input.deallocate()
    }
}

/// Computes CRC-32 as zip stores it.
struct CRC32 {
    private(set) var value: UInt32 = 0
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        value = UInt32(crc32(uLong(value), base.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
    }
}

/// Sizes for people: "512 MiB".
struct ByteCount: CustomStringConvertible {
    let bytes: Int64
    init(_ bytes: Int64) { self.bytes = bytes }
    var description: String {
        if bytes >= 1 << 30, bytes % (1 << 30) == 0 { return "\(bytes >> 30) GiB" }
        if bytes >= 1 << 20 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
