import DMARC
import Testing

@_spi(Testing) @testable import ReportReading

/// Counts past what any receiver reports: a row past 10,000,000,000 messages is left out with a
/// warning, a report whose rows add up past 100,000,000,000 is rejected (SECURITY.md).
@Suite("message counts: the caps of a row and a report")
struct MessageCountCapTests {
    static func row(_ count: String, ip: Int = 1) -> String {
        """
        <record><row><source_ip>192.0.2.\(ip)</source_ip><count>\(count)</count><policy_evaluated>
        <disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
        <identifiers><header_from>example.com</header_from></identifiers></record>
        """
    }

    @Test("two rows of 2^63-1 are left out, each with a warning; the report stays, its total is what remains")
    func int64MaxRows() throws {
        let result = try read(reportXML(records: Self.row("9223372036854775807", ip: 1) + Self.row("9223372036854775807", ip: 2) + Self.row("5", ip: 3)))
        let report = try #require(result.reports.first)
        #expect(report.records.map(\.count) == [5])
        #expect(report.messageCount == 5)
        #expect(
            report.warnings == [
                "record 1 (192.0.2.1): count \"9223372036854775807\" is more than one row can hold (10000000000); left out",
                "record 2 (192.0.2.2): count \"9223372036854775807\" is more than one row can hold (10000000000); left out",
            ])
    }

    @Test("a count past 64 bits is too large, not 'not a number'; the cap itself is a count")
    func edges() throws {
        let result = try read(reportXML(records: Self.row("99999999999999999999", ip: 1) + Self.row("10000000001", ip: 2) + Self.row("10000000000", ip: 3)))
        let report = try #require(result.reports.first)
        #expect(report.records.map(\.count) == [10_000_000_000])
        #expect(report.warnings.count == 2)
        #expect(report.warnings.allSatisfy { $0.contains("is more than one row can hold") })
    }

    @Test("ten rows at the cap make the largest report; one more row rejects it")
    func reportTotal() throws {
        let ten = (1...10).map { Self.row("10000000000", ip: $0) }.joined()
        let largest = try read(reportXML(records: ten))
        #expect(largest.reports.first?.messageCount == 100_000_000_000)
        #expect(largest.rejections.isEmpty)

        let tooMany = try read(reportXML(records: ten + Self.row("1", ip: 11)))
        #expect(tooMany.reports.isEmpty)
        #expect(tooMany.rejections.map(\.error.code) == [.limitExceeded])
        #expect(
            tooMany.rejections.first?.error.message
                == "the report's rows add up to more than 100000000000 messages, more than any receiver reports")
    }

    @Test("sums hold at Int64's bounds instead of wrapping")
    func saturatingSums() {
        #expect(MessageCount.sum([Int64.max, Int64.max]) == Int64.max)
        #expect(MessageCount.sum([Int64.min, -1]) == Int64.min)
        #expect(MessageCount.sum([1, 2, 3]) == 6)
        #expect(MessageCount.adding(1, to: Int64.max - 1) == Int64.max)
    }
}
