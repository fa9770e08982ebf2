import FaultlineSupport
import Foundation
import Probes

/// Writes a run's reports next to its journal: `report.json`, `junit.xml`, `summary.md`, `report.html`
/// (with the trend over the campaign's earlier runs beside it in the same runs directory).
public enum ReportWriter {
    public static func write(_ record: RunRecord, figures: [WindowFigures], to directory: String) throws -> [String] {
        let files: [(String, String)] = [
            ("report.json", JSONReport.render(record, figures: figures)),
            ("junit.xml", JUnitReport.render(record)),
            ("summary.md", MarkdownReport.render(record, figures: figures)),
            ("report.html", HTMLReport.render(record, figures: figures, trend: RunTrend.of(record, figures: figures, directory: directory))),
        ]
        var written: [String] = []
        for (name, content) in files {
            let path = directory + "/" + name
            do {
                try content.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw CampaignRunError.journal("cannot write \(path): \(error.localizedDescription)")
            }
            written.append(path)
        }
        return written
    }

    /// Figures recomputed from a journal (for `faultline report` and `compare`), with the run's
    /// `consecutive_ok`. Journals record the settings; one written before they did is read the old way.
    public static func figures(for record: RunRecord) -> [WindowFigures] {
        let consecutive = record.consecutiveOK ?? (try? CampaignParser.parse(record.source, file: "journal"))?.settings.consecutiveOK ?? 3
        return WindowAnalysis.figures(windows: record.windows, samples: record.samples, probes: record.probeNames,
                                      runEnd: record.end, consecutive: consecutive)
    }

    /// Renders the reports of the run in `directory` again from its journal (`faultline report`, and
    /// the daemon for a run a crash interrupted); returns the record and the files written.
    @discardableResult
    public static func rewrite(directory: String) throws -> (record: RunRecord, written: [String]) {
        let record = try RunRecord.load(directory: directory)
        return (record, try write(record, figures: figures(for: record), to: directory))
    }
}

extension String {
    /// Escaped for XML and HTML text and attributes; characters XML 1.0 does not allow (control
    /// characters) become U+FFFD, so a report is well-formed whatever a name carried.
    var xmlEscaped: String {
        var out = ""
        for character in replacingControlCharacters(keepNewlines: true) {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
