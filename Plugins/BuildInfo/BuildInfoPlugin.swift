import Foundation
import PackagePlugin

/// Generates `BuildInfo.swift` for the `dmarc` target: the commit of the checkout the binary is built
/// from (`unknown` when the package is not the top of a git work tree) and the schema version its
/// migrations bring a database to (the highest `NNN` of `sql/NNN_name.sql`).
///
/// A build command whose inputs are the git files that change whenever HEAD moves (`HEAD`, its
/// reflog, the branch's ref, `packed-refs`) and `sql/`: it runs, one `git rev-parse` and a listing,
/// only when one of them changed. (A prebuild command runs only when SwiftPM plans the build anew,
/// which a commit does not cause, so it kept an old commit.) The file is rewritten only when its
/// content changes.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let package = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("BuildInfo.swift")
        let sql = package.appendingPathComponent("sql")
        let migrations = (try? FileManager.default.contentsOfDirectory(at: sql, includingPropertiesForKeys: nil)) ?? []
        return [
            .buildCommand(
                displayName: "BuildInfo: commit and schema version for dmarc --version",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", Self.script, "build-info", package.path, output.path],
                inputFiles: Self.gitFiles(of: package) + [sql] + migrations,
                outputFiles: [output])
        ]
    }

    /// The files of the package's git directory that change when HEAD moves; none outside a checkout.
    static func gitFiles(of package: URL) -> [URL] {
        func read(_ url: URL) -> String? {
            (try? String(contentsOf: url, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // `.git` is the directory, or (a worktree, a submodule) a file naming it.
        var gitDirectory = package.appendingPathComponent(".git")
        if let link = read(gitDirectory), link.hasPrefix("gitdir:") {
            let path = link.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
            gitDirectory = URL(fileURLWithPath: path, relativeTo: package).standardizedFileURL
        }
        var common = gitDirectory
        if let path = read(gitDirectory.appendingPathComponent("commondir")) {
            common = URL(fileURLWithPath: path, relativeTo: gitDirectory.appendingPathComponent("x")).standardizedFileURL
        }
        var files = [
            gitDirectory.appendingPathComponent("HEAD"), gitDirectory.appendingPathComponent("logs/HEAD"),
            common.appendingPathComponent("packed-refs"),
        ]
        if let head = read(gitDirectory.appendingPathComponent("HEAD")), head.hasPrefix("ref: ") {
            files.append(common.appendingPathComponent(String(head.dropFirst("ref: ".count))))
        }
        return files.filter { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// `$1` the package directory, `$2` the file to write.
    static let script = #"""
        set -u
        PATH="$PATH:/usr/local/bin:/usr/bin:/bin"
        package=$(cd "$1" && pwd -P)
        commit=unknown
        top=$(git -C "$package" rev-parse --show-toplevel 2>/dev/null) &&
            [ "$(cd "$top" && pwd -P)" = "$package" ] &&
            commit=$(git -C "$package" rev-parse --verify --quiet HEAD 2>/dev/null) || commit=unknown
        schema=0
        for file in "$package"/sql/[0-9]*_*.sql; do
            [ -f "$file" ] || continue
            digits=${file##*/}
            digits=${digits%%_*}
            case $digits in *[!0-9]*) continue ;; esac
            number=${digits#"${digits%%[!0]*}"}
            [ "${number:-0}" -gt "$schema" ] && schema=${number:-0}
        done
        mkdir -p "$(dirname "$2")"
        file=$2
        {
            echo "// Generated at build time by Plugins/BuildInfo."
            echo "enum BuildInfo {"
            echo "    /// \`git rev-parse HEAD\` of the checkout this binary was built from, or \"unknown\"."
            echo "    static let commit = \"$commit\""
            echo "    /// The highest migration number in sql/ (0: none found)."
            echo "    static let schemaVersion = $schema"
            echo "}"
        } >"$file.new"
        if cmp -s "$file.new" "$file"; then rm -f "$file.new"; else mv -f "$file.new" "$file"; fi
        """#
}
