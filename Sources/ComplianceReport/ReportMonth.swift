import DMARC
import Diagnosis

/// A calendar month in UTC, the period of one compliance report; written `YYYY-MM`.
public struct ReportMonth: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    /// 1…12.
    public let month: Int

    /// Nil for a month that does not exist (`2026-13`) or a year outside 1…9999.
    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// Reads exactly `YYYY-MM`, as `--month` takes it.
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 7, utf8[4] == UInt8(ascii: "-") else { return nil }
        var digits: [Int] = []
        for (index, byte) in utf8.enumerated() where index != 4 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            digits.append(Int(byte - UInt8(ascii: "0")))
        }
        let year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
        self.init(year: year, month: digits[4] * 10 + digits[5])
    }

    /// The month containing `day`.
    public init(containing day: Day) {
        let (year, month, _) = day.components
        // `Day` covers years 1…9999 when built from components; clamp anything else rather than trap.
        self.year = min(max(year, 1), 9999)
        self.month = month
    }

    /// The default of `--month`: the last month that ended before `today`.
    public static func lastComplete(before today: Day) -> ReportMonth {
        ReportMonth(containing: today).previous
    }

    public var firstDay: Day {
        // Year and month are valid by construction, so day 1 always exists.
        Day(year: year, month: month, day: 1) ?? Day(daysSinceEpoch: 0)
    }

    public var lastDay: Day { Day(daysSinceEpoch: next.firstDay.daysSinceEpoch - 1) }

    public var dayCount: Int { lastDay.daysSinceEpoch - firstDay.daysSinceEpoch + 1 }

    public var days: [Day] { (firstDay.daysSinceEpoch...lastDay.daysSinceEpoch).map(Day.init(daysSinceEpoch:)) }

    public func contains(_ day: Day) -> Bool { day >= firstDay && day <= lastDay }

    public var previous: ReportMonth {
        if month == 1 { return ReportMonth(year: year - 1, month: 12) ?? self }
        return ReportMonth(year: year, month: month - 1) ?? self
    }

    public var next: ReportMonth {
        if month == 12 { return ReportMonth(year: year + 1, month: 1) ?? self }
        return ReportMonth(year: year, month: month + 1) ?? self
    }

    public var description: String {
        let y = String(year)
        let m = String(month)
        return String(repeating: "0", count: 4 - y.count) + y + "-" + (m.count == 1 ? "0" : "") + m
    }

    public static func < (lhs: ReportMonth, rhs: ReportMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let month = ReportMonth(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is no YYYY-MM month")
        }
        self = month
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
