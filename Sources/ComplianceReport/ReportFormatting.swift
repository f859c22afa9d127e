import DMARC
import Diagnosis

/// Numbers and dates as each language writes them: de `1.234,5 %`, en `1,234.5%`.
///
/// Written by hand rather than with Foundation's formatters so the output is the same on every
/// machine and locale database: a report regenerated later must print the same text.
struct ReportFormatting: Sendable {
    let language: Language

    init(_ language: Language) {
        self.language = language
    }

    private var groupSeparator: String { language.isGerman ? "." : "," }
    private var decimalSeparator: String { language.isGerman ? "," : "." }
    /// German puts a (no-break) space before the percent sign, English none.
    private var percentSign: String { language.isGerman ? "\u{00A0}%" : "%" }

    /// `1.234.567` / `1,234,567`.
    func integer(_ value: Int64) -> String {
        let grouped = NumberText.grouped(value.magnitude, separator: groupSeparator)
        return value < 0 ? "−" + grouped : grouped
    }

    func integer(_ value: Int) -> String { integer(Int64(value)) }

    /// One decimal: `98,7` / `98.7`.
    func decimal(_ value: Double, signed: Bool = false) -> String {
        let tenths = (value * 10).rounded()
        let magnitude = Int64(abs(tenths))
        let text = integer(magnitude / 10) + decimalSeparator + String(magnitude % 10)
        if tenths < 0 { return "−" + text }
        if signed { return (tenths > 0 ? "+" : "±") + text }
        return text
    }

    /// A percentage with one decimal.
    func percent(_ value: Double) -> String { decimal(value) + percentSign }

    /// A share of `part` in `whole`; never `100,0 %` unless all, never `0,0 %` unless none, so a
    /// single failure among thousands does not read as "everything passed". Nil without a whole.
    func percent(_ part: Int64, of whole: Int64) -> String? {
        guard whole > 0 else { return nil }
        var value = Double(part) * 100 / Double(whole)
        if part < whole { value = min(value, 99.9) }
        if part > 0 { value = max(value, 0.1) }
        return percent(value)
    }

    func passRate(_ count: PassCount) -> String? { percent(count.passed, of: count.messages) }

    /// A change in percentage points: `+1,2 Pp.` / `+1.2 pp`.
    func percentagePoints(_ value: Double) -> String {
        decimal(value, signed: true) + (language.isGerman ? "\u{00A0}Pp." : "\u{00A0}pp")
    }

    /// A relative change: `+12,5 %` / `+12.5%`.
    func change(_ value: Double) -> String { decimal(value, signed: true) + percentSign }

    static let germanMonths = [
        "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
        "Dezember",
    ]
    static let englishMonths = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    /// `März 2026` / `March 2026`.
    func month(_ month: ReportMonth) -> String {
        let names = language.isGerman ? ReportFormatting.germanMonths : ReportFormatting.englishMonths
        return "\(names[month.month - 1]) \(month.year)"
    }

    /// `31.03.2026` / `31 Mar 2026`.
    func day(_ day: Day) -> String {
        let (year, month, dayOfMonth) = day.components
        switch language {
        case .de, .deCH:
            return "\(pad(dayOfMonth)).\(pad(month)).\(year)"
        case .en:
            return "\(dayOfMonth) \(ReportFormatting.englishMonths[month - 1].prefix(3)) \(year)"
        }
    }

    /// `31.03.` / `31 Mar`: the short day on chart axes.
    func shortDay(_ day: Day) -> String {
        let (_, month, dayOfMonth) = day.components
        switch language {
        case .de, .deCH: return "\(pad(dayOfMonth)).\(pad(month))."
        case .en: return "\(dayOfMonth) \(ReportFormatting.englishMonths[month - 1].prefix(3))"
        }
    }

    /// A moment in UTC: `01.03.2026 14:00` / `1 Mar 2026 14:00`.
    func moment(_ epochSeconds: Int64) -> String {
        let day = Day(epochSeconds: epochSeconds)
        let seconds = epochSeconds - Int64(day.daysSinceEpoch) * 86_400
        return "\(self.day(day)) \(pad(Int(seconds / 3600))):\(pad(Int(seconds % 3600 / 60)))"
    }

    /// A report's period on one line: `01.03.2026 00:00–23:59` within a day, both ends otherwise.
    /// The end is shown as the receiver wrote it (often 23:59:59, shown as 23:59).
    /// A period of exactly one UTC day (00:00 to 23:59:59 or to the next midnight) is that day alone.
    func period(_ begin: Int64, _ end: Int64) -> String {
        let beginDay = Day(epochSeconds: begin)
        if begin == Int64(beginDay.daysSinceEpoch) * 86_400, end - begin == 86_399 || end - begin == 86_400 {
            return day(beginDay)
        }
        let endDay = Day(epochSeconds: end)
        guard beginDay == endDay else { return "\(moment(begin)) – \(moment(end))" }
        let seconds = end - Int64(endDay.daysSinceEpoch) * 86_400
        return "\(moment(begin))–\(pad(Int(seconds / 3600))):\(pad(Int(seconds % 3600 / 60)))"
    }

    private func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}
