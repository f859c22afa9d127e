/// RFC 5322 dates (`Tue, 12 Feb 2019 15:59:59 -0800`, obsolete zone names too) as epoch seconds,
/// without Foundation. Anything it cannot read gives nil: the raw header is kept beside it.
enum MessageDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6,
        "pst": -8, "pdt": -7,
    ]

    static func epochSeconds(_ text: String) -> Int64? {
        // Comments such as "(PST)" and the day name are noise here.
        var cleaned = ""
        var depth = 0
        for character in text {
            if character == "(" {
                depth += 1
            } else if character == ")" {
                depth = max(0, depth - 1)
            } else if depth == 0 {
                cleaned.append(character == "," ? " " : character)
            }
        }
        var tokens = cleaned.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).map {
            $0.lowercased()
        }
        if let first = tokens.first, first.first?.isLetter == true, !months.contains(String(first.prefix(3))) {
            tokens.removeFirst()
        }
        guard tokens.count >= 4, let day = Int(tokens[0]),
            let monthIndex = months.firstIndex(of: String(tokens[1].prefix(3))), var year = Int(tokens[2])
        else { return nil }
        // Obsolete two- and three-digit years (RFC 5322 4.3).
        if year < 50 { year += 2000 } else if year < 1000 { year += 1900 }
        let time = tokens[3].split(separator: ":").map { Int($0) }
        guard time.count >= 2, time.allSatisfy({ $0 != nil }) else { return nil }
        let hour = time[0] ?? 0
        let minute = time[1] ?? 0
        let second = time.count > 2 ? (time[2] ?? 0) : 0
        guard (1...9999).contains(year), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute),
            (0...60).contains(second)
        else { return nil }
        var offsetSeconds = 0
        if tokens.count > 4 {
            let zone = tokens[4]
            if let sign = zone.first, sign == "+" || sign == "-", zone.count == 5, let value = Int(zone.dropFirst()) {
                offsetSeconds = (value / 100 * 3600 + value % 100 * 60) * (sign == "-" ? -1 : 1)
            } else if let hours = zones[zone] {
                offsetSeconds = hours * 3600
            }
        }
        let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
        return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
