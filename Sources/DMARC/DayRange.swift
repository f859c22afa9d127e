/// A UTC period of whole days, `from` inclusive, `to` exclusive.
public struct DayRange: Sendable, Equatable, Codable {
    public var from: Day
    public var to: Day

    public init(from: Day, to: Day) {
        self.from = from
        self.to = to
    }

    /// The last `days` days up to and including today.
    public static func last(_ days: Int, today: Day) -> DayRange {
        DayRange(from: Day(daysSinceEpoch: today.daysSinceEpoch - days + 1), to: Day(daysSinceEpoch: today.daysSinceEpoch + 1))
    }

    public var fromSeconds: Int64 { Int64(from.daysSinceEpoch) * 86_400 }
    public var toSeconds: Int64 { Int64(to.daysSinceEpoch) * 86_400 }
}
