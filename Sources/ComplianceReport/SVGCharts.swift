import Diagnosis

/// The three charts as inline SVG: no script, no external file, sized by a viewBox so they scale
/// to the page width and print sharp.
struct SVGCharts {
    let report: MonthlyReport
    let strings: ReportStrings
    let format: ReportFormatting

    static let width = 680.0
    private let fontSize = 11.0

    /// A round axis maximum and step for values up to `maximum`: 1, 2 or 5 times a power of ten.
    static func axisScale(maximum: Int64, ticks: Int = 4) -> (top: Int64, step: Int64) {
        guard maximum > 0 else { return (4, 1) }
        let rough = max(Double(maximum) / Double(ticks), 1)
        var magnitude = 1.0
        while magnitude * 10 <= rough { magnitude *= 10 }
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= rough } ?? magnitude * 10
        let stepInt = Int64(step)
        let top = ((maximum + stepInt - 1) / stepInt) * stepInt
        return (top, stepInt)
    }

    private func open(id: String, height: Double, label: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(id)\" class=\"chart\" viewBox=\"0 0 \(Markup.number(SVGCharts.width)) \(Markup.number(height))\""
            + " role=\"img\" aria-label=\"\(Markup.escape(label))\" font-size=\"\(Markup.number(fontSize))\">"
            + "<title>\(Markup.escape(label))</title>"
    }

    private func text(
        _ content: String, x: Double, y: Double, anchor: String = "start", fill: String = ChartPalette.text,
        weight: String? = nil, size: Double? = nil
    ) -> String {
        var attributes = "x=\"\(Markup.number(x))\" y=\"\(Markup.number(y))\" fill=\"\(fill)\""
        if anchor != "start" { attributes += " text-anchor=\"\(anchor)\"" }
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        if let size { attributes += " font-size=\"\(Markup.number(size))\"" }
        return "<text \(attributes)>\(Markup.escape(content))</text>"
    }

    private func rect(x: Double, y: Double, width: Double, height: Double, fill: String) -> String {
        "<rect x=\"\(Markup.number(x))\" y=\"\(Markup.number(y))\" width=\"\(Markup.number(max(width, 0)))\""
            + " height=\"\(Markup.number(max(height, 0)))\" fill=\"\(fill)\"/>"
    }

    private func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String) -> String {
        "<line x1=\"\(Markup.number(x1))\" y1=\"\(Markup.number(y1))\" x2=\"\(Markup.number(x2))\""
            + " y2=\"\(Markup.number(y2))\" stroke=\"\(stroke)\" stroke-width=\"1\"/>"
    }

    private func legend(_ items: [(String, String)], right: Double, y: Double) -> String {
        // Laid out right to left from an estimated text width (about 0.58 em per character).
        var svg = ""
        var x = right
        for (label, colour) in items.reversed() {
            let width = Double(label.count) * fontSize * 0.58
            x -= width
            svg += text(label, x: x, y: y + 9)
            x -= 14
            svg += rect(x: x, y: y, width: 10, height: 10, fill: colour)
            x -= 16
        }
        return svg
    }

    /// Stacked bars per day: passed at the bottom, failed on top; y axis in messages, x axis in days.
    func daily() -> String {
        let height = 250.0
        let left = 62.0
        let right = 12.0
        let top = 30.0
        let bottom = 44.0
        let plotWidth = SVGCharts.width - left - right
        let plotHeight = height - top - bottom
        let label = strings.text("chart.daily")
        var svg = open(id: "chart-daily", height: height, label: label)
        svg += legend(
            [(strings.text("legend.pass"), ChartPalette.pass), (strings.text("legend.fail"), ChartPalette.fail)],
            right: SVGCharts.width - right, y: 4)
        svg += text(strings.text("axis.messages"), x: 0, y: 13, fill: ChartPalette.muted)

        let maximum = report.days.map(\.traffic.messages).max() ?? 0
        let scale = SVGCharts.axisScale(maximum: maximum)
        var tick: Int64 = 0
        while tick <= scale.top {
            let y = top + plotHeight - plotHeight * Double(tick) / Double(scale.top)
            svg += line(
                x1: left, y1: y, x2: left + plotWidth, y2: y, stroke: tick == 0 ? ChartPalette.axis : ChartPalette.grid)
            svg += text(format.integer(tick), x: left - 6, y: y + 4, anchor: "end", fill: ChartPalette.muted)
            tick += scale.step
        }

        let count = max(report.days.count, 1)
        let slot = plotWidth / Double(count)
        let barWidth = slot * 0.72
        let baseline = top + plotHeight
        for (index, day) in report.days.enumerated() {
            let x = left + slot * Double(index) + (slot - barWidth) / 2
            let passed = plotHeight * Double(day.traffic.passed) / Double(scale.top)
            let failed = plotHeight * Double(day.traffic.failed) / Double(scale.top)
            if day.traffic.passed > 0 {
                svg += rect(x: x, y: baseline - passed, width: barWidth, height: passed, fill: ChartPalette.pass)
            }
            if day.traffic.failed > 0 {
                // A failure too small to see still gets a visible sliver: one failure matters.
                let visible = max(failed, 1.5)
                svg += rect(
                    x: x, y: baseline - passed - visible, width: barWidth, height: visible, fill: ChartPalette.fail)
            }
            let dayOfMonth = day.day.components.day
            if dayOfMonth == 1 || dayOfMonth % 5 == 0 {
                svg += line(
                    x1: x + barWidth / 2, y1: baseline, x2: x + barWidth / 2, y2: baseline + 4,
                    stroke: ChartPalette.axis)
                svg += text(
                    String(dayOfMonth), x: x + barWidth / 2, y: baseline + 16, anchor: "middle",
                    fill: ChartPalette.muted)
            }
        }
        if maximum == 0 {
            svg += text(
                strings.text("chart.empty"), x: left + plotWidth / 2, y: top + plotHeight / 2, anchor: "middle",
                fill: ChartPalette.muted)
        }
        svg += text(
            "\(format.month(report.month)) · \(strings.text("axis.day"))", x: left + plotWidth / 2, y: height - 6,
            anchor: "middle", fill: ChartPalette.muted)
        return svg + "</svg>"
    }

    /// One horizontal bar per diagnosis class, coloured by who acts, with count and share.
    func classes() -> String {
        let rowHeight = 22.0
        let top = 30.0
        let labelWidth = 210.0
        let valueWidth = 130.0
        let rows = report.classes
        let height = top + Double(max(rows.count, 1)) * rowHeight + 8
        let label = strings.text("chart.classes")
        var svg = open(id: "chart-classes", height: height, label: label)
        let parties: [ResponsibleParty] = [.tenant, .provider, .none]
        var legendItems = [(strings.text("legend.pass"), ChartPalette.pass)]
        for party in parties where rows.contains(where: { $0.class != .pass && $0.responsible == party }) {
            legendItems.append(
                (
                    strings.text("col.responsible") + ": " + strings.responsible(party),
                    ChartPalette.responsible(party, passed: false)
                ))
        }
        if !rows.isEmpty { svg += legend(legendItems, right: SVGCharts.width - 4, y: 4) }
        let total = rows.reduce(Int64(0)) { $0 + $1.messages }
        let maximum = rows.map(\.messages).max() ?? 0
        let barSpace = SVGCharts.width - labelWidth - valueWidth - 8
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            svg += text(
                Markup.truncated(strings.classTitle(row.class), 34), x: labelWidth - 8, y: y + 14, anchor: "end")
            let width = maximum > 0 ? barSpace * Double(row.messages) / Double(maximum) : 0
            svg += rect(
                x: labelWidth, y: y + 4, width: max(width, 1.5), height: rowHeight - 8,
                fill: ChartPalette.responsible(row.responsible, passed: row.class == .pass || row.class == .empty))
            let share = format.percent(row.messages, of: total) ?? ""
            svg += text(
                "\(format.integer(row.messages)) · \(share)", x: labelWidth + width + 6, y: y + 14,
                fill: ChartPalette.muted)
        }
        if rows.isEmpty {
            svg += text(
                strings.text("chart.empty"), x: SVGCharts.width / 2, y: top + 14, anchor: "middle",
                fill: ChartPalette.muted)
        }
        return svg + "</svg>"
    }

    /// The receivers that reported the most messages, passed and failed stacked.
    static let receiverLimit = 8

    func receivers(limit: Int = SVGCharts.receiverLimit) -> String {
        let rowHeight = 22.0
        let top = 30.0
        let labelWidth = 210.0
        let valueWidth = 130.0
        let rows = Array(report.receivers.filter { $0.traffic.messages > 0 }.prefix(limit))
        let height = top + Double(max(rows.count, 1)) * rowHeight + 8
        let label =
            rows.isEmpty ? strings.text("chart.receivers.none") : strings.text("chart.receivers", String(rows.count))
        var svg = open(id: "chart-receivers", height: height, label: label)
        if !rows.isEmpty {
            svg += legend(
                [(strings.text("legend.pass"), ChartPalette.pass), (strings.text("legend.fail"), ChartPalette.fail)],
                right: SVGCharts.width - 4, y: 4)
        }
        let maximum = rows.map(\.traffic.messages).max() ?? 0
        let barSpace = SVGCharts.width - labelWidth - valueWidth - 8
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            svg += text(Markup.truncated(row.receiver, 34), x: labelWidth - 8, y: y + 14, anchor: "end")
            let scale = maximum > 0 ? barSpace / Double(maximum) : 0
            let passed = scale * Double(row.traffic.passed)
            let failed = row.traffic.failed > 0 ? max(scale * Double(row.traffic.failed), 1.5) : 0
            svg += rect(x: labelWidth, y: y + 4, width: passed, height: rowHeight - 8, fill: ChartPalette.pass)
            if failed > 0 {
                svg += rect(
                    x: labelWidth + passed, y: y + 4, width: failed, height: rowHeight - 8, fill: ChartPalette.fail)
            }
            let rate = format.passRate(row.traffic) ?? ""
            svg += text(
                "\(format.integer(row.traffic.messages)) · \(rate)", x: labelWidth + passed + failed + 6, y: y + 14,
                fill: ChartPalette.muted)
        }
        if rows.isEmpty {
            svg += text(
                strings.text("chart.empty"), x: SVGCharts.width / 2, y: top + 14, anchor: "middle",
                fill: ChartPalette.muted)
        }
        return svg + "</svg>"
    }
}
