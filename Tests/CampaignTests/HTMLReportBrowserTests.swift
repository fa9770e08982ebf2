@testable import Campaign
import Foundation
import TestSupport
import Testing

/// The HTML report in a real headless browser (Chromium, installed by scripts/setup.sh): the DOM
/// it builds has the timeline's SVG shapes, and its screenshot is a real, non-blank picture.
@Suite struct HTMLReportBrowserTests {
    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test func rendersInChromium() async throws {
        let browser = try #require(Self.chromium, "chromium is not installed: run scripts/setup.sh")
        var record = RunRecord()
        record.name = "browser-check"
        record.windows = [AnalysisTests.window()]
        record.samples = AnalysisTests.samples()
        record.verdict = CampaignVerdict(status: .held, reason: "held", checks: [CheckResult(name: "api recover_within 500ms", window: "#1 pause on db", passed: true, detail: "ok")])
        let figures = WindowAnalysis.figures(windows: record.windows, samples: record.samples, probes: ["api", "err"], runEnd: .seconds(3), consecutive: 3)
        let directory = NSTemporaryDirectory() + "fl-html-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let html = directory + "/report.html"
        try HTMLReport.render(record, figures: figures).write(toFile: html, atomically: true, encoding: .utf8)

        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=\(directory)/profile"]
        let dom = try await CommandRunner.run([browser] + flags + ["--dump-dom", "file://\(html)"])
        #expect(dom.status == 0, "\(dom.stderr.suffix(500))")
        #expect(dom.stdout.contains("<svg") && dom.stdout.contains("<polyline"), "the browser's DOM has no timeline")
        #expect(dom.stdout.contains(">onset</text>") && dom.stdout.contains(">recovered · downtime 1.25s ± 50ms</text>"), "the impact is not marked")

        let png = directory + "/report.png"
        let shot = try await CommandRunner.run([browser] + flags + ["--screenshot=\(png)", "--window-size=1100,800", "file://\(html)"])
        #expect(shot.status == 0, "\(shot.stderr.suffix(500))")
        let data = try #require(FileManager.default.contents(atPath: png))
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]))  // a PNG
        let width = data[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = data[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 1100 && height == 800)
        #expect(data.count > 20_000, "a \(data.count)-byte screenshot is too small to show the report")
    }
}
