import Diagnosis
import Postgres
import ReadSide

extension TenantStore {
    /// Makes the database match `yaml`: stores it as the new version unless nothing changed, and
    /// returns what changed. With `dryRun`, only computes the changes.
    public func apply(yaml: String, sourcePath: String, dryRun: Bool) throws -> ConfigurationChanges {
        let configuration = try TenantConfiguration(yaml: yaml)
        let previous = try current()
        let changes = ConfigurationChanges(from: previous, to: configuration)
        guard !dryRun, !changes.isEmpty else { return changes }
        try connection.query(
            "INSERT INTO tenant_configurations (sha256, source_path, yaml, changes) VALUES ($1, $2, $3, $4)",
            [FileDigest.hex(Array(yaml.utf8)), sourcePath, yaml, PostgresArray.textLiteral(changes.lines)])
        return changes
    }
}
