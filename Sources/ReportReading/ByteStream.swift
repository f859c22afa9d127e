#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import POSIXCalls

/// A forward-only source of bytes: a file, a slice of one, an inflater. Chunked so that nothing
/// downstream ever needs a whole document in memory.
protocol ByteStream {
    /// Fills up to `buffer.count` bytes; 0 means the end. Throws `ReadError` on a bad stream.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int
    /// Bytes consumed from the underlying input so far (for ratio checks).
    var consumed: Int64 { get }
}

/// Random access for archives: zip keeps its directory at the end.
protocol RandomAccessBytes: Sendable {
    var size: Int64 { get }
    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int
}

/// An open file, read with `pread` so that several streams can share one descriptor.
final class FileBytes: RandomAccessBytes, @unchecked Sendable {
    // @unchecked: the descriptor is only read with pread, which has no shared offset.
    let descriptor: Int32
    let size: Int64
    let path: String

    init(path: String) throws(ReadError) {
        self.path = path
        // Non-blocking: opening a FIFO for reading would otherwise wait for a writer forever.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw ReadError(.unreadable, "cannot open: \(SystemCall.lastError)") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let text = SystemCall.lastError
            close(fd)
            throw ReadError(.unreadable, "cannot stat: \(text)")
        }
        if let kind = InputPaths.notAFile(info.st_mode) {
            close(fd)
            throw ReadError(.unreadable, "is \(kind), not a file")
        }
        descriptor = fd
        size = Int64(info.st_size)
    }

    deinit { close(descriptor) }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int {
        let n = SystemCall.retrying { pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset)) }
        guard n >= 0 else { throw ReadError(.unreadable, "read error: \(SystemCall.lastError)") }
        return n
    }

}

/// Bytes already in memory (a mail attachment).
struct MemoryBytes: RandomAccessBytes {
    let bytes: [UInt8]
    var size: Int64 { Int64(bytes.count) }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int {
        guard offset < size else { return 0 }
        let count = min(buffer.count, bytes.count - Int(offset))
        bytes.withUnsafeBytes { source in
            buffer.baseAddress?.copyMemory(from: source.baseAddress! + Int(offset), byteCount: count)
        }
        return count
    }
}

/// A window `[start, start + length)` of random-access bytes, read front to back.
struct RangeStream: ByteStream {
    let bytes: any RandomAccessBytes
    var position: Int64
    let end: Int64
    private(set) var consumed: Int64 = 0

    init(_ bytes: any RandomAccessBytes, start: Int64 = 0, length: Int64? = nil) {
        self.bytes = bytes
        position = start
        end = min(bytes.size, length.map { start + $0 } ?? bytes.size)
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int {
        let wanted = Int(min(Int64(buffer.count), end - position))
        guard wanted > 0 else { return 0 }
        let n = try bytes.read(at: position, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]))
        position += Int64(n)
        consumed += Int64(n)
        return n
    }
}

/// Lets the reader look at the first bytes (magic numbers) and then read them again.
struct PeekableStream<Upstream: ByteStream>: ByteStream {
    var upstream: Upstream
    private var head: [UInt8] = []
    private var headOffset = 0
    var consumed: Int64 { upstream.consumed }

    init(_ upstream: Upstream) { self.upstream = upstream }

    /// Up to `count` bytes from the start, fewer only at the end of the stream.
    mutating func peek(_ count: Int) throws(ReadError) -> [UInt8] {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer { chunk.deallocate() }
        while head.count < count {
            let n = try upstream.read(into: chunk)
            if n == 0 { break }
            head.append(contentsOf: chunk[0..<n])
        }
        return Array(head.prefix(count))
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int {
        if headOffset < head.count {
            let n = min(buffer.count, head.count - headOffset)
            head.withUnsafeBytes { source in
                buffer.baseAddress?.copyMemory(from: source.baseAddress! + headOffset, byteCount: n)
            }
            headOffset += n
            if headOffset == head.count {
                head = []
                headOffset = 0
            }
            return n
        }
        return try upstream.read(into: buffer)
    }
}

/// A fixed scratch buffer freed with its owner: streams are structs, the memory is not.
final class ChunkBuffer {
    let bytes: UnsafeMutableRawBufferPointer
    init(byteCount: Int) { bytes = .allocate(byteCount: byteCount, alignment: 16) }
    deinit { bytes.deallocate() }
}
