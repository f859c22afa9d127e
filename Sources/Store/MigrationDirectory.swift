import Foundation

/// Finds the `sql/` directory with the numbered migrations.
///
/// In order: `DMARC_SQL_DIR`; `<directory of the executable>/../share/dmarc/sql` (an installed
/// binary: `/usr/local/bin/dmarc` reads `/usr/local/share/dmarc/sql`); the `sql/` directory of the
/// source checkout this binary was built from (found from `#filePath`, for `swift run` and tests).
public enum MigrationDirectory {
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        var tried: [String] = []
        if let explicit = environment["DMARC_SQL_DIR"], !explicit.isEmpty {
            // An explicit setting that is wrong must not silently fall back to another schema.
            guard isDirectory(explicit) else {
                throw StoreError(.migrationsNotFound, "DMARC_SQL_DIR=\(explicit) is not a directory")
            }
            return explicit
        }
        if let executable = executablePath() {
            let installed = URL(fileURLWithPath: executable).resolvingSymlinksInPath()
                .deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("share/dmarc/sql").path
            if isDirectory(installed) { return installed }
            tried.append(installed)
        }
        // Sources/Store/MigrationDirectory.swift → the package root.
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("sql").path
        if isDirectory(checkout) { return checkout }
        tried.append(checkout)
        throw StoreError(
            .migrationsNotFound,
            "migrations not found (tried \(tried.joined(separator: ", "))); set DMARC_SQL_DIR to the sql/ directory")
    }

    private static func executablePath() -> String? {
        // /proc/self/exe is the binary even when started through a relative path or PATH.
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return Bundle.main.executablePath
    }

    private static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}
