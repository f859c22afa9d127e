import DMARC
import Diagnosis

/// The messages of one report attributed to one UTC day.
public struct DayShare: Sendable, Hashable, Codable {
    public var day: Day
    public var messages: Int64

    public init(day: Day, messages: Int64) {
        self.day = day
        self.messages = messages
    }
}

/// Splits a report's counts over the UTC days its period covers.
///
/// Receivers report a count per period, not per day, and periods do not always run midnight to
/// midnight (Microsoft and some small receivers use rolling 24-hour windows), so a report can straddle
/// two days or the month boundary. Each day gets the share of the count that its overlap with the
/// period has of the period's length; shares are rounded by the largest-remainder method so they are
/// whole messages that add up exactly to the reported count.
public enum DayApportioning {
    /// Periods longer than this are apportioned as if they ended this many days after `begin`:
    /// a report claiming years (a broken or hostile `date_range`) must not make us list every day of them.
    public static let maximumDays: Int64 = 366

    /// The count split by UTC day, earliest first, days with no share left out.
    ///
    /// The period is `begin ..< end` in epoch seconds: a period ending at midnight does not touch the
    /// next day. A period with `end <= begin` puts everything on the day of `begin`. Among equal
    /// remainders the earlier day gets the extra message, so the result is deterministic.
    public static func split(_ count: Int64, over period: DateRange) -> [DayShare] {
        guard count > 0 else { return [] }
        if let day = singleDay(of: period) { return [DayShare(day: day, messages: count)] }
        let begin = period.begin
        let end = min(period.end, begin &+ maximumDays * 86_400)
        let first = Day(epochSeconds: begin)
        let last = Day(epochSeconds: end - 1)
        let total = UInt64(end - begin)

        var shares: [(day: Day, floor: Int64, remainder: UInt64)] = []
        var assigned: Int64 = 0
        for index in first.daysSinceEpoch...last.daysSinceEpoch {
            let dayStart = Int64(index) * 86_400
            let overlap = UInt64(min(end, dayStart + 86_400) - max(begin, dayStart))
            // count × overlap can exceed 64 bits for huge counts; multiply and divide at full width.
            let product = UInt64(count).multipliedFullWidth(by: overlap)
            let (quotient, remainder) = total.dividingFullWidth(product)
            shares.append((Day(daysSinceEpoch: index), Int64(quotient), remainder))
            assigned += Int64(quotient)
        }
        var left = count - assigned
        // Largest remainders first; ties go to the earlier day (a stable order by index).
        let order = shares.indices.sorted { a, b in
            shares[a].remainder != shares[b].remainder ? shares[a].remainder > shares[b].remainder : a < b
        }
        for index in order where left > 0 {
            shares[index].floor += 1
            left -= 1
        }
        return shares.filter { $0.floor > 0 }.map { DayShare(day: $0.day, messages: $0.floor) }
    }

    /// The shares of `split`, handed to `body` one at a time, with no array for a period within one
    /// UTC day (most reports): for callers that apportion every row of a big month.
    public static func forEachShare(of count: Int64, over period: DateRange, _ body: (DayShare) -> Void) {
        guard count > 0 else { return }
        if let day = singleDay(of: period) { return body(DayShare(day: day, messages: count)) }
        for share in split(count, over: period) { body(share) }
    }

    /// The one day that `split` gives all of a count to, when the period lies within one UTC day
    /// (most reports), or ends before it begins; nil when it spans several. Callers with many rows
    /// of one report ask this once instead of splitting each row.
    public static func singleDay(of period: DateRange) -> Day? {
        let begin = period.begin
        let end = min(period.end, begin &+ maximumDays * 86_400)
        guard end > begin else { return Day(epochSeconds: begin) }
        let first = Day(epochSeconds: begin)
        return first == Day(epochSeconds: end - 1) ? first : nil
    }
}
