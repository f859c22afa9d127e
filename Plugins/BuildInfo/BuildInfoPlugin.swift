import Foundation
import PackagePlugin

/// Generates `BuildInfo.swift` for the `dmarc` target: the commit of the checkout the binary is built
/// from (`unknown` when the package is not the top of a git work tree) and the schema version its
/// migrations bring a database to (the highest `NNN` of `sql/NNN_name.sql`).
///
/// A prebuild command, so it runs before every build: one `git rev-parse` and a listing of `sql/`,
/// a few milliseconds. The file is rewritten only when its content changes, so an unchanged commit
/// recompiles nothing.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("generated")
        return [
            .prebuildCommand(
                displayName: "BuildInfo: commit and schema version for dmarc --version",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", Self.script, "build-info", context.package.directoryURL.path, output.path],
                outputFilesDirectory: output)
        ]
    }

    /// `$1` the package directory, `$2` the output directory.
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
        mkdir -p "$2"
        file="$2/BuildInfo.swift"
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
