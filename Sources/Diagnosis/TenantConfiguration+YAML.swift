import Foundation

extension TenantConfiguration {
    /// Reads the tenants file format (see `samples/tenants.yaml`); errors name line, column and field.
    ///
    /// Unknown keys are rejected rather than ignored: a misspelt `dkim_selector` would otherwise leave
    /// a tenant without selectors and every row misdiagnosed.
    public init(yaml: String) throws(ConfigurationError) {
        var reader = ConfigurationReader()
        self = try reader.read(yaml)
    }

    /// Reads a tenants file from disk.
    public init(contentsOfFile path: String) throws(ConfigurationError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(code: .unreadable, field: "", message: "cannot read \(path)")
        }
        guard let yaml = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(code: .unreadable, field: "", message: "\(path) is not UTF-8 text")
        }
        try self.init(yaml: yaml)
    }
}
