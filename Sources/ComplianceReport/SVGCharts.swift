import Diagnosis

/// The charts as inline SVG: no script, no external file, sized by a viewBox so they scale
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

    /// The geometry of a chart with a bar per day of the month.
    private struct DayBars {
        let left = 62.0
        let right = 12.0
        let top: Double
        let plotHeight: Double
        let count: Int
        var plotWidth: Double { SVGCharts.width - left - right }
        var slot: Double { plotWidth / Double(max(count, 1)) }
        var barWidth: Double { slot * 0.72 }
        var baseline: Double { top + plotHeight }
        func x(_ index: Int) -> Double { left + slot * Double(index) + (slot - barWidth) / 2 }
    }

    private func axis(_ bars: DayBars, maximum: Int64) -> (svg: String, top: Int64) {
        var svg = ""
        let scale = SVGCharts.axisScale(maximum: maximum)
        var tick: Int64 = 0
        while tick <= scale.top {
            let y = bars.baseline - bars.plotHeight * Double(tick) / Double(scale.top)
            svg += line(
                x1: bars.left, y1: y, x2: bars.left + bars.plotWidth, y2: y,
                stroke: tick == 0 ? ChartPalette.axis : ChartPalette.grid)
            svg += text(format.integer(tick), x: bars.left - 6, y: y + 4, anchor: "end", fill: ChartPalette.muted)
            tick += scale.step
        }
        return (svg, scale.top)
    }

    private func dayLabels(_ bars: DayBars) -> String {
        var svg = ""
        for (index, day) in report.days.enumerated() {
            let dayOfMonth = day.day.components.day
            guard dayOfMonth == 1 || dayOfMonth % 5 == 0 else { continue }
            let x = bars.x(index) + bars.barWidth / 2
            svg += line(x1: x, y1: bars.baseline, x2: x, y2: bars.baseline + 4, stroke: ChartPalette.axis)
            svg += text(String(dayOfMonth), x: x, y: bars.baseline + 16, anchor: "middle", fill: ChartPalette.muted)
        }
        return svg
    }

    /// A grey band over the plot's height on each day no report covered. Plain: a hatch pattern tripled
    /// the size of the printed PDF (Chromium draws each use of a pattern as an image).
    private func noDataBands(_ bars: DayBars) -> String {
        var svg = ""
        for (index, day) in report.days.enumerated() where !day.reported {
            svg += rect(
                x: bars.left + bars.slot * Double(index), y: bars.top, width: bars.slot, height: bars.plotHeight,
                fill: ChartPalette.noData)
        }
        return svg
    }

    /// A chart with a bar per day: its frame (legend with "no report" when some day had none, the
    /// shaded days, the axis up to `maximum`), the bars `body` draws on the scale's top, and the
    /// day labels; `empty` in the middle when the maximum is 0.
    private func dayChart(
        id: String, height: Double, label: String, legend items: [(String, String)], maximum: Int64, empty: String,
        _ body: (DayBars, Int64) -> String
    ) -> String {
        let bars = DayBars(top: 30, plotHeight: height - 30 - 44, count: report.days.count)
        var svg = open(id: id, height: height, label: label)
        let hasGaps = report.days.contains { !$0.reported }
        let legendItems = items + (hasGaps ? [(strings.text("legend.no-data"), ChartPalette.noData)] : [])
        svg += legend(legendItems, right: SVGCharts.width - bars.right, y: 4)
        svg += text(strings.text("axis.messages"), x: 0, y: 13, fill: ChartPalette.muted)
        if hasGaps { svg += noDataBands(bars) }
        let (axisSVG, top) = axis(bars, maximum: maximum)
        svg += axisSVG + body(bars, top) + dayLabels(bars)
        if maximum == 0 {
            svg += text(
                empty, x: bars.left + bars.plotWidth / 2, y: bars.top + bars.plotHeight / 2, anchor: "middle",
                fill: ChartPalette.muted)
        }
        svg += text(
            "\(format.month(report.month)) · \(strings.text("axis.day"))", x: bars.left + bars.plotWidth / 2,
            y: height - 6, anchor: "middle", fill: ChartPalette.muted)
        return svg + "</svg>"
    }

    /// Stacked bars per day: passed at the bottom, failed on top; y axis in messages, x axis in days.
    /// Days no report covered are shaded as "no report": no data is not a day without mail.
    func daily() -> String {
        dayChart(
            id: "chart-daily", height: 250, label: strings.text("chart.daily"),
            legend: [(strings.text("legend.pass"), ChartPalette.pass), (strings.text("legend.fail"), ChartPalette.fail)],
            maximum: report.days.map(\.traffic.messages).max() ?? 0, empty: strings.text("chart.empty")
        ) { bars, top in
            var svg = ""
            for (index, day) in report.days.enumerated() {
                let x = bars.x(index)
                let passed = bars.plotHeight * Double(day.traffic.passed) / Double(top)
                let failed = bars.plotHeight * Double(day.traffic.failed) / Double(top)
                if day.traffic.passed > 0 {
                    svg += rect(x: x, y: bars.baseline - passed, width: bars.barWidth, height: passed, fill: ChartPalette.pass)
                }
                if day.traffic.failed > 0 {
                    // A failure too small to see still gets a visible sliver; the chart below shows them to scale.
                    let visible = max(failed, 1.5)
                    svg += rect(
                        x: x, y: bars.baseline - passed - visible, width: bars.barWidth, height: visible,
                        fill: ChartPalette.fail)
                }
            }
            return svg
        }
    }

    /// The failed messages per day on their own scale, each day's count written over its bar.
    func dailyFailures() -> String {
        dayChart(
            id: "chart-daily-failures", height: 170, label: strings.text("chart.daily-failures"),
            legend: [(strings.text("legend.fail"), ChartPalette.fail)],
            maximum: report.days.map(\.traffic.failed).max() ?? 0, empty: strings.text("chart.failures.none")
        ) { bars, top in
            var svg = ""
            for (index, day) in report.days.enumerated() where day.traffic.failed > 0 {
                let x = bars.x(index)
                let failed = max(bars.plotHeight * Double(day.traffic.failed) / Double(top), 1.5)
                svg += rect(x: x, y: bars.baseline - failed, width: bars.barWidth, height: failed, fill: ChartPalette.fail)
                svg += text(
                    format.integer(day.traffic.failed), x: x + bars.barWidth / 2, y: bars.baseline - failed - 3,
                    anchor: "middle", fill: ChartPalette.text, size: 8)
            }
            return svg
        }
    }

    /// One horizontal bar per failure class on the failures' own scale (passes would make them
    /// slivers), coloured by who acts, with count and share of all the month's messages.
    func failures() -> String {
        let rowHeight = 22.0
        let top = 30.0
        let labelWidth = 210.0
        let valueWidth = 130.0
        let all = report.classes.reduce(Int64(0)) { $0 + $1.messages }
        let rows = report.classes.filter(\.class.isDMARCFailure)
        let height = top + Double(max(rows.count, 1)) * rowHeight + 8
        let label = strings.text("chart.failures")
        var svg = open(id: "chart-classes", height: height, label: label)
        var legendItems: [(String, String)] = []
        for party in [ResponsibleParty.tenant, .provider, .operator, .none]
        where rows.contains(where: { $0.responsible == party }) {
            legendItems.append(
                (strings.text("col.responsible") + ": " + strings.responsible(party), ChartPalette.responsible(party, passed: false)))
        }
        if !rows.isEmpty { svg += legend(legendItems, right: SVGCharts.width - 4, y: 4) }
        let maximum = rows.map(\.messages).max() ?? 0
        let barSpace = SVGCharts.width - labelWidth - valueWidth - 8
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            svg += text(
                Markup.truncated(strings.classTitle(row.class), 34), x: labelWidth - 8, y: y + 14, anchor: "end")
            let width = maximum > 0 ? barSpace * Double(row.messages) / Double(maximum) : 0
            svg += rect(
                x: labelWidth, y: y + 4, width: max(width, 1.5), height: rowHeight - 8,
                fill: ChartPalette.responsible(row.responsible, passed: false))
            let share = format.percent(row.messages, of: all) ?? ""
            svg += text(
                "\(format.integer(row.messages)) · \(share)", x: labelWidth + max(width, 1.5) + 6, y: y + 14,
                fill: ChartPalette.muted)
        }
        if rows.isEmpty {
            svg += text(
                strings.text("chart.failures.none"), x: SVGCharts.width / 2, y: top + 14, anchor: "middle",
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
