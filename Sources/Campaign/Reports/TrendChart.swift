import FaultlineSupport
import Foundation

/// The HTML report's trend: per probe, the downtime of each fault window over the campaign's
/// recent runs (this run last), so a release that recovers more slowly shows as a step. A window
/// in which no check failed sits at zero as a hollow dot; one that did not recover is a red × above
/// the plot; the verdict of every run is a square under it. Every mark carries its figures as a tooltip.
enum TrendChart {
    static let width = 1000.0
    static let left = 170.0
    static let panelHeight = 110.0
    static let palette = ["#0969da", "#8250df", "#bf3989", "#1a7f37", "#9a6700", "#57606a"]

    static func render(_ trend: RunTrend) -> String {
        let runs = trend.runs
        guard runs.count >= 2 else {
            return "<p class=\"muted\">No earlier run of this campaign in \(trend.runsDirectory.xmlEscaped): the trend starts with this run.</p>\n"
        }
        var probes: [String] = []
        for run in runs { for figure in run.figures where !probes.contains(figure.probe) { probes.append(figure.probe) } }
        let affected = probes.filter { probe in runs.contains { $0.figures.contains { $0.probe == probe && $0.failed } } }
        let quiet = probes.filter { !affected.contains($0) }
        var html = "<p class=\"muted\">Downtime (onset → recovered) per fault window in the last \(runs.count) runs of this campaign in \(trend.runsDirectory.xmlEscaped), this run last.</p>\n"
        if !affected.isEmpty {
            html += svg(runs, probes: affected)
        }
        if !quiet.isEmpty {
            html += "<p class=\"muted\">No check failed in any of these runs: \(quiet.map(\.xmlEscaped).joined(separator: ", ")).</p>\n"
        }
        return html
    }

    static func svg(_ runs: [RunTrend.Run], probes: [String]) -> String {
        let plotWidth = width - left - 20
        let height = 24 + Double(probes.count) * (panelHeight + 14) + 44
        func x(_ index: Int) -> Double { left + plotWidth * (Double(index) + 0.5) / Double(runs.count) }
        var svg = ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(width))" height="\##(Int(height))" viewBox="0 0 \##(Int(width)) \##(Int(height))" role="img" aria-label="downtime trend over runs">"##
        svg += "\n<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#ffffff\"/>\n"
        var top = 24.0
        for probe in probes {
            let figures = runs.map { run in run.figures.filter { $0.probe == probe } }
            let finite = figures.joined().map(\.downtimeSeconds).filter(\.isFinite)
            let ceiling = max(1, (finite.max() ?? 0) * 1.15)
            let plotTop = top + 14, plotBottom = top + panelHeight
            func y(_ seconds: Double) -> Double { plotBottom - (plotBottom - plotTop) * min(1, seconds / ceiling) }
            svg += "<text x=\"8\" y=\"\(HTMLReport.f(top + panelHeight / 2))\" fill=\"#1f2328\">\(probe.xmlEscaped)</text>\n"
            let step = HTMLReport.niceStep(ceiling * 2.5)
            var tick = 0.0
            while tick <= ceiling + 1e-9 {
                svg += ##"<line x1="\##(HTMLReport.f(left))" y1="\##(HTMLReport.f(y(tick)))" x2="\##(HTMLReport.f(width - 20))" y2="\##(HTMLReport.f(y(tick)))" stroke="#eaeef2"/><text x="\##(HTMLReport.f(left - 6))" y="\##(HTMLReport.f(y(tick) + 4))" text-anchor="end" fill="#656d76">\##(DurationText.format(.milliseconds(Int64(tick * 1000))))</text>"##
                svg += "\n"
                tick += step
            }
            let windows = Array(Set(figures.joined().map(\.window))).sorted()
            for (order, window) in windows.enumerated() {
                let color = palette[order % palette.count]
                let points = figures.enumerated().compactMap { index, list -> (Double, Double)? in
                    guard let figure = list.first(where: { $0.window == window }), figure.downtimeSeconds.isFinite else { return nil }
                    return (x(index), y(figure.downtimeSeconds))
                }
                if points.count > 1 {
                    svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(points.map { "\(HTMLReport.f($0.0)),\(HTMLReport.f($0.1))" }.joined(separator: " "))\"/>\n"
                }
                for (index, list) in figures.enumerated() {
                    guard let figure = list.first(where: { $0.window == window }) else { continue }
                    let tip = "\(runs[index].directory) · window #\(window) · \(describe(figure))".xmlEscaped
                    let radius = index == runs.count - 1 ? 4.5 : 3
                    if !figure.failed {
                        svg += "<circle cx=\"\(HTMLReport.f(x(index)))\" cy=\"\(HTMLReport.f(y(0)))\" r=\"\(radius)\" fill=\"#ffffff\" stroke=\"\(color)\"><title>\(tip)</title></circle>\n"
                    } else if figure.downtimeSeconds.isFinite {
                        svg += "<circle cx=\"\(HTMLReport.f(x(index)))\" cy=\"\(HTMLReport.f(y(figure.downtimeSeconds)))\" r=\"\(radius)\" fill=\"\(color)\"><title>\(tip)</title></circle>\n"
                    } else {
                        svg += "<text x=\"\(HTMLReport.f(x(index)))\" y=\"\(HTMLReport.f(plotTop - 2))\" text-anchor=\"middle\" fill=\"#cf222e\" font-weight=\"bold\">×<title>\(tip)</title></text>\n"
                    }
                }
                svg += "<text x=\"\(HTMLReport.f(width - 20))\" y=\"\(HTMLReport.f(plotTop + 12 * Double(order)))\" text-anchor=\"end\" fill=\"\(color)\">#\(window)</text>\n"
            }
            top += panelHeight + 14
        }
        // The verdict of each run, and the first and last run's start.
        for (index, run) in runs.enumerated() {
            let color = run.verdict == "held" ? "#1a7f37" : "#cf222e"
            let tip = "\(run.directory) · \(Timestamp.iso8601(run.startedAt)) · \(run.verdict)".xmlEscaped
            svg += "<rect x=\"\(HTMLReport.f(x(index) - 4))\" y=\"\(HTMLReport.f(top))\" width=\"8\" height=\"8\" fill=\"\(color)\"><title>\(tip)</title></rect>\n"
        }
        svg += "<text x=\"8\" y=\"\(HTMLReport.f(top + 8))\" fill=\"#656d76\">verdict</text>\n"
        svg += "<text x=\"\(HTMLReport.f(x(0)))\" y=\"\(HTMLReport.f(top + 28))\" text-anchor=\"start\" fill=\"#656d76\">\(Timestamp.iso8601(runs[0].startedAt).prefix(16).replacingOccurrences(of: "T", with: " "))</text>\n"
        svg += "<text x=\"\(HTMLReport.f(x(runs.count - 1)))\" y=\"\(HTMLReport.f(top + 28))\" text-anchor=\"end\" fill=\"#656d76\">this run</text>\n"
        return svg + "</svg>\n"
    }

    /// A mark's tooltip text: its downtime, or that it was unaffected or did not recover.
    static func describe(_ figure: RecoveryFigure) -> String {
        let rate = String(format: "error rate during %.1f%%", figure.errorRateDuring * 100)
        if figure.unaffected { return "unaffected, \(rate)" }
        if !figure.failed { return "no check failed (too few ok checks after the revert to confirm it back), \(rate)" }
        guard let downtime = figure.downtimeMS else { return "not recovered, \(rate)" }
        return "downtime \(DurationText.format(.milliseconds(Int64(downtime.rounded())))), \(rate)"
    }
}
