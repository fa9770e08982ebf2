@testable import Campaign
import Foundation
import FoundationXML
import Probes
import Testing

/// The HTML report's trend: earlier runs found beside the reported one through their report.json
/// (as ReportWriter writes it), and the chart drawn from them.
@Suite struct RunTrendTests {
    enum API { case recovers, neverRecovers, unaffected }

    /// A finished run of campaign `name` started `minute` minutes into the day, with the analysis
    /// tests' samples (api down 1.1 s then back; err failing throughout), api changed as `api`
    /// says, and a probe `quiet` that never fails.
    static func run(_ name: String, minute: Int, api: API = .recovers) -> (RunRecord, [WindowFigures]) {
        var record = RunRecord()
        record.name = name
        record.startedAt = Date(timeIntervalSince1970: 1_780_000_000 + Double(minute * 60))
        record.windows = [AnalysisTests.window()]
        var samples = AnalysisTests.samples()
        switch api {
        case .recovers: break
        case .neverRecovers: samples["api"] = samples["api"]!.map { $0.offset >= .milliseconds(1100) ? sample("api", Int($0.offset.milliseconds), .failed) : $0 }
        case .unaffected: samples["api"] = samples["api"]!.map { sample("api", Int($0.offset.milliseconds), .ok) }
        }
        samples["quiet"] = samples["api"]!.map { sample("quiet", Int($0.offset.milliseconds), .ok) }
        record.samples = samples
        record.verdict = CampaignVerdict(status: api == .neverRecovers ? .violated : .held, reason: "", checks: [])
        let figures = WindowAnalysis.figures(windows: record.windows, samples: record.samples, probes: ["api", "err", "quiet"],
                                             runEnd: .seconds(3), consecutive: 3)
        return (record, figures)
    }

    static func runsDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "fl-trend-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    static func write(_ run: (RunRecord, [WindowFigures]), as name: String, in runs: String) throws -> String {
        let directory = runs + "/" + name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = try ReportWriter.write(run.0, figures: run.1, to: directory)
        return directory
    }

    @Test func earlierRunsOfTheCampaignOldestFirst() throws {
        let runs = try Self.runsDirectory()
        defer { try? FileManager.default.removeItem(atPath: runs) }
        // Written out of order; another campaign, a later run and a torn report are left out.
        _ = try Self.write(Self.run("shop", minute: 2, api: .neverRecovers), as: "20260101-000200-shop-bbbb", in: runs)
        _ = try Self.write(Self.run("shop", minute: 1), as: "20260101-000100-shop-aaaa", in: runs)
        _ = try Self.write(Self.run("shop-other", minute: 3), as: "20260101-000300-shop-other-cccc", in: runs)
        _ = try Self.write(Self.run("shop", minute: 9), as: "20260101-000900-shop-later", in: runs)
        try FileManager.default.createDirectory(atPath: runs + "/20260101-000400-shop-torn", withIntermediateDirectories: true)
        try Data("{\"name\": \"shop\", \"started_".utf8).write(to: URL(fileURLWithPath: runs + "/20260101-000400-shop-torn/report.json"))

        let current = Self.run("shop", minute: 5)
        let trend = RunTrend.of(current.0, figures: current.1, directory: runs + "/20260101-000500-shop-dddd")
        #expect(trend.runs.map(\.directory) == ["20260101-000100-shop-aaaa", "20260101-000200-shop-bbbb", "20260101-000500-shop-dddd"])
        #expect(trend.runs.map(\.verdict) == ["held", "violated", "held"])
        // What report.json carries reads back as the analysis said it.
        #expect(trend.runs[0].figures == RecoveryFigure.of(Self.run("shop", minute: 1).1))
        let api = try #require(trend.runs[1].figures.first { $0.probe == "api" })
        #expect(!api.recovered && !api.unaffected && api.downtimeMS == nil && api.downtimeSeconds == .infinity)
        let recovered = try #require(trend.runs[0].figures.first { $0.probe == "api" })
        #expect(recovered.recovered && recovered.downtimeMS != nil)
    }

    @Test func drawsTheLatestRunsAtMost() throws {
        let runs = try Self.runsDirectory()
        defer { try? FileManager.default.removeItem(atPath: runs) }
        for minute in 0..<(RunTrend.limit + 5) {
            _ = try Self.write(Self.run("shop", minute: minute), as: String(format: "20260101-%04d-shop-x", minute), in: runs)
        }
        let current = Self.run("shop", minute: 100)
        let trend = RunTrend.of(current.0, figures: current.1, directory: runs + "/now")
        #expect(trend.runs.count == RunTrend.limit)
        #expect(trend.runs.first?.directory == String(format: "20260101-%04d-shop-x", 6) && trend.runs.last?.directory == "now")
    }

    @Test func theReportDrawsTheTrend() throws {
        let runs = try Self.runsDirectory()
        defer { try? FileManager.default.removeItem(atPath: runs) }
        let first = try Self.write(Self.run("shop", minute: 1), as: "20260101-000100-shop-aaaa", in: runs)
        let alone = try String(contentsOfFile: first + "/report.html", encoding: .utf8)
        #expect(alone.contains("<h2>Trend</h2>") && alone.contains("No earlier run of this campaign"))

        _ = try Self.write(Self.run("shop", minute: 2, api: .neverRecovers), as: "20260101-000200-shop-bbbb", in: runs)
        _ = try Self.write(Self.run("shop", minute: 3, api: .unaffected), as: "20260101-000300-shop-cccc", in: runs)
        let fourth = try Self.write(Self.run("shop", minute: 4), as: "20260101-000400-shop-dddd", in: runs)
        let html = try String(contentsOfFile: fourth + "/report.html", encoding: .utf8)
        let trendSection = try #require(html.range(of: "<h2>Trend</h2>"))
        let start = try #require(html.range(of: "<svg", range: trendSection.upperBound..<html.endIndex))
        let end = try #require(html.range(of: "</svg>", range: start.upperBound..<html.endIndex))
        let chart = String(html[start.lowerBound..<end.upperBound])
        #expect(XMLParser(data: Data(chart.utf8)).parse(), "the trend chart is not well-formed XML")
        #expect(html.contains("in the last 4 runs of this campaign"))
        // api: a dot where it recovered, a red × where it did not, a hollow dot at zero where unaffected;
        // err never recovers (four ×); quiet never failed: no panel, named below the chart.
        #expect(chart.contains(">api</text>") && chart.contains(">err</text>") && !chart.contains(">quiet</text>"))
        let marks = chart.components(separatedBy: "\n")
        #expect(marks.filter { $0.hasPrefix("<circle") && $0.contains("fill=\"#0969da\"") && $0.contains("downtime 1.25s, error rate during 90.0%") }.count == 2)
        #expect(marks.filter { $0.hasPrefix("<circle") && $0.contains("fill=\"#ffffff\"") && $0.contains("20260101-000300-shop-cccc · window #1 · unaffected") }.count == 1)
        #expect(marks.filter { $0.contains(">×<title>20260101-000200-shop-bbbb · window #1 · not recovered") }.count == 2)
        #expect(marks.filter { $0.contains(">×<title>") }.count == 5)
        // This run's dot is the larger one; the two recovered runs are joined by a line.
        #expect(marks.contains { $0.contains("r=\"4.5\"") && $0.contains("20260101-000400-shop-dddd") })
        #expect(marks.filter { $0.hasPrefix("<polyline") }.count == 1)
        // One verdict square per run.
        #expect(marks.filter { $0.hasPrefix("<rect x=") && $0.contains("<title>") }.count == 4 && chart.contains("violated</title></rect>"))
        #expect(html.contains("No check failed in any of these runs: quiet."))
    }

    /// A probe that never failed but had too few ok checks after the revert to be called unaffected
    /// is neither unaffected nor unrecovered: downtime 0, not back (+∞), and so it reads back from report.json.
    @Test func aProbeThatNeverFailedIsNotCalledUnrecovered() throws {
        var record = RunRecord()
        record.name = "short"
        record.startedAt = Date(timeIntervalSince1970: 1_780_000_000)
        record.windows = [AnalysisTests.window()]
        record.samples = ["quiet": stride(from: 0, through: 2100, by: 100).map { sample("quiet", $0, .ok) }]
        record.verdict = CampaignVerdict(status: .held, reason: "", checks: [])
        let figures = WindowAnalysis.figures(windows: record.windows, samples: record.samples, probes: ["quiet"], runEnd: .milliseconds(2150), consecutive: 3)
        let figure = try #require(RecoveryFigure.of(figures).first)
        #expect(!figure.unaffected && !figure.failed && figure.recovered)
        #expect(figure.downtimeSeconds == 0 && figure.backAfterRevertSeconds == .infinity)

        let runs = try Self.runsDirectory()
        defer { try? FileManager.default.removeItem(atPath: runs) }
        _ = try Self.write((record, figures), as: "20260101-000100-short-aaaa", in: runs)
        let later = Self.run("short", minute: 5)
        let trend = RunTrend.of(later.0, figures: later.1, directory: runs + "/20260101-000500-short-bbbb")
        #expect(trend.runs.first?.figures == [figure])
        #expect(TrendChart.describe(figure).hasPrefix("no check failed (too few ok checks after the revert"))
    }
}
