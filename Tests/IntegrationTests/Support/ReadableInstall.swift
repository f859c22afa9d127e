import Foundation

/// The built `dmarc` and the checkout's `sql/`, copied as an installation (`bin/dmarc` beside
/// `share/dmarc/sql/`, where the binary looks first) into a temporary directory that every user can
/// read. A test that runs the binary as another user (`postgres`, when the tests run as root) cannot
/// count on reaching the checkout: a clone under a mode-0700 directory, such as root's home, keeps
/// that user out of `.build` and `sql/`. Made once per test process, removed when it exits.
enum ReadableInstall {
    private static let made: Result<String, any Error> = Result { try make() }

    /// The path of the copied binary.
    static func dmarc() throws -> String { try made.get() }

    private static func make() throws -> String {
        let files = FileManager.default
        let root = try makeTemporaryDirectory(prefix: "dmarc-install-")
        let binary = root + "/bin/dmarc"
        let sql = root + "/share/dmarc/sql"
        try files.createDirectory(atPath: root + "/bin", withIntermediateDirectories: false)
        try files.createDirectory(atPath: root + "/share/dmarc", withIntermediateDirectories: true)
        try files.copyItem(atPath: DMARCBinary.path, toPath: binary)
        try files.copyItem(atPath: SampleWorkflowTests.root.appendingPathComponent("sql").path, toPath: sql)
        for directory in [root + "/bin", root + "/share", root + "/share/dmarc", sql] { chmod(directory, 0o755) }
        chmod(binary, 0o755)
        for name in try files.contentsOfDirectory(atPath: sql) { chmod(sql + "/" + name, 0o644) }
        return binary
    }
}
