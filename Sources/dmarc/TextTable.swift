#if canImport(Glibc)
import Glibc
#endif

/// Columns padded to their widest cell; numbers right-aligned. The last column takes what is left
/// of the terminal's width and is cut with "…" rather than wrapping a row into an unreadable mess.
struct TextTable {
    let columns: [String]
    var rightAligned: Set<Int> = []
    private var rows: [[String]] = []

    init(columns: [String], rightAligned: Set<Int> = []) {
        self.columns = columns
        self.rightAligned = rightAligned
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render(width: Int = TextTable.terminalWidth()) -> String {
        var widths = columns.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        let fixed = widths.dropLast().reduce(0, +) + 2 * (widths.count - 1)
        if let last = widths.indices.last { widths[last] = max(12, min(widths[last], width - fixed)) }
        return ([columns] + rows).map { row in
            row.enumerated().map { index, cell in
                let width = widths[index]
                let text = cell.count > width ? String(cell.prefix(width - 1)) + "…" : cell
                let padding = String(repeating: " ", count: width - text.count)
                if index == row.count - 1 && !rightAligned.contains(index) { return text }
                return rightAligned.contains(index) ? padding + text : text + padding
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// `COLUMNS`, else the terminal's size, else 120 for pipes and files.
    static func terminalWidth() -> Int {
        if let text = getenv("COLUMNS"), let columns = Int(String(cString: text)), columns > 20 { return columns }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 120
    }
}
