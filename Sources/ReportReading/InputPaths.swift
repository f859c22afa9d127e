#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import POSIXCalls

/// Turns the paths on a command line into the files to read: files as given, directories walked
/// recursively in name order (so runs are repeatable), symlinked directories not followed (no loops).
/// What a directory holds that cannot be read as a file (a dangling link, a FIFO, a socket, a
/// subdirectory that cannot be opened) is listed too, so that the reader rejects it with its
/// reason instead of it vanishing from the run.
/// A Maildir (a directory with `cur/`, `new/` and `tmp/`) yields the messages in `cur/` and `new/`:
/// `tmp/` holds deliveries still being written, and the files beside the three (`dovecot-uidlist`,
/// `courierimapkeywords/`) are the mail server's own. Maildir++ subfolders (`.Sent/`) are walked the same way.
public enum InputPaths {
    public struct MissingPath: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    public static func expand(_ paths: [String]) throws(MissingPath) -> [String] {
        var files: [String] = []
        for path in paths {
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw MissingPath(path: path, reason: SystemCall.lastError)
            }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                walk(path, into: &files)
            } else {
                files.append(path)
            }
        }
        return files
    }

    private static func walk(_ directory: String, into files: inout [String]) {
        guard let handle = opendir(directory) else {
            // Unreadable (permissions): the reader says so when it tries to open it.
            files.append(directory)
            return
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            names.append(name)
        }
        closedir(handle)
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        let isMaildir = ["cur", "new", "tmp"].allSatisfy { names.contains($0) && isDirectory(base + $0) }
        for name in names.sorted() {
            let path = base + name
            if isMaildir {
                if name == "tmp" { continue }
                if name == "cur" || name == "new" {
                    walkMessages(path, into: &files)
                    continue
                }
                // Only Maildir++ subfolders (`.Sent`): the other files and folders beside
                // cur/new/tmp are the server's bookkeeping (dovecot-uidlist, courierimapkeywords/).
                if !name.hasPrefix(".") || !isDirectory(path) { continue }
            }
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: walk(path, into: &files)
            case S_IFLNK:
                // A link to a directory is not followed; to anything else (or nothing) it is listed.
                var target = stat()
                if stat(path, &target) == 0, (target.st_mode & S_IFMT) == S_IFDIR { continue }
                files.append(path)
            default: files.append(path)
            }
        }
    }

    /// The files of a Maildir's `cur/` or `new/`, in name order; dot files are no deliveries.
    private static func walkMessages(_ directory: String, into files: inout [String]) {
        guard let handle = opendir(directory) else { return }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            names.append(name)
        }
        closedir(handle)
        for name in names.sorted() {
            let path = directory + "/" + name
            var info = stat()
            if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { continue }
            files.append(path)
        }
    }

    /// What a file's mode says it is, when that is not a regular file: "a directory", "a FIFO", …
    public static func notAFile(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR, S_IFBLK: "a device"
        default: "a special file"
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
