/// One timed phase: what it processed and how long the median run took.
struct PhaseResult {
    var phase: String
    var items: Int
    var unit: String
    var seconds: Double
    /// CPU seconds of the process doing the work, where one process does it all (nil: store, query).
    var cpuSeconds: Double? = nil
    /// Bytes the phase went through, for MB/s (nil where MB/s means nothing, e.g. queries).
    var bytes: Int?
    var note: String = ""

    init(phase: String, items: Int, unit: String, timing: Timing, bytes: Int?, note: String = "") {
        self.init(phase: phase, items: items, unit: unit, seconds: timing.wall, cpuSeconds: timing.cpu, bytes: bytes, note: note)
    }

    init(phase: String, items: Int, unit: String, seconds: Double, cpuSeconds: Double? = nil, bytes: Int?, note: String = "") {
        self.phase = phase
        self.items = items
        self.unit = unit
        self.seconds = seconds
        self.cpuSeconds = cpuSeconds
        self.bytes = bytes
        self.note = note
    }

    var itemsPerSecond: Double { seconds > 0 ? Double(items) / seconds : 0 }
    var megabytesPerSecond: Double? { bytes.map { seconds > 0 ? Double($0) / 1_000_000 / seconds : 0 } }
}

/// A ratio against a physical limit or a peer, with the target it is judged by.
struct RatioLine {
    var name: String
    var value: String
    var target: String
    /// nil: no target (information only).
    var met: Bool?
}

/// Prints the results table and the ratio lines; the format BENCHMARKS.md copies.
struct ResultsTable {
    var phases: [PhaseResult] = []
    var ratios: [RatioLine] = []
    var notes: [String] = []

    func render() -> String {
        var lines: [String] = []
        let header = ["phase", "items", "seconds", "cpu s", "items/s", "MB/s", "note"]
        var rows: [[String]] = [header]
        for phase in phases {
            rows.append([
                phase.phase, "\(String.grouped(phase.items)) \(phase.unit)", String.fixed(phase.seconds, digits: 3),
                phase.cpuSeconds.map { String.fixed($0, digits: 3) } ?? "–",
                String.grouped(Int(phase.itemsPerSecond.rounded())),
                phase.megabytesPerSecond.map { String.fixed($0, digits: 1) } ?? "–", phase.note,
            ])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        for (number, row) in rows.enumerated() {
            var line = ""
            for (index, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                // Numbers right-aligned, names and notes left-aligned.
                line += (index == 0 || index == row.count - 1) ? cell + padding : padding + cell
                if index < row.count - 1 { line += "  " }
            }
            while line.last == " " { line.removeLast() }
            lines.append(line)
            if number == 0 { lines.append(String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))) }
        }
        lines.append("")
        lines.append("ratios and targets:")
        let nameWidth = ratios.map(\.name.count).max() ?? 0
        for ratio in ratios {
            let verdict = ratio.met.map { $0 ? "met" : "NOT met" } ?? "info"
            let padding = String(repeating: " ", count: nameWidth - ratio.name.count)
            let target = ratio.target.isEmpty ? "" : "  (target \(ratio.target): \(verdict))"
            lines.append("  \(ratio.name)\(padding)  \(ratio.value)\(target)")
        }
        if !notes.isEmpty {
            lines.append("")
            lines += notes.map { "note: " + $0 }
        }
        return lines.joined(separator: "\n")
    }
}
