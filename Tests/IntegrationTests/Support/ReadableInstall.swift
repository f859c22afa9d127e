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
        try copyBinary(DMARCBinary.path, to: binary)
        try files.copyItem(atPath: SampleWorkflowTests.root.appendingPathComponent("sql").path, toPath: sql)
        for directory in [root + "/bin", root + "/share", root + "/share/dmarc", sql] { chmod(directory, 0o755) }
        chmod(binary, 0o755)
        for name in try files.contentsOfDirectory(atPath: sql) { chmod(sql + "/" + name, 0o644) }
        return binary
    }

    /// A hard link where it can be (no file is written at all), else a copy whose descriptors close
    /// on exec. A copy written through a descriptor that other tests' children inherit while they run
    /// (posix_spawn leaves it open in them until their exec, or for good without O_CLOEXEC) cannot be
    /// executed while they hold it: exec fails with "Text file busy".
    private static func copyBinary(_ source: String, to destination: String) throws {
        if link(source, destination) == 0 { return }
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        guard output >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else {
                close(output)
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            if count == 0 { break }
            var written = 0
            while written < count {
                let n = buffer.withUnsafeBytes { write(output, $0.baseAddress! + written, count - written) }
                if n < 0, errno == EINTR { continue }
                guard n > 0 else {
                    close(output)
                    throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                }
                written += n
            }
        }
        guard close(output) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
}
