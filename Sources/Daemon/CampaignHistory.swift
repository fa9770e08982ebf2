import Campaign
import Foundation

/// What one finished run of a campaign measured, per window and probe — an entry of
/// `GET /v1/campaigns/{name}/history` (oldest first), so a campaign's recovery can be followed
/// from run to run and release to release.
public struct CampaignHistoryEntry: Codable, Sendable, Equatable {
    public let id: String
    public let status: RunStatus
    public let endedAt: Date?
    public let figures: [RecoveryFigure]

    enum CodingKeys: String, CodingKey { case id, status, endedAt = "ended_at", figures }

    /// The entry of a finished run: its figures from the run's report.json, or computed from its
    /// journal when the report is missing (nil: neither).
    static func load(_ summary: RunSummary) -> CampaignHistoryEntry? {
        guard let directory = summary.directory else { return nil }
        let figures = RecoveryFigure.ofReport(in: directory)
            ?? (try? RunRecord.load(directory: directory)).map { RecoveryFigure.of(ReportWriter.figures(for: $0)) }
        return figures.map { CampaignHistoryEntry(id: summary.id, status: summary.status, endedAt: summary.endedAt, figures: $0) }
    }
}

/// A campaign's history: its finished runs the daemon knows, oldest first, at most `limit`.
public enum CampaignHistory {
    public static let limit = 100

    public static func of(_ campaign: String, runs: [RunSummary]) throws(APIError) -> [CampaignHistoryEntry] {
        let finished = runs.filter { $0.campaign == campaign && $0.status.isFinished }
        guard !finished.isEmpty else {
            let known = Set(runs.map(\.campaign)).sorted()
            throw APIError.notFound("no finished run of campaign '\(campaign)' (campaigns: \(known.isEmpty ? "none yet" : known.joined(separator: ", ")))")
        }
        return finished.suffix(limit).compactMap(CampaignHistoryEntry.load)
    }
}
