#if canImport(Glibc)
import Glibc
import POSIXCalls
#endif

/// A buffered file for writing, without Foundation's Data copies on the generator's hot path.
final class FileOutput {
    private let handle: UnsafeMutablePointer<FILE>
    let path: String
    private(set) var bytesWritten = 0

    init(path: String) throws(BenchError) {
        guard let handle = fopen(path, "w") else {
            throw BenchError(.io, "cannot write \(path): \(SystemCall.lastError)")
        }
        self.handle = handle
        self.path = path
    }

    deinit { fclose(handle) }

    func write(_ bytes: [UInt8]) throws(BenchError) {
        guard !bytes.isEmpty else { return }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
        guard written == bytes.count else { throw BenchError(.io, "cannot write \(path): disk full?") }
        bytesWritten += written
    }

    static func write(_ bytes: [UInt8], to path: String) throws(BenchError) {
        let file = try FileOutput(path: path)
        try file.write(bytes)
    }

    static func read(_ path: String) throws(BenchError) -> [UInt8] {
        guard let handle = fopen(path, "r") else { throw BenchError(.io, "cannot read \(path)") }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }
}
