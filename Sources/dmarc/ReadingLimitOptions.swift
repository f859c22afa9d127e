import ArgumentParser
import ReportReading

/// The reading caps a user may need to raise (a very large report, a big mailbox), shared by
/// `parse` and `ingest`. The other caps are in `ReadingLimits` and SECURITY.md.
struct ReadingLimitOptions: ParsableArguments {
    private static let defaults = ReadingLimits()

    @Option(help: "Largest input file, in MiB; bigger files are rejected before they are read.")
    var maxInputMib: Int = Int(defaults.maxInputBytes >> 20)

    @Option(help: "Largest decompressed size of one report, in MiB; bigger inputs are rejected as bombs.")
    var maxDecompressedMib: Int = Int(defaults.maxDecompressedBytes >> 20)

    @Option(help: "Largest decompressed size of all the members of one zip archive together, in MiB.")
    var maxArchiveMib: Int = Int(defaults.maxArchiveDecompressedBytes >> 20)

    @Option(help: "Largest e-mail message, in MiB (in an mbox: each message); bigger ones are rejected.")
    var maxMessageMib: Int = defaults.maxMessageBytes >> 20

    func validate() throws {
        for (name, value) in [
            ("--max-input-mib", maxInputMib), ("--max-decompressed-mib", maxDecompressedMib),
            ("--max-archive-mib", maxArchiveMib), ("--max-message-mib", maxMessageMib),
        ] {
            // 1 TiB: past any report, and far from overflowing a byte count.
            guard (1...(1 << 20)).contains(value) else {
                throw ValidationError("\(name) must be between 1 and 1048576 (MiB).")
            }
        }
    }

    var limits: ReadingLimits {
        var limits = ReadingLimits()
        limits.maxInputBytes = Int64(maxInputMib) << 20
        limits.maxDecompressedBytes = Int64(maxDecompressedMib) << 20
        limits.maxArchiveDecompressedBytes = Int64(maxArchiveMib) << 20
        limits.maxMessageBytes = maxMessageMib << 20
        return limits
    }
}
