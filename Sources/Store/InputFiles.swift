import DurableFiles
import Foundation
import POSIXCalls
import ReportReading

/// Turns command-line paths into the list of files to ingest.
public enum InputFiles {
    /// Files as given; directories walked recursively in name order, Maildirs as the reader's
    /// `InputPaths` walks them (the same files `dmarc parse` reads). A path that does not exist is an
    /// error before any work starts (sysexits 66).
    public static func expand(_ paths: [String]) throws -> [String] {
        do {
            return try InputPaths.expand(paths)
        } catch {
            throw StoreError(.inputMissing, error.description)
        }
    }

    /// A message in a Maildir's `new/` goes to `cur/` with the `S` (seen) flag, as a mail client would
    /// after reading it (maildir(5): `cur/NAME:2,S`). Returns the new path; nil for anything not in `new/`.
    static func markMaildirSeen(_ path: String) throws -> String? {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        guard folder.lastPathComponent == "new" else { return nil }
        let cur = folder.deletingLastPathComponent().appendingPathComponent("cur")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: cur.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return nil
        }
        var name = url.lastPathComponent
        if let info = name.range(of: ":2,") {
            let flags = Set(name[info.upperBound...])
            if !flags.contains("S") {
                name = String(name[..<info.upperBound]) + String((flags.union(["S"])).sorted())
            }
        } else {
            name += ":2,S"
        }
        let destination = cur.appendingPathComponent(name).path
        guard rename(path, destination) == 0 else {
            throw StoreError(.io, "cannot move \(path) to \(destination): \(SystemCall.lastError)")
        }
        return destination
    }

    /// The dated folder name (`YYYY-MM-DD`, UTC) for an archive or quarantine at `time` (epoch seconds).
    public static func folderDay(at time: time_t) -> String {
        var time = time
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
    }

    /// Moves a processed input into `directory/day/` (`day` from `folderDay(at:)`, once per run, so
    /// that a run across midnight keeps its files in one folder). A name already taken there gets the
    /// content hash added, so nothing is overwritten.
    ///
    /// Across file systems (an archive on another disk) the file is copied to a hidden temporary
    /// name, flushed (`fsync`), renamed into place and only then removed from where it was; if any
    /// step fails (a full disk), the partial copy is removed and the original stays: a file is never
    /// lost nor left half-copied. The error names the cause (`No space left on device`).
    static func move(_ path: String, into directory: String, day: String, digest: [UInt8]?) throws -> String {
        let target = directory + "/" + day
        try makeDirectories(target)
        let manager = FileManager.default
        let name = (path as NSString).lastPathComponent
        var destination = target + "/" + name
        if manager.fileExists(atPath: destination) {
            let tag =
                digest.map { FileDigest.hex($0.prefix(6)) } ?? String(UInt32.random(in: 0...UInt32.max), radix: 16)
            destination = target + "/" + tag + "-" + name
            var counter = 1
            while manager.fileExists(atPath: destination) {
                destination = target + "/" + tag + "-\(counter)-" + name
                counter += 1
            }
        }
        if rename(path, destination) == 0 { return destination }
        let renameError = errno
        guard renameError == EXDEV else {
            throw StoreError(.io, "cannot move \(path) to \(destination): \(SystemCall.describe(renameError))")
        }
        try copyDurably(path, to: destination, in: target)
        guard unlink(path) == 0 else {
            // Both copies would be ingested again and archived twice: keep the one in the inbox.
            let text = SystemCall.lastError
            unlink(destination)
            throw StoreError(.io, "cannot remove \(path) after copying it to \(target): \(text)")
        }
        return destination
    }

    /// `mkdir -p`, with the system's reason when it fails.
    private static func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw StoreError(.io, "cannot create \(prefix): \(SystemCall.lastError)")
            }
        }
    }

    /// Copies `path` to `destination` through `DurableFile`: never half there, the cause named.
    private static func copyDurably(_ path: String, to destination: String, in directory: String) throws {
        func failure(_ what: String, _ code: Int32) -> StoreError {
            StoreError(.io, "cannot copy \(path) to \(directory): \(what): \(SystemCall.describe(code))")
        }
        let source = open(path, O_RDONLY | O_CLOEXEC)
        guard source >= 0 else { throw failure("open", errno) }
        defer { close(source) }
        var info = stat()
        guard fstat(source, &info) == 0 else { throw failure("stat", errno) }
        do {
            try DurableFile.replace(destination, mode: info.st_mode & 0o777) { copy throws(DurableFile.Failure) in
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let count = SystemCall.retrying { buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) } }
                    if count < 0 { throw DurableFile.Failure(step: "read", code: errno) }
                    if count == 0 { return }
                    try DurableFile.writeAll(copy, buffer, count: count)
                }
            }
        } catch {
            throw failure(error.step, error.code)
        }
    }
}
