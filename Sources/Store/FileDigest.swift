import Crypto
import Foundation
import POSIXCalls
import ReportReading

/// Reading input files in chunks: their SHA-256 (the content address) and their bytes as a stream.
enum FileDigest {
    static let chunkSize = 1 << 16

    /// Calls `body` with successive chunks of the file; throws `ReadError`-like `StoreError.io`.
    static func forEachChunk(of path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        // Non-blocking: opening a FIFO for reading would otherwise wait for a writer forever.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw StoreError(.io, "cannot open \(path): \(SystemCall.lastError)") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StoreError(.io, "cannot stat \(path): \(SystemCall.lastError)") }
        if let kind = InputPaths.notAFile(info.st_mode) { throw StoreError(.io, "\(path) is \(kind), not a file") }
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let count = SystemCall.retrying { chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) } }
            if count < 0 { throw StoreError(.io, "cannot read \(path): \(SystemCall.lastError)") }
            if count == 0 { return }
            try chunk.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }

    /// SHA-256 and size of a file.
    static func sha256(of path: String) throws -> (digest: [UInt8], size: Int64) {
        var hasher = SHA256()
        var size: Int64 = 0
        try forEachChunk(of: path) { chunk in
            hasher.update(bufferPointer: chunk)
            size += Int64(chunk.count)
        }
        return (Array(hasher.finalize()), size)
    }

    /// A 64-bit advisory-lock key from the first bytes of a digest.
    static func lockKey(_ digest: some Sequence<UInt8>) -> Int64 {
        var key: UInt64 = 0
        for byte in digest.prefix(8) { key = key << 8 | UInt64(byte) }
        return Int64(bitPattern: key)
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The text form of a `bytea` parameter.
    static func byteaLiteral(_ bytes: some Sequence<UInt8>) -> String { "\\x" + hex(bytes) }
}
