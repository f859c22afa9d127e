import DMARC
import Foundation
import Testing

@Suite("Day")
struct DayTests {
    @Test(arguments: [
        ("1970-01-01", 0), ("1970-01-02", 1), ("1969-12-31", -1), ("2000-02-29", 11_016), ("2026-03-01", 20_513),
    ])
    func readsAndWrites(_ text: String, _ days: Int) throws {
        let day = try #require(Day(text))
        #expect(day.daysSinceEpoch == days)
        #expect(day.description == text)
    }

    @Test(arguments: [
        "2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "26-03-01", "2026/03/01", "2026-03-01T00:00", "",
    ])
    func rejects(_ text: String) {
        #expect(Day(text) == nil)
    }

    /// Cross-checked against Foundation's calendar so the arithmetic cannot drift unnoticed.
    @Test(arguments: [Int64(0), 86_399, 86_400, 1_772_323_200, 1_772_409_599, 951_782_400, -1, 4_102_444_800])
    func epochSecondsFallOnTheUTCDay(_ seconds: Int64) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents(
            [.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let day = Day(epochSeconds: seconds)
        #expect(day.components.year == parts.year)
        #expect(day.components.month == parts.month)
        #expect(day.components.day == parts.day)
    }
}
