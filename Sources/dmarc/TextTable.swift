#if canImport(Glibc)
import Glibc
#endif

import DMARC

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

    /// Cells hold what reports and the database say: no control character reaches the terminal.
    mutating func add(_ row: [String]) { rows.append(row.map(Printable.text)) }

    func render(width: Int = TextTable.terminalWidth()) -> String {
        let table = [columns] + rows
        // Each cell's length is counted once: counting characters is the slow part of a table of
        // thousands of rows, and it was done three times per cell.
        let lengths = table.map { $0.map(Self.displayLength) }
        var widths = lengths[0]
        for row in lengths.dropFirst() {
            for (index, length) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], length) }
        }
        let fixed = widths.dropLast().reduce(0, +) + 2 * (widths.count - 1)
        if let last = widths.indices.last { widths[last] = max(12, min(widths[last], width - fixed)) }
        // Bytes first, one String at the end: appending thousands of pieces to a String was the slow part.
        var out: [UInt8] = []
        out.reserveCapacity(table.count * (fixed + (widths.last ?? 0) + 1))
        for (rowIndex, row) in table.enumerated() {
            if rowIndex > 0 { out.append(UInt8(ascii: "\n")) }
            for (index, cell) in row.enumerated() where index < widths.count {
                if index > 0 { out.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: " ")]) }
                let width = widths[index]
                let cut = lengths[rowIndex][index] > width
                let text = cut ? String(cell.prefix(width - 1)) + "…" : cell
                let padding = width - (cut ? width : lengths[rowIndex][index])
                if rightAligned.contains(index) {
                    out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: max(0, padding)))
                    out.append(contentsOf: text.utf8)
                } else {
                    out.append(contentsOf: text.utf8)
                    if index < row.count - 1 { out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: max(0, padding))) }
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Characters on screen; ASCII cells (addresses, numbers, class names) by their byte count.
    static func displayLength(_ text: String) -> Int {
        text.utf8.allSatisfy { $0 < 0x80 } ? text.utf8.count : text.count
    }

    /// `COLUMNS`, else the terminal's size, else 120 for pipes and files.
    static func terminalWidth() -> Int {
        if let text = getenv("COLUMNS"), let columns = Int(String(cString: text)), columns > 20 { return columns }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 120
    }
}
