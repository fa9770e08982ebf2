import FaultlineSupport

/// A Markdown summary for CI step summaries: verdict, checks, figures per window and probe.
enum MarkdownReport {
    static func render(_ record: RunRecord, figures: [WindowFigures]) -> String {
        let verdict = record.verdict
        let icon: String
        switch verdict?.status {
        case .held: icon = "✅"
        case .violated: icon = "❌"
        default: icon = "⚠️"
        }
        var lines = ["## \(icon) faultline: \(record.name.markdownCell) — \(verdict?.status.rawValue ?? "unknown")", "", (verdict?.reason ?? "").markdownCell, ""]
        lines.append("| check | window | result | figures |")
        lines.append("|---|---|---|---|")
        for check in verdict?.checks ?? [] {
            lines.append("| \(check.name.markdownCell) | \((check.window ?? "—").markdownCell) | \(check.passed ? "pass" : "**FAIL**") | \(check.detail.markdownCell) |")
        }
        if !record.windows.isEmpty {
            lines += ["", "### Fault windows", "", "| # | fault | container | injected at | window | revert |", "|---:|---|---|---:|---:|---|"]
            for window in record.windows {
                let length = window.revertAt.map { ($0 - window.injectAt).formatted } ?? "—"
                lines.append("| \(window.index) | \(window.summary.markdownCell) | \(window.container.markdownCell) | \(window.injectAt.formatted) | \(length) | \((window.error ?? window.outcome ?? "—").markdownCell) |")
            }
        }
        let reschedules = record.windows.compactMap { window in window.reschedule.map { (window.index, $0) } }
        if !reschedules.isEmpty {
            lines += ["", "### Swarm reschedules", "",
                      "A task the fault ended and the task Swarm ran in its place: when faultline saw it running (from the fault), and what Swarm's own task records say (from the old task's end to the new one's running).", "",
                      "| window | service | slot | replacement on | running after (faultline) | Swarm's task records |", "|---:|---|---:|---|---:|---:|"]
            for (index, reschedule) in reschedules {
                let seen = reschedule.seenAfter?.formatted ?? "none within \(reschedule.waited?.formatted ?? "the watch")"
                lines.append("| \(index) | \(reschedule.service.markdownCell) | \(reschedule.slot.map(String.init) ?? "—") | \((reschedule.node ?? "—").markdownCell) | \(seen) | \(reschedule.swarmAfter?.formatted ?? "—") |")
            }
        }
        if !figures.isEmpty {
            lines += ["", "### Figures per window and probe", "",
                      "Instants after the inject, ± half the gap between the checks that bound them.", "",
                      "| window | probe | " + ImpactText.headers.joined(separator: " | ") + " | errors before / during / after | p99 during | longest outage | retries |",
                      "|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
            for figure in figures {
                let rates = String(format: "%.0f%% / %.0f%% / %.0f%%", figure.before.errorRate * 100, figure.during.errorRate * 100, figure.after.errorRate * 100)
                lines.append("| \(figure.window) | \(figure.probe.markdownCell) | \(ImpactText.cells(figure).joined(separator: " | ")) | \(rates) | \(figure.during.p99.formatted) | \(figure.longestOutage.formatted) | \(figure.retries) |")
            }
        }
        if !record.nodeProbes.isEmpty {
            lines += ["", "### Probes on fleet nodes", "",
                      "Their samples were taken by the node's agent and moved onto this run's timeline by the clock offset measured before the run.", "",
                      "| probe | node | node clock − coordinator clock |", "|---|---|---:|"]
            for probe in record.nodeProbes {
                lines.append("| \(probe.probe.markdownCell) | \(probe.node.markdownCell) | \(probe.clock.formatted) |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// One table cell of text from a run: pipes escaped, HTML shown as text, on one line, no control characters.
    var markdownCell: String {
        replacingOccurrences(of: "\n", with: " ").replacingControlCharacters()
            .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "|", with: "\\|")
    }
}
