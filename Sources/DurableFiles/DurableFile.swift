import Foundation
import POSIXCalls

/// Files that must never be seen half-written (an archived input, a monthly report): written under a
/// temporary name beside their place, flushed (`fsync`), renamed into place and the folder flushed.
/// When a step fails (a full disk) the temporary file is removed, whatever was at the place stays,
/// and the error names the step and the system's reason ("No space left on device").
public enum DurableFile {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// open, write, fsync, close, rename.
        public let step: String
        public let code: Int32
        public var reason: String { SystemCall.describe(code) }
        public var description: String { "\(step): \(reason)" }

        public init(step: String, code: Int32) {
            self.step = step
            self.code = code
        }
    }

    /// Writes `bytes` as the whole content of `path`.
    public static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        try replace(path) { descriptor throws(Failure) in try writeAll(descriptor, bytes) }
    }

    /// Creates the temporary file, lets `fill` write its content to the descriptor, then flushes it
    /// and renames it to `path`.
    public static func replace(
        _ path: String, mode: mode_t = 0o644, fill: (_ descriptor: Int32) throws(Failure) -> Void
    ) throws(Failure) {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary =
            (folder.isEmpty ? "" : folder + "/") + ".\((path as NSString).lastPathComponent).\(getpid()).partial"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw Failure(step: "open", code: errno) }
        var isOpen = true
        var renamed = false
        defer {
            if isOpen { close(descriptor) }
            if !renamed { unlink(temporary) }
        }
        try fill(descriptor)
        // A full disk may only show here (delayed allocation) or at close.
        guard fsync(descriptor) == 0 else { throw Failure(step: "fsync", code: errno) }
        isOpen = false
        guard close(descriptor) == 0 else { throw Failure(step: "close", code: errno) }
        guard rename(temporary, path) == 0 else { throw Failure(step: "rename", code: errno) }
        renamed = true
        // The new name is durable once the folder is.
        let directory = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    /// The first `count` (default: all) of `bytes` to `descriptor`, again after an interrupted write.
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], count: Int? = nil) throws(Failure) {
        let count = min(count ?? bytes.count, bytes.count)
        let failure: Failure? = bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return nil }  // nothing to write
            var offset = 0
            while offset < count {
                let written = SystemCall.retrying { Foundation.write(descriptor, base + offset, count - offset) }
                if written < 0 { return Failure(step: "write", code: errno) }
                offset += written
            }
            return nil
        }
        if let failure { throw failure }
    }
}
