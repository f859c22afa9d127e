import Foundation

/// An exclusive lock on a file (`flock`), so two nightly runs never overlap: the second one finds
/// it held and stops at once. The kernel drops it when the process ends, also on kill -9.
public final class RunLock {
    private let descriptor: Int32
    public let path: String

    /// Takes the lock; nil when another process holds it. Throws when the file cannot be opened.
    public init?(path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "cannot open the lock file \(path): \(String(cString: strerror(errno)))"])
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        descriptor = fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
