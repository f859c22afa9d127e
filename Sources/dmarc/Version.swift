/// What `dmarc --version` prints: the release, the commit the binary was built from and the schema
/// version it migrates a database to, so that a bug report or `dmarc db status` can be matched to
/// the exact source. The last two come from the build (`Plugins/BuildInfo`).
enum Version {
    static let release = "0.1.0"

    static var text: String {
        """
        dmarc \(release)
        commit \(BuildInfo.commit)
        schema \(BuildInfo.schemaVersion > 0 ? String(BuildInfo.schemaVersion) : "unknown")
        """
    }
}
