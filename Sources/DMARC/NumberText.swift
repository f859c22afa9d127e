/// Numbers as text, written by hand: Foundation's `String(format:)` costs about a microsecond and a
/// locale lookup per call, which showed in `failures` tables of thousands of rows, and output must
/// not depend on the machine's locale data.
public enum NumberText {
    /// `1234567` → `1,234,567` (or with `separator`).
    public static func grouped(_ value: some BinaryInteger, separator: String = ",") -> String {
        let digits = String(value.magnitude)
        // Most counts in a table are below a thousand.
        if digits.utf8.count <= 3 { return value < 0 ? "-" + digits : digits }
        var out = value < 0 ? "-" : ""
        out.reserveCapacity(digits.utf8.count + digits.utf8.count / 3 + 1)
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += separator }
            out.append(digit)
        }
        return out
    }

    /// `value` rounded to `digits` decimals (half away from zero), e.g. `fixed(0.36217, digits: 4)` → `0.3622`.
    public static func fixed(_ value: Double, digits: Int, separator: String = ".") -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<max(digits, 0) { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.0e18 else { return String(value) }
        let units = Int64(scaled)
        let whole = units / Int64(scale)
        var text = (value < 0 && units > 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let fraction = String(units - whole * Int64(scale))
            text += separator + String(repeating: "0", count: digits - fraction.utf8.count) + fraction
        }
        return text
    }
}
