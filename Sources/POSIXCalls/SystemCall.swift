#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// errno as text, and system calls repeated when a signal interrupts them: one place for both,
/// for every module that makes system calls.
public enum SystemCall {
    /// The text for an errno value. `strerror_r`, not `strerror`: `strerror` may share one buffer
    /// between threads, and ingest runs several workers.
    public static func describe(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard strerror_r(code, &buffer, buffer.count) == 0 else { return "error \(code)" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The text for the current errno.
    public static var lastError: String { describe(errno) }

    /// Runs `call` again while it fails with EINTR (a signal arrived before it did anything) and
    /// returns its last result; after a failure, errno holds the cause.
    public static func retrying<Result: BinaryInteger>(_ call: () -> Result) -> Result {
        while true {
            let result = call()
            if result < 0, errno == EINTR { continue }
            return result
        }
    }
}
