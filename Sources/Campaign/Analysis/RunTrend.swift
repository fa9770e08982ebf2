import FaultlineSupport
import Foundation

/// A campaign's recent runs in one runs directory, oldest first, ending with the run being
/// reported: what the HTML report's trend chart draws. Earlier runs are read from their
/// `report.json` (small, and written for every run, by the CLI and the daemon alike), so the
/// trend costs one small file per run, never a journal.
public struct RunTrend: Sendable, Equatable {
    public struct Run: Sendable, Equatable {
        /// The run's directory name (`20261206-203926-NAME-4917`, or `trial-2` of a trials run).
        public let directory: String
        public let startedAt: Date
        /// `held`, `violated`, `aborted`, … as the run's verdict says.
        public let verdict: String
        public let figures: [RecoveryFigure]

        public init(directory: String, startedAt: Date, verdict: String, figures: [RecoveryFigure]) {
            self.directory = directory
            self.startedAt = startedAt
            self.verdict = verdict
            self.figures = figures
        }
    }

    /// Oldest first; the last is the run being reported.
    public let runs: [Run]
    /// Where the earlier runs were looked for.
    public let runsDirectory: String

    /// At most this many runs are drawn (the latest).
    public static let limit = 30
    /// Directories looked at, newest names first: a runs directory with thousands of runs costs no more.
    static let scanned = 400

    /// The trend ending with `current`: the runs of `campaign` in `runsDirectory` that started
    /// before it, other than its own directory. A directory whose report is missing or unreadable
    /// (a run still going, or one that was cut short) is left out.
    public static func load(campaign: String, runsDirectory: String, current: Run) -> RunTrend {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: runsDirectory)) ?? [])
            .filter { $0 != current.directory && ($0.contains(campaign) || $0.hasPrefix("trial-")) }
            .sorted().suffix(scanned)
        let earlier = names.compactMap { name -> Run? in
            guard let report = JSONReport.Stored.read(runsDirectory + "/" + name), report.name == campaign,
                  let started = Timestamp.parse(report.startedAt), started < current.startedAt else { return nil }
            return Run(directory: name, startedAt: started, verdict: report.verdict, figures: report.figures.map(\.recoveryFigure))
        }
        let runs = earlier.sorted { $0.startedAt < $1.startedAt }.suffix(limit - 1) + [current]
        return RunTrend(runs: Array(runs), runsDirectory: runsDirectory)
    }

    /// The trend of a run about to be reported in `directory`: its siblings in the parent directory.
    public static func of(_ record: RunRecord, figures: [WindowFigures], directory: String) -> RunTrend {
        let url = URL(fileURLWithPath: directory).standardizedFileURL
        let current = Run(directory: url.lastPathComponent, startedAt: record.startedAt,
                          verdict: record.verdict?.status.rawValue ?? "unknown", figures: RecoveryFigure.of(figures))
        return load(campaign: record.name, runsDirectory: url.deletingLastPathComponent().path, current: current)
    }
}
