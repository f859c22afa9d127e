import DMARC
@_spi(Fuzzing) import ReportReading

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
    /// A document that is no zip is read a second time in short chunks: the outcome must not change.
    public static func reader(_ bytes: [UInt8]) {
        let whole = run(bytes, source: "fuzz", exactlyOneOutcome: !looksLikeZip(bytes))
        if !looksLikeZip(bytes) {
            let chunked = run(bytes, source: "fuzz", chunkSizes: chunkSizes(for: bytes))
            whole.expectSameOutcome(as: chunked)
        }
    }

    /// (2) The XML report reader alone. A leading space keeps inputs that begin with gzip or zip
    /// magic on the XML path (the prefilter skips leading whitespace); other inputs pass unchanged
    /// so a byte order mark or UTF-16 still reaches the prefilter's detection.
    /// Read whole and in short chunks, with the same outcome.
    public static func xml(_ bytes: [UInt8]) {
        let document = startsWithCompressionMagic(bytes) ? [0x20] + bytes : bytes
        let whole = run(document, source: "fuzz.xml", chunkSizes: [])
        let chunked = run(document, source: "fuzz.xml", chunkSizes: chunkSizes(for: document))
        whole.expectSameOutcome(as: chunked)
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

    /// (4) The mail reader: header fields, MIME trees (multipart, forwarded messages, encodings),
    /// mbox splitting, and the report reader on what the attachments decode to. Every input reaches
    /// the MIME reader (see `readMail`). An mbox is read a second time in chunks of a few bytes, so
    /// that a chunk ends inside every `From ` line and `>From ` escape: the outcome must not change.
    ///
    /// A message is taken for one from its first bytes, however many the reader looks at: whole,
    /// it must be one too when the look ends anywhere inside it.
    public static func mail(_ bytes: [UInt8]) {
        if ReportReader.takesForMessage(bytes, isWholeInput: true) {
            for cut in cutPoints(in: bytes) where !ReportReader.takesForMessage(Array(bytes[..<cut]), isWholeInput: false) {
                violation("a message is not taken for one when only its first \(cut) bytes are looked at")
            }
        }
        let whole = runMail(bytes, mboxChunkSize: nil)
        if bytes.starts(with: Array("From ".utf8)) {
            let size = chunkSizes(for: bytes)[0] % 13 + 1
            whole.expectSameOutcome(as: runMail(bytes, mboxChunkSize: size))
        }
    }

    static func runMail(_ bytes: [UInt8], mboxChunkSize: Int?) -> CheckingHandler {
        var handler = CheckingHandler(source: "fuzz.eml")
        do {
            try ReportReader(limits: limits).readMail(
                bytes: bytes, source: "fuzz.eml", mboxChunkSize: mboxChunkSize, into: &handler)
        } catch {
            violation("read threw \(error)")
        }
        // Each message yields its own outcome (at least the message itself), so no count is fixed.
        handler.finish(inputIsEmpty: false, exactlyOneOutcome: false)
        return handler
    }

    /// Through the public entry point, as `dmarc parse` reads an attachment.
    @discardableResult
    static func run(_ bytes: [UInt8], source: String, exactlyOneOutcome: Bool) -> CheckingHandler {
        var handler = CheckingHandler(source: source)
        do {
            try ReportReader(limits: limits).read(bytes: bytes, source: source, into: &handler)
        } catch {
            // The handler never throws, and the reader reports bad input to it instead of throwing.
            violation("read threw \(error)")
        }
        handler.finish(inputIsEmpty: bytes.isEmpty, exactlyOneOutcome: exactlyOneOutcome)
        return handler
    }

    /// One document (gzip or XML) handed to the reader in chunks of `chunkSizes` (whole when empty).
    static func run(_ bytes: [UInt8], source: String, chunkSizes: [Int]) -> CheckingHandler {
        var handler = CheckingHandler(source: source)
        do {
            try ReportReader(limits: limits).readDocument(bytes: bytes, chunkSizes: chunkSizes, source: source, into: &handler)
        } catch {
            violation("read threw \(error)")
        }
        handler.finish(inputIsEmpty: bytes.isEmpty, exactlyOneOutcome: true)
        return handler
    }

    /// Chunk sizes drawn from the input itself, so a crash reproduces from its file alone: mostly
    /// tiny (a boundary inside every multi-byte sequence), sometimes up to 4 KiB.
    static func chunkSizes(for bytes: [UInt8]) -> [Int] {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a over the input seeds a xorshift
        for byte in bytes { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        if state == 0 { state = 1 }
        return (0..<16).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state % 4 == 0 ? Int(state >> 8 % 4096) + 1 : Int(state >> 8 % 7) + 1
        }
    }

    /// Up to 24 places to cut `bytes`, spread over it and drawn from it: a cut ends up inside
    /// every kind of header line over a run.
    static func cutPoints(in bytes: [UInt8]) -> [Int] {
        guard bytes.count > 1 else { return [] }
        let spread = (1...8).map { bytes.count * $0 / 9 }
        var drawn: [Int] = []
        var offset = 0
        for size in chunkSizes(for: bytes) {
            offset = (offset + size * 37) % bytes.count
            drawn.append(offset)
        }
        return Set(spread + drawn).filter { $0 > 0 && $0 < bytes.count }.sorted()
    }

    static func looksLikeZip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && (bytes[2] == 0x03 || bytes[2] == 0x05)
    }

    static func startsWithCompressionMagic(_ bytes: [UInt8]) -> Bool {
        looksLikeZip(bytes) || (bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B)
    }
}
