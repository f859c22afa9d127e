#if canImport(Glibc)
import Glibc
import POSIXCalls
#endif

/// The generated corpus on disk: what receivers send (`shipped/`: zip, gzip, some plain XML) and
/// the same documents uncompressed (`xml/`), so baselines run on exactly the bytes we parse.
struct Corpus {
    struct Document {
        let shipped: String
        let xml: String
        let packaging: ReceiverStyle.Packaging
        let records: Int
        let xmlBytes: Int
        let shippedBytes: Int
        let large: Bool
    }

    var documents: [Document] = []
    /// Period the reports cover, for the queries.
    var firstDay: Int64 = 0
    var lastDay: Int64 = 0

    var records: Int { documents.reduce(0) { $0 + $1.records } }
    var xmlBytes: Int { documents.reduce(0) { $0 + $1.xmlBytes } }
    var shippedBytes: Int { documents.reduce(0) { $0 + $1.shippedBytes } }
    var compressed: [Document] { documents.filter { $0.packaging != .plain } }
}

/// Writes a seeded, deterministic corpus: many small reports in the four receivers' styles and a
/// few very large ones (one big tenant), over 30 days of November 2026.
struct CorpusGenerator {
    let scale: Scale
    let seed: UInt64
    let directory: String

    /// 2026-11-01 00:00 UTC: the corpus covers 30 days from here (samples/ show November 2026).
    static let firstDay: Int64 = 1_793_491_200
    static let days = 30

    func generate() throws(BenchError) -> Corpus {
        for sub in ["shipped", "xml"] { try makeDirectory(directory + "/" + sub) }
        var random = SeededGenerator(seed: seed)
        var factory = RecordFactory(random: SeededGenerator(seed: seed &* 31 &+ 7))
        var corpus = Corpus()
        corpus.firstDay = Self.firstDay
        corpus.lastDay = Self.firstDay + Int64(Self.days - 1) * 86_400
        let styles = ReceiverStyle.allCases
        // File names carry the report id; a repeated id would overwrite a file and lose its rows.
        var taken: Set<String> = []
        func uniqueID(_ style: ReceiverStyle, begin: Int64) -> String {
            while true {
                let id = style.reportID(&random, begin: begin)
                if taken.insert(id).inserted { return id }
            }
        }
        for index in 0..<scale.smallReports {
            let style = styles[index % styles.count]
            // Most tenants are small; the big one (contoso, relay) gets the very large reports.
            let tenant = RecordFactory.domains[random.below(RecordFactory.domains.count)]
            let begin = Self.firstDay + Int64(random.below(Self.days)) * 86_400
            // Mostly 1–10 rows, sometimes a few hundred: what receivers send for one domain a day.
            let rows = random.chance(0.9) ? 1 + random.below(10) : 10 + random.below(300)
            let report = GeneratedReport(
                style: style, reportID: uniqueID(style, begin: begin), domain: tenant.domain, begin: begin,
                policy: random.pick(["none", "quarantine", "reject"]))
            // Every tenth is forwarded as plain XML (someone saved the attachment unpacked).
            let packaging: ReceiverStyle.Packaging = index % 10 == 9 ? .plain : style.packaging
            corpus.documents.append(
                try write(report, tenant: tenant, rows: rows, packaging: packaging, large: false, factory: &factory))
        }
        let big = RecordFactory.domains[4]
        for index in 0..<scale.largeReports {
            let style = styles[index % styles.count]
            let begin = Self.firstDay + Int64(index) * 86_400
            let report = GeneratedReport(
                style: style, reportID: uniqueID(style, begin: begin), domain: big.domain, begin: begin,
                policy: "quarantine")
            corpus.documents.append(
                try write(report, tenant: big, rows: scale.recordsPerLargeReport, packaging: style.packaging, large: true,
                          factory: &factory))
        }
        return corpus
    }

    private func write(
        _ report: GeneratedReport, tenant: RecordFactory.TenantDomain, rows: Int, packaging: ReceiverStyle.Packaging,
        large: Bool, factory: inout RecordFactory
    ) throws(BenchError) -> Corpus.Document {
        var writer = StyledXMLWriter(style: report.style)
        writer.header(report)
        var xml = writer.drain()
        for _ in 0..<rows {
            writer.record(factory.record(for: tenant))
            if writer.bytes.count > 1 << 16 { xml += writer.drain() }
        }
        writer.footer()
        xml += writer.drain()
        let base = report.style.baseName(domain: report.domain, begin: report.begin, reportID: report.reportID)
        let xmlPath = "\(directory)/xml/\(base).xml"
        try FileOutput.write(xml, to: xmlPath)
        let shipped: [UInt8]
        let shippedPath: String
        switch packaging {
        case .plain:
            shipped = xml
            shippedPath = "\(directory)/shipped/\(base).xml"
        case .gzip:
            shipped = try Zlib.gzip(xml)
            shippedPath = "\(directory)/shipped/\(base).xml.gz"
        case .zip:
            shipped = try Zlib.zip(member: base + ".xml", xml)
            shippedPath = "\(directory)/shipped/\(base).zip"
        }
        try FileOutput.write(shipped, to: shippedPath)
        return Corpus.Document(
            shipped: shippedPath, xml: xmlPath, packaging: packaging, records: rows, xmlBytes: xml.count,
            shippedBytes: shipped.count, large: large)
    }

    /// One Google-style report of about `mebibytes` MiB written straight to disk, for the memory phase.
    static func writeLargeReport(to path: String, mebibytes: Int, seed: UInt64) throws(BenchError) -> Int {
        let file = try FileOutput(path: path)
        var writer = StyledXMLWriter(style: .google)
        var random = SeededGenerator(seed: seed ^ 0x5EED)
        var factory = RecordFactory(random: SeededGenerator(seed: seed ^ 0xB16))
        let report = GeneratedReport(
            style: .google, reportID: ReceiverStyle.google.reportID(&random, begin: firstDay),
            domain: RecordFactory.domains[4].domain, begin: firstDay, policy: "quarantine")
        writer.header(report)
        let target = mebibytes << 20
        var records = 0
        while file.bytesWritten + writer.bytes.count < target {
            writer.record(factory.record(for: RecordFactory.domains[4]))
            records += 1
            if writer.bytes.count > 1 << 20 { try file.write(writer.drain()) }
        }
        writer.footer()
        try file.write(writer.drain())
        return records
    }
}

func makeDirectory(_ path: String) throws(BenchError) {
    var parts: [Substring] = []
    for part in path.split(separator: "/") {
        parts.append(part)
        let prefix = (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
        if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
            throw BenchError(.io, "cannot create \(prefix): \(SystemCall.lastError)")
        }
    }
}
