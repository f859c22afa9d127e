import DMARC
import Diagnosis
import Testing

@testable import ComplianceReport

@Suite struct DayApportioningTests {
    static let march1 = Int64(Day(year: 2026, month: 3, day: 1)!.daysSinceEpoch) * 86_400

    @Test func aWholeDayStaysOnItsDay() {
        let shares = DayApportioning.split(100, over: DateRange(begin: Self.march1, end: Self.march1 + 86_399))
        #expect(shares == [DayShare(day: Day(year: 2026, month: 3, day: 1)!, messages: 100)])
    }

    @Test func aPeriodEndingAtMidnightDoesNotTouchTheNextDay() {
        let shares = DayApportioning.split(7, over: DateRange(begin: Self.march1, end: Self.march1 + 86_400))
        #expect(shares.count == 1)
        #expect(shares.first?.messages == 7)
    }

    @Test func theMonthBoundarySplitsByOverlapSeconds() {
        // 28 February 12:00 to 1 March 12:00: half in each month.
        let begin = Self.march1 - 43_200
        let shares = DayApportioning.split(11, over: DateRange(begin: begin, end: begin + 86_400))
        #expect(shares.map(\.day) == [Day(year: 2026, month: 2, day: 28)!, Day(year: 2026, month: 3, day: 1)!])
        // 5.5 each: the tie goes to the earlier day.
        #expect(shares.map(\.messages) == [6, 5])
        #expect(shares.reduce(0) { $0 + $1.messages } == 11)
    }

    @Test func largestRemaindersGetTheLeftOverMessages() {
        // 18:00 to 18:00 next day: 6 h then 18 h, so 10 messages are 2.5 and 7.5 → 3 and 7? No: floors 2 and 7,
        // remainders 0.5 and 0.5 tie, the earlier day wins.
        let begin = Self.march1 + 18 * 3600
        let shares = DayApportioning.split(10, over: DateRange(begin: begin, end: begin + 86_400))
        #expect(shares.map(\.messages) == [3, 7])
        // Three days, 1 message: the day with the largest overlap gets it.
        let long = DayApportioning.split(
            1, over: DateRange(begin: Self.march1 + 20 * 3600, end: Self.march1 + 2 * 86_400 + 3600))
        #expect(long == [DayShare(day: Day(year: 2026, month: 3, day: 2)!, messages: 1)])
    }

    struct Period: Sendable, CustomTestStringConvertible {
        var count: Int64
        var beginOffset: Int64
        var length: Int64
        var testDescription: String { "\(count) over \(length) s from +\(beginOffset) s" }
    }

    static let periods: [Period] = [
        Period(count: 1, beginOffset: 0, length: 86_400),
        Period(count: 997, beginOffset: 3_600, length: 3 * 86_400 + 17),
        Period(count: 1_000_003, beginOffset: 43_199, length: 7 * 86_400 - 5),
        Period(count: 5, beginOffset: -86_400 * 2 + 1, length: 86_400 * 3),
        Period(count: Int64.max / 3, beginOffset: 12 * 3_600, length: 40 * 86_400),
    ]

    @Test(arguments: periods)
    func sharesAddUpExactly(period: Period) {
        let begin = Self.march1 + period.beginOffset
        let shares = DayApportioning.split(period.count, over: DateRange(begin: begin, end: begin + period.length))
        var sum: Int64 = 0
        for share in shares { sum += share.messages }
        #expect(sum == period.count)
        #expect(shares.allSatisfy { $0.messages > 0 })
        #expect(shares.map(\.day) == shares.map(\.day).sorted())
    }

    /// One at a time, the shares are `split`'s, single-day periods and empty rows included.
    @Test(arguments: periods + [Period(count: 0, beginOffset: 0, length: 86_400), Period(count: 9, beginOffset: 60, length: 0)])
    func sharesOneAtATimeAreTheSplit(period: Period) {
        let begin = Self.march1 + period.beginOffset
        let range = DateRange(begin: begin, end: begin + period.length)
        var shares: [DayShare] = []
        DayApportioning.forEachShare(of: period.count, over: range) { shares.append($0) }
        #expect(shares == DayApportioning.split(period.count, over: range))
    }

    @Test func degenerateInputs() {
        #expect(DayApportioning.split(0, over: DateRange(begin: Self.march1, end: Self.march1 + 86_400)).isEmpty)
        #expect(DayApportioning.split(-3, over: DateRange(begin: Self.march1, end: Self.march1 + 86_400)).isEmpty)
        // End before begin (a broken report): all on the begin day.
        let backwards = DayApportioning.split(4, over: DateRange(begin: Self.march1 + 100, end: Self.march1 - 86_400))
        #expect(backwards == [DayShare(day: Day(year: 2026, month: 3, day: 1)!, messages: 4)])
        // A period of centuries is capped at `maximumDays` and still sums exactly.
        let huge = DayApportioning.split(1_000, over: DateRange(begin: 0, end: Int64.max))
        #expect(huge.count <= Int(DayApportioning.maximumDays))
        #expect(huge.reduce(0) { $0 + $1.messages } == 1_000)
    }
}
