import Foundation
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

    /// Moves a processed input into `directory/YYYY-MM-DD/` (UTC date of the move). A name already
    /// taken there gets the content hash added, so nothing is overwritten.
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
            throw StoreError(.io, "cannot move \(path) to \(destination): \(String(cString: strerror(errno)))")
        }
        return destination
    }

    static func move(_ path: String, into directory: String, digest: [UInt8]?) throws -> String {
        let manager = FileManager.default
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        let day = String(format: "%04d-%02d-%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
        let target = directory + "/" + day
        do {
            try manager.createDirectory(atPath: target, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.io, "cannot create \(target): \(error.localizedDescription)")
        }
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
        // Another file system: copy, then remove the original.
        do {
            try manager.copyItem(atPath: path, toPath: destination)
            try manager.removeItem(atPath: path)
        } catch {
            throw StoreError(.io, "cannot move \(path) to \(destination): \(error.localizedDescription)")
        }
        return destination
    }
}
