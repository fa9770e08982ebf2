import FaultlineSupport
import Foundation
import Probes

/// A self-contained HTML report with an SVG timeline: fault windows shaded per container, one
/// strip per probe (ok / failed per sample), its latency line, and each impact marked (onset and recovery as bands as wide as their uncertainty, detection as a line);
/// then the checks, the figures, and (given a trend) the downtime over the campaign's recent runs.
enum HTMLReport {
    static let width = 1000.0
    static let left = 170.0
    static let stripHeight = 46.0

    static func render(_ record: RunRecord, figures: [WindowFigures], trend: RunTrend? = nil) -> String {
        let verdict = record.verdict
        let status = verdict?.status.rawValue ?? "unknown"
        let color = verdict?.status == .held ? "#1a7f37" : (verdict?.status == .violated ? "#cf222e" : "#9a6700")
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>faultline: \(record.name.xmlEscaped)</title>
        <style>
        body{font:14px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1f2328;max-width:1200px}
        h1{font-size:22px;margin:0 0 4px} .verdict{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;background:\(color);font-weight:600}
        table{border-collapse:collapse;margin:12px 0 24px;width:100%} th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
        th{background:#f6f8fa} .pass{color:#1a7f37;font-weight:600} .fail{color:#cf222e;font-weight:600} .muted{color:#656d76}
        svg text{font:11px system-ui,sans-serif}
        </style></head><body>
        <h1>\(record.name.xmlEscaped) <span class="verdict">\(status)</span></h1>
        <p>\((verdict?.reason ?? "").xmlEscaped)</p>
        <p class="muted">campaign \(record.file.xmlEscaped) · started \(Timestamp.iso8601(record.startedAt)) · seed \(record.plan?.seed ?? 0)</p>
        <h2>Timeline</h2>

        """
        html += timeline(record, figures: figures)
        html += "\n<h2>Checks</h2>\n<table><tr><th>check</th><th>window</th><th>result</th><th>figures</th></tr>\n"
        for check in verdict?.checks ?? [] {
            html += "<tr><td>\(check.name.xmlEscaped)</td><td>\((check.window ?? "—").xmlEscaped)</td><td class=\"\(check.passed ? "pass" : "fail")\">\(check.passed ? "pass" : "FAIL")</td><td>\(check.detail.xmlEscaped)</td></tr>\n"
        }
        html += "</table>\n<h2>Figures per window and probe</h2>\n<table><tr><th>window</th><th>probe</th>" + ImpactText.headers.map { "<th>\($0)</th>" }.joined() + "<th>error rate before / during / after</th><th>p50 / p99 during</th><th>longest outage</th><th>retries</th></tr>\n"
        for figure in figures {
            let rates = String(format: "%.1f%% / %.1f%% / %.1f%%", figure.before.errorRate * 100, figure.during.errorRate * 100, figure.after.errorRate * 100)
            html += "<tr><td>\(figure.window)</td><td>\(figure.probe.xmlEscaped)</td>" + ImpactText.cells(figure).map { "<td>\($0.xmlEscaped)</td>" }.joined() + "<td>\(rates)</td><td>\(figure.during.p50.formatted) / \(figure.during.p99.formatted)</td><td>\(figure.longestOutage.formatted)</td><td>\(figure.retries)</td></tr>\n"
        }
        html += "</table>\n"
        if let trend {
            html += "<h2>Trend</h2>\n" + TrendChart.render(trend)
        }
        html += "<h2>Campaign</h2>\n<pre>\(record.source.xmlEscaped)</pre>\n</body></html>\n"
        return html
    }

    static func timeline(_ record: RunRecord, figures: [WindowFigures]) -> String {
        let end = max(record.end, record.windows.compactMap(\.revertedAt).max() ?? .zero, .seconds(1))
        let plotWidth = width - left - 10
        func x(_ offset: Duration) -> Double { left + plotWidth * min(1, max(0, offset.seconds / end.seconds)) }
        let containers = Array(Set(record.windows.map(\.container))).sorted()
        let probes = record.probeNames
        let height = 30 + Double(containers.count) * 28 + Double(probes.count) * (stripHeight + 8) + 30
        var svg = ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(width))" height="\##(Int(height))" viewBox="0 0 \##(Int(width)) \##(Int(height))" role="img" aria-label="fault and probe timeline">"##
        svg += "\n<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#ffffff\"/>\n"
        // Time axis.
        let step = niceStep(end.seconds)
        var tick = 0.0
        while tick <= end.seconds + 1e-9 {
            let px = x(.seconds(tick))
            svg += ##"<line x1="\##(f(px))" y1="20" x2="\##(f(px))" y2="\##(f(height - 20))" stroke="#eaeef2"/><text x="\##(f(px))" y="14" text-anchor="middle" fill="#656d76">\##(DurationText.format(.seconds(tick)))</text>"##
            svg += "\n"
            tick += step
        }
        // Fault windows shaded behind everything, and one row per container.
        var y = 24.0
        for window in record.windows where window.injectedAt != nil {
            let start = x(window.injectAt), stop = x(window.revertAt ?? window.injectAt)
            svg += ##"<rect x="\##(f(start))" y="20" width="\##(f(max(2, stop - start)))" height="\##(f(height - 40))" fill="#cf222e" fill-opacity="0.07"/>"##
            svg += "\n"
        }
        for container in containers {
            svg += ##"<text x="4" y="\##(f(y + 15))" fill="#1f2328">\##(container.xmlEscaped)</text>"##
            for window in record.windows where window.container == container {
                let start = x(window.injectAt), stop = x(window.revertAt ?? window.injectAt)
                let failed = window.error != nil
                svg += ##"<rect x="\##(f(start))" y="\##(f(y + 2))" width="\##(f(max(3, stop - start)))" height="20" rx="3" fill="\##(failed ? "#9a6700" : "#cf222e")" fill-opacity="0.75"><title>\##(window.title.xmlEscaped): \##((window.error ?? window.outcome ?? "").xmlEscaped)</title></rect>"##
                svg += ##"<text x="\##(f(start + 4))" y="\##(f(y + 16))" fill="#ffffff">\##(window.summary.xmlEscaped)</text>"##
            }
            svg += "\n"
            y += 28
        }
        // One strip per probe: outcome per pixel column (worst wins) and a latency line.
        for probe in probes {
            let samples = record.samples[probe] ?? []
            svg += ##"<text x="4" y="\##(f(y + 18))" fill="#1f2328">\##(probe.xmlEscaped)</text>"##
            svg += ##"<rect x="\##(f(left))" y="\##(f(y))" width="\##(f(plotWidth))" height="\##(f(stripHeight))" fill="none" stroke="#d0d7de"/>"##
            var columns: [Int: ProbeOutcome] = [:]
            for sample in samples {
                let column = Int(x(sample.offset))
                if let existing = columns[column], rank(existing) >= rank(sample.outcome) { continue }
                columns[column] = sample.outcome
            }
            for (column, outcome) in columns.sorted(by: { $0.key < $1.key }) {
                svg += ##"<rect x="\##(column)" y="\##(f(y + stripHeight - 10))" width="1.2" height="10" fill="\##(colorOf(outcome))"/>"##
            }
            let maxLatency = max(samples.map { $0.latency.milliseconds }.max() ?? 1, 1)
            let points = stride(from: 0, to: samples.count, by: max(1, samples.count / 1500)).map { index -> String in
                let sample = samples[index]
                return "\(f(x(sample.offset))),\(f(y + (stripHeight - 12) * (1 - sample.latency.milliseconds / maxLatency) + 1))"
            }
            if !points.isEmpty {
                svg += ##"<polyline points="\##(points.joined(separator: " "))" fill="none" stroke="#0969da" stroke-width="1"/>"##
                svg += ##"<text x="\##(f(width - 12))" y="\##(f(y + 10))" text-anchor="end" fill="#0969da">max \##(String(format: "%.0f", maxLatency)) ms</text>"##
            }
            for figure in figures where figure.probe == probe {
                guard let window = record.windows.first(where: { $0.index == figure.window }) else { continue }
                guard let impact = figure.impact else { continue }
                // Onset and recovery as bands as wide as their uncertainty, detection as a line, downtime between.
                let onset = (x(window.injectAt + impact.onset.earliest), x(window.injectAt + impact.onset.latest))
                svg += ##"<rect x="\##(f(onset.0))" y="\##(f(y))" width="\##(f(max(1, onset.1 - onset.0)))" height="\##(f(stripHeight))" fill="#cf222e" fill-opacity="0.35"><title>onset \##(ImpactText.describe(impact.onset).xmlEscaped) after the inject</title></rect><text x="\##(f(onset.0 + 2))" y="\##(f(y + 22))" fill="#cf222e">onset</text>"##
                let detected = x(window.injectAt + impact.detected)
                svg += ##"<line x1="\##(f(detected))" y1="\##(f(y))" x2="\##(f(detected))" y2="\##(f(y + stripHeight))" stroke="#cf222e" stroke-dasharray="3 2"><title>detected \##(impact.detected.formatted) after the inject</title></line>"##
                if let recovered = impact.recovered {
                    let band = (x(window.injectAt + recovered.earliest), x(window.injectAt + recovered.latest))
                    let downtime = impact.downtime.map { " · downtime " + ImpactText.describe($0) } ?? ""
                    svg += ##"<rect x="\##(f(band.0))" y="\##(f(y))" width="\##(f(max(1, band.1 - band.0)))" height="\##(f(stripHeight))" fill="#1a7f37" fill-opacity="0.45"><title>recovered \##(ImpactText.describe(recovered).xmlEscaped) after the inject\##(downtime.xmlEscaped)</title></rect><text x="\##(f(band.0 + 2))" y="\##(f(y + 34))" fill="#1a7f37">recovered\##(downtime.xmlEscaped)</text>"##
                }
            }
            svg += "\n"
            y += stripHeight + 8
        }
        var legendX = left
        for (label, color) in [("ok", colorOf(.ok)), ("failed", colorOf(.failed)), ("error", colorOf(.error)), ("timeout", colorOf(.timeout)), ("latency", "#0969da")] {
            svg += ##"<rect x="\##(f(legendX))" y="\##(f(height - 13))" width="10" height="10" fill="\##(color)"/><text x="\##(f(legendX + 14))" y="\##(f(height - 4))" fill="#656d76">\##(label)</text>"##
            legendX += 74
        }
        svg += ##"<text x="\##(f(legendX))" y="\##(f(height - 4))" fill="#656d76">shaded: fault windows</text>"##
        svg += "\n</svg>\n"
        return svg
    }

    static func rank(_ outcome: ProbeOutcome) -> Int {
        switch outcome {
        case .ok: return 0
        case .failed: return 1
        case .error: return 2
        case .timeout: return 3
        }
    }

    static func colorOf(_ outcome: ProbeOutcome) -> String {
        switch outcome {
        case .ok: return "#1a7f37"
        case .failed: return "#bf8700"
        case .error: return "#cf222e"
        case .timeout: return "#8250df"
        }
    }

    static func niceStep(_ seconds: Double) -> Double {
        let raw = seconds / 10
        for candidate in [0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600] where candidate >= raw { return candidate }
        return 3600
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
