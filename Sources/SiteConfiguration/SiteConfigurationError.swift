import YAMLFields

/// Why `dmarc.yaml` was rejected: what, where (line, column, field path) and how to fix it.
public struct SiteConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    /// The YAML walker's error, or one of this format's own (a bad host, plain IMAP off loopback).
    public var error: YAMLFieldError

    public init(path: String, _ error: YAMLFieldError) {
        self.path = path
        self.error = error
    }

    /// `/etc/dmarc/dmarc.yaml: line 12, column 5: inputs[1].imap.port: …`
    public var description: String { "\(path): \(error)" }
}
