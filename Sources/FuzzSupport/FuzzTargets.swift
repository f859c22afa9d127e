import DMARC
import ReportReading

/// The fuzz targets' bodies, shared by the libFuzzer entry points and the replay drivers.
public enum FuzzTargets {
    /// The reader's own limits, smaller where they only bound work: a fuzzer that spends a second
    /// inflating 512 MiB learns nothing the 1 MiB cap does not already show, and runs 1000× slower.
    /// Every cap still triggers (bomb inputs hit the ratio and size caps at their lower values).
    public static let limits: ReadingLimits = {
        var limits = ReadingLimits()
        limits.maxDecompressedBytes = 1 << 20
        limits.ratioGraceBytes = 128 << 10
        limits.maxRecordsPerReport = 1_000
        return limits
    }()

    /// (1) The whole reader on arbitrary bytes: magic-byte dispatch, gzip (nested), zip, XML.
    public static func reader(_ bytes: [UInt8]) {
        run(bytes, source: "fuzz", exactlyOneOutcome: !looksLikeZip(bytes))
    }

    /// (2) The XML report reader alone. A leading space keeps inputs that begin with gzip or zip
    /// magic on the XML path (the prefilter skips leading whitespace); other inputs pass unchanged
    /// so a byte order mark or UTF-16 still reaches the prefilter's detection.
    public static func xml(_ bytes: [UInt8]) {
        let document = startsWithCompressionMagic(bytes) ? [0x20] + bytes : bytes
        run(document, source: "fuzz.xml", exactlyOneOutcome: true)
    }

    /// (3) Zip archives: central directory, local headers, stored and deflate members. The first
    /// bytes are forced to a zip signature (overwritten, not prepended, so offsets in seed archives
    /// stay right) so that every input reaches the zip reader.
    public static func zip(_ bytes: [UInt8]) {
        var archive = bytes
        if archive.count < 4 {
            archive = [0x50, 0x4B, 0x05, 0x06] + archive
        } else {
            archive[0] = 0x50
            archive[1] = 0x4B
            if archive[2] != 0x03 && archive[2] != 0x05 { archive[2] = 0x03 }
        }
        run(archive, source: "fuzz.zip", exactlyOneOutcome: false)
    }

    // MARK: MIME (issue 8): a target for the mail reader goes here once it exists, e.g.
    // `public static func mail(_ bytes: [UInt8])` running the message parser on arbitrary bytes
    // with a `CheckingHandler`, plus `Sources/FuzzMail/` and a `mail` entry in `scripts/fuzz`.

    static func run(_ bytes: [UInt8], source: String, exactlyOneOutcome: Bool) {
        var handler = CheckingHandler(source: source)
        do {
            try ReportReader(limits: limits).read(bytes: bytes, source: source, into: &handler)
        } catch {
            // The handler never throws, and the reader reports bad input to it instead of throwing.
            violation("read threw \(error)")
        }
        handler.finish(inputIsEmpty: bytes.isEmpty, exactlyOneOutcome: exactlyOneOutcome)
    }

    static func looksLikeZip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && (bytes[2] == 0x03 || bytes[2] == 0x05)
    }

    static func startsWithCompressionMagic(_ bytes: [UInt8]) -> Bool {
        looksLikeZip(bytes) || (bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B)
    }
}
