@_spi(Testing) import DMARC
import Foundation
@_spi(Testing) import ReportReading
import Testing

/// The outcomes that `Fixtures/corpus/README.md` lists for real reports from other tools' test data.
@Suite
struct ConformanceTests {
    func corpus(_ path: String) -> String { TestPaths.corpus.appendingPathComponent(path).path }

    @Test func everyParsedmarcAggregateSampleYieldsItsReport() throws {
        let folder = corpus("parsedmarc/aggregate")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(names.count == 19)  // the .eml messages included
        for name in names {
            let result = try readFile(folder + "/" + name)
            #expect(result.rejections.isEmpty, "\(name): \(result.rejections.map(\.error.message))")
            #expect(result.reports.count == 1, "\(name)")
        }
    }

    @Test(arguments: [
        ("invalid_xml.xml", "recovered from malformed XML"), ("invalid_utf_8.xml", "windows-1252"),
        ("ikea.com!example.de!1538690400!1538776800.xml", "before <feedback>"),
    ])
    func repairedReportsCarryAWarning(name: String, warning: String) throws {
        let report = try #require(try readFile(corpus("parsedmarc/aggregate/" + name)).reports.first)
        #expect(report.warnings.contains { $0.contains(warning) }, "\(report.warnings)")
    }

    @Test func theLargeSampleHasAllItsRows() throws {
        let report = try #require(try readFile(corpus("parsedmarc/aggregate/!large-example.com!1711897200!1711983600.xml")).reports.first)
        #expect(report.records.count == 2286)
    }

    @Test func upperCasedPassIsNormalised() throws {
        let report = try #require(try readFile(corpus("parsedmarc/aggregate_invalid/report_with_upper_cased_pass.xml")).reports.first)
        #expect(report.records.allSatisfy { $0.policyEvaluated.dkim != nil || $0.policyEvaluated.spf != nil })
    }

    @Test(arguments: [
        ("parsedmarc/empty.xml", ReadError.Code.empty),
        ("dmarc-report/dmarc-invalid-1.xml", .missingField), ("dmarc-report/dmarc-invalid-1.xml.gz", .missingField),
        ("dmarc-report/dmarc-invalid-2.xml", .missingField), ("dmarc-report/dmarc-invalid-2.xml.zip", .missingField),
        ("dmarc-report/dmarc-invalid-3.xml", .missingField), ("dmarc-report/dmarc-invalid-3.xml.gz", .missingField),
        ("dmarc-report/dmarc-invalid-4.xml", .notXML), ("dmarc-report/dmarc-invalid-4.xml.zip", .notXML),
    ])
    func invalidFilesAreRejectedWithASpecificReason(path: String, code: ReadError.Code) throws {
        let result = try readFile(corpus(path))
        #expect(result.reports.isEmpty)
        #expect(result.rejections.count == 1)
        #expect(result.rejections.first?.error.code == code, "\(result.rejections.map(\.error.message))")
    }

    @Test(arguments: [
        ["parsedmarc/extract_report/nice-input.xml", "parsedmarc/extract_report/nice-input.xml.gz", "parsedmarc/extract_report/nice-input.xml.zip"],
        ["dmarc-report-converter/test.xml", "dmarc-report-converter/test.xml.gz", "dmarc-report-converter/test.xml.gz.gz", "dmarc-report-converter/test.xml.zip"],
    ])
    func everyPackagingYieldsTheSameReport(paths: [String]) throws {
        var reports: [AggregateReport] = []
        for path in paths {
            let result = try readFile(corpus(path))
            #expect(result.rejections.isEmpty)
            var report = try #require(result.reports.first)
            report.source = ""
            reports.append(report)
        }
        #expect(Set(reports.map(\.jsonLine)).count == 1)
    }

    @Test(arguments: ["dmarc-report/multiple_reports.zip", "dmarc-report/multiple-invalid-directory-with-valid.zip"])
    func zipsWithSeveralReports(path: String) throws {
        let result = try readFile(corpus(path))
        #expect(result.reports.count == 3)
        #expect(result.rejections.isEmpty, "\(result.rejections.map(\.error.message))")
    }

    @Test func zipWithOnlyInvalidMembersSaysWhyForEach() throws {
        let result = try readFile(corpus("dmarc-report/multiple-invalid.zip"))
        #expect(result.reports.isEmpty)
        #expect(result.rejections.count >= 3)
        #expect(result.rejections.allSatisfy { $0.source.contains("multiple-invalid.zip!") })
    }

    @Test func emptySourceIPIsNeverAValidRow() throws {
        let report = try #require(try readFile(corpus("dmarc-report-converter/test_empty.xml")).reports.first)
        #expect(report.records.isEmpty)
        #expect(report.warnings.contains { $0.contains("source_ip empty") })
    }

    @Test func dmarc2NamespaceReports() throws {
        for path in ["dmarc-report-viewer/gmxnet.xml", "dmarc-report-viewer/webde.xml", "parsedmarc/aggregate/rfc9990-sample.xml"] {
            let report = try #require(try readFile(corpus(path)).reports.first)
            #expect(report.schema == .dmarc2, "\(path)")
        }
    }

    @Test func hardfailAndEmptyDKIMFields() throws {
        let report = try #require(try readFile(corpus("dmarc-report-viewer/hardfail.xml")).reports.first)
        #expect(!report.records.isEmpty)
    }
}
