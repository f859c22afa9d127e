import Foundation

/// An anonymous temporary file that collects COPY rows for one table while another table's COPY is
/// open on the connection (PostgreSQL runs one COPY at a time), so a report's DKIM/SPF results are
/// never held in memory whole. Unlinked at creation: nothing is left behind after a crash.
final class SpoolFile {
    private let fd: Int32
    private(set) var bytesWritten: Int64 = 0
    private(set) var rows: Int64 = 0

    init() throws {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory + "/dmarc-spool-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw StoreError(.io, "cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Appends `encoder`'s complete rows and empties it.
    func append(_ encoder: inout CopyTextEncoder, rows newRows: Int64) throws {
        try encoder.buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw StoreError(.io, "cannot write a temporary file: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
        bytesWritten += Int64(encoder.count)
        rows += newRows
        encoder.reset()
    }

    /// Sends everything written so far into `copy`, then empties the file for the next report.
    func replay(into copy: inout CopyWriter) throws {
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw StoreError(.io, "cannot rewind a temporary file") }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var remaining = bytesWritten
        while remaining > 0 {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, min($0.count, Int(remaining))) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError(.io, "cannot read a temporary file: \(String(cString: strerror(errno)))")
            }
            if count == 0 { throw StoreError(.io, "temporary file ended early") }
            try chunk.withUnsafeBytes { try copy.writeFormatted(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            remaining -= Int64(count)
        }
        try reset()
    }

    func reset() throws {
        guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
            throw StoreError(.io, "cannot truncate a temporary file")
        }
        bytesWritten = 0
        rows = 0
    }
}
